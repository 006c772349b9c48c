"""A customer logged in at the exchange opens the chat from the exchange's page: the widget carries the identity the
exchange's server signed, the chat asks for no name or email, and the chat is filed under their account."""
import time
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from livechat.identity import identity_signature
from livechat.models import Conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chat_from_the_exchanges_page_belongs_to_the_signed_in_exchange_user(new_page, asgi_server, screenshot):
    server = asgi_server.start(LIVECHAT_IDENTITY_SECRET="exchange-secret")
    page = new_page(base_url=server, viewport={"width": 390, "height": 844})
    ts = int(time.time())
    signature = identity_signature("EX-77", "minji@example.com", ts, secret="exchange-secret")
    page.goto("/ko/chat/?" + urlencode({"embed": "1", "uid": "EX-77", "uemail": "minji@example.com",
                                         "uname": "Minji", "uts": ts, "usig": signature}))
    expect(page.get_by_test_id("chat-identity")).to_contain_text("minji@example.com")
    expect(page.locator("#prechat-email")).to_have_count(0)
    page.locator("#prechat-topic").fill("출금이 안 돼요")
    page.locator("#prechat button[type=submit]").click()
    expect(page.locator("#chat-panel")).to_be_visible()
    expect(page.locator("#chat-status")).to_contain_text("1")  # in line: the socket is open
    screenshot("widget-identity-ko", page)
    chat = Conversation.objects.select_related("customer").get()
    assert chat.customer.email == "minji@example.com" and chat.customer.exchange_uid == "EX-77"
