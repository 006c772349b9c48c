"""The API's session authentication: DRF's, with a failed CSRF check answered with the documented code
`csrf_failed` (docs/api.md) rather than the generic `permission_denied`, as the site's own CSRF failure page does."""
from drf_spectacular.authentication import SessionScheme
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication as DrfSessionAuthentication


class CsrfFailed(exceptions.PermissionDenied):
    default_code = "csrf_failed"
    default_detail = "CSRF check failed; send the X-CSRFToken header."


class SessionAuthentication(DrfSessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed(f"{CsrfFailed.default_detail} ({exc.detail})") from exc



class CsrfFailedSessionScheme(SessionScheme):
    """The schema's description of this class: DRF's session cookie, as drf-spectacular describes it."""

    target_class = "support.authentication.SessionAuthentication"
