"""The customer's bell updates live (issue #24): a signed-in customer has a page open; an agent answers their request
(through the service layer, as the agent's reply form does); the bell in the header shows 1, then 2, without a
reload, and its accessible label is the count's plural form in the page's language. Screenshots:
test-artifacts/test_a_signed_in_customers_bell_*.png."""
import pytest
from django.utils import translation
from django.utils.translation import ngettext
from playwright.sync_api import expect

from support.services import notification_mark_all_read
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.leaks import english_on_page
from tickets import services as ticket_services

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "es": {"subject": "Retiro pendiente", "reply": "Hola, ya lo estamos revisando.", "again": "Ya está aprobado."},
    "zh-hans": {"subject": "提现未到账", "reply": "您好，我们正在核实。", "again": "已经处理完毕。"},
}


def label(language, count):
    with translation.override(language):
        return ngettext("%(counter)s unread notification", "%(counter)s unread notifications", count) % {
            "counter": count}


@pytest.mark.parametrize("lang", ["es", "zh-hans"])
def test_a_signed_in_customers_bell_counts_an_agents_reply_without_a_reload(new_page, asgi_server, screenshot, lang):
    server = asgi_server.start()
    text = TEXTS[lang]
    customer = UserFactory(email="cliente@example.com", name="Lucía 李", language=lang)
    agent = AgentFactory(name="Marta", languages=[lang])
    ticket = ticket_services.ticket_create(requester=customer, subject=text["subject"], body=text["subject"])
    notification_mark_all_read(user=customer)  # "we received your request" was read: the bell starts at zero

    tab = new_page(base_url=server, viewport={"width": 390, "height": 844})
    log_in(tab, customer.email, PASSWORD, lang=lang)
    tab.goto(f"/{lang}/requests/{ticket.ref}/")
    bell = tab.locator(".notif-link")
    expect(bell).to_have_attribute("aria-label", label(lang, 0))
    expect(tab.get_by_test_id("unread-count")).to_have_count(0)
    tab.wait_for_function("() => document.readyState === 'complete'")
    tab.evaluate("() => { window.notReloaded = true; }")  # gone if the page reloads
    tab.wait_for_timeout(500)  # the socket is open (it sends the count on connect; nothing changes here)

    ticket_services.ticket_reply(ticket=ticket, author=agent, body=text["reply"])
    badge = tab.get_by_test_id("unread-count")
    expect(badge).to_have_text("1", timeout=10_000)
    expect(badge).to_be_visible()
    expect(bell).to_have_attribute("aria-label", label(lang, 1))
    assert label(lang, 1) != label("en", 1)  # translated, not the English catalogue text
    screenshot("one", tab)

    ticket_services.ticket_reply(ticket=ticket, author=agent, body=text["again"])
    expect(badge).to_have_text("2", timeout=10_000)
    expect(bell).to_have_attribute("aria-label", label(lang, 2))
    assert tab.evaluate("() => window.notReloaded === true")
    assert english_on_page(tab) == []
    screenshot("two", tab)

    # Read on the notifications page, then back: the page renders 0 and the socket agrees (no stale badge).
    tab.goto(f"/{lang}/notifications/")
    notification_mark_all_read(user=customer)
    tab.goto(f"/{lang}/requests/{ticket.ref}/")
    expect(bell).to_have_attribute("aria-label", label(lang, 0))
    expect(tab.get_by_test_id("unread-count")).to_have_count(0)


def test_a_visitor_who_is_not_signed_in_opens_no_bell_socket(new_page, asgi_server):
    """No bell, no socket: bell.js is only on signed-in customers' pages."""
    server = asgi_server.start()
    tab = new_page(base_url=server)
    sockets = []
    tab.on("websocket", lambda socket: sockets.append(socket.url))
    tab.goto("/es/")
    tab.wait_for_timeout(500)
    assert tab.locator(".notif-link").count() == 0
    assert not any("/ws/notifications/" in url for url in sockets)
