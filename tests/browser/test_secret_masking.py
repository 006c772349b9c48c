"""A panicked customer pastes their 12-word recovery phrase into the chat: their page shows it hidden, with a
warning in their language that staff never ask for it; the agent's console flags what was found."""
import pytest
from mnemonic import Mnemonic
from playwright.sync_api import expect

from livechat.models import ChatMessage

from .conftest import japanese_chat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))


def test_a_pasted_recovery_phrase_is_hidden_and_the_agent_is_told(new_page, asgi_server, screenshot):
    agent, customer, chat = japanese_chat(new_page, asgi_server.start())

    customer.locator("#chat-input").fill(f"サポートの人に言われたので送ります {PHRASE}")
    customer.locator("#chat-input").press("Enter")
    log = customer.locator("#chat-log")
    expect(log).to_contain_text("[recovery phrase hidden]")
    expect(log).to_contain_text("スタッフがこれらを尋ねることは決してありません")  # the warning, in Japanese
    assert PHRASE.split()[4] not in log.inner_text()
    expect(customer.locator(".chat-pending")).to_have_count(0)
    screenshot("customer", customer)

    expect(chat.get_by_test_id("secret-flag")).to_contain_text("復元フレーズ")
    expect(chat.locator(".chat-log")).to_contain_text("[recovery phrase hidden]")
    assert PHRASE.split()[4] not in chat.inner_text()
    screenshot("agent", agent)
    assert not ChatMessage.objects.filter(body__contains=PHRASE.split()[4]).exists()
