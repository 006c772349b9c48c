"""Rate limits for what attackers and runaway scripts hammer: logins, tokens, sign-ups, password resets, new
tickets, new chats and bot questions (websocket frames have their own per-socket window in livechat.consumers).

Each limit is a count per fixed window, per key (a client address, an account, an email), kept in Redis through
the cache: one INCR per check, shared by every process. Going over raises RateLimited, which the API answers as
429 {"error": {"code": "rate_limited", ...}} and pages as a readable 429 page, both with Retry-After.

Failed logins are counted per account as well as per address. An account with RATE_LIMITS["login_failures"]
failures within its window refuses logins for one period from the last of them: long enough to stop guessing,
and a completed password reset (the owner proving they hold the mailbox) lifts it at once, so an attacker cannot
keep the owner out.
"""
import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .roles import is_agent


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


def _lock_key(scope, ident):
    return _key(scope, ident, "lock")


def _check_lock(scope, ident):
    """Raise RateLimited while `ident` is locked out of `scope` (see login_failed)."""
    if not settings.RATE_LIMITS_ENABLED or ident in (None, ""):
        return
    until = cache.get(_lock_key(scope, ident))
    if until is not None and until > time.time():
        raise RateLimited(until - time.time(), _("Too many failed attempts for this account. Try again later, or "
                                                 "reset your password to get in now."))


# --- logins: one place for the page, the token API and the admin's login ---------------------------------------


def login_attempt(request, email):
    """Before checking a password: the address's attempts and the account's lock."""
    hit("login", client_ip(request))
    _check_lock("login_failures", email)


def login_failed(email):
    """Count a wrong password for the account. The one that reaches the limit locks the account for a whole
    period from now (a lock of its own, not the rest of a counting window, which could be seconds)."""
    if not settings.RATE_LIMITS_ENABLED or not email:
        return
    count, limit, _remaining = _count("login_failures", email)
    if count >= limit:
        period = settings.RATE_LIMITS["login_failures"][1]
        cache.set(_lock_key("login_failures", email), time.time() + period, timeout=period)


def login_succeeded(email):
    """A correct password, or a completed password reset: the account's count and lock are cleared."""
    if not email:
        return
    _limit, _period, window, _remaining = _window("login_failures")
    cache.delete_many([_key("login_failures", email, window), _lock_key("login_failures", email)])


def ticket_create_attempt(request):
    """A customer's new request, from the form or the API (agents filing for customers are not limited)."""
    if is_agent(request.user):
        return
    hit("ticket_create_ip", client_ip(request))
    hit("ticket_create", request.user.pk if request.user.is_authenticated else None)
