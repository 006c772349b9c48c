"""The customer's exchange profile (support/profiles, issue #24): the signed protocol both ways, the HTTP provider
against a real local server (slow, failing, lying), the cache, which account is asked about, the demo provider and
the labels agents read."""
import logging
import time

import pytest
from django.utils import translation

from support.profiles import (
    NOT_FOUND,
    NOT_LINKED,
    OK,
    UNAVAILABLE,
    Lookup,
    customer_profile_cached,
    customer_profile_get,
    profile_display,
    profile_forget,
    signing,
)
from support.profiles.demo import DemoProfileProvider
from support.profiles.errors import ProfileNotConfigured
from support.profiles.http import HttpProfileProvider
from tests.factories import UserFactory

from .exchange_server import SECRET, profile_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(db):
    """A customer whose exchange UID the exchange vouched for; their cached profile is dropped before and after."""
    customer = UserFactory(email="kim@example.com")
    customer.exchange_uid = "EX-1001"
    customer.save(update_fields=["exchange_uid"])
    profile_forget(customer=customer)
    yield customer
    profile_forget(customer=customer)


# --- the signatures -------------------------------------------------------------------------------------------------

def _signed_request(now=1_800_000_000, nonce="0123456789abcdef0123456789abcdef", params=(("uid", "EX-1001"),)):
    headers, nonce = signing.request_headers(secret=SECRET, method="GET", path="/p", params=list(params), now=now,
                                             nonce=nonce)
    return headers, nonce


def test_a_signed_request_verifies_and_any_change_to_it_is_refused():
    """The exchange accepts our call as signed, and refuses it if the path, the query, the body, the time or the
    signature was changed on the way."""
    headers, nonce = _signed_request()
    ok = dict(method="GET", path="/p", query_string="uid=EX-1001", headers=headers, now=1_800_000_010)
    assert signing.verify_request(secret=SECRET, **ok) == nonce
    for change in ({"path": "/q"}, {"query_string": "uid=EX-1002"}, {"body": b"x"}, {"method": "POST"},
                   {"headers": {**headers, signing.H_TIMESTAMP: str(1_800_000_001)}},
                   {"headers": {**headers, signing.H_SIGNATURE: headers[signing.H_SIGNATURE][:-1] + "0"}}):
        with pytest.raises(signing.SignatureInvalid):
            signing.verify_request(secret=SECRET, **{**ok, **change})
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_request(secret="another-secret", **ok)


def test_a_request_outside_the_replay_window_or_sent_twice_is_refused():
    """A recorded call stops working after the window, and within it its nonce works once."""
    headers, _nonce = _signed_request()
    ok = dict(secret=SECRET, method="GET", path="/p", query_string="uid=EX-1001", headers=headers)
    with pytest.raises(signing.SignatureInvalid, match="replay window"):
        signing.verify_request(**ok, now=1_800_000_000 + 301, max_skew=300)
    seen = set()
    signing.verify_request(**ok, now=1_800_000_000, seen=seen)
    with pytest.raises(signing.SignatureInvalid, match="replayed"):
        signing.verify_request(**ok, now=1_800_000_000, seen=seen)


def test_the_query_is_signed_in_canonical_order_and_encoding():
    """Parameters are sorted and percent-encoded per RFC 3986, so both sides sign the same string whatever order
    or encoding the URL had on the wire (a + or %20 for a space, any order)."""
    assert signing.canonical_query([("uid", "A B"), ("email", "a+b@x.io")]) == "email=a%2Bb%40x.io&uid=A%20B"
    headers, _nonce = _signed_request(params=[("email", "a+b@x.io"), ("uid", "A B")])
    signing.verify_request(secret=SECRET, method="GET", path="/p", query_string="uid=A%20B&email=a%2Bb%40x.io",
                           headers=headers, now=1_800_000_000)


def test_the_documented_example_signature_is_what_the_code_computes():
    """docs/api.md gives an exchange a worked example to test its implementation against; it must stay true."""
    nonce = "5f2b9c0e7d4a4c1e9b8a7f6e5d4c3b2a"
    headers, _nonce = signing.request_headers(secret="example-secret", method="GET", path="/support/profile",
                                              params=[("uid", "EX-1001")], now=1767225600, nonce=nonce)
    assert headers == {"X-Support-Timestamp": "1767225600", "X-Support-Nonce": nonce, "X-Support-Signature":
                       "v1=28ee1258d8e40295fe7da8a29ded2087002700b01d860f7a8b72a8fc9d31380e"}
    answer = signing.response_headers(secret="example-secret", status=200, nonce=nonce, body=b'{"uid": "EX-1001"}',
                                      now=1767225601)
    assert answer == {"X-Exchange-Timestamp": "1767225601", "X-Exchange-Signature":
                      "v1=c0accba0b43ded4790039bc5a45bd5d063fbabb54da0eea54863af888015b5c7"}


def test_an_answer_verifies_only_for_its_own_request_status_and_body():
    """A spoofed or replayed answer is refused: another call's nonce, another status, another body, a stale time,
    the wrong secret; and a request's signature is never accepted as an answer's."""
    body = b'{"uid": "EX-1001"}'
    headers = signing.response_headers(secret=SECRET, status=200, nonce="n" * 32, body=body, now=1_800_000_000)
    ok = dict(secret=SECRET, status=200, nonce="n" * 32, headers=headers, body=body, now=1_800_000_000)
    signing.verify_response(**ok)
    for change in ({"nonce": "m" * 32}, {"status": 404}, {"body": b'{"uid": "EX-6666"}'}, {"secret": "x"},
                   {"now": 1_800_000_000 + 301}):
        with pytest.raises(signing.SignatureInvalid):
            signing.verify_response(**{**ok, **change})
    request_headers, nonce = _signed_request(now=1_800_000_000)
    reflected = {signing.H_RESPONSE_TIMESTAMP: request_headers[signing.H_TIMESTAMP],
                 signing.H_RESPONSE_SIGNATURE: request_headers[signing.H_SIGNATURE]}
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_response(secret=SECRET, status=200, nonce=nonce, headers=reflected, body=b"",
                                now=1_800_000_000)


# --- the HTTP provider against a real server ------------------------------------------------------------------------

def test_the_http_provider_reads_a_signed_profile(exchange, linked):
    """A signed answer becomes the profile, transfers newest first; the server saw a signed call by UID."""
    server = exchange({("uid", "EX-1001"): profile_json(vip_tier=3, risk_flags=["new_withdrawal_address"])})
    result = customer_profile_get(customer=linked)
    assert (result.state, result.matched_by) == (OK, "uid")
    profile = result.profile
    assert (profile.uid, profile.kyc_level, profile.vip_tier, profile.risk_flags) == \
        ("EX-1001", 2, 3, ("new_withdrawal_address",))
    assert [t.asset for t in profile.transfers] == ["BTC", "USDT", "ETH"]
    assert server.requests[0]["query"] == "uid=EX-1001" and server.refused == []


def test_an_account_the_exchange_does_not_know_is_not_found(exchange, linked):
    exchange({})
    assert customer_profile_get(customer=linked).state == NOT_FOUND


@pytest.mark.parametrize("mode", ["bad_signature", "error", "garbage"])
def test_an_answer_that_cannot_be_believed_is_unavailable(exchange, linked, mode, caplog):
    """Wrong signature, a 500, or something that is not the documented JSON: unavailable, and the log says why
    without naming the customer."""
    exchange({("uid", "EX-1001"): profile_json()}, mode=mode)
    with caplog.at_level(logging.WARNING, logger="support.profiles"):
        assert customer_profile_get(customer=linked).state == UNAVAILABLE
    assert caplog.records and all("EX-1001" not in r.getMessage() and "kim@" not in r.getMessage()
                                  for r in caplog.records)


def test_a_replayed_answer_is_refused(exchange, linked):
    """An answer recorded for an earlier call (its nonce) does not pass for the next one."""
    server = exchange({("uid", "EX-1001"): profile_json()})
    assert customer_profile_get(customer=linked).state == OK
    profile_forget(customer=linked)
    server.mode = "replay"
    assert customer_profile_get(customer=linked).state == UNAVAILABLE


def test_an_answer_not_in_the_documented_shape_is_unavailable(exchange, linked):
    exchange({("uid", "EX-1001"): {**profile_json(), "kyc_level": "two"}})
    assert customer_profile_get(customer=linked).state == UNAVAILABLE


@pytest.mark.parametrize("mode", ["slow", "trickle"])
def test_a_slow_exchange_is_unavailable_within_the_deadline(exchange, linked, mode):
    """The whole call (connect, wait, read) is bounded: a server that sleeps, or that trickles its answer a byte at
    a time, gives "unavailable" once CUSTOMER_PROFILE_TIMEOUT (1 s here) has passed, not later."""
    exchange({("uid", "EX-1001"): profile_json()}, mode=mode, delay=3.0 if mode == "slow" else 0.2)
    started = time.monotonic()
    result = customer_profile_get(customer=linked)
    elapsed = time.monotonic() - started
    assert result.state == UNAVAILABLE
    assert elapsed < 1.0 + 1.0


def test_a_cached_answer_spares_the_exchange_a_second_call(exchange, linked):
    """Within the TTL the second read comes from Redis: the server counts one request."""
    server = exchange({("uid", "EX-1001"): profile_json(vip_tier=4)})
    first = customer_profile_get(customer=linked)
    second = customer_profile_get(customer=linked)
    assert server.count == 1
    assert first == second and second.profile.vip_tier == 4
    assert customer_profile_cached(customer=linked).profile.vip_tier == 4


def test_a_failure_is_remembered_briefly(exchange, linked, settings):
    """An exchange that is down is not asked again by every agent opening a chat: the failure is cached for
    CUSTOMER_PROFILE_FAILURE_TTL seconds."""
    server = exchange({("uid", "EX-1001"): profile_json()}, mode="error")
    assert customer_profile_get(customer=linked).state == UNAVAILABLE
    assert customer_profile_get(customer=linked).state == UNAVAILABLE
    assert server.count == 1


def test_only_a_proven_account_is_looked_up(exchange, settings):
    """A UID the exchange vouched for first, else an address the customer proved; never an address nobody proved
    (a visitor could type anyone's), and never for no customer at all. Nothing is asked in those cases."""
    server = exchange({("email", "proven@example.com"): profile_json("EX-7")})
    proven = UserFactory(email="proven@example.com")
    unproven = UserFactory(email="typed@example.com", email_verified=False)
    profile_forget(customer=proven)
    result = customer_profile_get(customer=proven)
    assert (result.state, result.matched_by, result.profile.uid) == (OK, "email", "EX-7")
    assert server.requests[0]["query"] == "email=proven%40example.com"
    assert customer_profile_get(customer=unproven).state == NOT_LINKED
    assert customer_profile_get(customer=None).state == NOT_LINKED
    assert server.count == 1
    profile_forget(customer=proven)


def test_the_http_provider_refuses_to_send_a_secret_over_plain_http_to_another_host():
    """Plain HTTP only to this machine (tests, a local tunnel); anything else must be HTTPS."""
    with pytest.raises(ProfileNotConfigured):
        HttpProfileProvider(url="http://exchange.example.com/p", secret=SECRET, timeout=1).fetch(Lookup(uid="EX-1"))
    with pytest.raises(ProfileNotConfigured):
        HttpProfileProvider(url="https://exchange.example.com/p", secret="", timeout=1).fetch(Lookup(uid="EX-1"))


# --- the demo provider and the labels -------------------------------------------------------------------------------

def test_the_demo_provider_is_deterministic_and_realistic():
    """Same customer, same data; KYC 0-3, VIP 0-5; BTC, ETH, USDT on their networks, with hashes in each network's
    format (so they link to the explorer)."""
    provider = DemoProfileProvider()
    profiles = [provider.fetch(Lookup(email=f"c{i}@example.com")) for i in range(40)]
    assert provider.fetch(Lookup(email="c0@example.com")).to_json()["transfers"][0]["tx_hash"] == \
        profiles[0].to_json()["transfers"][0]["tx_hash"]
    assert {p.kyc_level for p in profiles} <= {0, 1, 2, 3} and {p.vip_tier for p in profiles} <= set(range(6))
    assert len({p.vip_tier for p in profiles}) > 2 and any(p.risk_flags for p in profiles)
    transfers = [t for p in profiles for t in p.transfers]
    assert {t.asset for t in transfers} == {"BTC", "ETH", "USDT"}
    assert {(t.asset, t.network) for t in transfers} <= {("BTC", "bitcoin"), ("ETH", "ethereum"), ("ETH", "arbitrum"),
                                                         ("USDT", "tron"), ("USDT", "ethereum"), ("USDT", "bsc")}
    with translation.override("en"):
        shown = [row for p in profiles for row in profile_display(p)["transfers"]]
    assert all(row["explorer_url"] for row in shown if row["tx_hash"])
    assert provider.fetch(Lookup(uid="EX-42")).uid == "EX-42"


def test_codes_are_shown_in_the_agents_language_and_unknown_ones_as_marked_codes(settings):
    """Known codes get their label in the active language; a code we do not know shows as itself, marked unknown,
    never dropped. Hashes link only to the fixed explorer map, and only in the network's format."""
    from support.profiles import CustomerProfile

    profile = CustomerProfile.from_json(profile_json(
        kyc_level=2, vip_tier=3, risk_flags=["new_country_login", "sanctions_hit_v2"],
        transfers=[{"direction": "deposit", "asset": "usdt", "amount": "10", "network": "TRON",
                    "tx_hash": "zz" * 32, "status": "stuck_in_mempool", "time": "2026-12-01T00:00:00Z"},
                   {"direction": "deposit", "asset": "DOGE", "amount": "10", "network": "dogecoin",
                    "tx_hash": "ab" * 32, "status": "completed", "time": "2026-11-01T00:00:00Z"}]))
    with translation.override("es"):
        shown = profile_display(profile)
    assert shown["kyc"] == {"level": 2, "label": "Identidad verificada", "known": True}
    assert shown["vip"]["label"] == "VIP 3"
    assert shown["risk_flags"] == [
        {"code": "new_country_login", "label": "Inicio de sesión desde un país nuevo", "known": True},
        {"code": "sanctions_hit_v2", "label": "sanctions_hit_v2", "known": False}]
    usdt, doge = shown["transfers"]
    assert usdt["status"] == {"code": "stuck_in_mempool", "label": "stuck_in_mempool", "known": False}
    assert usdt["direction"]["label"] == "Depósito" and usdt["network"]["label"] == "TRON"
    assert usdt["explorer_url"] == ""  # not a TRON hash
    assert doge["explorer_url"] == "" and doge["network"] == {"code": "dogecoin", "label": "dogecoin", "known": False}
    settings.CUSTOMER_PROFILE_EXPLORER_LINKS = False
    good = CustomerProfile.from_json(profile_json())
    assert all(row["explorer_url"] == "" for row in profile_display(good)["transfers"])


def test_a_provider_setting_that_names_nothing_is_not_configured(settings, linked):
    """A typo in CUSTOMER_PROFILE_PROVIDER is logged and shown as no provider, never a broken page."""
    settings.CUSTOMER_PROFILE_PROVIDER = "support.profiles.nothing.Here"
    assert customer_profile_get(customer=linked).state == "not_configured"
