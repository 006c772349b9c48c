"""A supervisor opens the reports over a few weeks of history, reads the heat map, exports a CSV, watches the
wallboard and reviews an agent's chat; the agent reads the review. In all six languages, with screenshots."""
import csv
import io

import pytest
from playwright.sync_api import expect

from livechat.models import Conversation, ConversationStatus
from reports.history import History
from reports.models import ReviewCriterion
from tests.factories import PASSWORD, AgentFactory

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = ["en", "zh-hans", "es", "ru", "ja", "ko"]


def test_supervisor_reports_heatmap_csv_wallboard_and_review(new_page):
    boss = AgentFactory(email="boss@example.com", name="Boss", supervisor=True, languages=["en"])
    alice = AgentFactory(email="alice@example.com", name="Alice", languages=LANGS)
    ReviewCriterion.objects.all().delete()
    ReviewCriterion.objects.create(name_en="Accuracy", name_ja="正確さ", name_zh_hans="准确性", position=0, weight=2)
    ReviewCriterion.objects.create(name_en="Tone", name_ja="言葉遣い", name_zh_hans="语气", position=1)
    History(days=14, chats_per_day=50, tickets_per_day=15, seed=3).run()
    ARTIFACTS.mkdir(exist_ok=True)

    page = new_page(viewport={"width": 1366, "height": 900})
    log_in(page, boss.email, PASSWORD)
    for lang in LANGS:
        page.goto(f"/{lang}/agent/reports/")
        expect(page.locator("[data-testid=table-chats]")).to_be_visible()
        # The heat map is drawn (ECharts, SVG) with one cell per weekday and hour that had waiting chats.
        chart = page.locator("[data-testid=heatmap-chart]")
        expect(chart.locator("svg")).to_have_count(1)
        assert int(chart.get_attribute("data-cells")) > 20
        page.screenshot(path=str(ARTIFACTS / f"reports-{lang}.png"), full_page=False)

    page.goto("/en/agent/reports/")
    # The busiest language first; switching draws another language's cells.
    chart = page.locator("[data-testid=heatmap-chart]")
    page.select_option("[data-testid=heatmap-language]", "ko")
    assert int(chart.get_attribute("data-cells")) > 0
    with page.expect_download() as download_info:
        page.locator("[data-testid=csv-heatmap]").click()
    download = download_info.value
    text = open(download.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Language", "Weekday", "Hour"] and len(rows) > 20
    assert download.suggested_filename.startswith("heatmap-")

    page.goto("/ja/agent/wallboard/")
    expect(page.locator("[data-testid=wallboard] [data-language=ja]")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "wallboard-ja.png"), full_page=True)

    # A chat the generated history has not reviewed yet (which ones it reviewed depends on the hour it runs).
    chat = Conversation.objects.filter(status=ConversationStatus.CLOSED, agent=alice,
                                       quality_reviews__isnull=True).first()
    page.goto(f"/ja/agent/reviews/new/?chat={chat.pk}")
    form = page.locator("[data-testid=review-form]")
    form.get_by_label("4").first.check()
    form.locator("fieldset").nth(1).get_by_label("5").check()
    form.locator("textarea").fill("丁寧な対応でした。")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=review-score]")).to_contain_text("86.7")

    page.screenshot(path=str(ARTIFACTS / "review-ja.png"), full_page=True)

    # Alice reads it on her own page, in Korean; the rubric names fall back to English where not translated.
    agent_page = new_page()
    log_in(agent_page, alice.email, PASSWORD)
    agent_page.goto("/ko/agent/reviews/")
    expect(agent_page.locator("[data-testid=reviews]")).to_contain_text("86.7")
    agent_page.locator("[data-testid=reviews] a").first.click()
    expect(agent_page.locator("[data-testid=review-comment]")).to_contain_text("丁寧な対応でした。")
    agent_page.goto("/ko/agent/reports/")
    assert agent_page.locator("[data-testid=table-chats]").count() == 0  # 403 for agents
