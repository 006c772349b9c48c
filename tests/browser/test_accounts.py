"""A person signs up, logs out and in again, switches to Japanese and sees the landing page in Japanese."""
import pytest
from playwright.sync_api import expect

from support.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_log_in_and_switch_to_japanese(page, screenshot):
    page.goto("/en/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("browser.user@example.com")
    page.get_by_label("Your name").fill("Browser User")
    page.get_by_label("Preferred language").select_option("en")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-pass")
    page.get_by_label("Password again").fill("a-long-unusual-pass")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome! Your account is ready.")).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    assert User.objects.filter(email="browser.user@example.com").exists()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("browser.user@example.com")
    page.get_by_label("Password").fill("a-long-unusual-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Browser User")).to_be_visible()

    page.get_by_label("Language").select_option("ja")
    page.wait_for_url("**/ja/")
    expect(page.get_by_role("heading", level=1)).to_have_text("どのようなご用件ですか？")
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "ja"
    screenshot("landing-ja")
    assert User.objects.get(email="browser.user@example.com").language == "ja"


TOO_MANY = {"en": "Too many attempts", "zh-hans": "尝试次数过多", "es": "Demasiados intentos",
            "ru": "Слишком много попыток", "ja": "試行回数が多すぎます", "ko": "시도 횟수가 너무 많습니다"}


def test_a_locked_account_explains_itself_in_every_language(new_page, settings, rate_limits, screenshot):
    """Wrong passwords lock the account for a while; the page says so, and how to get in now, in the reader's
    language (rate limits are off in the test settings; on here, with small numbers)."""
    from tests.factories import PASSWORD, UserFactory

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_failures": (2, 900), "login": (1000, 600)}
    UserFactory(email="locked.out@example.com")
    tab = new_page()
    for lang, title in TOO_MANY.items():
        tab.goto(f"/{lang}/accounts/login/")
        for password in ("wrong-1", "wrong-2", PASSWORD):
            tab.locator("#id_username").fill("locked.out@example.com")
            tab.locator("#id_password").fill(password)
            tab.locator("form.stacked-form button[type=submit]").click()
            tab.wait_for_load_state()
        expect(tab.get_by_role("heading", name=title)).to_be_visible()
        assert tab.locator("html").get_attribute("lang") == lang
        assert tab.locator(f'a[href="/{lang}/accounts/password-reset/"]').count() == 1  # the way in now
        screenshot(f"locked-{lang}", tab)
        rate_limits()  # unlocked again for the next language
