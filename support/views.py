"""HTML pages of the shared core: landing page, sign-up and login, language choice, notifications, health."""
import logging
import re
import sys

from django import db
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from . import ratelimit, selectors, services, twofactor
from .api_errors import json_error_response
from .forms import ClaimingPasswordResetForm, EmailAuthenticationForm, SignUpForm
from .health import health_report
from .languages import normalize_language
from .notifications import render_body, render_title

logger = logging.getLogger(__name__)


def home(request):
    return render(request, "support/home.html")


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    if request.method == "POST":
        ratelimit.hit("register", ratelimit.client_ip(request))
        form = SignUpForm(request.POST)
        if form.is_valid():
            try:
                user = services.user_register(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    language=form.cleaned_data["language"],
                    name=form.cleaned_data["name"],
                )
            except services.EmailTaken:
                form.add_error("email", _("An account with this email already exists. Log in or reset your password."))
            else:
                login(request, user, backend="support.backends.RateLimitedModelBackend")
                messages.success(request, _("Welcome! Your account is ready. We sent you a link to confirm your "
                                            "email address."))
                return _redirect_in_language(request, user.language, "/")
    else:
        form = SignUpForm(initial={"language": translation.get_language()})
    return render(request, "registration/signup.html", {"form": form})


@login_required
def confirm_email(request, token):
    """The link mailed at sign-up, opened signed in as the account it was sent for: the address is proven."""
    try:
        services.user_email_confirm(user=request.user, token=token)
    except services.ConfirmationRefused as exc:
        return render(request, "registration/confirm_email.html", {"problem": exc.detail}, status=400)
    messages.success(request, _("Your email address is confirmed."))
    return redirect("tickets:my_list")


@login_required
@require_POST
def confirm_email_resend(request):
    """Mail the confirmation link again (limited like password resets: it sends mail)."""
    ratelimit.hit("password_reset_email", request.user.email)
    services.user_email_confirmation_send(user=request.user)
    messages.success(request, _("We sent the link again to %(email)s.") % {"email": request.user.email})
    return redirect("tickets:my_list")


class LoginView(auth_views.LoginView):
    """Django's login, by email; afterwards the user sees the site in their saved language."""

    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        login(self.request, user)
        if twofactor.required_for(user):
            # The password was right; staff finish signing in with their second factor, in their language.
            name = "two_factor" if twofactor.has_device(user) else "two_factor_setup"
            with translation.override(user.language):
                step = reverse(name)
            return HttpResponseRedirect(f"{step}?{urlencode({'next': self.get_success_url()})}")
        return _redirect_in_language(self.request, user.language, self.get_success_url())


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return f"/{request.user.language}/"


def _otp_login(request, device):
    """The session has passed its second factor: a new session key (a key seen before the factor is worth
    nothing after it), and the device recorded in it."""
    request.session.cycle_key()
    otp_login(request, device)


@login_required
def two_factor(request):
    """The second step of a staff sign-in: a code from the authenticator app, or a recovery code."""
    if not twofactor.required_for(request.user) or twofactor.session_verified(request.user, request.session):
        return HttpResponseRedirect(_next_url(request))
    if not twofactor.has_device(request.user):
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _next_url(request)})}")
    error = ""
    if request.method == "POST":
        ratelimit.hit("login", ratelimit.client_ip(request))
        device = twofactor.verify(user=request.user, code=request.POST.get("code", ""))
        if device is not None:
            _otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(request, _("You used a recovery code. %(left)s are left: make new ones if you "
                                            "are running out.") % {"left": twofactor.recovery_codes_left(request.user)})
            return HttpResponseRedirect(_next_url(request))
        error = _("That code is not right, or it has expired. Type the code your app shows now.")
    return render(request, "registration/two_factor.html", {"error": error, "next": _next_url(request)},
                  status=400 if error else 200)


@login_required
def two_factor_setup(request):
    """Set up the authenticator app: scan the QR code (or type the key), then type a code it shows. Staff without
    a device come here after their password; replacing a device needs a session that passed the factor already."""
    user = request.user
    if not twofactor.required_for(user):
        raise Http404
    if twofactor.has_device(user) and not twofactor.session_verified(user, request.session):
        return redirect(f"{reverse('two_factor')}?{urlencode({'next': _next_url(request)})}")
    error = ""
    device_id = request.session.get("two_factor_setup_device")
    if request.method == "POST" and request.POST.get("code") is not None and device_id:
        ratelimit.hit("login", ratelimit.client_ip(request))
        confirmed = twofactor.setup_confirm(user=user, device_id=device_id, code=request.POST.get("code", ""))
        if confirmed is not None:
            device, codes = confirmed
            request.session.pop("two_factor_setup_device", None)
            _otp_login(request, device)
            return render(request, "registration/two_factor_codes.html",
                          {"codes": codes, "next": _next_url(request), "new_device": True})
        error = _("That code is not right. Check the time on your phone and type the code your app shows now.")
    device = twofactor.setup_device(user=user, device_id=device_id) if error else None
    if device is None:
        device = twofactor.setup_begin(user=user)
        request.session["two_factor_setup_device"] = device.pk
    secret, _url = twofactor.setup_secret(device)
    return render(request, "registration/two_factor_setup.html", {
        "qr_svg": twofactor.setup_qr_svg(device), "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "error": error, "next": _next_url(request)}, status=400 if error else 200)


@login_required
def two_factor_recovery_codes(request):
    """How many recovery codes are left; POST makes ten new ones (shown once) and voids the old."""
    if not twofactor.required_for(request.user):
        raise Http404
    if request.method == "POST":
        codes = twofactor.recovery_codes_renew(user=request.user)
        return render(request, "registration/two_factor_codes.html", {"codes": codes, "next": _next_url(request)})
    return render(request, "registration/two_factor_codes.html",
                  {"left": twofactor.recovery_codes_left(request.user), "next": _next_url(request)})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per address and per email (it sends mail to whoever is named)."""

    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    form_class = ClaimingPasswordResetForm  # accounts made from mail or chat can set their first password

    def post(self, request, *args, **kwargs):
        ratelimit.hit("password_reset", ratelimit.client_ip(request))
        ratelimit.hit("password_reset_email", request.POST.get("email", ""))
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from the emailed link also lifts a lock from failed logins: the owner has shown they
    hold the mailbox, so an attacker's guessing cannot keep them out."""

    def form_valid(self, form):
        response = super().form_valid(form)
        ratelimit.login_succeeded(form.user.email)
        services.user_password_reset(user=form.user)
        return response


def _redirect_in_language(request, language, next_url):
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = "/"
    if next_url == "/":
        next_url = f"/{language}/"
    response = HttpResponseRedirect(translate_url(next_url, language))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


@require_POST
def set_language_view(request):
    """Django's set_language, and a signed-in user's choice is saved as their preferred language."""
    response = set_language(request)
    language = normalize_language(request.POST.get("language"))
    if language and request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    return response


@login_required
def notification_list(request):
    qs = selectors.notification_list_for_user(user=request.user)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    items = [
        {"id": n.id, "title": render_title(n), "body": render_body(n), "url": n.url, "created_at": n.created_at,
         "read": n.is_read}
        for n in page.object_list
    ]
    return render(request, "support/notifications.html", {"page": page, "items": items})


@login_required
@require_POST
def notification_read(request, notification_id):
    if not services.notification_mark_read(user=request.user, notification_id=notification_id):
        raise Http404
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications")


def healthz(request):
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


_API_PATH = re.compile(r"^(/[a-z]{2}(-[a-z]+)?)?/api(/|$)")


def _is_api(request):
    """An API path (/api, /api/..., or under a language prefix as API clients sometimes guess: /en/api/...): its
    errors are JSON in the API's error shape, never an HTML page."""
    return bool(_API_PATH.match(request.path))


def page_not_found(request, exception=None):
    if _is_api(request):
        return json_error_response("not_found", "Not found.", 404)
    return render(request, "404.html", status=404)


def server_error(request):
    """Django's handler for an uncaught exception (from a view or a middleware). The database being unreachable is
    not a bug: it answers 503 with Retry-After, without touching the database again (no session, no user), and
    Django drops the broken connection at the end of the request, so the next request reconnects by itself."""
    if isinstance(sys.exc_info()[1], (db.OperationalError, db.InterfaceError)):
        logger.warning("database unavailable: %s", sys.exc_info()[1])
        if _is_api(request):
            response = json_error_response("service_unavailable",
                                           "The service is briefly unavailable. Please try again shortly.", 503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    if _is_api(request):
        return json_error_response("server_error", "Something went wrong on our side. Please try again.", 500)
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    if _is_api(request):
        return json_error_response("permission_denied", "You do not have permission to do this.", 403)
    return render(request, "403.html", status=403)


def bad_request(request, exception=None):
    if _is_api(request):
        return json_error_response("bad_request", "Bad request.", 400)
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    if _is_api(request):
        return json_error_response("csrf_failed", "CSRF check failed; send the X-CSRFToken header.", 403)
    return render(request, "403_csrf.html", status=403)
