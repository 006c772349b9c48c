"""The customer's profile at the exchange (issue #24): one small interface, pluggable providers.

A provider is any class, named by the dotted path in CUSTOMER_PROFILE_PROVIDER, with

    fetch(lookup: Lookup) -> CustomerProfile | None     (None: the exchange has no such account)

raising ProfileUnavailable when it cannot answer in time or cannot be believed. Two ship here: the exchange's signed
HTTP endpoint (http.HttpProfileProvider, the contract in docs/api.md) and made-up data for demos and tests
(demo.DemoProfileProvider). Callers use the selectors: customer_profile_get (cached, bounded by the deadline) and
customer_profile_cached (the cache alone, for code that must not wait). In support/ because every app that shows a
customer (tickets, live chat, the desk) and the queue's VIP rule read it.
"""
from .data import CustomerProfile, Lookup, ProfileInvalid, Transfer
from .errors import ProfileNotConfigured, ProfileUnavailable
from .labels import profile_display
from .selectors import (
    NOT_CONFIGURED,
    NOT_FOUND,
    NOT_LINKED,
    OK,
    STATES,
    UNAVAILABLE,
    ProfileResult,
    customer_profile_cached,
    customer_profile_get,
    profile_forget,
    profile_lookup,
)

__all__ = [
    "CustomerProfile", "Lookup", "ProfileInvalid", "Transfer", "ProfileNotConfigured", "ProfileUnavailable",
    "profile_display", "NOT_CONFIGURED", "NOT_FOUND", "NOT_LINKED", "OK", "STATES", "UNAVAILABLE", "ProfileResult",
    "customer_profile_cached", "customer_profile_get", "profile_forget", "profile_lookup",
]
