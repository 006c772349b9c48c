"""Incident mode end to end: a supervisor declares a withdrawal incident in the browser; a Japanese customer sees
the banner in the help center and the request form and files a request that is linked; a Chinese visitor asks the
chat bot and gets the notice first; the agent workspace shows the linked count; resolving removes the banner and
queues the customers' notices. The supervisor's pages are checked in all six languages."""
import pytest
from playwright.sync_api import expect

from chatbot import defaults
from chatbot.classifier import intent_ready
from chatbot.models import BotText, HumanOnlyTopic, IntentExample, IntentPhrase
from helpcenter import demo
from incidents.models import Incident, IncidentLink, IncidentNotice
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tickets.models import Ticket

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = ["en", "zh-hans", "es", "ru", "ja", "ko"]
DECLARE_BUTTON = {"en": "Declare the incident", "zh-hans": "发布事件", "es": "Declarar el incidente",
                  "ru": "Объявить инцидент", "ja": "障害を宣言する", "ko": "장애 선언하기"}


def test_declare_link_answer_and_resolve(new_page, asgi_server, screenshot):
    defaults.install(BotText, IntentPhrase, HumanOnlyTopic)
    defaults.install_examples(IntentExample)
    intent_ready()
    demo.seed(progress=lambda *a: None)
    server = asgi_server.start(LIVECHAT_BOT_ENABLED="1")
    AgentFactory(email="lead@example.com", name="Mina Lead", languages=["en", "ja"], supervisor=True)
    AgentFactory(email="kai@example.com", name="Kai Agent", languages=["ja"])
    UserFactory(email="yuki@example.com", name="Yuki", language="ja")

    lead = new_page(base_url=server)
    log_in(lead, "lead@example.com", PASSWORD)
    lead.goto("/en/agent/incidents/")
    lead.get_by_test_id("declare-incident").click()
    lead.get_by_role("button", name="Declare the incident").click()  # empty: readable errors, nothing declared
    expect(lead.locator(".field-error").first).to_be_visible()
    assert not Incident.objects.exists()
    lead.get_by_label("Severity").select_option("critical")
    lead.get_by_label("Keywords").fill("withdrawal, 提现, 出金")
    lead.get_by_label("Title · English").fill("Withdrawals are delayed")
    lead.get_by_label("Notice · English").fill("Withdrawals take up to 2 hours. Your funds are safe.")
    lead.get_by_label("Title · 简体中文").fill("提现延迟")
    lead.get_by_label("Notice · 简体中文").fill("提现最多需要2小时。您的资金安全。")
    lead.get_by_label("Title · 日本語").fill("出金の遅延")
    lead.get_by_label("Notice · 日本語").fill("出金に最大2時間かかっています。資金は安全です。")
    screenshot("declare-form", lead)
    lead.get_by_role("button", name="Declare the incident").click()
    expect(lead.get_by_test_id("linked-count")).to_have_text("0")
    expect(lead.get_by_test_id("incident-banner")).to_contain_text("Withdrawals are delayed")
    incident = Incident.objects.get()

    customer = new_page(base_url=server, locale="ja-JP")
    log_in(customer, "yuki@example.com", PASSWORD, lang="ja")
    customer.goto("/ja/help/")
    banner = customer.get_by_test_id("incident-banner")
    expect(banner).to_contain_text("出金の遅延")
    expect(banner).to_contain_text("出金に最大2時間")
    screenshot("help-center-ja", customer)
    customer.goto("/ja/requests/new/")
    expect(customer.get_by_test_id("incident-banner")).to_contain_text("出金の遅延")
    customer.locator("#id_subject").fill("出金が届きません")
    customer.locator("#id_body").fill("3時間前に出金しましたが、まだ届いていません。")
    customer.locator("form.stacked-form button[type=submit]").click()
    customer.wait_for_load_state()
    ticket = Ticket.objects.get(requester__email="yuki@example.com")
    assert incident.tag in ticket.tags

    visitor = new_page(base_url=server, viewport={"width": 390, "height": 844}, locale="zh-CN")
    visitor.goto("/zh-hans/chat/?embed=1")
    expect(visitor.get_by_test_id("incident-banner")).to_contain_text("提现延迟")
    visitor.locator("#prechat-name").fill("王芳")
    visitor.locator("#prechat-email").fill("wang@example.com")
    visitor.get_by_role("button", name="开始对话").click()
    log = visitor.locator("#chat-log")
    expect(log).to_contain_text("智能助手")
    visitor.locator("#chat-input").fill("我的提现还没到账")
    visitor.locator("#chat-input").press("Enter")
    notice = log.locator(".chat-incident")
    expect(notice).to_contain_text("提现最多需要2小时")
    screenshot("chat-bot-notice-zh", visitor)
    assert IncidentLink.objects.filter(incident=incident, channel="chat").count() == 1

    agent = new_page(base_url=server, locale="ja-JP")
    log_in(agent, "kai@example.com", PASSWORD, lang="ja")
    agent.goto("/ja/agent/")
    expect(agent.get_by_test_id("incident-linked")).to_contain_text("2")
    screenshot("workspace-ja", agent)

    lead.reload()
    expect(lead.get_by_test_id("linked-count")).to_have_text("2")
    lead.get_by_label("Message to customers · 日本語").fill("出金は正常に戻りました。")
    lead.get_by_role("button", name="Resolve the incident").click()
    expect(lead.get_by_test_id("notice-progress")).to_be_visible()
    screenshot("resolved", lead)
    assert sorted(IncidentNotice.objects.filter(incident=incident).values_list("email", flat=True)) == [
        "wang@example.com", "yuki@example.com"]
    customer.goto("/ja/help/")
    expect(customer.get_by_test_id("incident-banner")).to_have_count(0)
    customer.goto("/ja/status/")
    expect(customer.locator(".incident-history")).to_contain_text("出金の遅延")


def test_the_supervisor_pages_in_every_language(new_page, screenshot):
    AgentFactory(email="lead@example.com", name="Mina Lead", languages=["en"], supervisor=True)
    lead = new_page()
    log_in(lead, "lead@example.com", PASSWORD)
    for lang in LANGS:
        lead.goto(f"/{lang}/agent/incidents/new/")
        assert lead.locator("html").get_attribute("lang") == lang
        expect(lead.get_by_role("button", name=DECLARE_BUTTON[lang])).to_be_visible()
        screenshot(f"form-{lang}", lead)
    lead.goto("/en/agent/incidents/new/")
    lead.get_by_label("Keywords").fill("login, ログイン")
    lead.get_by_label("Title · English").fill("Login problems")
    lead.get_by_label("Notice · English").fill("Some customers cannot log in.")
    lead.get_by_role("button", name="Declare the incident").click()
    expect(lead.get_by_test_id("resolve-form")).to_be_visible()
    for lang in LANGS:
        lead.goto(f"/{lang}/agent/incidents/")
        expect(lead.get_by_test_id("incident-table")).to_contain_text("Login problems")
        screenshot(f"list-{lang}", lead)
        lead.goto(f"/{lang}/status/")
        expect(lead.get_by_test_id("incident-banner")).to_contain_text("Login problems")  # English stands in
        screenshot(f"status-{lang}", lead)


def test_an_open_workspace_shows_an_incident_declared_later_and_drops_it_when_resolved(new_page, settings, screenshot):
    from incidents import services

    settings.INCIDENT_BANNER_REFRESH_SECONDS = 1
    lead = AgentFactory(email="lead@example.com", languages=["en"], supervisor=True)
    AgentFactory(email="kai@example.com", name="Kai Agent", languages=["ko"])
    agent = new_page(locale="ko-KR")
    log_in(agent, "kai@example.com", PASSWORD, lang="ko")
    agent.goto("/ko/agent/")
    expect(agent.get_by_test_id("incident-banner")).to_have_count(0)
    incident = services.incident_declare(by=lead, titles={"en": "Login problems", "ko": "로그인 문제"},
                                         notices={"en": "Some cannot log in.", "ko": "일부 고객이 로그인할 수 없습니다."},
                                         keywords=["login", "로그인"])
    banner = agent.get_by_test_id("incident-banner")
    expect(banner).to_contain_text("로그인 문제")
    expect(agent.get_by_test_id("incident-linked")).to_contain_text("0")
    screenshot("declared-later", agent)
    services.incident_resolve(incident=incident, by=lead, notify=False)
    expect(agent.get_by_test_id("incident-banner")).to_have_count(0)
