"""The Django admin in the browser, for admins reading Japanese and Chinese (issue #24): what its JavaScript builds
(the two-box selector of a many-to-many field, the language tabs of a translated form, the filters) is in their
language too, which the server-side test (tests/support/test_admin_language.py) cannot see. Screenshots:
test-artifacts/admin-<lang>-*.png."""
import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.leaks import english_on_page

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The index; an SLA policy's form (categories in the two-box selector, Django's admin JavaScript and its catalogue);
# a help article's form (a tab per language, modeltranslation's JavaScript; related articles in the selector).
PAGES = {"index": "/admin/", "sla-policy": "/admin/tickets/slapolicy/add/", "article": "/admin/helpcenter/article/add/"}


@pytest.mark.parametrize("lang", ["ja", "zh-hans"])
def test_admin_pages_in_the_browser_show_no_english(new_page, desk_admin, lang):
    desk_admin.name, desk_admin.language = "佐藤 花子", lang  # "Ada Admin" would be found as the catalogue's "Admin"
    desk_admin.save(update_fields=["name", "language"])
    tab = new_page(locale=lang)
    log_in(tab, desk_admin.email, PASSWORD, lang=lang)
    ARTIFACTS.mkdir(exist_ok=True)
    for name, path in PAGES.items():
        tab.goto(path)
        expect(tab.locator("html")).to_have_attribute("lang", lang)
        if name != "index":
            expect(tab.locator(".selector-chooseall").first).to_be_attached()  # the selector is built
        tab.screenshot(path=str(ARTIFACTS / f"admin-{lang}-{name}.png"), full_page=True)
        assert english_on_page(tab) == [], (lang, path)
