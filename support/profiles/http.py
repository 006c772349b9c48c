"""The exchange's back office over HTTP: one signed GET per look-up, a hard deadline for the whole call, and an answer
believed only when the exchange signed it for this very call (support/profiles/signing.py, docs/api.md).

http.client rather than requests (not one of our dependencies) or urllib: the deadline covers connecting, sending,
waiting and reading together, so each socket operation gets what is left of it; a server that trickles its answer
a byte at a time cannot hold a worker past CUSTOMER_PROFILE_TIMEOUT. Nothing about the customer (their UID or
address) is logged: only what went wrong.
"""
import http.client
import json
import logging
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings

from . import signing
from .data import CustomerProfile, ProfileInvalid
from .errors import ProfileNotConfigured, ProfileUnavailable

logger = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class HttpProfileProvider:
    """CUSTOMER_PROFILE_URL (https, or http on this machine only), signed with CUSTOMER_PROFILE_SECRET."""

    def __init__(self, *, url=None, secret=None, timeout=None):
        self.url = settings.CUSTOMER_PROFILE_URL if url is None else url
        self.secret = settings.CUSTOMER_PROFILE_SECRET if secret is None else secret
        self.timeout = settings.CUSTOMER_PROFILE_TIMEOUT if timeout is None else timeout

    def fetch(self, lookup):
        """The profile of the account `lookup` names (uid, else proven email); None when the exchange says it has no
        such account; ProfileUnavailable when it cannot be had in time or cannot be believed."""
        target = urlsplit(self.url or "")
        if not self.secret or target.scheme not in ("https", "http") or not target.hostname or target.query or (
                target.scheme == "http" and target.hostname not in LOOPBACK):
            raise ProfileNotConfigured("CUSTOMER_PROFILE_URL (https) and CUSTOMER_PROFILE_SECRET must be set")
        params = lookup.params()
        path = target.path or "/"
        headers, nonce = signing.request_headers(secret=self.secret, method="GET", path=path, params=params)
        status, answer_headers, body = self._get(target, f"{path}?{signing.canonical_query(params)}", headers)
        try:
            signing.verify_response(secret=self.secret, status=status, nonce=nonce, headers=answer_headers,
                                    body=body, max_skew=settings.CUSTOMER_PROFILE_MAX_SKEW)
        except signing.SignatureInvalid as exc:
            raise self._failed(f"answer refused: {exc} (status {status})") from exc
        if status == 404:
            return None
        if status != 200:
            raise self._failed(f"status {status}")
        try:
            return CustomerProfile.from_json(json.loads(body))
        except (ValueError, ProfileInvalid) as exc:  # json's errors are ValueErrors
            raise self._failed(f"answer not in the documented shape: {type(exc).__name__} {exc}") from exc

    def _get(self, target, path_and_query, headers):
        deadline = time.monotonic() + self.timeout

        def left():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("deadline passed")
            return remaining

        if target.scheme == "https":
            connection = http.client.HTTPSConnection(target.hostname, target.port, timeout=left(),
                                                     context=ssl.create_default_context())
        else:
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=left())
        try:
            connection.request("GET", path_and_query, headers={**headers, "Accept": "application/json"})
            # The socket itself: the connection lets go of it when the answer says "Connection: close".
            sock = connection.sock
            sock.settimeout(left())
            response = connection.getresponse()
            chunks, size = [], 0
            while not response.isclosed():  # closed once the whole body is read
                sock.settimeout(left())
                chunk = response.read1(16 * 1024)  # one receive at most: the deadline is checked between them
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise ValueError("answer too large")
                chunks.append(chunk)
            return response.status, response.headers, b"".join(chunks)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # TimeoutError is an OSError
            raise self._failed(f"{type(exc).__name__}: {exc}") from exc
        finally:
            connection.close()

    def _failed(self, reason):
        logger.warning("customer profile unavailable from the exchange: %s", reason)
        return ProfileUnavailable(reason)
