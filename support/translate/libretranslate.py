"""LibreTranslate (https://libretranslate.com, open source, self-hosted) over its HTTP API: one
`POST {MT_URL}/translate` with `{"q", "source", "target", "format": "text", "api_key"?}`, answered with
`{"translatedText": "..."}`, or with `{"error": "..."}` and 400, 403, 429 or 500 (contract in docs/api.md).

As support/profiles/http.py does, and for the same reasons: http.client, one deadline (MT_TIMEOUT) for connecting,
sending, waiting and reading together, re-checked between receives, so a server that trickles its answer cannot
hold a worker; an answer over MAX_ANSWER_BYTES is refused; https, or plain http to this machine only. What goes
wrong is raised as TranslationUnavailable with a reason that never holds the customer's text.
"""
import http.client
import json
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings

from . import errors
from .errors import TranslationUnavailable

MAX_ANSWER_BYTES = 256 * 1024  # a 5,000-character text escaped as \uXXXX is 30 KB
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
STATUS_ERRORS = {400: errors.REJECTED, 401: errors.FORBIDDEN, 403: errors.FORBIDDEN, 429: errors.RATE_LIMITED}
ERROR_MESSAGE_CHARS = 200


class LibreTranslateProvider:
    """MT_URL (https, or http on this machine only), MT_API_KEY if the server wants one, our language codes spelled
    as MT_LANGUAGE_CODES says (zh-hans is LibreTranslate's "zh")."""

    def __init__(self, *, url=None, api_key=None, timeout=None, language_codes=None):
        self.url = settings.MT_URL if url is None else url
        self.api_key = settings.MT_API_KEY if api_key is None else api_key
        self.timeout = settings.MT_TIMEOUT if timeout is None else timeout
        self.language_codes = settings.MT_LANGUAGE_CODES if language_codes is None else language_codes

    def translate(self, text, source, target):
        """`text` from our language `source` into our `target`; raises TranslationUnavailable."""
        endpoint = urlsplit(self.url or "")
        if endpoint.scheme not in ("https", "http") or not endpoint.hostname or endpoint.query or (
                endpoint.scheme == "http" and endpoint.hostname not in LOOPBACK):
            raise TranslationUnavailable(errors.NOT_CONFIGURED,
                                         "MT_URL must be https (plain http only to this machine), without a query")
        payload = {"q": text, "source": self.language_codes.get(source, source),
                   "target": self.language_codes.get(target, target), "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        status, body = self._post(endpoint, endpoint.path.rstrip("/") + "/translate",
                                  json.dumps(payload, ensure_ascii=False).encode())
        if status != 200:
            raise TranslationUnavailable(STATUS_ERRORS.get(status, errors.SERVER_ERROR),
                                         f"status {status}: {error_message(body, text)}")
        try:
            answer = json.loads(body)
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise TranslationUnavailable(errors.BAD_ANSWER, f"not JSON: {type(exc).__name__}") from exc
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if not isinstance(translated, str) or not translated.strip():
            raise TranslationUnavailable(errors.BAD_ANSWER, "no translatedText string in the answer")
        return translated

    def _post(self, endpoint, path, body):
        deadline = time.monotonic() + self.timeout

        def left():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("deadline passed")
            return remaining

        try:
            if endpoint.scheme == "https":
                connection = http.client.HTTPSConnection(endpoint.hostname, endpoint.port, timeout=left(),
                                                         context=ssl.create_default_context())
            else:
                connection = http.client.HTTPConnection(endpoint.hostname, endpoint.port, timeout=left())
        except ValueError as exc:  # a port that is not a number
            raise TranslationUnavailable(errors.NOT_CONFIGURED, f"MT_URL: {exc}") from exc
        try:
            connection.request("POST", path, body=body, headers={
                "Content-Type": "application/json; charset=utf-8", "Accept": "application/json"})
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
                if size > MAX_ANSWER_BYTES:
                    raise TranslationUnavailable(errors.TOO_LARGE, f"answer over {MAX_ANSWER_BYTES} bytes")
                chunks.append(chunk)
            return response.status, b"".join(chunks)
        except TimeoutError as exc:  # socket.timeout is TimeoutError
            raise TranslationUnavailable(errors.TIMEOUT, f"no whole answer within {self.timeout} s") from exc
        except OSError as exc:  # refused, unreachable, name not found, TLS
            raise TranslationUnavailable(errors.UNREACHABLE, f"{type(exc).__name__}: {exc}") from exc
        except http.client.HTTPException as exc:
            raise TranslationUnavailable(errors.BAD_ANSWER, f"{type(exc).__name__}") from exc
        finally:
            connection.close()


def error_message(body, text):
    """The server's {"error": "..."} for the log, short, and without the text should the server have echoed it."""
    try:
        message = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return f"({len(body)} bytes, not the error JSON)"
    if not isinstance(message, str):
        return "(no error message)"
    if text and text.strip():
        message = message.replace(text.strip(), "<text>")
    return repr(message[:ERROR_MESSAGE_CHARS])
