"""GET /api/v1/verify/: is this email address, website, phone number, social account or agent code ours? Public."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from support import ratelimit
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
    label = serializers.CharField(allow_null=True, help_text="the official channel's label in the request's "
                                  "language, or the agent's name; null when not official")


class VerifyApi(APIView):
    """No authentication at all: the answer is the same for everyone, and a stale token must not stand between a
    worried customer and it."""

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
                                         platform=query.validated_data.get("platform", ""))
        return Response(VerifyOutputSerializer(result).data)
