"""The ticket field pages in the browser (issue #26): a supervisor makes a dropdown in Russian on the editor (its
sections follow the type, options are added and moved with buttons), is refused an invalid pattern beside it in
Russian, sees only the chosen dropdown's per-option patterns, and retires a field from the list. The list and the
editor are looked at in Russian and Simplified Chinese, on a desktop and on a phone: no English, nothing serious for
assistive technology, and screenshots in test-artifacts/fields-*.png."""
import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgentFactory
from tests.leaks import english_on_page
from tickets.demo_fields import seed_fields
from tickets.models import Category, TicketField

from .conftest import ARTIFACTS, log_in
from .test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def looked_at(page, name):
    page.wait_for_load_state("networkidle")
    assert english_on_page(page) == [], name
    assert axe_violations(page) == [], name
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fields-{name}.png"), full_page=True)


@pytest.fixture
def desk(db):
    Category.objects.create(slug="deposits-withdrawals", name_en="Deposits & withdrawals", name_ru="Пополнения и выводы",
                            name_zh_hans="充值与提现")
    Category.objects.create(slug="account", name_en="Account", name_ru="Аккаунт", name_zh_hans="账户")
    seed_fields()
    return AgentFactory(email="lead@example.com", name="Мария", supervisor=True, languages=["ru"])


def test_a_supervisor_makes_a_dropdown_and_is_refused_a_bad_pattern_in_russian(new_page, desk):
    page = new_page(viewport=DESKTOP)
    log_in(page, "lead@example.com", PASSWORD, lang="ru")
    page.goto("/ru/agent/fields/new/")
    options = page.locator('[data-testid="options-section"]')
    pattern = page.locator('[data-testid="pattern-section"]')
    expect(options).to_be_hidden()  # a text field has neither
    expect(pattern).to_be_hidden()
    page.locator("#id_type").select_option("dropdown")
    expect(options).to_be_visible()
    expect(page.locator('[data-testid="option-row"]')).to_have_count(2)  # a new field: its empty rows stay
    page.locator("#id_key").fill("asset_class")
    page.locator("#id_label_ru").fill("Класс актива")
    page.locator("#id_label_en").fill("Asset class")
    rows = page.locator('[data-testid="option-row"]')
    rows.nth(0).locator('input[name$="-value"]').fill("spot")
    rows.nth(0).locator('input[name$="-label_en"]').fill("Spot")
    rows.nth(1).locator('input[name$="-value"]').fill("futures")
    rows.nth(1).locator('input[name$="-label_en"]').fill("Futures")
    page.locator("[data-add-option]").click()
    expect(rows).to_have_count(3)
    expect(rows.nth(2).locator('input[name$="-value"]')).to_be_focused()
    rows.nth(2).locator('input[name$="-value"]').fill("margin")
    rows.nth(2).locator('input[name$="-label_en"]').fill("Margin")
    rows.nth(2).locator('input[name$="-label_ru"]').fill("Маржа")
    rows.nth(2).locator('[data-move="up"]').click()  # margin before futures
    expect(rows.nth(1).locator("legend")).to_have_text("Вариант 2")
    looked_at(page, "editor-ru-desktop")
    page.locator('[data-testid="save"]').click()
    page.wait_for_load_state()
    field = TicketField.objects.get(key="asset_class")
    assert [o.value for o in field.options.order_by("position")] == ["spot", "margin", "futures"]
    assert field.options.get(value="margin").label_ru == "Маржа"
    expect(page.locator('[data-testid="history-item"]')).to_have_count(1)

    page.goto("/ru/agent/fields/new/")
    page.locator("#id_type").select_option("regex")
    expect(pattern).to_be_visible()
    expect(options).to_be_hidden()
    page.locator("#id_key").fill("memo")
    page.locator("#id_label_en").fill("Memo")
    page.locator("#id_pattern").fill("[0-9")
    page.locator('[data-testid="save"]').click()
    page.wait_for_load_state()
    error = page.locator('[data-testid="pattern-error"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("регулярн")
    expect(page.locator("#id_pattern")).to_have_value("[0-9")
    looked_at(page, "editor-ru-refused")

    page.goto(f"/ru/agent/fields/{TicketField.objects.get(key='tx_hash').pk}/")
    sources = page.locator("[data-source]")
    expect(page.locator('[data-source="network"]')).to_be_visible()
    expect(page.locator('[data-source="asset_class"]')).to_be_hidden()
    page.locator("#id_pattern_by").select_option("")
    expect(sources.first).to_be_hidden()

    page.goto("/ru/agent/fields/")
    row = page.locator('[data-testid="field-row"][data-key="amount"]')
    row.locator('[data-testid="toggle"]').click()
    page.wait_for_load_state()
    expect(page.locator('[data-testid="field-row"][data-key="amount"]')).to_have_class("is-retired")
    assert not TicketField.objects.get(key="amount").is_active


@pytest.mark.parametrize("lang", ["ru", "zh-hans"])
def test_the_list_and_the_editor_on_a_desktop_and_a_phone(new_page, desk, lang):
    """Looked at as a supervisor sees them: the demo fields, one retired; the transaction hash's editor with its
    patterns per network; the network's with its options."""
    TicketField.objects.filter(key="uid").update(is_active=False)
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(viewport=viewport)
        log_in(page, "lead@example.com", PASSWORD, lang=lang)
        for name, path in (("list", "/agent/fields/"),
                           *((f"editor-{key}", f"/agent/fields/{TicketField.objects.get(key=key).pk}/")
                             for key in ("tx_hash", "network"))):
            page.goto(f"/{lang}{path}")
            looked_at(page, f"{name}-{lang}-{size}")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{path} scrolls sideways ({width}px wide)"
