"""The supervisors' rules pages (issue #26, "Admin UI"): the list in the order triggers run with how often and when
each fired, turning rules on and off, moving triggers, the editor (its rows become the services' JSON, and a refusal
shows beside the part it names in the page's language, with what was typed kept), deleting after a confirmation,
the dry runs, every change recorded, and who may do any of it."""
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from automation.models import Automation, Trigger, TriggerChange
from automation.selectors import trigger_dry_run
from automation.services import automation_save, trigger_create, trigger_update
from support import services as core
from tests.factories import AgentFactory, UserFactory
from tests.leaks import english_leaks, visible_text
from tickets.models import Status, Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

RULES = "/en/agent/rules/"


def rule(name="Rule", *, conditions=(), actions=None, events=("ticket.created",), actor=None, active=True):
    return trigger_create(actor=actor, name=name, events=list(events), match="all", conditions=list(conditions),
                          actions=list(actions or [{"type": "set_priority", "value": "high"}]), is_active=active)


def automation(name="Late"):
    return automation_save(name=name, conditions=[{"field": "hours_since", "of": "created", "op": "gte", "value": 24}],
                           actions=[{"type": "add_tags", "value": ["late"]}])


def ticket(language="ko", subject="출금이 안 돼요", body="USDT 출금이 24시간째 대기 중입니다", **kwargs):
    return ticket_create(requester=UserFactory(language=language), subject=subject, body=body, language=language,
                         **kwargs)


def editor_data(*, name="Korean withdrawals", events=("ticket.created",), match="all", conditions=(), actions=(),
                active=True, description=""):
    """The editor's form as a browser posts it: the rule's fields, then one row of fields per condition and action."""
    data = {"name": name, "description": description, "match": match, "events": list(events)}
    if active:
        data["is_active"] = "on"
    for prefix, rows in (("c", conditions), ("a", actions)):
        for n, row in enumerate(rows):
            data.update({f"{prefix}-{n}-{key}": value for key, value in row.items()})
    return data


def in_language(lang, text, **values):
    with translation.override(lang):
        translated = translation.gettext(text)
    return translated % values if values else translated


@pytest.fixture
def lead(client, supervisor):
    client.force_login(supervisor)
    return client


def test_the_list_shows_triggers_in_order_with_their_events_counts_and_the_latest_changes(lead, supervisor):
    """Triggers in position order with their events as words, times fired and last fired; then the changes."""
    second = rule("Second", events=("ticket.customer_replied", "ticket.status_changed"), actor=supervisor)
    first = rule("First", actor=supervisor)
    Trigger.objects.filter(pk=first.pk).update(position=0, fire_count=7, last_fired_at=timezone.now())
    Trigger.objects.filter(pk=second.pk).update(position=1)
    response = lead.get("/ko/agent/rules/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(">First<") < html.index(">Second<")
    assert in_language("ko", "Customer replied") in html and in_language("ko", "Status changed") in html
    assert 'data-testid="fire-count">7<' in html and in_language("ko", "Never") in html
    assert html.count('data-testid="change-row"') == 2 and supervisor.display_name in html
    assert 'href="/ko/agent/rules/triggers/%s/dry-run/"' % first.pk in html


def test_the_list_says_so_when_there_is_nothing_yet(lead):
    Automation.objects.all().delete()
    html = lead.get("/ja/agent/rules/").content.decode()
    for text in ("No triggers yet. A trigger sets a team, a priority or tags, or tells someone, the moment a ticket "
                 "arrives or changes.", "No automations yet. An automation reminds, escalates or closes tickets "
                 "that have waited a number of hours.", "No changes yet."):
        assert in_language("ja", text) in html


def test_the_list_page_reads_the_same_number_of_queries_however_many_rules(lead, supervisor):
    """Three reads for the rules and their changes, whatever their number (no query per row)."""
    rule("One", actor=supervisor)
    lead.get(RULES)  # the open incidents (for the banner) are cached from then on
    with CaptureQueriesContext(connection) as few:
        assert lead.get(RULES).status_code == 200
    for number in range(8):
        rule(f"More {number}", actor=supervisor)
        automation(f"Automation {number}")
    with CaptureQueriesContext(connection) as many:
        assert lead.get(RULES).status_code == 200
    assert len(many) == len(few) <= 12, [q["sql"] for q in many.captured_queries]


def test_a_supervisor_creates_a_trigger_with_the_editor(lead, supervisor):
    """The rows become the services' JSON; the change is recorded as the supervisor's."""
    payments = core.team_get_or_create(name="Korean payments")
    response = lead.post("/en/agent/rules/triggers/new/", editor_data(
        conditions=[{"field": "language", "op": "is", "language": "ko"},
                    {"field": "text", "op": "contains", "phrases": "출금, withdrawal，提现"},
                    {"field": "team", "op": "in", "team": ["none", str(payments.pk)]}],
        actions=[{"type": "set_team", "team": str(payments.pk)}, {"type": "set_priority", "priority": "high"},
                 {"type": "add_tags", "tags": "withdrawal、ko"},
                 {"type": "notify", "target": "team", "via": "in_site", "msg-en": "A Korean withdrawal.",
                  "msg-ko": "한국어 출금 문의입니다.", "msg-ja": ""}]))
    trigger = Trigger.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/agent/rules/triggers/{trigger.pk}/"
    assert (trigger.name, trigger.events, trigger.match, trigger.is_active) == (
        "Korean withdrawals", ["ticket.created"], "all", True)
    assert trigger.conditions == [{"field": "language", "op": "is", "value": "ko"},
                                  {"field": "text", "op": "contains", "value": ["출금", "withdrawal", "提现"]},
                                  {"field": "team", "op": "in", "value": [None, payments.pk]}]
    assert trigger.actions == [
        {"type": "set_team", "value": payments.pk}, {"type": "set_priority", "value": "high"},
        {"type": "add_tags", "value": ["withdrawal", "ko"]},
        {"type": "notify", "target": "team", "via": "in_site", "address": None,
         "message": {"en": "A Korean withdrawal.", "ko": "한국어 출금 문의입니다."}}]
    change = TriggerChange.objects.get()
    assert (change.action, change.actor, change.before, change.after["name"]) == (
        "created", supervisor, None, "Korean withdrawals")


def test_the_editor_shows_a_stored_trigger_as_it_is_and_saves_changes(lead, supervisor):
    payments = core.team_get_or_create(name="Korean payments")
    trigger = rule("Old name", actor=supervisor,
                   conditions=[{"field": "tags", "op": "contains_any", "value": ["vip", "kyc"]},
                               {"field": "requester_tier", "op": "gte", "value": 2}],
                   actions=[{"type": "set_assignee", "value": "least_busy", "team": payments.pk}])
    html = lead.get(f"/en/agent/rules/triggers/{trigger.pk}/").content.decode()
    assert 'value="vip, kyc"' in html and 'name="c-1-tier" value="2"' in html
    assert '<option value="least_busy" selected>' in html
    data = editor_data(name="New name", events=("ticket.created", "ticket.customer_replied"), match="any",
                       conditions=[{"field": "tags", "op": "contains_any", "phrases": "vip"}],
                       actions=[{"type": "set_assignee", "assignee": "least_busy", "lbteam": "none"}])
    assert lead.post(f"/en/agent/rules/triggers/{trigger.pk}/", data).status_code == 302
    trigger.refresh_from_db()
    assert (trigger.name, trigger.match, trigger.events) == ("New name", "any",
                                                            ["ticket.created", "ticket.customer_replied"])
    assert trigger.actions == [{"type": "set_assignee", "value": "least_busy", "team": None}]
    history = lead.get(f"/en/agent/rules/triggers/{trigger.pk}/").content.decode()
    assert history.count('data-testid="history-item"') == 2
    assert "Tags · contains any of · vip, kyc" in history and "Tags · contains any of · vip<" in history
    assert "Old name" in history and "New name" in history


def test_the_history_tells_each_change_in_words(lead, supervisor):
    """Who changed what and when, each condition and action in words, with the names of teams, not their ids."""
    payments, kyc = core.team_get_or_create(name="Payments"), core.team_get_or_create(name="KYC")
    trigger = rule("Routing", actor=supervisor, actions=[{"type": "set_team", "value": payments.pk}],
                   conditions=[{"field": "language", "op": "in", "value": ["ko", "ja"]},
                               {"field": "assignee", "op": "is", "value": None}])
    trigger_update(trigger=trigger, actor=None, is_active=False, actions=[
        {"type": "set_team", "value": kyc.pk},
        {"type": "notify", "target": "supervisors", "via": "email", "message": {"en": "Look"}}])
    html = lead.get(f"/en/agent/rules/triggers/{trigger.pk}/").content.decode()
    assert "Language · is one of · Korean, Japanese" in html and "Assignee · is · none" in html
    assert "Set the team: Payments" in html and "Set the team: KYC" in html
    assert "Notify: The supervisors (By email)" in html
    first, last = html.index('data-testid="history-item"'), html.rindex('data-testid="history-item"')
    assert "The system" in html[first:last] and supervisor.display_name in html[last:]
    assert "<td><ul class=\"plain-list\"><li>On</li></ul></td>\n          <td><ul class=\"plain-list\"><li>Off</li>" \
        in html


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_refusals_show_beside_their_part_in_the_page_language_and_keep_what_was_typed(lead, lang):
    """No name: the error under the name; no event: under the events; a condition the engine cannot read: above the
    conditions, naming it; nothing stored, and the rows come back as typed."""
    url = f"/{lang}/agent/rules/triggers/new/"
    typed = {"field": "text", "op": "contains", "phrases": "출금, 入金"}
    response = lead.post(url, editor_data(name="", conditions=[typed], actions=[{"type": "add_tags", "tags": "x"}]))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'data-testid="name-error">{in_language(lang, "Give the trigger a name (at most 120 characters).")}<' \
        in html
    assert 'value="출금, 入金"' in html

    response = lead.post(url, editor_data(events=(), conditions=[typed], actions=[{"type": "add_tags", "tags": "x"}]))
    assert f'data-testid="events-error">{in_language(lang, "Choose at least one event the trigger runs on.")}<' \
        in response.content.decode()

    response = lead.post(url, editor_data(conditions=[typed, {"field": "language", "op": "in"}],
                                          actions=[{"type": "add_tags", "tags": "x"}]))
    html = response.content.decode()
    problem = in_language(lang, "Condition %(number)s: %(problem)s", number=2,
                          problem=in_language(lang, "unknown value."))
    assert f'data-testid="conditions-error">{problem}<' in html
    assert 'value="Korean withdrawals"' in html and 'value="출금, 入金"' in html

    response = lead.post(url, editor_data(conditions=[typed], actions=[{"type": "set_team", "team": "999999"}]))
    html = response.content.decode()
    problem = in_language(lang, "Action %(number)s: %(problem)s", number=1, problem=in_language(lang, "unknown team."))
    assert f'data-testid="actions-error">{problem}<' in html
    assert not Trigger.objects.exists() and not TriggerChange.objects.exists()


def test_toggling_turns_a_rule_off_and_on_and_records_it(lead, supervisor):
    trigger = rule("Rule", actor=supervisor)
    lead.post(f"/en/agent/rules/triggers/{trigger.pk}/toggle/")
    assert Trigger.objects.get().is_active is False
    lead.post(f"/en/agent/rules/triggers/{trigger.pk}/toggle/")
    assert Trigger.objects.get().is_active is True
    changes = list(TriggerChange.objects.filter(action="updated").order_by("id"))
    assert [(c.before["is_active"], c.after["is_active"], c.actor) for c in changes] == [
        (True, False, supervisor), (False, True, supervisor)]
    assert lead.get(f"/en/agent/rules/triggers/{trigger.pk}/toggle/").status_code == 405


def test_toggling_an_automation(lead):
    """Off and on again, from a Korean page: the English name is not copied into the Korean one."""
    late = automation()
    lead.post(f"/ko/agent/rules/automations/{late.pk}/toggle/")
    late.refresh_from_db()
    assert late.is_active is False and late.name_en == "Late" and not late.name_ko
    lead.post(f"/ko/agent/rules/automations/{late.pk}/toggle/")
    assert Automation.objects.get(pk=late.pk).is_active is True


def test_moving_a_trigger_swaps_it_with_its_neighbour(lead, supervisor):
    a, _b, c = rule("A"), rule("B"), rule("C")
    assert lead.post(f"/en/agent/rules/triggers/{c.pk}/move/", {"direction": "up"}).status_code == 302
    assert list(Trigger.objects.order_by("position").values_list("name", flat=True)) == ["A", "C", "B"]
    lead.post(f"/en/agent/rules/triggers/{a.pk}/move/", {"direction": "up"})  # already first: nothing moves
    lead.post(f"/en/agent/rules/triggers/{a.pk}/move/", {"direction": "down"})
    assert list(Trigger.objects.order_by("position").values_list("name", flat=True)) == ["C", "A", "B"]
    moved = TriggerChange.objects.filter(action="reordered", actor=supervisor)
    assert moved.count() == 4


def test_deleting_asks_first_then_deletes_and_keeps_the_history(lead, supervisor):
    trigger = rule("Doomed", actor=supervisor)
    page = lead.get(f"/ru/agent/rules/triggers/{trigger.pk}/delete/")
    assert page.status_code == 200 and in_language("ru", "Delete the trigger") in page.content.decode()
    assert Trigger.objects.exists()
    response = lead.post(f"/ru/agent/rules/triggers/{trigger.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/ru/agent/rules/"
    assert not Trigger.objects.exists()
    deleted = TriggerChange.objects.get(action="deleted")
    assert (deleted.trigger, deleted.trigger_name, deleted.actor, deleted.before["name"]) == (
        None, "Doomed", supervisor, "Doomed")


def test_the_dry_run_lists_the_open_tickets_the_conditions_match_now(lead):
    """Korean open tickets about withdrawals match; an English one, a solved one and a closed one do not."""
    trigger = rule("Korean withdrawals", conditions=[{"field": "language", "op": "is", "value": "ko"},
                                                    {"field": "text", "op": "contains", "value": ["출금"]}])
    hit, other = ticket(), ticket(subject="비밀번호 재설정", body="로그인이 안 됩니다")
    english = ticket(language="en", subject="withdrawal stuck", body="help")
    solved, closed = ticket(), ticket()
    Ticket.objects.filter(pk=solved.pk).update(status=Status.SOLVED)
    Ticket.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    result = trigger_dry_run(trigger)
    assert [t.pk for t in result.matched] == [hit.pk] and result.checked == 3
    assert other.pk not in [t.pk for t in result.matched]
    html = lead.get(f"/ko/agent/rules/triggers/{trigger.pk}/dry-run/").content.decode()
    assert f'href="/ko/agent/tickets/{hit.ref}/"' in html and english.ref not in html
    assert html.count('data-testid="dry-run-row"') == 1
    assert Ticket.objects.get(pk=hit.pk).priority == "normal"  # nothing was done to it


def test_the_dry_run_limit_reads_only_the_latest_open_tickets():
    trigger = rule("Everything")
    tickets = [ticket() for _ in range(3)]
    result = trigger_dry_run(trigger, limit=2)
    assert [t.pk for t in result.matched] == [tickets[2].pk, tickets[1].pk] and result.checked == 2


def test_a_supervisor_writes_an_automation_and_sees_its_dry_run(lead):
    Automation.objects.all().delete()
    url = "/es/agent/rules/automations/new/"
    response = lead.post(url, editor_data(name="Sin respuesta", conditions=[
        {"field": "status", "op": "is", "status": "new"}], actions=[{"type": "set_priority", "priority": "urgent"}]))
    assert response.status_code == 400
    assert in_language("es", "An automation needs a time condition (hours since created, updated, pending, solved "
                             "or an SLA breach).") in response.content.decode()
    response = lead.post(url, editor_data(name="Sin respuesta", conditions=[
        {"field": "hours_since", "of": "created", "op": "gte", "hours": "1.5"},
        {"field": "status", "op": "is", "status": "new"}], actions=[{"type": "set_priority", "priority": "urgent"}]))
    saved = Automation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/es/agent/rules/automations/{saved.pk}/"
    assert saved.conditions == [{"field": "hours_since", "of": "created", "op": "gte", "value": 1.5},
                                     {"field": "status", "op": "is", "value": "new"}]
    old, new = ticket(), ticket()
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    html = lead.get(f"/es/agent/rules/automations/{saved.pk}/dry-run/").content.decode()
    assert old.ref in html and new.ref not in html
    assert 'value="1.5"' in lead.get(f"/es/agent/rules/automations/{saved.pk}/").content.decode()


@pytest.mark.parametrize("lang", ["zh-hans", "es", "ru", "ja", "ko"])
def test_the_pages_show_no_english_in_the_other_languages(lead, supervisor, lang):
    """Every label, operator, action, history line and message of the pages is in the page's language (the
    controls a row hides count too: they show as the row changes)."""
    payments = core.team_get_or_create(name="결제팀")
    trigger = rule("규칙", actor=supervisor, conditions=[
        {"field": "language", "op": "in", "value": ["ko", "ja"]}, {"field": "actor", "op": "is", "value": "customer"},
        {"field": "assignee", "op": "is", "value": None}, {"field": "tags", "op": "not_contains", "value": "vip"}],
        actions=[{"type": "set_team", "value": payments.pk}, {"type": "set_status", "value": "pending"},
                 {"type": "set_assignee", "value": "least_busy", "team": None},
                 {"type": "notify", "target": "supervisors", "via": "email", "message": {"en": "x", "ko": "확인"}}])
    trigger_update(trigger=trigger, actor=supervisor, is_active=False, match="any")
    late = automation("늦음")
    ticket()
    pages = ["/agent/rules/", "/agent/rules/triggers/new/", f"/agent/rules/triggers/{trigger.pk}/",
             f"/agent/rules/triggers/{trigger.pk}/dry-run/", f"/agent/rules/triggers/{trigger.pk}/delete/",
             "/agent/rules/automations/new/", f"/agent/rules/automations/{late.pk}/",
             f"/agent/rules/automations/{late.pk}/dry-run/"]
    for path in pages:
        response = lead.get(f"/{lang}{path}")
        assert response.status_code == 200, path
        assert english_leaks(visible_text(response.content.decode()), lang, codes=True) == [], path
    response = lead.post(f"/{lang}/agent/rules/triggers/new/", editor_data(name="", events=()))
    assert english_leaks(visible_text(response.content.decode()), lang, codes=True) == []


@pytest.mark.parametrize("who, expected", [("agent", 403), ("customer", 403), ("anonymous", 302)])
def test_only_supervisors_reach_the_rules_pages_and_nothing_changes_for_others(client, who, expected):
    """Agents and customers are refused (403), anonymous visitors sent to log in; their posts change nothing."""
    trigger, late = rule("Guarded"), automation()
    if who != "anonymous":
        client.force_login(AgentFactory() if who == "agent" else UserFactory())
    urls = [RULES, "/en/agent/rules/triggers/new/", f"/en/agent/rules/triggers/{trigger.pk}/",
            f"/en/agent/rules/triggers/{trigger.pk}/dry-run/", f"/en/agent/rules/triggers/{trigger.pk}/delete/",
            "/en/agent/rules/automations/new/", f"/en/agent/rules/automations/{late.pk}/",
            f"/en/agent/rules/automations/{late.pk}/dry-run/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert response["Location"].startswith("/en/accounts/login/")
    for url in (f"/en/agent/rules/triggers/{trigger.pk}/toggle/", f"/en/agent/rules/triggers/{trigger.pk}/move/",
                f"/en/agent/rules/triggers/{trigger.pk}/delete/", f"/en/agent/rules/triggers/{trigger.pk}/",
                f"/en/agent/rules/automations/{late.pk}/toggle/"):
        assert client.post(url, editor_data(name="Taken over")).status_code == expected, url
    trigger.refresh_from_db()
    # Only the two creations above are in the rules' history.
    assert (trigger.name, trigger.is_active) == ("Guarded", True) and TriggerChange.objects.count() == 2
    assert Automation.objects.get(pk=late.pk).is_active is True


def test_a_missing_rule_is_a_404(lead):
    for url in ("/en/agent/rules/triggers/999999/", "/en/agent/rules/triggers/999999/dry-run/",
                "/en/agent/rules/automations/999999/"):
        assert lead.get(url).status_code == 404


def test_automations_move_and_are_deleted_after_asking_with_their_history_kept(client):
    from automation.models import TriggerChange

    lead = AgentFactory(email="lead2@example.com", languages=["ja"], supervisor=True)
    client.force_login(lead)
    first, second = automation(), automation()
    order = list(Automation.objects.order_by("position", "id").values_list("pk", flat=True))
    assert client.post(f"/ja/agent/rules/automations/{second.pk}/move/", {"direction": "up"}).status_code == 302
    moved = list(Automation.objects.order_by("position", "id").values_list("pk", flat=True))
    here = order.index(second.pk)
    assert moved[here - 1] == second.pk and moved[here] == order[here - 1]
    page = client.get(f"/ja/agent/rules/automations/{first.pk}/delete/")
    assert page.status_code == 200 and "自動化ルールを削除" in page.content.decode()
    assert Automation.objects.filter(pk=first.pk).exists()  # asking deletes nothing
    assert client.post(f"/ja/agent/rules/automations/{first.pk}/delete/").status_code == 302
    assert not Automation.objects.filter(pk=first.pk).exists()
    assert TriggerChange.objects.filter(action="deleted", actor=lead, trigger_name=first.name).exists()
