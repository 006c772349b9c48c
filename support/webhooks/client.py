"""One webhook POST: to the addresses the guard checked, with one deadline for the whole call.

http.client, as support/profiles/http.py and support/translate/libretranslate.py, and for the same reasons, with two
differences. The socket is connected here, to a checked address (never to the name again: DNS rebinding), and the
request still names the host (the Host header; TLS's SNI and certificate check), so a receiver behind a shared
address or a CDN answers as it would to anyone. And every receive of the answer gets only what is left of
WEBHOOK_TIMEOUT, the status line and headers included, so a receiver that trickles its answer cannot hold a worker.
The body of the answer is not read: only its status counts. Redirects are not followed (a 3xx is not a 2xx).
"""
import http.client
import io
import socket
import ssl
import time
from dataclasses import dataclass


class DeliveryFailed(Exception):
    """No answer: timeout, refused or reset connection, TLS failure, not HTTP. The message never holds the payload."""

    def __init__(self, message, *, duration_ms):
        super().__init__(message)
        self.duration_ms = duration_ms


@dataclass(frozen=True)
class Answer:
    status: int
    duration_ms: int


class _DeadlineReader(io.RawIOBase):
    """The answer's bytes, each receive limited to what is left of the deadline."""

    def __init__(self, sock, left):
        super().__init__()
        self._sock, self._left = sock, left

    def readable(self):
        return True

    def readinto(self, buffer):
        self._sock.settimeout(self._left())
        return self._sock.recv_into(buffer)


def _response_class(left):
    class DeadlineResponse(http.client.HTTPResponse):
        def __init__(self, sock, *args, **kwargs):
            super().__init__(sock, *args, **kwargs)
            self.fp.close()  # the plain reader http.client made; ours checks the deadline
            self.fp = io.BufferedReader(_DeadlineReader(sock, left))

    return DeadlineResponse


def _reason(exc):
    """What went wrong, for the log: the system's words for a network error; for an answer that is not HTTP, only
    the kind of fault (its message would quote the answer, and what a receiver says is never kept)."""
    if isinstance(exc, (http.client.HTTPException, ValueError)):
        return type(exc).__name__
    return f"{type(exc).__name__}: {exc}"[:200]


def _connect(addresses, port, left):
    """A socket connected to the first of the checked addresses that answers."""
    error = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=left())
        except OSError as exc:
            error = exc
    raise error


def post(target, *, body, headers, timeout):
    """POST body (bytes) to a guard.Target; the Answer's status and how long it took, or DeliveryFailed."""
    started = time.monotonic()
    deadline = started + timeout

    def left():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        return remaining

    sock = connection = None
    try:
        sock = _connect(target.addresses, target.port, left)
        if target.scheme == "https":
            sock.settimeout(left())
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.hostname)
            connection = http.client.HTTPSConnection(target.hostname, target.port)
        else:
            connection = http.client.HTTPConnection(target.hostname, target.port)
        connection.sock = sock  # connected already: http.client sends on it and never resolves the name itself
        connection.response_class = _response_class(left)
        sock.settimeout(left())
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(status=response.status, duration_ms=round((time.monotonic() - started) * 1000))
    except (OSError, http.client.HTTPException, ValueError) as exc:  # TimeoutError and ssl.SSLError are OSErrors
        raise DeliveryFailed(_reason(exc), duration_ms=round((time.monotonic() - started) * 1000)) from exc
    finally:
        if connection is not None:
            connection.close()
        elif sock is not None:
            sock.close()
