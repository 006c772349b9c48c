"""Shared fixtures: users of each role, API clients, a real SMTP server and a clean Redis test database."""
import threading

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from rest_framework.test import APIClient

from support.roles import Role
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.support.libretranslate_server import libretranslate_servers

pytest_plugins = ["tests.run_summary"]


def pytest_collection_modifyitems(config, items):
    """Browser tests run last: Playwright's sync API keeps an event loop in the main thread for the rest of the
    session, and code that calls async_to_sync there (the channel-layer doorbells) must run before it starts."""
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath).replace("\\", "/"))


@pytest.fixture(scope="session", autouse=True)
def _clean_test_redis():
    """The test Redis database starts empty, so no earlier run's keys leak into this one."""
    client = redis.Redis.from_url(settings.TEST_REDIS_URL)
    client.flushdb()
    yield
    client.flushdb()
    client.close()


@pytest.fixture(autouse=True, scope="session")
def _force_login_finishes_a_staff_sign_in():
    """`force_login` is the tests' shortcut for a finished sign-in, and for staff a finished sign-in includes the
    second factor (support.twofactor): the shortcut records a real confirmed authenticator device in the session,
    as the two-step page does. Tests of the sign-in itself go through the pages (tests/support/test_two_factor.py,
    the browser's log_in), where nothing is skipped."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from support import twofactor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if twofactor.required_for(user):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = staff_device(user).persistent_id
            session.save()

    Client.force_login = force_login
    yield
    Client.force_login = original


def staff_device(user):
    """The staff member's confirmed authenticator (made on first use, as if they had set it up)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def staff_code(user):
    """A second-factor code the staff member could type now: what their authenticator shows, or, when that code was
    used already in this 30-second step (an authenticator code works once), a recovery code of theirs."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from support import twofactor

    device = staff_device(user)
    device.refresh_from_db()
    if device.last_t < TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t():
        return twofactor.current_code(device)
    static, _created = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    return StaticToken.objects.create(device=static, token=StaticToken.random_token()).token


@pytest.fixture(autouse=True)
def _no_cached_incidents():
    """The open incidents are cached in Redis (incidents.selectors): a test's incident, rolled back with its
    transaction, must not show as a banner in the next test."""
    from incidents.selectors import open_incidents_forget

    open_incidents_forget()
    yield
    open_incidents_forget()


@pytest.fixture
def rate_limits(settings):
    """Rate limits on (the test settings turn them off) with no counts left from another test; returns a function
    that clears the counts again. Tests set small numbers in settings.RATE_LIMITS."""
    client = redis.Redis.from_url(settings.TEST_REDIS_URL)

    def clear():
        for key in client.scan_iter("*ratelimit:*"):
            client.delete(key)

    clear()
    settings.RATE_LIMITS_ENABLED = True
    yield clear
    clear()
    client.close()


def _transactional(item):
    marker = item.get_closest_marker("django_db")
    return "transactional_db" in getattr(item, "fixturenames", ()) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.fixture(scope="module")
def _demo_help_center_module(request, django_db_setup, django_db_blocker):
    """The demo help center seeded once for a module, inside a transaction rolled back after it; each test runs in a
    savepoint of its own within it (Django's TestCase.setUpTestData, for pytest). Seeding (24 articles in six
    languages, indexed and embedded) takes about two seconds, which a hundred bot and search tests paid each."""
    from django.db import transaction

    from helpcenter import demo

    # A test that commits would run inside this module's open transaction: keep such tests in another module.
    mixed = [item.nodeid for item in request.session.items if item.module is request.module and _transactional(item)]
    if mixed:
        raise pytest.UsageError(f"demo_help_center is for modules whose tests do not commit; these do: {mixed[:3]}")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        demo.seed(progress=lambda *args: None)
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def demo_help_center(_demo_help_center_module, db):
    """The demo help center for a test (see _demo_help_center_module). Search's in-process vector matrices are told
    to reload: another test's changes to the articles, rolled back, must not linger in them."""
    from helpcenter.semantic import index_changed

    index_changed()


@pytest.fixture(autouse=True)
def _language_reset():
    """A request handled in the test's own thread (the test client; the API's ?lang=) leaves its language active:
    the next test starts in the default language, as a new request would."""
    from django.utils import translation

    yield
    translation.deactivate()


# The data migrations that install rows a new desk starts with (each adds only what is missing).
DATA_MIGRATIONS = ("chatbot.migrations.0002_defaults", "chatbot.migrations.0005_intent_examples",
                   "chatbot.migrations.0007_more_intent_examples", "reports.migrations.0002_default_rubric")


@pytest.fixture
def migration_data(db):
    """The rows the data migrations install (the bot's texts, phrases and examples; the review rubric), as on a new
    desk: a test that commits, run earlier on the same worker, flushes them with everything else."""
    import importlib

    from django.apps import apps

    for name in DATA_MIGRATIONS:
        importlib.import_module(name).install(apps, None)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def customer(db):
    return UserFactory(email="customer.a@example.com", name="Customer A")


@pytest.fixture
def other_customer(db):
    return UserFactory(email="customer.b@example.com", name="Customer B")


@pytest.fixture
def agent(db):
    return AgentFactory(email="agent@example.com", name="Agent Smith", languages=["en", "ja"])


@pytest.fixture
def supervisor(db):
    return AgentFactory(email="supervisor@example.com", name="Sue Pervisor", supervisor=True)


@pytest.fixture
def desk_admin(db):
    return UserFactory(email="admin@example.com", name="Ada Admin", role=Role.ADMIN)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def customer_api(customer):
    client = APIClient()
    client.force_authenticate(customer)
    return client


class _Recorder:
    """aiosmtpd handler that keeps every message the server accepted."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        # Replies to give instead of accepting, one per incoming message, e.g. ["451 4.3.0 Try again later"].
        self.refuse_next = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        with self.lock:
            if self.refuse_next:
                return self.refuse_next.pop(0)
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "message": parsed})
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on 127.0.0.1 at settings.EMAIL_PORT for the whole run."""
    recorder = _Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=settings.EMAIL_PORT)
    controller.start()
    recorder.port = settings.EMAIL_PORT
    yield recorder
    controller.stop()


@pytest.fixture(autouse=True)
def _real_smtp(settings, smtp_server):
    """Django's test setup swaps in an in-memory mail backend; we send through the real SMTP server instead."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port


@pytest.fixture
def mailbox(smtp_server):
    """The messages the SMTP server receives during one test."""
    with smtp_server.lock:
        smtp_server.messages.clear()
        smtp_server.refuse_next.clear()
    yield smtp_server.messages


@pytest.fixture
def celery_worker_process(request):
    """A real Celery worker process (test settings, test Redis broker, the test database), ready when it beats."""
    import os
    import subprocess
    import sys
    import time

    from support.health import check_workers

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="support.settings.test", TEST_DATABASE_POOL="1")  # as deployed
    if "django_db_setup" in request.fixturenames or "transactional_db" in request.fixturenames:
        # Point the worker at the test database (it only sees committed rows: use transactional_db).
        env["DATABASE_URL"] = database_url_for_processes()
    name = f"pytest-{os.getpid()}@%h"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "support", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--hostname", name, "--without-mingle", "--without-gossip", "--queues", "support,screenshots"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"the Celery worker exited: {proc.stderr.read().decode()[-2000:]}")
            if check_workers()[0]:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError("the Celery worker did not answer a ping within 30 s")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def database_url_for_processes():
    """The URL of the database this test run uses, for the server processes tests start."""
    from django.db import connection

    db = connection.settings_dict
    return (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}")


class AsgiServers:
    """Real ASGI servers (uvicorn processes running support.asgi with test settings, the test database and the
    test Redis). start() returns a base URL; stop(url) takes one down (a network drop for its clients), and
    start(port=...) brings it back on the same address."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.media_root = tmp_path_factory.mktemp("media")  # uploads of every server in the test, shared
        self.processes, self.logs = {}, []

    def __call__(self, port=None):
        return self.start(port)

    def start(self, port=None, **env_overrides):
        import os
        import socket
        import subprocess
        import sys
        import time

        if port is None:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="support.settings.test", DATABASE_URL=database_url_for_processes(),
                   MEDIA_ROOT=str(self.media_root), TEST_DATABASE_POOL="1")  # the connection pool, as deployed
        env.update(env_overrides)
        # The server's errors go to a file that is printed when the test ends, so a failure shows its cause.
        log = self.tmp_path_factory.mktemp("uvicorn").joinpath("stderr.log").open("w+")
        self.logs.append(log)
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "support.asgi:application", "--host", "127.0.0.1", "--port", str(port),
             "--log-level", "warning", "--ws", "websockets"],
            env=env, stdout=subprocess.DEVNULL, stderr=log)
        url = f"http://127.0.0.1:{port}"
        self.processes[url] = proc
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"uvicorn exited: {log.read()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return url
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("uvicorn did not start within 30 s")

    def stop(self, url):
        import subprocess

        proc = self.processes.pop(url)
        proc.kill()  # abrupt, as when a network drops: no closing handshake
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def close(self):
        for url in list(self.processes):
            self.stop(url)
        for log in self.logs:
            log.seek(0)
            errors = log.read()
            if errors.strip():
                print(f"--- uvicorn stderr ---\n{errors[-5000:]}")
            log.close()


@pytest.fixture
def asgi_server(transactional_db, tmp_path_factory):
    """asgi_server() starts a real ASGI server process and returns its URL (see AsgiServers)."""
    servers = AsgiServers(tmp_path_factory)
    yield servers
    servers.close()


def _absent(reason):
    """A tool a test needs is not on this machine: the test skips with the reason locally, and fails under CI, which
    installs everything (scripts/system-deps) and must run what it claims to run."""
    import os

    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run this test", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _tesseract_missing():
    from support.screenshots import tesseract_missing

    return tesseract_missing()


@pytest.fixture(scope="session")
def ocr(_tesseract_missing):
    """For the tests that read pictures with Tesseract (the OCR tests): skips locally when it or one of its six
    language packs is missing, fails under CI. No other test depends on OCR: a test about who may open a picture
    records the scan's outcome through the service instead (attachment_scan(result=...))."""
    if _tesseract_missing:
        what = "Tesseract not found" if _tesseract_missing == ["tesseract"] else \
            f"Tesseract lacks the {', '.join(_tesseract_missing)} pack(s)"
        _absent(f"{what} (scripts/system-deps ocr installs it)")


@pytest.fixture(scope="session")
def rendered_screenshots(tmp_path_factory):
    """Real screenshots rendered once per run by Debian's Chromium (tests/support/render_screenshots.py: wallet
    backup pages with a recovery phrase, order and withdrawal pages without one): {name: PNG bytes}. Rendered in a
    process of its own, so Playwright's event loop stays out of this one (see pytest_collection_modifyitems)."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from tests.support.render_screenshots import CHROMIUM

    if not Path(CHROMIUM).exists():
        _absent(f"Chromium not found at {CHROMIUM} (scripts/system-deps browser installs it)")
    out = tmp_path_factory.mktemp("screenshots")
    result = subprocess.run([sys.executable, "-m", "tests.support.render_screenshots", str(out)], cwd=settings.BASE_DIR,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return {name: Path(path).read_bytes() for name, path in json.loads(result.stdout).items()}


@pytest.fixture
def exchange(settings):
    """The exchange's back office for customer profiles: real local HTTP servers speaking the signed protocol
    (tests/support/exchange_server.py), their URLs in the settings."""
    # on first use: only the profile tests start these servers
    from tests.support.exchange_server import exchange_servers

    yield from exchange_servers(settings)


@pytest.fixture
def libretranslate():
    """start(**controls) runs a stand-in LibreTranslate (tests/support/libretranslate_server.py) the settings point
    at; no translation cached before or after."""
    yield from libretranslate_servers()


@pytest.fixture(autouse=True)
def _rules_engine_forgets_triggers():
    """Each test's triggers are its own: the engine's per-process copy is dropped before it (a test database is
    emptied or rolled back without the services telling the engine)."""
    from automation.engine import triggers_forget

    triggers_forget()
