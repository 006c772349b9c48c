"""The pre-chat form's mistakes (issue #24, defect 7): each message beside its own field, in the page's language,
once, marked for screen readers, and the first wrong field focused. Screenshots: test-artifacts/prechat-errors-*.png.
"""
import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.leaks import english_on_page

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_language(lang, text):
    with translation.override(lang):
        return translation.gettext(text)


@pytest.mark.parametrize("lang", ["ja", "es", "ko"])
def test_prechat_errors_name_their_field_in_the_pages_language(page, lang):
    page.goto(f"/{lang}/chat/")
    page.locator("#prechat-email").fill("not-an-address")
    page.locator("#prechat button[type=submit]").click()
    name_error, email_error = page.locator("#prechat-name-error"), page.locator("#prechat-email-error")
    expect(name_error).to_have_text(in_language(lang, "Please enter your name."))
    expect(email_error).to_be_visible()
    assert page.locator("#prechat-name").get_attribute("aria-invalid") == "true"
    assert page.locator("#prechat-name").get_attribute("aria-describedby") == "prechat-name-error"
    assert page.evaluate("document.activeElement.id") == "prechat-name"
    assert page.locator(".field-error").count() == 2  # one each, not the same words twice in one line
    expect(page.locator("#prechat-error")).to_be_visible()
    assert english_on_page(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"prechat-errors-{lang}.png"), full_page=True)
    # Fixed, the chat starts and the marks are gone.
    page.locator("#prechat-name").fill("美咲")
    page.locator("#prechat-email").fill("misaki@example.com")
    page.locator("#prechat button[type=submit]").click()
    expect(page.locator("#chat-panel")).to_be_visible()
    assert page.locator(".field-error").count() == 0
