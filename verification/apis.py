"""GET /api/v1/verify/: is this email address, website, phone number, social account or agent code ours? Public."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from support import ratelimit
from support.authentication import ExpiringTokenAuthentication
from support.schema import RETRY_AFTER, errors

from . import selectors
from .models import CHECK_KINDS, Platform
from .normalize import MAX_INPUT


class VerifyQuerySerializer(serializers.Serializer):  # query parameters: ?lang= may come along
    kind = serializers.ChoiceField(choices=CHECK_KINDS, help_text="what `value` is")
    value = serializers.CharField(max_length=MAX_INPUT, help_text="as seen or pasted: an address, a link, a "
                                  "number with its country code, @name, or an agent's code")
    platform = serializers.ChoiceField(choices=Platform.values, required=False, allow_blank=True,
                                       help_text="social accounts only: match on this platform (a pasted profile "
                                       "link names its own); any platform when absent")


class VerifyOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CHECK_KINDS)
    value = serializers.CharField(help_text="normalised: what was compared (domains in punycode, phones as "
                                  "+digits, names lower case)")
    official = serializers.BooleanField()
    conversation = serializers.CharField(help_text="an agent code: the asker's own conversation it belongs to (a "
                                         "ticket's reference, or \"chat\"); empty otherwise")
    needs_sign_in = serializers.BooleanField(help_text="an agent code asked about without signing in: a code "
                                             "belongs to one conversation, so only its customer can check it")
    label = serializers.CharField(allow_null=True, help_text="the official channel's label in the request's "
                                  "language, or the agent's name; null when not official")


def _signed_in_customer(request):
    """Who asks, for an agent code (checked against their own conversations): the session's user or a valid token's;
    None otherwise. Never an error: a stale token must not stand between a worried customer and an answer."""
    user = getattr(request._request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    try:
        found = ExpiringTokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return found[0] if found else None


class VerifyApi(APIView):
    """No authentication required: the answer about a channel is the same for everyone, and a stale token must not
    stand between a worried customer and it. An agent code is checked for the signed-in customer only."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(parameters=[VerifyQuerySerializer, RETRY_AFTER],
                   responses={200: VerifyOutputSerializer, **errors(400, 429)}, tags=["verification"],
                   operation_id="verify_channel", summary="Check whether a contact is one of our official channels")
    def get(self, request):
        ratelimit.hit("verify", ratelimit.client_ip(request))
        query = VerifyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = selectors.channel_check(query.validated_data["kind"], query.validated_data["value"],
                                         platform=query.validated_data.get("platform", ""),
                                         customer=_signed_in_customer(request))
        return Response(VerifyOutputSerializer(result).data)
