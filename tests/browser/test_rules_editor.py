"""The rules editor in the browser (issue #26, "Admin UI"), in Korean: a supervisor writes the trigger "Korean
withdrawals go to the Korean payments team at high priority" on the page (a refusal first, shown beside the name in
Korean with the rows kept), a Korean customer files a withdrawal request on the web form with its network and
transaction hash and it lands with that team and priority, a webhook receiver (a local test server, a real Celery
worker delivering) gets one signed delivery of it, and the dry run lists it. The list, the editor and the dry run are then looked at in Japanese too: no
English on any of them, no serious accessibility problem, and the list fits a phone. Screenshots:
test-artifacts/rules-*.png."""
import re
import time

import pytest
from django.utils import translation
from playwright.sync_api import expect

from automation.models import Trigger, TriggerChange
from support import services as core
from support.webhooks.services import webhook_create
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.leaks import english_on_page
from tickets.demo_fields import seed_fields
from tickets.models import Category, Ticket
from tickets.services import ticket_create

from .conftest import ARTIFACTS, log_in
from .test_accessibility import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def webhook_receiver():
    from tests.support.webhook_receiver import webhook_receivers

    yield from webhook_receivers()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"rules-{name}.png"), full_page=True)


def looked_at(page, name):
    """No English left on the page, nothing serious for assistive technology, and a screenshot to look at."""
    page.wait_for_load_state("networkidle")
    assert english_on_page(page) == [], name
    assert axe_violations(page) == [], name
    shot(page, name)


def in_language(lang, text):
    with translation.override(lang):
        return translation.gettext(text)


TRC20_HASH = "7c3f0a9e" * 8  # 64 hex digits: a TRON transaction hash


def test_a_supervisor_routes_korean_withdrawals_to_the_korean_payments_team(new_page, celery_worker_process,
                                                                            webhook_receiver):
    # The desk's demo fields on its withdrawals category, and a receiver of its webhooks (a local test server).
    Category.objects.create(slug="deposits-withdrawals", position=20, name_en="Deposits & withdrawals",
                            name_ko="입금 및 출금", name_ja="入金と出金")
    seed_fields()
    receiver = webhook_receiver()
    _hook, receiver.secret = webhook_create(name="CRM", url=f"{receiver.url}/hook", events=["ticket.created"],
                                            allow_private=True)
    payments = core.team_get_or_create(name="한국어 결제팀")
    AgentFactory(email="lead@example.com", name="김 팀장", languages=["ko", "en"], supervisor=True)
    UserFactory(email="minji@example.com", name="박민지", language="ko")

    lead = new_page(locale="ko-KR")
    log_in(lead, "lead@example.com", PASSWORD, lang="ko")
    lead.goto("/ko/agent/")
    lead.get_by_role("link", name="워크플로 규칙").click()
    expect(lead.get_by_test_id("no-triggers")).to_be_visible()
    looked_at(lead, "ko-list-empty")
    lead.get_by_test_id("new-trigger").click()

    # The editor: one empty row of each; a row shows only the controls that fit what is chosen in it.
    condition = lead.locator("#c-0-field")
    condition.select_option("language")
    expect(lead.locator("#c-0-op option")).to_have_count(3)  # is, is not, is one of
    expect(lead.locator("#c-0-language")).to_be_visible()
    expect(lead.locator("#c-0-channel")).to_be_hidden()
    expect(lead.locator("#c-0-phrases")).to_be_hidden()
    lead.locator("#c-0-language").select_option("ko")
    lead.get_by_role("button", name="조건 추가").click()
    expect(lead.locator("#c-1-field")).to_be_focused()
    lead.locator("#c-1-field").select_option("text")
    expect(lead.locator("#c-1-op option")).to_have_count(2)  # contains, does not contain
    lead.locator("#c-1-op").select_option("contains")
    lead.locator("#c-1-phrases").fill("출금")
    lead.locator("#a-0-type").select_option("set_team")
    expect(lead.locator("#a-0-priority")).to_be_hidden()
    lead.locator("#a-0-team").select_option(label="한국어 결제팀")
    lead.get_by_role("button", name="작업 추가").click()
    lead.locator("#a-1-type").select_option("set_priority")
    lead.locator("#a-1-priority").select_option("high")
    expect(lead.get_by_test_id("condition-row").nth(1).locator("legend")).to_have_text("조건 2")

    # Saved without a name: refused beside the name, in Korean, with every row as it was typed.
    lead.get_by_test_id("save").click()
    expect(lead.get_by_test_id("name-error")).to_have_text(
        in_language("ko", "Give the trigger a name (at most 120 characters)."))
    assert in_language("ko", "Give the trigger a name (at most 120 characters).") != \
        "Give the trigger a name (at most 120 characters)."
    expect(lead.locator("#c-1-phrases")).to_have_value("출금")
    expect(lead.locator("#c-0-language")).to_have_value("ko")
    expect(lead.locator("#a-1-priority")).to_have_value("high")
    expect(lead.locator("#c-0-channel")).to_be_hidden()
    assert not Trigger.objects.exists()
    looked_at(lead, "ko-editor-refused")

    lead.get_by_label("이름").fill("한국어 출금 문의")
    lead.get_by_test_id("save").click()
    expect(lead.locator(".messages")).to_contain_text("한국어 출금 문의")
    trigger = Trigger.objects.get()
    assert trigger.events == ["ticket.created"] and trigger.is_active
    assert trigger.conditions == [{"field": "language", "op": "is", "value": "ko"},
                                  {"field": "text", "op": "contains", "value": ["출금"]}]
    assert trigger.actions == [{"type": "set_team", "value": payments.pk}, {"type": "set_priority", "value": "high"}]
    assert TriggerChange.objects.get().actor.email == "lead@example.com"
    expect(lead.get_by_test_id("history-item")).to_have_count(1)
    looked_at(lead, "ko-editor-saved")

    # A Korean customer writes in on the web form: the request lands with the team and the priority.
    customer = new_page(locale="ko-KR")
    log_in(customer, "minji@example.com", PASSWORD, lang="ko")
    customer.goto("/ko/requests/new/")
    customer.locator("#id_category").select_option("deposits-withdrawals")
    customer.locator("#id_subject").fill("출금이 안 돼요")
    customer.locator("#id_body").fill("USDT 출금 신청 후 하루가 지났는데 아직 대기 중입니다.")
    customer.locator("#id_cf_network").select_option("TRC20")
    customer.locator("#id_cf_tx_hash").fill(TRC20_HASH)
    customer.locator("form.stacked-form button[type=submit]").click()
    expect(customer.locator("h1")).to_have_text("출금이 안 돼요")
    ticket = Ticket.objects.get(requester__email="minji@example.com")
    assert (ticket.language, ticket.team, ticket.priority) == ("ko", payments, "high")
    assert ticket.custom_fields == {"network": "TRC20", "tx_hash": TRC20_HASH}
    # The webhook receiver gets the ticket's creation once, signed with the webhook's secret.
    deadline = time.monotonic() + 20
    while not receiver.requests and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # nothing more comes
    [delivery] = receiver.requests
    assert delivery["signature_ok"] is True and delivery["headers"]["X-Support-Event"] == "ticket.created"
    assert delivery["json"]["data"]["ticket_id"] == ticket.pk
    lead.goto(f"/ko/agent/tickets/{ticket.ref}/")
    expect(lead.locator("#id_team")).to_have_value(str(payments.pk))
    expect(lead.locator("#id_priority")).to_have_value("high")

    # The list counts the firing; the dry run lists the ticket (and only it), linked to its page.
    other = ticket_create(requester=UserFactory(email="yuri@example.com", name="최유리", language="ko"),
                          subject="비밀번호를 잊었어요", body="로그인이 안 됩니다.", language="ko")
    lead.goto("/ko/agent/rules/")
    expect(lead.get_by_test_id("fire-count")).to_have_text("1")
    looked_at(lead, "ko-list")
    lead.get_by_test_id("trigger-row").get_by_role("link", name="시험 실행").click()
    rows = lead.get_by_test_id("dry-run-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(ticket.ref)
    expect(lead.locator("body")).not_to_contain_text(other.ref)
    looked_at(lead, "ko-dry-run")
    rows.get_by_role("link", name=ticket.ref).click()
    expect(lead).to_have_url(re.compile(f"/ko/agent/tickets/{ticket.ref}/$"))

    # The same pages in Japanese.
    for path, name in (("/ja/agent/rules/", "ja-list"), (f"/ja/agent/rules/triggers/{trigger.pk}/", "ja-editor"),
                       (f"/ja/agent/rules/triggers/{trigger.pk}/dry-run/", "ja-dry-run")):
        lead.goto(path)
        looked_at(lead, name)
    lead.goto("/ja/agent/rules/triggers/new/")
    looked_at(lead, "ja-editor-new")

    # On a phone the list's tables scroll in their own box; the page itself never scrolls sideways (a hidden label
    # positioned inside a table used to widen it to 1,016 px in Russian).
    lead.set_viewport_size({"width": 390, "height": 844})
    for lang in ("ja", "ru"):
        lead.goto(f"/{lang}/agent/rules/")
        lead.wait_for_load_state("networkidle")
        assert lead.evaluate("document.documentElement.scrollWidth") <= 390, lang
    shot(lead, "ru-list-phone")
