"""A webhook receiver for the tests of outbound webhooks (support/webhooks): a real HTTP server (http.server in a
thread) that records every request and checks its signature as docs/api.md tells receivers to, with its own few lines
of hmac (not the desk's code), so a test of the signature cannot agree with itself.

Controls, attributes a test may set at any time:

    secret       the webhook's secret: each recorded request gets `signature_ok` (None while no secret is set)
    statuses     statuses to answer the next requests with, one each (then `status`); e.g. [500, 500]
    status       the status answered otherwise (200)
    delay        seconds to wait before answering (past WEBHOOK_TIMEOUT: a timeout)
    trickle      seconds between the bytes of the answer, status line and headers included: a receiver that keeps
                 the connection busy but never finishes in time
    tls          (given to start) serve https with a certificate for "localhost" made for this receiver (`cert_file`:
                 trusted by the desk only when SSL_CERT_FILE names it); `server_names` records the SNI of each
                 handshake
    hold         a threading.Event: when set, the next request is recorded, `holding` is set, and the answer waits
                 until `release` is set (HOLD_MAX seconds at most), for killing a worker mid-request

`requests` lists what was received: {"method", "path", "headers", "body" (bytes), "json", "signature_ok"}.
In tests: the `receiver` fixture of tests/support/test_webhooks.py, whose body is `yield from webhook_receivers()`.
By hand: `python -m tests.support.webhook_receiver [--port 8099] [--secret S] [--status 200]`, then register
http://127.0.0.1:8099/hook with "allow private addresses".
"""
import argparse
import hashlib
import hmac
import json
import ssl
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOLD_MAX = 30  # no request is held longer, even when a test fails before releasing it
TOLERANCE = 300


def signature_ok(secret, header, body, now=None):
    """What a receiver does (docs/api.md): t within five minutes, v1 the HMAC-SHA256 of f"{t}." + body."""
    fields = dict(part.split("=", 1) for part in (header or "").split(",") if "=" in part)
    if not fields.get("t", "").isdigit() or abs((now or time.time()) - int(fields["t"])) > TOLERANCE:
        return False
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


class WebhookReceiver:
    """start() it, register .url; stop() at the end. Controls: see the module."""

    def __init__(self, *, host="127.0.0.1", port=0, secret=None, status=200, tls=False):
        self.host, self.port, self.tls = host, port, tls
        self.cert_file, self.server_names, self._tmp = None, [], None
        self.secret, self.status, self.statuses, self.delay, self.trickle = secret, status, [], 0.0, 0.0
        self.hold, self.holding, self.release = threading.Event(), threading.Event(), threading.Event()
        self.requests = []
        self.lock = threading.Lock()
        self.httpd = None

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.httpd.server_address[1]}/hook"

    @property
    def bound_port(self):
        return self.httpd.server_address[1]

    def start(self):
        server = self

        class Handler(BaseHTTPRequestHandler):  # HTTP/1.0: one request per connection, closed after the answer
            def do_POST(self):  # noqa: N802 (http.server's name)
                server.handle(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((self.host, self.port), Handler)
        if self.tls:
            self.httpd.socket = self._tls_context().wrap_socket(self.httpd.socket, server_side=True)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def _tls_context(self):
        self._tmp = tempfile.TemporaryDirectory()
        key, cert = Path(self._tmp.name) / "key.pem", Path(self._tmp.name) / "cert.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out",
                        str(cert)], check=True, capture_output=True, timeout=60)
        self.cert_file = str(cert)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = lambda _socket, name, _context: self.server_names.append(name)
        return context

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def handle(self, request):
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        with self.lock:
            checked = None if self.secret is None else signature_ok(self.secret, request.headers.get(
                "X-Support-Signature"), body)
            self.requests.append({"method": request.command, "path": request.path, "headers": dict(request.headers),
                                  "body": body, "json": payload, "signature_ok": checked})
            status = self.statuses.pop(0) if self.statuses else self.status
            held = self.hold.is_set()
            self.hold.clear()
        if held:
            self.holding.set()
            self.release.wait(HOLD_MAX)
        if self.delay:
            time.sleep(self.delay)
        answer = json.dumps({"received": True}).encode()
        raw = (f"HTTP/1.0 {status} Answer\r\nContent-Type: application/json\r\nContent-Length: {len(answer)}\r\n"
               f"\r\n").encode() + answer
        try:
            if not self.trickle:
                request.wfile.write(raw)
                return
            for index in range(len(raw)):
                request.wfile.write(raw[index:index + 1])
                request.wfile.flush()
                time.sleep(self.trickle)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the desk gave up at its deadline, or its worker was killed

    def delivery_keys(self):
        with self.lock:
            return [entry["headers"].get("X-Support-Delivery") for entry in self.requests]


def webhook_receivers():
    """The body of a test's `receiver` fixture: yields start(**controls), which runs a receiver until the test ends."""
    servers = []

    def start(**controls):
        receiver = WebhookReceiver(**{k: v for k, v in controls.items() if k in ("host", "port", "secret", "status", "tls")})
        for name, value in controls.items():
            setattr(receiver, name, value)
        servers.append(receiver.start())
        return receiver

    try:
        yield start
    finally:
        for receiver in servers:
            receiver.stop()


def main():
    parser = argparse.ArgumentParser(description="A webhook receiver that prints what the desk posts to it.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--secret", default=None, help="the webhook's secret, to check signatures")
    parser.add_argument("--status", type=int, default=200)
    options = parser.parse_args()
    receiver = WebhookReceiver(host=options.host, port=options.port, secret=options.secret,
                               status=options.status).start()
    print(f"webhook receiver at {receiver.url}", flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.5)
            with receiver.lock:
                new, seen = receiver.requests[seen:], len(receiver.requests)
            for entry in new:
                print(entry["headers"].get("X-Support-Event"), entry["headers"].get("X-Support-Delivery"),
                      "signature ok" if entry["signature_ok"] else "signature NOT checked or wrong",
                      entry["body"].decode(errors="replace"), flush=True)
    except KeyboardInterrupt:
        receiver.stop()


if __name__ == "__main__":
    main()
