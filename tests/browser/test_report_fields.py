"""The reports' "Custom fields" section (#26) in a browser, over generated history with the demo's fields: a bar per
network option, the table beneath, in Japanese and Spanish, on a desktop and a phone (no sideways scrolling, no
serious or critical accessibility violation); the ticket inbox's "Export CSV" downloads the tickets of its filters.
Screenshots in test-artifacts/."""
import csv
import io
import json

import pytest
from playwright.sync_api import expect

from reports.history import History
from tests.factories import PASSWORD, AgentFactory
from tickets.demo_fields import seed_fields
from tickets.models import Category, Ticket

from .conftest import ARTIFACTS, log_in
from .test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fields_section_and_the_inbox_export(new_page):
    boss = AgentFactory(email="boss@example.com", name="Boss", supervisor=True, languages=["ja", "es"])
    Category.objects.create(slug="deposits-withdrawals", name_en="Deposits & withdrawals", name_ja="入出金",
                            name_es="Depósitos y retiros")
    Category.objects.create(slug="account", name_en="Account", name_ja="アカウント", name_es="Cuenta")
    seed_fields()
    History(days=14, chats_per_day=5, tickets_per_day=30, seed=3).run()
    ARTIFACTS.mkdir(exist_ok=True)
    for name, viewport in (("desktop", {"width": 1366, "height": 900}), ("phone", {"width": 390, "height": 844})):
        page = new_page(viewport=viewport)
        log_in(page, boss.email, PASSWORD)
        for lang in ("ja", "es"):
            page.goto(f"/{lang}/agent/reports/")
            section = page.get_by_test_id("fields-section")
            chart = page.get_by_test_id("field-network-chart")
            chart.scroll_into_view_if_needed()
            expect(chart.locator("svg")).to_have_count(1)
            assert chart.get_attribute("data-bars") == "5"  # ERC20, TRC20, BEP20, SOL, BTC
            expect(page.get_by_test_id("table-fields-network")).to_be_visible()
            expect(section).to_contain_text("TRC20")
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            section.screenshot(path=str(ARTIFACTS / f"reports-fields-{lang}-{name}.png"))
            violations = axe_violations(page)
            assert violations == [], json.dumps(violations, ensure_ascii=False)  # serious or critical only

    page = new_page()
    log_in(page, boss.email, PASSWORD)
    page.goto("/ja/agent/tickets/?view=all&field.network=TRC20")
    with page.expect_download() as download_info:
        page.get_by_test_id("inbox-export").click()
    rows = list(csv.reader(io.StringIO(open(download_info.value.path(), encoding="utf-8-sig").read())))
    assert rows[0][-5] == "ネットワーク [network]" and len(rows) - 1 == Ticket.objects.filter(
        custom_fields__network="TRC20").count() > 0
    assert {row[-5] for row in rows[1:]} == {"TRC20"}
    page.screenshot(path=str(ARTIFACTS / "inbox-export-ja-desktop.png"))
    phone = new_page(viewport={"width": 390, "height": 844})
    log_in(phone, boss.email, PASSWORD)
    phone.goto("/es/agent/tickets/?view=all")
    expect(phone.get_by_test_id("inbox-export")).to_be_visible()
    phone.screenshot(path=str(ARTIFACTS / "inbox-export-es-phone.png"))
