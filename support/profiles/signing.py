"""The signatures of the desk's calls to the exchange's back office and of its answers (docs/api.md, "Customer
profile from the exchange", is the contract an exchange implements; this module is its reference implementation
and the test server's).

Both directions use HMAC-SHA256 with one shared secret (CUSTOMER_PROFILE_SECRET) over a canonical string that
starts with a different label for each direction, so a request's signature can never pass as an answer's:

    request:  "support-request-v1\\n" METHOD "\\n" PATH "\\n" CANONICAL_QUERY "\\n" TIMESTAMP "\\n" NONCE "\\n"
              hex(SHA-256(body))
    answer:   "exchange-response-v1\\n" STATUS "\\n" NONCE "\\n" TIMESTAMP "\\n" hex(SHA-256(body))

The answer names the request's nonce (random, new for every call), so an answer recorded earlier (for another
customer, or before a change) is refused when replayed; both sides refuse a timestamp more than
CUSTOMER_PROFILE_MAX_SKEW seconds away from their clock, and the exchange remembers the nonces it saw within that
window, so a recorded request cannot be sent again either.
"""
import hashlib
import hmac
import secrets
import time
from urllib.parse import parse_qsl, quote

VERSION = "v1"
REQUEST_LABEL = "support-request-v1"
RESPONSE_LABEL = "exchange-response-v1"
H_TIMESTAMP, H_NONCE, H_SIGNATURE = "X-Support-Timestamp", "X-Support-Nonce", "X-Support-Signature"
H_RESPONSE_TIMESTAMP, H_RESPONSE_SIGNATURE = "X-Exchange-Timestamp", "X-Exchange-Signature"


class SignatureInvalid(ValueError):
    """Missing, wrong, stale or replayed signature; the message says which (for logs, never shown to people)."""


def canonical_query(pairs):
    """Query parameters sorted by name then value, each percent-encoded as RFC 3986 (spaces as %20, only
    A-Z a-z 0-9 - _ . ~ left as they are), joined by &."""
    encoded = sorted((quote(str(name), safe="-_.~"), quote(str(value), safe="-_.~")) for name, value in pairs)
    return "&".join(f"{name}={value}" for name, value in encoded)


def body_hash(body):
    return hashlib.sha256(body or b"").hexdigest()


def request_string(*, method, path, query, timestamp, nonce, body=b""):
    return "\n".join([REQUEST_LABEL, method.upper(), path, query, str(timestamp), nonce, body_hash(body)])


def response_string(*, status, nonce, timestamp, body=b""):
    return "\n".join([RESPONSE_LABEL, str(int(status)), nonce, str(timestamp), body_hash(body)])


def sign(secret, message):
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return f"{VERSION}={digest}"


def request_headers(*, secret, method, path, params, body=b"", now=None, nonce=None):
    """The headers that sign a call: (headers, nonce). `params` are the query's (name, value) pairs."""
    timestamp = int(now if now is not None else time.time())
    nonce = nonce or secrets.token_hex(16)
    message = request_string(method=method, path=path, query=canonical_query(params), timestamp=timestamp,
                             nonce=nonce, body=body)
    return {H_TIMESTAMP: str(timestamp), H_NONCE: nonce, H_SIGNATURE: sign(secret, message)}, nonce


def response_headers(*, secret, status, nonce, body=b"", now=None):
    """What the exchange adds to its answer to the call that carried `nonce`."""
    timestamp = int(now if now is not None else time.time())
    message = response_string(status=status, nonce=nonce, timestamp=timestamp, body=body)
    return {H_RESPONSE_TIMESTAMP: str(timestamp), H_RESPONSE_SIGNATURE: sign(secret, message)}


def _fresh(raw, now, max_skew):
    try:
        timestamp = int(raw)
    except (TypeError, ValueError) as exc:
        raise SignatureInvalid("timestamp missing or not a whole number") from exc
    if abs((now if now is not None else time.time()) - timestamp) > max_skew:
        raise SignatureInvalid("timestamp outside the replay window")
    return timestamp


def _same(secret, message, given):
    if not isinstance(given, str) or not hmac.compare_digest(sign(secret, message), given.strip()):
        raise SignatureInvalid("signature does not match")


def verify_request(*, secret, method, path, query_string, headers, body=b"", now=None, max_skew=300, seen=None):
    """The exchange's check of a call (headers: a case-insensitive mapping). `seen`: the nonces accepted within the
    replay window (a set, or anything with `in` and `add`); a nonce seen before is refused. Returns the nonce."""
    timestamp = _fresh(headers.get(H_TIMESTAMP), now, max_skew)
    nonce = headers.get(H_NONCE) or ""
    if not 16 <= len(nonce) <= 64:
        raise SignatureInvalid("nonce missing")
    message = request_string(method=method, path=path, query=canonical_query(parse_qsl(query_string,
                                                                                       keep_blank_values=True)),
                             timestamp=timestamp, nonce=nonce, body=body)
    _same(secret, message, headers.get(H_SIGNATURE))
    if seen is not None:
        if nonce in seen:
            raise SignatureInvalid("nonce replayed")
        seen.add(nonce)
    return nonce


def verify_response(*, secret, status, nonce, headers, body=b"", now=None, max_skew=300):
    """The desk's check of an answer to the call that carried `nonce`."""
    timestamp = _fresh(headers.get(H_RESPONSE_TIMESTAMP), now, max_skew)
    _same(secret, response_string(status=status, nonce=nonce, timestamp=timestamp, body=body),
          headers.get(H_RESPONSE_SIGNATURE))
