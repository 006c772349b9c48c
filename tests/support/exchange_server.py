"""A stand-in for the exchange's back office: a real HTTP server (http.server in a thread) that speaks the signed
customer-profile protocol of docs/api.md, checking our requests' signatures and signing its answers with
support.profiles.signing, as an exchange would. Tests choose how it behaves: answer, answer slowly, trickle,
fail with 500, send garbage, sign with the wrong secret, or replay an answer it gave before. It counts the requests
it receives, so a test can tell a cached answer from a new call."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from support.profiles import signing

SECRET = "test-exchange-shared-secret-0123456789abcdef"
PATH = "/back-office/support/profile"


class ExchangeServer:
    """start() it, point CUSTOMER_PROFILE_URL at .url and CUSTOMER_PROFILE_SECRET at SECRET; stop() at the end.
    `profiles`: {("uid", "EX-1"): {...profile JSON...}, ("email", "a@example.com"): {...}}."""

    def __init__(self, profiles=None, *, mode="ok", delay=0.0, secret=SECRET):
        self.profiles = dict(profiles or {})
        self.mode, self.delay, self.secret = mode, delay, secret
        self.requests, self.refused, self.seen = [], [], set()
        self.last_answer = None  # (status, headers, body) of the previous answer, for mode "replay"
        self.lock = threading.Lock()
        self.httpd = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{PATH}"

    def start(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.handle(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    def settings(self, **extra):
        """The environment a server process needs to use this exchange."""
        return {"CUSTOMER_PROFILE_PROVIDER": "support.profiles.http.HttpProfileProvider",
                "CUSTOMER_PROFILE_URL": self.url, "CUSTOMER_PROFILE_SECRET": SECRET, **extra}

    # --- one request -------------------------------------------------------------------------------------------------
    def handle(self, request):
        target = urlsplit(request.path)
        with self.lock:
            self.requests.append({"path": target.path, "query": target.query, "headers": dict(request.headers)})
        try:
            nonce = signing.verify_request(secret=SECRET, method="GET", path=target.path, query_string=target.query,
                                           headers=request.headers, seen=self.seen)
        except signing.SignatureInvalid as exc:
            with self.lock:
                self.refused.append(str(exc))
            return self.answer(request, 401, {"error": "signature"}, nonce=request.headers.get(signing.H_NONCE, ""))
        if self.mode == "slow":
            time.sleep(self.delay)
        params = dict(parse_qsl(target.query))
        key = ("uid", params["uid"]) if "uid" in params else ("email", params.get("email", ""))
        profile = self.profiles.get(key)
        if self.mode == "error":
            return self.answer(request, 500, {"error": "internal"}, nonce=nonce)
        if self.mode == "garbage":
            return self.answer(request, 200, b"<html>Service Unavailable</html>", nonce=nonce)
        if self.mode == "replay" and self.last_answer is not None:
            status, headers, body = self.last_answer
            return self.send(request, status, headers, body)
        if profile is None:
            return self.answer(request, 404, {"error": "not_found"}, nonce=nonce)
        return self.answer(request, 200, profile, nonce=nonce)

    def answer(self, request, status, payload, *, nonce):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        secret = "not-the-shared-secret" if self.mode == "bad_signature" else self.secret
        headers = signing.response_headers(secret=secret, status=status, nonce=nonce, body=body)
        self.last_answer = (status, headers, body)
        self.send(request, status, headers, body)

    def send(self, request, status, headers, body):
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        if self.mode == "trickle":  # headers at once, then the body a byte at a time, slowly
            try:
                for index in range(len(body)):
                    request.wfile.write(body[index:index + 1])
                    request.wfile.flush()
                    time.sleep(self.delay)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the desk gave up at its deadline, as it should
            return
        request.wfile.write(body)

    @property
    def count(self):
        with self.lock:
            return len(self.requests)


def profile_json(uid="EX-1001", *, kyc_level=2, vip_tier=0, risk_flags=(), transfers=None):
    """A profile as the exchange sends it (docs/api.md)."""
    if transfers is None:
        transfers = [
            {"direction": "deposit", "asset": "USDT", "amount": "1500.00", "network": "tron",
             "tx_hash": "a3f1" + "0" * 56 + "beef", "status": "completed", "time": "2026-11-30T09:15:00Z"},
            {"direction": "withdrawal", "asset": "BTC", "amount": "0.25000000", "network": "bitcoin",
             "tx_hash": "", "status": "under_review", "time": "2026-12-01T18:40:00Z"},
            {"direction": "withdrawal", "asset": "ETH", "amount": "1.200000", "network": "ethereum",
             "tx_hash": "0x" + "ab" * 32, "status": "completed", "time": "2026-11-28T12:00:00+00:00"},
        ]
    return {"uid": uid, "kyc_level": kyc_level, "vip_tier": vip_tier, "risk_flags": list(risk_flags),
            "transfers": transfers}


def exchange_servers(settings):
    """The body of a test module's `exchange` fixture (`yield from exchange_servers(settings)`): it yields
    start(profiles, mode=..., delay=...), which runs a stand-in exchange the test's settings point at (a deadline of
    one second); the servers stop when the test ends."""
    servers = []

    def start(profiles=None, **options):
        server = ExchangeServer(profiles, **options).start()
        servers.append(server)
        for name, value in server.settings().items():
            setattr(settings, name, value)
        settings.CUSTOMER_PROFILE_TIMEOUT = 1.0
        return server

    yield start
    for server in servers:
        server.stop()
