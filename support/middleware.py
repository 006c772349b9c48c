"""Language for signed-in users: their saved preference wins over the browser's Accept-Language."""
from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Runs after LocaleMiddleware and authentication.

    For URLs without a language prefix (the API, /healthz), a signed-in user's preferred language is used unless the
    request says otherwise (?lang= or an explicit language cookie). Prefixed HTML pages keep the prefix's language:
    the URL is what the user chose to look at.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .languages import normalize_language

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
