"""The embeddable launcher: one script tag on another site opens the desk's chat in a panel, in the site's
language; only allowed sites may frame it."""
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def other_site(tmp_path, live_server):
    """A page on another origin that embeds the launcher with one script tag."""
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="ja"><head><meta charset="utf-8"></head><body><h1>Partner site</h1>'
        f'<script src="{live_server.url}/static/livechat/js/widget.js" data-lang="ja" data-label="チャットで相談" defer>'
        '</script></body></html>', encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_launcher_on_an_allowed_site_opens_the_chat_in_its_language(page, other_site, settings, screenshot):
    settings.LIVECHAT_EMBED_ORIGINS = [other_site]
    page.goto(other_site + "/index.html")
    launcher = page.locator("#support-chat-launcher")
    expect(launcher).to_have_text("チャットで相談")
    launcher.click()
    frame = page.frame_locator("#support-chat-panel")
    expect(frame.locator("h1")).to_have_text("チャットで相談")
    expect(frame.locator("#prechat-name")).to_be_visible()
    expect(frame.locator(".site-header")).to_be_hidden()  # embedded: just the chat
    screenshot("partner-site-ja")
    launcher.click()
    expect(page.locator("#support-chat-panel")).to_be_hidden()


def test_the_desks_own_pages_show_the_launcher_to_customers(page):
    page.goto("/ko/help/")
    expect(page.locator("#support-chat-launcher")).to_have_text("채팅 상담")
