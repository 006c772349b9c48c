"""Note mode (issue #24, defect 4): an internal note looks unlike a reply while it is written, in amber with a banner,
and its button says "Add internal note" in the page's language; the i and r keys switch modes. Sent, it stays with
the agents. Screenshots: test-artifacts/note-mode-*.png."""
import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.leaks import english_on_page
from tickets import services

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said(lang, text):
    with translation.override(lang):
        return translation.gettext(text)


@pytest.mark.parametrize("lang", ["ja", "es"])
def test_a_note_is_written_in_a_mode_that_cannot_be_taken_for_a_reply(new_page, lang):
    customer = UserFactory(email="kunde@example.com", name="林 美", language=lang)
    ticket = services.ticket_create(requester=customer, subject="出金", body="出金が届きません")
    AgentFactory(email="agente@example.com", name="王 芳", languages=[lang])
    page = new_page()
    log_in(page, "agente@example.com", PASSWORD, lang=lang)
    page.goto(f"/{lang}/agent/tickets/{ticket.ref}/")
    form, button, banner = page.locator("#agent-reply"), page.locator("#reply-submit"), page.locator("#note-banner")
    expect(button).to_have_text(said(lang, "Send reply"))
    expect(banner).to_be_hidden()
    page.locator("#id_internal").check()
    expect(form).to_have_class("stacked-form reply-form is-note")
    expect(button).to_have_text(said(lang, "Add internal note"))
    expect(banner).to_be_visible()
    assert said(lang, "Add internal note") != "Add internal note"
    colour = page.evaluate("getComputedStyle(document.querySelector('#id_body')).backgroundColor")
    assert colour == "rgb(255, 250, 235)"  # amber, unlike a reply's white box
    assert english_on_page(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#id_body").fill("AML: 出金先アドレスは要確認")
    page.screenshot(path=str(ARTIFACTS / f"note-mode-{lang}.png"), full_page=True)
    # The keys switch modes too: r back to a reply, i to a note.
    page.evaluate("document.activeElement.blur()")  # out of the text box, so the keys are shortcuts
    page.keyboard.press("r")
    expect(button).to_have_text(said(lang, "Send reply"))
    page.evaluate("document.activeElement.blur()")  # out of the text box, so the keys are shortcuts
    page.keyboard.press("i")
    expect(button).to_have_text(said(lang, "Add internal note"))
    button.click()
    page.wait_for_load_state()
    note = ticket.messages.order_by("-created_at").first()
    assert note.is_internal and "AML" in note.body
