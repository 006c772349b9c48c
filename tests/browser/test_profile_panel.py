"""The exchange-account panel (issue #24) in the live-chat console and on the agent's ticket page, against a real
server process and a stand-in exchange speaking the signed protocol (tests/support/exchange_server.py): with a
normal exchange it shows the VIP tier, the KYC level, the risk flags and the transfers in the page's language; with
an exchange that sleeps past the deadline it says "unavailable" and the rest of the page works. Screenshots:
test-artifacts/profile-panel-*.png."""
import pytest
from django.utils import translation
from playwright.sync_api import expect

from livechat import services as chat_services
from support.profiles import profile_forget
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.leaks import english_on_page
from tests.support.exchange_server import profile_json
from tickets import services as ticket_services

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said(lang, text, context=None):
    with translation.override(lang):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def _people(lang, uid):
    AgentFactory(email="agente@example.com", name="王 芳", languages=[lang], capacity=3)
    customer = UserFactory(email=f"{uid.lower()}@example.com", name="김민지" if lang == "ko" else "Lucía Pérez",
                           language=lang)
    customer.exchange_uid = uid
    customer.save(update_fields=["exchange_uid"])
    profile_forget(customer=customer)
    return customer


def _console_with_chat(new_page, server, lang, customer):
    page = new_page(base_url=server)
    log_in(page, "agente@example.com", PASSWORD, lang=lang)
    page.goto(f"/{lang}/agent/chats/")
    page.locator("#presence").select_option("online")
    expect(page.locator("#presence")).to_have_value("online")
    page.wait_for_timeout(300)  # the presence frame reaches the server before the chat starts
    chat_services.conversation_start(language=lang, customer=customer, topic="USDT", with_bot=False)
    card = page.get_by_test_id("console-chat")
    expect(card).to_contain_text(customer.name, timeout=15_000)
    return page, card


@pytest.mark.parametrize("lang", ["ko", "es"])
def test_the_panel_shows_the_exchange_account_beside_the_chat_and_the_ticket(new_page, asgi_server, exchange, lang):
    """VIP tier, KYC level, risk flags (an unknown one shown as its code, marked) and the transfers, in the page's
    language; a hash copies with its button."""
    uid = f"EX-{lang.upper()}77"
    server_exchange = exchange({("uid", uid): profile_json(uid, vip_tier=3, kyc_level=2,
                                                            risk_flags=["new_withdrawal_address", "geo_mismatch_v2"])})
    server = asgi_server.start(**server_exchange.settings())
    customer = _people(lang, uid)
    page, card = _console_with_chat(new_page, server, lang, customer)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    panel = card.get_by_test_id("profile-panel")
    expect(panel).to_have_attribute("data-state", "ok", timeout=15_000)
    expect(panel.get_by_test_id("profile-vip")).to_have_text(said(lang, "VIP {tier}", "vip tier").format(tier=3))
    expect(panel.get_by_test_id("profile-kyc")).to_contain_text(said(lang, "Identity verified"))
    flags = panel.get_by_test_id("profile-flags")
    expect(flags).to_contain_text(said(lang, "Withdrawal to a new address"))
    expect(flags).to_contain_text("geo_mismatch_v2")
    expect(flags).to_contain_text(said(lang, "unknown code"))
    rows = panel.get_by_test_id("profile-transfers").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(said(lang, "Under review", "transfer status"))
    expect(rows.nth(1)).to_contain_text("1500.00 USDT")
    expect(rows.nth(1)).to_contain_text("TRON")
    rows.nth(1).locator(".profile-copy").click()
    expect(rows.nth(1).locator(".profile-copy")).to_have_text(said(lang, "Copied"))
    assert page.evaluate("navigator.clipboard.readText()") == "a3f1" + "0" * 56 + "beef"
    assert server_exchange.refused == []
    assert english_on_page(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"profile-panel-console-{lang}.png"), full_page=True)

    ticket = ticket_services.ticket_create(requester=customer, subject="Retiro / 출금", body="…")
    page.goto(f"/{lang}/agent/tickets/{ticket.ref}/")
    side = page.get_by_test_id("profile-card").get_by_test_id("profile-panel")
    expect(side).to_have_attribute("data-state", "ok")
    expect(side.get_by_test_id("profile-vip")).to_have_text(said(lang, "VIP {tier}", "vip tier").format(tier=3))
    expect(side.get_by_test_id("profile-transfers").locator("tbody tr")).to_have_count(3)
    assert english_on_page(page) == []
    page.screenshot(path=str(ARTIFACTS / f"profile-panel-ticket-{lang}.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ko", "es"])
def test_a_slow_exchange_shows_unavailable_and_the_page_works(new_page, asgi_server, exchange, lang):
    """The exchange sleeps past the deadline: the console and the ticket page render at once (the panel says
    "loading", then "unavailable" with a retry), the agent still chats and replies."""
    uid = f"EX-{lang.upper()}99"
    slow = exchange({("uid", uid): profile_json(uid, vip_tier=5)}, mode="slow", delay=6.0)
    server = asgi_server.start(**slow.settings(CUSTOMER_PROFILE_TIMEOUT="2.5", CUSTOMER_PROFILE_FAILURE_TTL="0"))
    customer = _people(lang, uid)
    page, card = _console_with_chat(new_page, server, lang, customer)

    panel = card.get_by_test_id("profile-panel")
    expect(panel).to_have_attribute("data-state", "unavailable", timeout=15_000)
    expect(panel).to_contain_text(said(lang, "The exchange account is unavailable right now."))
    expect(panel.locator(".profile-retry")).to_have_text(said(lang, "Try again"))
    card.locator(".js-input").fill("잠시만 기다려 주세요" if lang == "ko" else "Un momento, por favor")
    card.locator(".js-send").click()
    expect(card.locator(".chat-log")).to_contain_text("잠시만" if lang == "ko" else "Un momento")
    assert english_on_page(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"profile-panel-slow-console-{lang}.png"), full_page=True)

    ticket = ticket_services.ticket_create(requester=customer, subject="Retiro / 출금", body="…")
    page.goto(f"/{lang}/agent/tickets/{ticket.ref}/")
    side = page.get_by_test_id("profile-card").get_by_test_id("profile-panel")
    # The page is there while the exchange is still being asked: the panel says so, then gives up at the deadline.
    expect(side).to_have_attribute("data-state", "loading")
    expect(page.locator("#reply-submit")).to_be_visible()
    expect(side).to_have_attribute("data-state", "unavailable", timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / f"profile-panel-slow-ticket-{lang}.png"), full_page=True)
    page.locator("#id_body").fill("Revisamos tu retiro." if lang == "es" else "출금을 확인하고 있습니다.")
    page.locator("#reply-submit").click()
    page.wait_for_load_state()
    assert ticket.messages.order_by("-created_at").first().body.startswith(("Revisamos", "출금을"))
