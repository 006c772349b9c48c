"""One customer timeline (issue #24) on the ticket page and on a chat in the console, in the page's language:
newest first, links to what each event is, "Show older" for the next page. Screenshots:
test-artifacts/timeline-*.png."""
import pytest
from playwright.sync_api import expect

from livechat import services as chat_services
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.leaks import english_on_page
from tickets.services import ticket_create

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["zh-hans", "es"])
def test_the_timeline_on_the_ticket_page_and_on_a_chat(new_page, asgi_server, lang):
    server = asgi_server.start()
    AgentFactory(email="agent@example.com", name="Lin", languages=[lang], capacity=2)
    customer = UserFactory(email="wei@example.com", name="Wei", language=lang)
    tickets = [ticket_create(requester=customer, subject=f"Depósito {n} 充值", body="?", language=lang)
               for n in range(20)]
    page = new_page(base_url=server)
    log_in(page, "agent@example.com", PASSWORD, lang=lang)

    page.goto(f"/{lang}/agent/tickets/{tickets[0].ref}/")
    box = page.get_by_test_id("timeline")
    expect(box.locator(".timeline-item").first).to_contain_text("Depósito 19")  # the newest first
    expect(box.locator(".timeline-item")).to_have_count(30)  # 20 requests and their emails: one page
    box.locator(".timeline-more").click()
    expect(box.locator(".timeline-item")).to_have_count(40)
    expect(box.locator(".timeline-more")).to_have_count(0)
    assert english_on_page(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"timeline-{lang}-ticket.png"), full_page=True)

    page.goto(f"/{lang}/agent/chats/")
    page.locator("#presence").select_option("online")
    chat_services.conversation_start(language=lang, customer=customer, topic="P2P", with_bot=False)
    card = page.get_by_test_id("console-chat")
    fold = card.get_by_test_id("chat-timeline")
    expect(fold).to_be_visible()
    fold.locator("summary").click()
    first = fold.locator(".timeline-item").first
    expect(first).to_contain_text("P2P")  # the chat itself is the newest event
    first.locator("a").click()
    expect(page.get_by_test_id("agent-transcript")).to_be_visible()
    page.go_back()
    expect(page.get_by_test_id("console-chat")).to_be_visible()
    page.get_by_test_id("chat-timeline").locator("summary").click()
    expect(page.get_by_test_id("chat-timeline").locator(".timeline-item").first).to_be_visible()
    assert english_on_page(page) == []
    page.screenshot(path=str(ARTIFACTS / f"timeline-{lang}-console.png"), full_page=True)
