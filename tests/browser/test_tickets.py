"""A customer files a ticket with a screenshot; an agent answers with a macro and an internal note; the customer
sees the reply (never the note) and an unread notification."""
import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.tickets.files import png_bytes
from tickets.models import Category, Macro, Ticket

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ticket_round_trip_with_macro_and_internal_note(new_page, screenshot, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    UserFactory(email="kana@example.com", name="Kana", language="ja")
    AgentFactory(email="desk@example.com", name="Desk Agent", languages=["ja", "en"])
    Category.objects.create(slug="deposits", name_en="Deposits", name_ja="入金")
    Macro.objects.create(name_en="Ask for TxID", name_ja="TxIDの確認", body_en="Please send the TxID.",
                         body_ja="トランザクションIDを送ってください。", set_status="pending", add_tags=["needs-txid"])
    shot = tmp_path / "deposit.png"
    shot.write_bytes(png_bytes(size=(600, 400), color=(20, 120, 200)))

    customer = new_page()
    log_in(customer, "kana@example.com", PASSWORD, lang="ja")
    customer.goto("/ja/requests/new/")
    customer.locator("#id_subject").fill("入金が反映されません")
    customer.locator("#id_category").select_option("deposits")
    customer.locator("#id_body").fill("昨日送金した 100 USDT がまだ残高に表示されません。")
    customer.locator("#id_attachments").set_input_files(str(shot))
    customer.locator("form.stacked-form button[type=submit]").click()
    expect(customer.locator("h1")).to_have_text("入金が反映されません")
    expect(customer.locator("img.thumb")).to_be_visible()
    ticket = Ticket.objects.get()
    screenshot("customer-filed", customer)

    agent = new_page()
    log_in(agent, "desk@example.com", PASSWORD)
    agent.goto("/en/agent/tickets/?view=unassigned")
    agent.get_by_role("link", name=ticket.ref).click()
    expect(agent.locator("h1")).to_have_text("入金が反映されません")
    agent.locator("#id_internal").check()
    agent.locator("#id_body").fill("Checked the wallet: deposit is on chain, waiting for confirmations.")
    agent.locator("#agent-reply button[type=submit]").click()
    expect(agent.get_by_text("Internal note added.")).to_be_visible()
    agent.locator("#id_macro").select_option(label="Ask for TxID")  # named in the agent's language
    expect(agent.locator("#id_body")).to_have_value("トランザクションIDを送ってください。")
    agent.locator("#agent-reply button[type=submit]").click()
    expect(agent.get_by_text("Reply sent.")).to_be_visible()
    expect(agent.locator('[data-testid="audit-trail"]')).to_contain_text("Pending")
    screenshot("agent-ticket", agent)
    ticket.refresh_from_db()
    assert ticket.status == "pending" and ticket.tags == ["needs-txid"]

    customer.goto("/ja/")
    expect(customer.get_by_test_id("unread-count")).to_have_text("3")  # received, reply, status change
    customer.goto(f"/ja/requests/{ticket.ref}/")
    expect(customer.get_by_text("トランザクションIDを送ってください。")).to_be_visible()
    expect(customer.get_by_text("Checked the wallet")).to_have_count(0)
    screenshot("customer-sees-reply", customer)
    customer.goto("/ja/notifications/")
    expect(customer.locator('[data-testid="notification"]').first).to_contain_text(ticket.ref)
    screenshot("customer-notifications", customer)
