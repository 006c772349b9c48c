"""Language for signed-in users: their saved preference wins over the browser's Accept-Language."""
from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import urlencode

from . import twofactor
from .api_errors import json_error_response
from .languages import normalize_language
from .ratelimit import RateLimited


class UserLanguageMiddleware:
    """Runs after LocaleMiddleware and authentication.

    For URLs without a language prefix (the API, /healthz), a signed-in user's preferred language is used unless the
    request says otherwise (?lang= or an explicit language cookie). Prefixed HTML pages keep the prefix's language:
    the URL is what the user chose to look at.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        explicit = normalize_language(request.GET.get("lang")) if "lang" in request.GET else None
        if explicit:
            translation.activate(explicit)
            request.LANGUAGE_CODE = explicit
        elif not translation.get_language_from_path(request.path_info):
            user = getattr(request, "user", None)
            if (
                user is not None
                and user.is_authenticated
                and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
                and user.language
            ):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response, from settings.CONTENT_SECURITY_POLICY. A view that must be framed
    elsewhere (the chat page, for the embeddable widget) sets `response.csp_frame_ancestors` to the extra origins;
    a view that sets its own Content-Security-Policy header keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = dict(settings.CONTENT_SECURITY_POLICY)
            extra = getattr(response, "csp_frame_ancestors", None)
            if extra is not None:
                policy["frame-ancestors"] = ["'self'", *extra]
            response["Content-Security-Policy"] = "; ".join(f"{name} {' '.join(values)}"
                                                            for name, values in policy.items())
        return response


class RateLimitMiddleware:
    """RateLimited raised by a page becomes a 429 page (the API's exception handler answers its own, as JSON)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, RateLimited):
            return None
        if request.path.startswith("/api/"):
            response = json_error_response(exception.code, exception.detail, 429)
        else:
            match = getattr(request, "resolver_match", None)
            response = render(request, "429.html", {
                "detail": exception.detail, "minutes": -(-exception.retry_after // 60),
                "offer_reset": match is not None and match.url_name == "login"}, status=429)
        response["Retry-After"] = str(exception.retry_after)
        return response


class StaffTwoFactorMiddleware:
    """A staff session that has not passed its second factor (support.twofactor) reaches only the pages that complete
    it, logout and the language switch: pages redirect there (to set a device up first when there is none), the API
    answers 403 `two_factor_required`. Runs after authentication."""

    OPEN = {"two_factor", "two_factor_setup", "logout", "set_language", "healthz", "javascript-catalog"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or twofactor.session_verified(user, request.session):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)  # a 404 whoever asks
        if match.url_name in self.OPEN or match.view_name in {"admin:login", "admin:logout"}:
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return json_error_response("two_factor_required", "Staff accounts must sign in with a second factor: "
                                       "finish signing in (a code from your authenticator app) in the browser, or "
                                       "ask for an API token with the code.", 403)
        name = "two_factor" if twofactor.has_device(user) else "two_factor_setup"
        return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
