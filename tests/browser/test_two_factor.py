"""A supervisor signs in with a password and a code from an authenticator app (issue #22): the first time they set
the app up from the QR page, read off the key as a person would, and keep recovery codes; afterwards, without the
code, the agent area stays closed whatever they open; with it, it opens. The two-step pages are shown in all six
languages."""
import base64
import re

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from support.models import User
from tests.factories import PASSWORD, AgentFactory

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = ["en", "zh-hans", "es", "ru", "ja", "ko"]
TITLE = {"en": "Two-step sign-in", "zh-hans": "两步登录", "es": "Inicio de sesión en dos pasos",
         "ru": "Двухэтапный вход", "ja": "2段階サインイン", "ko": "2단계 로그인"}


def app_code(key_text, offset_steps=0):
    """What an authenticator app shows for the key typed into it (base32, as the page prints it)."""
    totp = TOTP(base64.b32decode(key_text.replace(" ", "")))
    totp.time += 30 * offset_steps
    return f"{totp.token():06d}"


def sign_in_with_password(tab, email, lang="en", next_path=""):
    tab.goto(f"/{lang}/accounts/login/" + (f"?next={next_path}" if next_path else ""))
    tab.locator("#id_username").fill(email)
    tab.locator("#id_password").fill(PASSWORD)
    tab.locator("form.stacked-form button[type=submit]").click()
    tab.wait_for_load_state()


def test_a_supervisor_signs_in_with_a_password_and_a_code_and_without_the_code_the_desk_is_closed(new_page):
    AgentFactory(email="sue@example.com", name="Sue", supervisor=True)
    tab = new_page()
    ARTIFACTS.mkdir(exist_ok=True)

    # First sign-in: the password leads to setting the app up.
    sign_in_with_password(tab, "sue@example.com", next_path="/en/agent/tickets/")
    expect(tab).to_have_url(re.compile(r"/en/accounts/2fa/setup/"))
    expect(tab.get_by_test_id("two-factor-qr").locator("svg")).to_be_visible()
    key = tab.get_by_test_id("two-factor-secret").inner_text()
    tab.screenshot(path=str(ARTIFACTS / "two-factor-setup-en.png"), full_page=True)
    tab.locator("#id_code").fill(app_code(key))
    tab.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(tab.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    recovery = tab.get_by_test_id("recovery-codes").locator("li").first.inner_text().strip()
    tab.get_by_role("link", name="I have saved them, continue").click()
    expect(tab).to_have_url(re.compile(r"/en/agent/tickets/$"))

    # Signed out and in again with the password alone: every door of the agent area leads to the code.
    tab.get_by_role("button", name="Log out").click()
    sign_in_with_password(tab, "sue@example.com")
    expect(tab).to_have_url(re.compile(r"/en/accounts/2fa/\?next="))
    for path in ("/en/agent/tickets/", "/en/agent/chats/", "/en/agent/reports/", "/admin/"):
        tab.goto(path)
        expect(tab).to_have_url(re.compile(r"/accounts/2fa/\?next="))
        expect(tab.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    api = tab.request.get("/api/v1/tickets/")
    assert api.status == 403 and api.json()["error"]["code"] == "two_factor_required"
    tab.screenshot(path=str(ARTIFACTS / "two-factor-closed-en.png"), full_page=True)

    # A wrong code is refused; the app's code of the next step opens the desk where they were going.
    tab.locator("#id_code").fill("000000" if app_code(key, 1) != "000000" else "111111")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_test_id("two-factor-error")).to_be_visible()
    tab.wait_for_timeout(1100)  # the device's throttle after a wrong code is a second
    tab.locator("#id_code").fill(app_code(key, 1))
    tab.get_by_role("button", name="Sign in").click()
    expect(tab).to_have_url(re.compile(r"/admin/$"))
    tab.goto("/en/agent/tickets/")
    expect(tab).to_have_url(re.compile(r"/en/agent/tickets/$"))

    # Lost phone: a recovery code opens it once.
    tab.get_by_role("button", name="Log out").click()
    sign_in_with_password(tab, "sue@example.com")
    tab.locator("#id_code").fill(recovery)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_text("You used a recovery code")).to_be_visible()
    assert User.objects.get(email="sue@example.com").staticdevice_set.get().token_set.count() == 9


def test_the_two_step_pages_speak_every_language(new_page):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    agent = AgentFactory(email="lang.agent@example.com", languages=["en"])
    TOTPDevice.objects.create(user=agent, name="authenticator", confirmed=True)
    from support.services import user_set_language

    for lang in LANGS:
        user_set_language(user=agent, language=lang)  # after the password, pages follow the saved language
        tab = new_page(viewport={"width": 390, "height": 844})
        sign_in_with_password(tab, "lang.agent@example.com", lang=lang)
        expect(tab).to_have_url(re.compile(rf"/{lang}/accounts/2fa/"))
        assert tab.locator("html").get_attribute("lang") == lang
        expect(tab.get_by_role("heading", level=1)).to_have_text(TITLE[lang])
        tab.screenshot(path=str(ARTIFACTS / f"two-factor-code-{lang}.png"), full_page=True)
        tab.close()
