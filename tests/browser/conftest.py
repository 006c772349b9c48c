"""Browser tests: Debian's Chromium driven by Playwright for Python against Django's live test server.

Playwright's own browser download does not work here (and is never needed): we launch /usr/bin/chromium.
Screenshots go to test-artifacts/ so a person can look at what the tests saw.
"""
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls tests make next to it are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        # CI installs Chromium (.ci/run); a missing browser there is a broken setup, not a reason to skip.
        raise pytest.UsageError(f"Chromium not found at {CHROMIUM}; browser tests cannot run in CI")
    marker = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(marker)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() opens a tab in a fresh browser profile (its own cookies): one per person in a test."""
    contexts, errors = [], []

    def open_page(viewport=None, locale="en-US", base_url=None):
        context = browser.new_context(base_url=base_url or live_server.url,
                                      viewport=viewport or {"width": 1280, "height": 900}, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        # Whatever the Content-Security-Policy blocks (an inline script or style, a foreign host) is a bug too.
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error"
               and "Content Security Policy" in message.text else None)
        return tab

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors or blocked content on the page: {errors}"


@pytest.fixture
def page(new_page):
    return new_page()


def log_in(tab, email, password, lang="en"):
    """Sign in through the login page; staff then type a code of their authenticator (support.twofactor)."""
    from support import twofactor
    from support.models import User
    from tests.conftest import staff_code, staff_device

    user = User.objects.filter(email__iexact=email).first()
    staff = user is not None and twofactor.required_for(user)
    if staff:
        staff_device(user)  # set up before, as staff have (a first sign-in would set it up on the page)
    tab.goto(f"/{lang}/accounts/login/")
    tab.locator("#id_username").fill(email)
    tab.locator("#id_password").fill(password)
    tab.locator("form.stacked-form button[type=submit]").click()
    tab.wait_for_load_state()
    if staff and "/accounts/2fa/" in tab.url:
        tab.locator("#id_code").fill(staff_code(user))
        tab.locator("form.stacked-form button[type=submit]").click()
        tab.wait_for_load_state()


@pytest.fixture
def screenshot(page, request):
    """screenshot("name") saves test-artifacts/<test>-<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name, tab=None):
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        (tab or page).screenshot(path=str(path), full_page=True)
        return path

    return take


def japanese_chat(new_page, server):
    """A Japanese agent online in the console and a visitor on their phone who has started a chat it has taken:
    (agent's tab, customer's tab, the chat's box in the console)."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD, AgentFactory

    AgentFactory(email="ana@example.com", name="Ana", languages=["ja"], capacity=2)
    agent = new_page(base_url=server)
    log_in(agent, "ana@example.com", PASSWORD, lang="ja")
    agent.goto("/ja/agent/chats/")
    agent.locator("#presence").select_option("online")

    customer = new_page(base_url=server, viewport={"width": 390, "height": 844})
    customer.goto("/ja/chat/")
    customer.locator("#prechat-name").fill("佐藤")
    customer.locator("#prechat-email").fill("sato@example.com")
    customer.locator("#prechat-topic").fill("出金")
    customer.locator("#prechat button[type=submit]").click()
    chat = agent.get_by_test_id("console-chat")
    expect(chat).to_contain_text("佐藤", timeout=15_000)
    return agent, customer, chat
