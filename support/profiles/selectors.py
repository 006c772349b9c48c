"""Reading a customer's exchange profile: which account to ask for, through the configured provider, behind a short
cache in Redis (Django's cache), so a chat's panel, its ticket and the queue's VIP rule ask the exchange once a
minute at most, and a provider that is down is asked again only after CUSTOMER_PROFILE_FAILURE_TTL seconds.

The call is bounded by the provider's deadline (CUSTOMER_PROFILE_TIMEOUT), and pages never make it while they
render: the panel fetches it after the page has loaded (static/desk/js/profile_panel.js), and the queue reads only
what is cached (customer_profile_cached).
"""
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from .data import CustomerProfile, Lookup, ProfileInvalid
from .errors import ProfileNotConfigured, ProfileUnavailable

logger = logging.getLogger(__name__)

OK, UNAVAILABLE, NOT_FOUND, NOT_LINKED, NOT_CONFIGURED = "ok", "unavailable", "not_found", "not_linked", \
    "not_configured"
STATES = (OK, UNAVAILABLE, NOT_FOUND, NOT_LINKED, NOT_CONFIGURED)


@dataclass(frozen=True)
class ProfileResult:
    state: str
    profile: CustomerProfile | None = None
    matched_by: str = ""  # uid, email


def profile_lookup(customer):
    """The account to ask the exchange about: the UID it vouched for, else the customer's address once they proved
    it to us; None for a visitor, or an address nobody proved (it could be anyone's)."""
    if customer is None:
        return None
    if customer.exchange_uid:
        return Lookup(uid=customer.exchange_uid)
    if customer.email_verified and customer.email:
        return Lookup(email=customer.email.lower())
    return None


def profile_provider():
    """An instance of CUSTOMER_PROFILE_PROVIDER (a dotted path to a class with fetch(lookup)), or None (none set, or
    a path that names nothing: logged, and the panel says nothing rather than break the page)."""
    path = settings.CUSTOMER_PROFILE_PROVIDER
    if not path:
        return None
    try:
        return import_string(path)()
    except ImportError:
        logger.exception("CUSTOMER_PROFILE_PROVIDER names no class")
        return None


def cache_key(lookup):
    """Keys name a hash, not the UID or address (they show in Redis's key listings)."""
    raw = f"{settings.CUSTOMER_PROFILE_PROVIDER}|{lookup.uid}|{lookup.email}"
    return f"customer-profile:v1:{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def _from_cache(entry, lookup):
    if entry.get("state") == OK:
        try:
            return ProfileResult(OK, CustomerProfile.from_json(entry["profile"]), lookup.matched_by)
        except (KeyError, ProfileInvalid):
            return None
    return ProfileResult(entry["state"]) if entry.get("state") in (UNAVAILABLE, NOT_FOUND) else None


def customer_profile_cached(*, customer):
    """What is known without asking the provider, for code that must not wait (the queue's VIP rule, under its row
    locks): a ProfileResult (not_linked and not_configured need no asking; ok, not_found or unavailable as cached),
    or None when the cache has nothing for this customer."""
    lookup = profile_lookup(customer)
    if lookup is None:
        return ProfileResult(NOT_LINKED)
    if not settings.CUSTOMER_PROFILE_PROVIDER:
        return ProfileResult(NOT_CONFIGURED)
    entry = cache.get(cache_key(lookup))
    return _from_cache(entry, lookup) if isinstance(entry, dict) else None


def customer_profile_get(*, customer):
    """The customer's profile: ok (with it), not_found (the exchange has no such account), unavailable (not in
    time, or not believable), not_linked (no proven account to ask about), not_configured. Answers within the
    provider's deadline; never raises for the provider's failures."""
    lookup = profile_lookup(customer)
    if lookup is None:
        return ProfileResult(NOT_LINKED)
    provider = profile_provider()
    if provider is None:
        return ProfileResult(NOT_CONFIGURED)
    key = cache_key(lookup)
    entry = cache.get(key)
    if isinstance(entry, dict) and (result := _from_cache(entry, lookup)) is not None:
        return result
    try:
        profile = provider.fetch(lookup)
    except ProfileNotConfigured:
        logger.warning("customer profile provider is not configured")
        return ProfileResult(NOT_CONFIGURED)
    except ProfileUnavailable:
        cache.set(key, {"state": UNAVAILABLE}, settings.CUSTOMER_PROFILE_FAILURE_TTL)
        return ProfileResult(UNAVAILABLE)
    except Exception:  # a plugged-in provider's bug: the panel says unavailable, the log has the traceback
        logger.exception("customer profile provider failed")
        return ProfileResult(UNAVAILABLE)
    if profile is None:
        cache.set(key, {"state": NOT_FOUND}, settings.CUSTOMER_PROFILE_TTL)
        return ProfileResult(NOT_FOUND)
    cache.set(key, {"state": OK, "profile": profile.to_json()}, settings.CUSTOMER_PROFILE_TTL)
    return ProfileResult(OK, profile, lookup.matched_by)


def profile_forget(*, customer):
    """Drop the cached answer (tests; an exchange UID linked anew)."""
    lookup = profile_lookup(customer)
    if lookup is not None:
        cache.delete(cache_key(lookup))
