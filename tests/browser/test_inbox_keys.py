"""The inbox by keyboard (issue #24, defect 10): j and k move between tickets, x selects one, o opens it, and ? lists
these keys in the page's language. Screenshots: test-artifacts/inbox-keys-*.png."""
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgentFactory, UserFactory
from tickets import services

from .conftest import ARTIFACTS, log_in

CURRENT = re.compile(r"\bis-current\b")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["ko", "ru"])
def test_an_agent_works_the_inbox_by_keyboard(new_page, lang):
    customer = UserFactory(email="kunde@example.com", name="林 美", language=lang)
    tickets = [services.ticket_create(requester=customer, subject=f"出金 {n}", body="?") for n in range(3)]
    AgentFactory(email="agente@example.com", name="王 芳", languages=[lang])
    page = new_page()
    log_in(page, "agente@example.com", PASSWORD, lang=lang)
    page.goto(f"/{lang}/agent/tickets/?view=all")
    rows = page.locator('tr[data-testid="inbox-row"]')
    expect(rows).to_have_count(3)
    page.evaluate("document.activeElement.blur()")  # out of the text box, so the keys are shortcuts
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(CURRENT)
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(CURRENT)
    page.keyboard.press("Escape")  # the focus is on the row's link; Esc leaves it so keys act again
    page.keyboard.press("x")
    assert rows.nth(0).locator('input[name="tickets"]').is_checked()
    page.keyboard.press("?")
    with translation.override(lang):
        listed = translation.gettext("Next ticket in the list")
    assert listed != "Next ticket in the list"
    expect(page.locator("dialog")).to_contain_text(listed)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"inbox-keys-{lang}.png"), full_page=True)
    page.keyboard.press("Escape")
    first = rows.nth(0).locator("a").first.get_attribute("href")
    page.keyboard.press("o")
    page.wait_for_url(f"**{first}")
    assert any(t.ref in first for t in tickets)
