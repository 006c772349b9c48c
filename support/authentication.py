"""The API's authentication classes: DRF's, with a failed CSRF check answered with the documented code
`csrf_failed` (docs/api.md) rather than the generic `permission_denied`, as the site's own CSRF failure page does; and
tokens that expire API_TOKEN_DAYS after they were issued."""
import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme, TokenScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication as DrfSessionAuthentication
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .backends import permission_names, remember_permissions


class CsrfFailed(exceptions.PermissionDenied):
    default_code = "csrf_failed"
    default_detail = _("CSRF check failed; send the X-CSRFToken header.")


class SessionAuthentication(DrfSessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed(format_lazy("{} ({})", CsrfFailed.default_detail, exc.detail)) from exc



class CsrfFailedSessionScheme(SessionScheme):
    """The schema's description of this class: DRF's session cookie, as drf-spectacular describes it."""

    target_class = "support.authentication.SessionAuthentication"


def token_expires_at(token):
    return token.created + dt.timedelta(days=settings.API_TOKEN_DAYS)


class TokenExpired(exceptions.AuthenticationFailed):
    default_code = "token_expired"
    default_detail = _("This token has expired; request a new one (POST /api/v1/auth/token/).")


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's `Authorization: Token <key>`, refused once the token is older than API_TOKEN_DAYS."""

    def authenticate_credentials(self, key):
        # DRF's lookup, with the user's permissions read in the same statement (support.backends.permission_names).
        token = Token.objects.select_related("user").annotate(permission_names=permission_names("user_id")) \
            .filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_expires_at(token) <= timezone.now():
            raise TokenExpired()
        return remember_permissions(token.user, token.permission_names), token


class ExpiringTokenScheme(TokenScheme):
    """The schema's description of the expiring token: DRF's token header."""

    target_class = "support.authentication.ExpiringTokenAuthentication"
