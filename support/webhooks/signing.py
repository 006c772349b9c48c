"""The webhook signature (docs/api.md, "Outbound webhooks"): a receiver that knows the secret can tell the request
came from the desk, unchanged, and recently.

    X-Support-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key = the secret's UTF-8 bytes, msg = "<t>." + raw body)>

The timestamp is the attempt's own (a retry is signed afresh), so a receiver refuses a request whose t is more than a
few minutes off its clock: a recorded request cannot be replayed later. The body is signed as sent, byte for byte:
a receiver verifies the raw body before parsing it. `v1` names the scheme, so a later one can be added alongside.
"""
import hashlib
import hmac
import secrets
import time

HEADER = "X-Support-Signature"
TOLERANCE_SECONDS = 300


def new_secret():
    """A webhook's signing secret: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def signature(*, secret, timestamp, body):
    """The hex HMAC-SHA256 of f"{timestamp}." + body (bytes) under the secret."""
    return hmac.new(secret.encode(), f"{int(timestamp)}.".encode() + body, hashlib.sha256).hexdigest()


def header_value(*, secret, body, timestamp=None):
    """The X-Support-Signature value for a body sent now (or at `timestamp`, unix seconds)."""
    timestamp = int(time.time() if timestamp is None else timestamp)
    return f"t={timestamp},v1={signature(secret=secret, timestamp=timestamp, body=body)}"


def verify(*, secret, header, body, now=None, tolerance=TOLERANCE_SECONDS):
    """Whether the header signs this body with this secret at a time within `tolerance` seconds of now (what a
    receiver does; docs/api.md has the same in a few lines)."""
    parts = dict(item.split("=", 1) for item in (header or "").split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), signature(secret=secret, timestamp=timestamp, body=body))
