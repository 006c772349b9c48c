"""REST endpoints of the shared core: register, token, the current user and notifications."""
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed, NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import ratelimit, selectors, services, twofactor
from .authentication import token_expires_at
from .pagination import StandardPagination
from .schema import RETRY_AFTER, errors
from .serializers import (
    EmailConfirmInputSerializer,
    NotificationOutputSerializer,
    ReadAllOutputSerializer,
    RegisterInputSerializer,
    RegisterOutputSerializer,
    TokenInfoOutputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
    UserOutputSerializer,
)


class RegisterApi(APIView):
    """Create a customer account and return it with an API token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=RegisterInputSerializer, responses={201: RegisterOutputSerializer, **errors(400, 415, 429)},
                   parameters=[RETRY_AFTER], tags=["auth"])
    def post(self, request):
        ratelimit.hit("register", ratelimit.client_ip(request))
        data = RegisterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        token = services.api_token_issue(user=user)
        body = dict(UserOutputSerializer(user).data, token=token.key)
        return Response(body, status=status.HTTP_201_CREATED)


class EmailConfirmApi(APIView):
    """Confirm the signed-in account's address with the token from the link mailed to it (the web page
    /<lang>/accounts/confirm-email/<token>/ does the same)."""

    @extend_schema(request=EmailConfirmInputSerializer, responses={200: UserOutputSerializer, **errors(400, 401, 415)},
                   tags=["auth"])
    def post(self, request):
        data = EmailConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_email_confirm(user=request.user, token=data.validated_data["token"])
        return Response(UserOutputSerializer(user).data)


class EmailConfirmationApi(APIView):
    """Mail the confirmation link to the signed-in account's address again (limited per address)."""

    @extend_schema(request=None, responses={202: None, **errors(401, 429)}, parameters=[RETRY_AFTER], tags=["auth"])
    def post(self, request):
        ratelimit.hit("password_reset_email", request.user.email)
        services.user_email_confirmation_send(user=request.user)
        return Response(status=status.HTTP_202_ACCEPTED)


class TokenApi(APIView):
    """Exchange email and password for the user's API token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_authenticate_header(self, request):
        # Wrong credentials are a 401 (DRF would turn it into a 403 for a view without authenticators).
        return "Token"

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer, **errors(400, 401, 403, 415, 429)},
                   parameters=[RETRY_AFTER], tags=["auth"])
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request, username=data.validated_data["email"], password=data.validated_data["password"]
        )
        if user is None:
            raise AuthenticationFailed(_("Email or password is wrong, or the account is disabled."),
                                       code="invalid_credentials")
        if twofactor.required_for(user):
            # Staff: the password and a current code (or a recovery code), as in the browser.
            if not twofactor.has_device(user):
                raise PermissionDenied(_("Set up two-step sign-in in the browser first (sign in at /accounts/login/)."),
                                       code="two_factor_setup_required")
            if not data.validated_data.get("otp"):
                raise AuthenticationFailed(_("Staff accounts need a code from their authenticator app: send `otp`."),
                                           code="two_factor_required")
            if twofactor.verify(user=user, code=data.validated_data["otp"]) is None:
                raise AuthenticationFailed(_("That code is not right, or it has expired."), code="invalid_otp")
        token = services.api_token_issue(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})


class CurrentTokenApi(APIView):
    """The signed-in user's API token: when it was issued and when it expires (never the key); DELETE revokes it
    (a token someone may have seen stops working at once)."""

    @extend_schema(responses={200: TokenInfoOutputSerializer, **errors(401, 404)}, tags=["auth"])
    def get(self, request):
        token = Token.objects.filter(user=request.user).first()
        if token is None:
            raise NotFound(_("You have no API token."))
        return Response(TokenInfoOutputSerializer({"created": token.created,
                                                   "expires_at": token_expires_at(token)}).data)

    @extend_schema(responses={204: None, **errors(401, 404)}, tags=["auth"])
    def delete(self, request):
        if not services.api_token_revoke(user=request.user):
            raise NotFound(_("You have no API token."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """The signed-in user."""

    @extend_schema(responses={200: UserOutputSerializer, **errors(401)}, tags=["auth"])
    def get(self, request):
        return Response(UserOutputSerializer(request.user).data)


class NotificationPagination(StandardPagination):
    """Pages of notifications also carry the user's unread count (NotificationListApi adds it)."""

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["unread"] = {"type": "integer", "description": "the user's unread notifications"}
        response["required"] = [*response["required"], "unread"]
        return response


class NotificationListApi(APIView):
    """The user's in-site notifications, newest first; `?unread=1` for unread only."""

    pagination_class = NotificationPagination

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="true (or 1, yes): unread ones only")],
                   responses={200: NotificationOutputSerializer(many=True), **errors(401, 404)},
                   tags=["notifications"])
    def get(self, request):
        unread_only = request.query_params.get("unread") in {"1", "true", "yes"}
        qs = selectors.notification_list_for_user(user=request.user, unread_only=unread_only)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        response = paginator.get_paginated_response(NotificationOutputSerializer(page, many=True).data)
        response.data["unread"] = selectors.notification_unread_count(user=request.user)
        return response


class NotificationReadApi(APIView):
    """Mark one of the user's notifications read. Another user's notification answers 404."""

    @extend_schema(request=None, responses={204: None, **errors(401, 403, 404)}, tags=["notifications"])
    def post(self, request, notification_id):
        if not services.notification_mark_read(user=request.user, notification_id=notification_id):
            raise NotFound()
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationReadAllApi(APIView):
    """Mark all of the user's notifications read."""

    @extend_schema(request=None, responses={200: ReadAllOutputSerializer, **errors(401, 403)},
                   tags=["notifications"])
    def post(self, request):
        return Response({"marked": services.notification_mark_all_read(user=request.user)})
