"""Authentication: Django's ModelBackend behind the login limits of support.ratelimit. Every password check goes
through here (the login page, the token API, the admin's login), so all three share one count per address and
one lock per account."""
from django.contrib.auth.backends import ModelBackend

from . import ratelimit


class RateLimitedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None:  # not a login attempt from outside (tests' client.login, scripts)
            return super().authenticate(request, username=username, password=password, **kwargs)
        ratelimit.login_attempt(request, username)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            ratelimit.login_failed(username)
        else:
            ratelimit.login_succeeded(username)
        return user
