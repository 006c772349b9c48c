"""Saved inbox views (issue #24, "Views"), in Chinese and Russian: an agent filters the inbox, saves the view, finds it
in the sidebar with its count, and the count goes up without a reload when a ticket arrives; a view a supervisor
shares shows for another agent. Screenshots: test-artifacts/saved-views-*.png."""
import pytest
from django.utils import translation
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.leaks import english_on_page
from tickets import services
from tickets.models import SavedView

from .conftest import ARTIFACTS, log_in
from .test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "zh-hans": {"subject": "提现未到账", "other": "密码重置", "view": "紧急工单", "shared": "团队待处理"},
    "ru": {"subject": "Вывод не пришёл", "other": "Сброс пароля", "view": "Срочные", "shared": "Ждут команду"},
}


def sidebar_item(page, name):
    return page.get_by_test_id("inbox-view").filter(has=page.locator(".view-name", has_text=name))


@pytest.mark.parametrize("lang", ["zh-hans", "ru"])
def test_an_agent_saves_a_view_and_its_count_follows_new_tickets(new_page, settings, lang):
    settings.TICKET_VIEW_COUNTS_REFRESH_SECONDS = 1
    words = TEXTS[lang]
    customer = UserFactory(email="kunde@example.com", name="林 美", language=lang)
    services.ticket_create(requester=customer, subject=words["subject"], body="…", priority="urgent")
    services.ticket_create(requester=customer, subject=words["other"], body="…")
    AgentFactory(email="agente@example.com", name="王 芳", languages=[lang])
    page = new_page()
    log_in(page, "agente@example.com", PASSWORD, lang=lang)
    page.goto(f"/{lang}/agent/tickets/?view=all")
    rows = page.get_by_test_id("inbox-row")
    expect(rows).to_have_count(2)

    # Filter by priority, then save what is on screen.
    page.locator("details.filters > summary").click()
    page.locator("#id_priority").select_option(["urgent"])
    page.locator("form.filter-grid button[type=submit]").click()
    expect(rows).to_have_count(1)
    page.get_by_test_id("view-save").locator("summary").click()
    page.locator("#view-name").fill(words["view"])
    page.get_by_test_id("view-save").locator("button[type=submit]").click()

    saved = sidebar_item(page, words["view"])
    expect(saved).to_have_count(1)
    expect(page.get_by_test_id("my-views")).to_contain_text(words["view"])
    link = saved.locator("a.view-link")
    expect(link).to_have_attribute("aria-current", "page")
    expect(saved.locator("[data-count]")).to_have_text("1")
    assert page.locator('[aria-current="page"]').count() == 1
    view = SavedView.objects.get()
    assert view.filters == {"view": "all", "priority": ["urgent"], "sort": "due"}
    with translation.override(lang):
        saved_message = translation.gettext("The view “%(name)s” was saved.") % {"name": words["view"]}
    expect(page.locator(".messages")).to_contain_text(saved_message)
    assert english_on_page(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"saved-views-{lang}-saved.png"), full_page=True)

    # A new urgent ticket: the count goes up in place, no reload (the marker set on this page survives).
    page.evaluate("window.__sameDocument = true")
    everything = page.locator('[data-view-key="all"] [data-count]')
    expect(everything).to_have_text("2")
    status = page.get_by_test_id("view-counts-status")
    page.wait_for_timeout(2500)  # two rounds of reading the counts with nothing new: nothing is read out
    expect(status).to_have_text("")
    services.ticket_create(requester=customer, subject=words["subject"] + " 2", body="…", priority="urgent")
    expect(saved.locator("[data-count]")).to_have_text("2", timeout=10_000)
    expect(everything).to_have_text("3")
    assert page.evaluate("window.__sameDocument") is True
    # Read out once, politely: the changed views and their numbers.
    assert status.get_attribute("aria-live") == "polite"
    expect(status).to_contain_text(words["view"])
    page.screenshot(path=str(ARTIFACTS / f"saved-views-{lang}-live.png"), full_page=True)


@pytest.mark.parametrize("lang", ["ru", "zh-hans"])
def test_a_view_a_supervisor_shares_shows_for_another_agent(new_page, lang):
    words = TEXTS[lang]
    customer = UserFactory(email="kunde@example.com", name="林 美", language=lang)
    waiting = services.ticket_create(requester=customer, subject=words["subject"], body="…")
    AgentFactory(email="chef@example.com", name="陈 静", languages=[lang], supervisor=True)
    AgentFactory(email="agente@example.com", name="王 芳", languages=[lang])
    boss = new_page()
    log_in(boss, "chef@example.com", PASSWORD, lang=lang)
    boss.goto(f"/{lang}/agent/tickets/?view=unassigned")
    boss.get_by_test_id("view-save").locator("summary").click()
    boss.locator("#view-name").fill(words["shared"])
    boss.get_by_test_id("view-save").locator('input[name="shared"]').check()
    boss.get_by_test_id("view-save").locator("button[type=submit]").click()
    expect(boss.get_by_test_id("shared-views")).to_contain_text(words["shared"])

    agent = new_page()
    log_in(agent, "agente@example.com", PASSWORD, lang=lang)
    agent.goto(f"/{lang}/agent/tickets/")
    shared = sidebar_item(agent, words["shared"])
    expect(shared).to_have_count(1)
    expect(agent.get_by_test_id("shared-views")).to_contain_text(words["shared"])
    expect(shared.locator("[data-count]")).to_have_text("1")
    # The agent may open it but not change it: no rename or delete, and no box to share views of their own.
    expect(shared.locator("details.view-edit")).to_have_count(0)
    expect(agent.get_by_test_id("view-save").locator('input[name="shared"]')).to_have_count(0)
    shared.locator("a.view-link").click()
    expect(agent.get_by_test_id("inbox-row")).to_have_count(1)
    expect(agent.get_by_test_id("inbox-row")).to_contain_text(waiting.ref)
    expect(sidebar_item(agent, words["shared"]).locator("a.view-link")).to_have_attribute("aria-current", "page")
    assert english_on_page(agent) == []
    assert axe_violations(agent) == []
    ARTIFACTS.mkdir(exist_ok=True)
    agent.screenshot(path=str(ARTIFACTS / f"saved-views-{lang}-shared.png"), full_page=True)

    # The supervisor renames and then deletes it (the delete asks first: a box to tick).
    boss.reload()
    item = sidebar_item(boss, words["shared"])
    item.locator("details.view-edit > summary").click()
    boss.screenshot(path=str(ARTIFACTS / f"saved-views-{lang}-edit.png"), full_page=True)
    assert axe_violations(boss) == []  # the open rename and delete forms too
    item.locator(".view-delete input[name=confirm]").check()
    item.locator(".view-delete button[type=submit]").click()
    expect(boss.get_by_test_id("shared-views")).to_have_count(0)
    assert not SavedView.objects.exists()
