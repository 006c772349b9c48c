"""A stand-in for a LibreTranslate server (https://libretranslate.com): a real HTTP server (http.server in a thread)
speaking its protocol, for the machine-translation tests (support/translate) and the browser tests of cross-language
chat. `POST /translate` with JSON {"q", "source", "target", "format", "api_key"?} answers {"translatedText"}, or
{"error"} with 400 (a language it does not know, e.g. "zh-hans" where LibreTranslate says "zh"), 403 (api key) and
whatever status a test forces; `GET /languages` lists its languages as LibreTranslate does.

Its "translation" is deterministic: whole sentences of a small customer-support dictionary (PHRASES) in the
languages each sentence is given in, and anything else as "[<target>] <the original>", so a test can tell what was
translated into which language. Controls, attributes a test may set at any time:

    delay        seconds to wait before answering (past MT_TIMEOUT: a timeout)
    trickle      seconds between the bytes of the body (headers at once): a server that never finishes in time
    fail_status, fail_error    answer this status with {"error": fail_error} instead of translating
    broken_json  answer 200 with a body that is not JSON
    raw_body     answer 200 with exactly these bytes (a wrong shape, an oversize answer)
    api_key      the key every request must carry (else 403 {"error": "Invalid API key"}); "" for none

and `requests` logs every request received: {"method", "path", "headers", "json"} (`count` is its length).

In tests: the `libretranslate` fixture of tests/support/test_machine_translation.py, whose body is
`yield from libretranslate_servers()`. A server process (browser tests) takes `server.settings()` as its environment.
By hand: `python -m tests.support.libretranslate_server [--port 5000] [--api-key KEY] [--delay SECONDS]`, then run
the desk with MT_PROVIDER=libretranslate MT_URL=http://127.0.0.1:5000.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Sentences of a support conversation, each in the languages it is known in (LibreTranslate's codes: "zh").
PHRASES = [
    {"ko": "출금이 아직 도착하지 않았어요. 어떻게 해야 하나요?",
     "en": "My withdrawal has not arrived yet. What should I do?"},
    {"en": "Please send me the transaction ID and I will check it now.",
     "ko": "거래 ID를 보내 주시면 지금 바로 확인해 드리겠습니다."},
    {"ko": "감사합니다. 거래 ID는 TX-20931입니다.", "en": "Thank you. The transaction ID is TX-20931."},
    {"zh": "我的充值还没有到账。", "en": "My deposit has not arrived yet."},
    {"es": "No puedo iniciar sesión en mi cuenta.", "en": "I cannot log in to my account."},
    {"ru": "Как сбросить двухфакторную аутентификацию?", "en": "How do I reset two-factor authentication?"},
    {"ja": "本人確認にはどのくらい時間がかかりますか?", "en": "How long does identity verification take?"},
    {"en": "Thank you for waiting.", "ko": "기다려 주셔서 감사합니다.", "zh": "感谢您的耐心等待。",
     "es": "Gracias por esperar.", "ru": "Спасибо за ожидание.", "ja": "お待たせいたしました。"},
]
LANGUAGES = {"en": "English", "zh": "Chinese", "es": "Spanish", "ru": "Russian", "ja": "Japanese", "ko": "Korean"}


def fake_translate(text, source, target):
    """The dictionary's sentence in `target` when `text` is one of its sentences in `source` (any, for "auto"),
    else "[target] text"."""
    wanted = text.strip()
    for phrase in PHRASES:
        if target in phrase and (phrase.get(source) == wanted or (source == "auto" and wanted in phrase.values())):
            return phrase[target]
    return f"[{target}] {text}"


class LibreTranslateServer:
    """start() it, point MT_URL at .url (or use .settings()); stop() at the end. Controls: see the module."""

    def __init__(self, *, host="127.0.0.1", port=0, api_key="", delay=0.0):
        self.host, self.port = host, port
        self.api_key, self.delay = api_key, delay
        self.trickle = 0.0
        self.fail_status, self.fail_error = None, ""
        self.broken_json = False
        self.raw_body = None
        self.requests = []
        self.lock = threading.Lock()
        self.httpd = None

    @property
    def url(self):
        return f"http://{self.host}:{self.httpd.server_address[1]}"

    def start(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                server.handle(self)

            def do_GET(self):  # noqa: N802
                server.handle(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((self.host, self.port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    def settings(self, **extra):
        """The settings (or a server process's environment) that make the desk translate with this server."""
        values = {"MT_PROVIDER": "libretranslate", "MT_URL": self.url, "MT_API_KEY": self.api_key}
        return {**values, **extra}

    @property
    def count(self):
        with self.lock:
            return len(self.requests)

    # --- one request -------------------------------------------------------------------------------------------------
    def handle(self, request):
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        with self.lock:
            self.requests.append({"method": request.command, "path": request.path, "headers": dict(request.headers),
                                  "json": payload})
        if self.delay:
            time.sleep(self.delay)
        if request.command == "GET" and request.path.rstrip("/") == "/languages":
            codes = list(LANGUAGES)
            return self.send(request, 200, [{"code": code, "name": name, "targets": codes}
                                            for code, name in LANGUAGES.items()])
        if request.command != "POST" or request.path.rstrip("/") != "/translate":
            return self.send(request, 404, {"error": "Not Found"})
        if self.fail_status:
            return self.send(request, self.fail_status, {"error": self.fail_error})
        if self.broken_json:
            return self.send(request, 200, b'{"translatedText": "half an ans')
        if self.raw_body is not None:
            return self.send(request, 200, self.raw_body)
        if not isinstance(payload, dict):
            return self.send(request, 400, {"error": "Invalid request: missing q parameter"})
        if self.api_key and payload.get("api_key") != self.api_key:
            return self.send(request, 403, {"error": "Invalid API key"})
        text, source, target = payload.get("q"), payload.get("source"), payload.get("target")
        if not isinstance(text, str) or not text:
            return self.send(request, 400, {"error": "Invalid request: missing q parameter"})
        for name, code in (("source", source), ("target", target)):
            if code not in LANGUAGES and not (name == "source" and code == "auto"):
                return self.send(request, 400, {"error": f"{code} is not supported"})
        if payload.get("format", "text") not in ("text", "html"):
            return self.send(request, 400, {"error": "Invalid request: format must be text or html"})
        return self.send(request, 200, {"translatedText": fake_translate(text, source, target)})

    def send(self, request, status, payload):
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            if not self.trickle:
                request.wfile.write(body)
                return
            for index in range(len(body)):  # the body a byte at a time, slowly
                request.wfile.write(body[index:index + 1])
                request.wfile.flush()
                time.sleep(self.trickle)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the desk gave up at its deadline, as it should


def libretranslate_servers():
    """The body of a test's `libretranslate` fixture (`yield from libretranslate_servers()`): it yields
    start(**controls), which runs a stand-in LibreTranslate the settings point at (override_settings) until the
    test ends, with no translation cached from another test (or by this one, afterwards)."""
    # on first use: tests only, and Django is set up by then
    from django.test import override_settings

    servers, overrides = [], []
    forget_cached_translations()

    def start(**controls):
        server = LibreTranslateServer(**{k: v for k, v in controls.items() if k in ("api_key", "delay")})
        for name, value in controls.items():
            setattr(server, name, value)
        server.start()
        servers.append(server)
        override = override_settings(**server.settings())
        override.enable()
        overrides.append(override)
        return server

    try:
        yield start
    finally:
        for override in reversed(overrides):
            override.disable()
        for server in servers:
            server.stop()
        forget_cached_translations()


def forget_cached_translations():
    """Drop every cached translation from the test Redis (support.translate caches them for days)."""
    # on first use: tests only
    import redis
    from django.conf import settings

    from support.translate import CACHE_PREFIX

    client = redis.Redis.from_url(settings.TEST_REDIS_URL)
    try:
        for key in client.scan_iter(f"*{CACHE_PREFIX}*"):
            client.delete(key)
    finally:
        client.close()


def main():
    parser = argparse.ArgumentParser(description="A stand-in LibreTranslate server for trying machine translation.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--api-key", default="")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before every answer")
    options = parser.parse_args()
    server = LibreTranslateServer(host=options.host, port=options.port, api_key=options.api_key,
                                  delay=options.delay).start()
    print(f"LibreTranslate stand-in at {server.url}: MT_PROVIDER=libretranslate MT_URL={server.url}"
          + (f" MT_API_KEY={options.api_key}" if options.api_key else ""), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
