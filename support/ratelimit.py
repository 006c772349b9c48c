"""Rate limits for what attackers and runaway scripts hammer: logins, tokens, sign-ups, password resets, new
tickets, new chats and bot questions (websocket frames have their own per-socket window in livechat.consumers).

Each limit is a count per fixed window, per key (a client address, an account, an email), kept in Redis through
the cache: one INCR per check, shared by every process. Going over raises RateLimited, which the API answers as
429 {"error": {"code": "rate_limited", ...}} and pages as a readable 429 page, both with Retry-After.

Failed logins are counted per account as well as per address. An account with RATE_LIMITS["login_failures"]
failures within its window refuses logins until the window ends: long enough to stop guessing, short enough that
an attacker cannot lock the owner out for good, and a completed password reset (the owner proving they hold the
mailbox) lifts it at once.
"""
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _


class RateLimited(Exception):
    code = "rate_limited"

    def __init__(self, retry_after, detail=None):
        self.retry_after = max(1, math.ceil(retry_after))  # never sooner than the window really ends
        self.detail = detail or _("Too many attempts. Please wait a little and try again.")
        super().__init__(str(self.detail))


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind our own proxy (TRUSTED_PROXY_HOPS > 0) the address that proxy
    appended to X-Forwarded-For (the rightmost ones are ours; anything further left is what the client claimed)."""
    hops = settings.TRUSTED_PROXY_HOPS
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def _key(scope, ident, window):
    digest = hashlib.sha256(str(ident).strip().lower().encode()).hexdigest()[:32]  # no raw emails in Redis keys
    return f"ratelimit:{scope}:{digest}:{window}"


def _window(scope):
    limit, period = settings.RATE_LIMITS[scope]
    now = time.time()
    window = int(now // period)
    return limit, period, window, (window + 1) * period - now


def _count(scope, ident):
    """Add one to `ident`'s count of `scope` in this window; returns (count, limit, seconds left in the window)."""
    limit, period, window, remaining = _window(scope)
    key = _key(scope, ident, window)
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        count = 1
    return count, limit, remaining


def hit(scope, ident):
    """Count one attempt of `scope` by `ident`; raise RateLimited once the window's limit is passed."""
    if not settings.RATE_LIMITS_ENABLED or ident in (None, ""):
        return
    count, limit, remaining = _count(scope, ident)
    if count > limit:
        raise RateLimited(remaining)


def check(scope, ident):
    """Raise RateLimited if `ident` has already used up `scope` in this window, without counting an attempt."""
    if not settings.RATE_LIMITS_ENABLED or ident in (None, ""):
        return
    limit, _period, window, remaining = _window(scope)
    if (cache.get(_key(scope, ident, window)) or 0) >= limit:
        raise RateLimited(remaining, _("Too many failed attempts for this account. Try again later, or reset your "
                                       "password to get in now."))


def clear(scope, ident):
    if ident in (None, ""):
        return
    _limit, _period, window, _remaining = _window(scope)
    cache.delete(_key(scope, ident, window))


# --- logins: one place for the page, the token API and the admin's login ---------------------------------------


def login_attempt(request, email):
    """Before checking a password: the address's attempts and the account's lock."""
    hit("login", client_ip(request))
    check("login_failures", email)


def login_failed(email):
    """Count a wrong password for the account (the lock shows on the next attempt, in login_attempt)."""
    if settings.RATE_LIMITS_ENABLED and email:
        _count("login_failures", email)


def login_succeeded(email):
    clear("login_failures", email)


def ticket_create_attempt(request):
    """A customer's new request, from the form or the API (agents filing for customers are not limited)."""
    from .roles import is_agent

    if is_agent(request.user):
        return
    hit("ticket_create_ip", client_ip(request))
    hit("ticket_create", request.user.pk if request.user.is_authenticated else None)
