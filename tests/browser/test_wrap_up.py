"""Chat wrap-up and history (issue #24): when the customer ends a chat it stays in the agent's console, read-only,
with a wrap-up form (the customer's rating appears in it live); a bad submit is answered by the field, in the page's
language; once finished, the chat is in "Recent chats", whose link opens the chat's page with the transcript, the
wrap-up and the rating. Screenshots: test-artifacts/wrap-up-*.png."""
import pytest
from playwright.sync_api import expect

from livechat import services as chat_services
from livechat.models import Conversation
from tests.factories import PASSWORD, AgentFactory
from tests.leaks import english_on_page

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["ja", "ru"])
def test_an_ended_chat_is_wrapped_up_then_read_again_from_the_history(new_page, asgi_server, lang):
    server = asgi_server.start()
    AgentFactory(email="agent@example.com", name="Mei", languages=[lang], capacity=2)
    page = new_page(base_url=server)
    log_in(page, "agent@example.com", PASSWORD, lang=lang)
    page.goto(f"/{lang}/agent/chats/")
    page.locator("#presence").select_option("online")
    chat = chat_services.conversation_start(language=lang, visitor_name="Saša", visitor_email="s@example.com",
                                            topic="USDT TRC20", with_bot=False)
    card = page.get_by_test_id("console-chat")
    expect(card).to_contain_text("Saša")
    chat_services.customer_message_post(conversation_id=chat.pk, body="депозит 200 USDT не пришёл / 入金が来ない")
    expect(card.locator(".chat-log")).to_contain_text("200 USDT")
    chat_services.conversation_close(conversation_id=chat.pk, by="customer")

    # Ended: still here, the composer gone, the wrap-up form in its place; no English on the page.
    form = card.get_by_test_id("wrap-up-form")
    expect(form).to_be_visible()
    expect(card.locator(".js-form")).to_be_hidden()
    expect(form.locator(".js-wrap-topic")).to_have_value("USDT TRC20")
    chat_services.conversation_rate(conversation_id=chat.pk, score=4, comment="спасибо")
    expect(card.get_by_test_id("wrap-up-csat")).to_contain_text("4/5")
    page.wait_for_timeout(300)
    assert english_on_page(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"wrap-up-{lang}-form.png"), full_page=True)

    # A submit without an outcome is answered by that field; a tag too long by the server, by its field.
    form.locator(".js-wrap-submit").click()
    expect(form.locator('.js-error[data-field="disposition"]')).to_be_visible()
    form.locator(".js-disposition").select_option("follow_up")
    form.locator(".js-wrap-tags").fill("x" * 60)
    form.locator(".js-wrap-submit").click()
    tags_error = form.locator('.js-error[data-field="tags"]')
    expect(tags_error).to_be_visible()
    assert english_on_page(page) == []
    form.locator(".js-wrap-tags").fill("deposit, trc20")
    form.locator(".js-wrap-note").fill("Wrong network; asked for the TXID.")
    form.locator(".js-wrap-submit").click()

    # Gone from the console, first in the history; its page has everything.
    expect(card).to_have_count(0)
    history = page.get_by_test_id("chat-history")
    expect(history.locator("li").first).to_contain_text("Saša")
    chat = Conversation.objects.get(pk=chat.pk)
    assert (chat.disposition, chat.tags, chat.wrapped_up_by) == ("follow_up", ["deposit", "trc20"], "agent")
    page.screenshot(path=str(ARTIFACTS / f"wrap-up-{lang}-history.png"), full_page=True)
    history.locator("a").first.click()
    expect(page.get_by_test_id("agent-transcript")).to_contain_text("200 USDT")
    summary = page.get_by_test_id("wrap-up-summary")
    expect(summary).to_contain_text("deposit")
    expect(summary).to_contain_text("Wrong network")
    expect(page.get_by_test_id("chat-csat")).to_contain_text("спасибо")
    assert english_on_page(page) == []
    page.screenshot(path=str(ARTIFACTS / f"wrap-up-{lang}-page.png"), full_page=True)

