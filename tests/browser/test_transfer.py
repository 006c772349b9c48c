"""Transfer from the console (issue #24, defect 10): a small form under the chat (a language's queue, or a colleague
by email) in the page's language, where a browser prompt in English used to ask for a code. Screenshots:
test-artifacts/transfer-*.png."""
import pytest
from playwright.sync_api import expect

from livechat import services as chat_services
from livechat.models import Conversation, ConversationStatus
from support.models import AgentProfile, Presence
from tests.factories import PASSWORD, AgentFactory
from tests.leaks import english_on_page

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["ja", "es"])
def test_an_agent_transfers_a_chat_to_a_colleague_then_to_another_languages_queue(new_page, asgi_server, lang):
    server = asgi_server.start()
    AgentFactory(email="agente@example.com", name="王 芳", languages=[lang, "en"], capacity=3)
    colleague = AgentFactory(email="colega@example.com", name="陈 静", languages=[lang], capacity=3)
    page = new_page(base_url=server)
    log_in(page, "agente@example.com", PASSWORD, lang=lang)
    page.goto(f"/{lang}/agent/chats/")
    page.locator("#presence").select_option("online")
    chat = chat_services.conversation_start(language=lang, visitor_name="美咲", visitor_email="m@example.com",
                                            with_bot=False)
    card = page.get_by_test_id("console-chat")
    expect(card).to_contain_text("美咲")
    card.locator(".js-transfer").click()
    form = card.get_by_test_id("transfer-form")
    expect(form).to_be_visible()
    assert english_on_page(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"transfer-{lang}.png"), full_page=True)
    # To a colleague: the colleague has it now.
    AgentProfile.objects.filter(user=colleague).update(presence=Presence.ONLINE)
    form.locator(".js-transfer-agent").fill("colega@example.com")
    form.locator("button[type=submit]").click()
    expect(card).to_have_count(0)
    chat.refresh_from_db()
    assert (chat.status, chat.agent) == (ConversationStatus.ACTIVE, colleague)
    # A second chat, to the English queue.
    second = chat_services.conversation_start(language=lang, visitor_name="健", visitor_email="k@example.com",
                                              with_bot=False)
    card = page.get_by_test_id("console-chat")
    expect(card).to_contain_text("健")
    AgentProfile.objects.filter(user=colleague).update(presence=Presence.AWAY)
    card.locator(".js-transfer").click()
    card.get_by_test_id("transfer-form").locator(".js-transfer-language").select_option("en")
    card.get_by_test_id("transfer-form").locator("button[type=submit]").click()
    expect(card).to_have_count(0)
    second = Conversation.objects.get(pk=second.pk)
    assert second.language == "en"
