"""Triggers (issue #26): each condition and action, on every path that changes a ticket (the services publish, the
engine runs after commit), at most once per event and ticket even with two processes, in position order with later
triggers seeing earlier ones' changes, and a pass of rules that feed each other cut by the loop guard and recorded."""
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import translation

from automation import engine
from automation.models import NotifyAddress, RulesPass, Trigger, TriggerChange, TriggerFiring
from automation.services import TriggerInvalid, trigger_create, trigger_delete, trigger_update, triggers_reorder
from support import services as core
from support.domain_events import DomainEvent
from support.models import AgentProfile, Notification, OutboundEmail, Presence
from tests.factories import AgentFactory, UserFactory
from tickets.models import Category, Channel, Status, Ticket
from tickets.services import ticket_create, ticket_reply, ticket_update

# The engine runs after commit, as in production: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def rule(actions, *, events=("ticket.created",), conditions=(), match="all", name="Rule", actor=None):
    return trigger_create(actor=actor, name=name, events=list(events), match=match, conditions=list(conditions),
                          actions=list(actions))


def ticket(language="ko", subject="출금이 안 돼요", body="USDT 출금이 24시간째 대기 중입니다", **kwargs):
    customer = UserFactory(language=language)
    return ticket_create(requester=customer, subject=subject, body=body, language=language, **kwargs)


def fresh(t):
    return Ticket.objects.get(pk=t.pk)


def test_the_korean_withdrawal_trigger_sets_team_and_priority_on_every_channel():
    payments = core.team_get_or_create(name="Korean payments")
    rule([{"type": "set_team", "value": payments.pk}, {"type": "set_priority", "value": "high"},
          {"type": "add_tags", "value": ["withdrawal"]}],
         conditions=[{"field": "language", "op": "is", "value": "ko"},
                     {"field": "text", "op": "contains", "value": ["출금", "withdrawal"]}])
    for channel in (Channel.WEB, Channel.EMAIL, Channel.API, Channel.CHAT):
        korean = fresh(ticket(channel=channel))
        assert (korean.team, korean.priority, korean.tags) == (payments, "high", ["withdrawal"]), channel
    english = fresh(ticket(language="en", subject="withdrawal stuck", body="help"))
    spanish = fresh(ticket(language="es", subject="retiro", body="no llega"))
    assert english.team is None and spanish.team is None and english.priority == "normal"
    firing = TriggerFiring.objects.filter(ticket=korean).get()
    assert firing.event == "ticket.created" and "changed:team" in firing.outcome


@pytest.mark.parametrize("condition, holds", [
    ({"field": "channel", "op": "is", "value": "web"}, True),
    ({"field": "channel", "op": "in", "value": ["email", "chat"]}, False),
    ({"field": "language", "op": "in", "value": ["ko", "ja"]}, True),
    ({"field": "priority", "op": "is", "value": "high"}, False),
    ({"field": "category", "op": "in", "value": [None]}, True),
    ({"field": "priority", "op": "is_not", "value": "urgent"}, True),
    ({"field": "status", "op": "is", "value": "new"}, True),
    ({"field": "assignee", "op": "is", "value": None}, True),
    ({"field": "team", "op": "is_not", "value": None}, False),
    ({"field": "tags", "op": "contains", "value": "vip"}, True),
    ({"field": "tags", "op": "not_contains", "value": "VIP"}, False),
    ({"field": "tags", "op": "contains_any", "value": ["kyc", "vip"]}, True),
    ({"field": "subject", "op": "contains", "value": ["usdt"]}, True),  # full-width in the subject
    ({"field": "text", "op": "contains", "value": ["ＴＲＣ２０"]}, True),  # full-width in the rule, half in the text
    ({"field": "text", "op": "contains", "value": ["ｶｰﾄﾞ"]}, True),  # half-width katakana matches full-width
    ({"field": "text", "op": "not_contains", "value": ["password"]}, True),
    ({"field": "actor", "op": "is", "value": "customer"}, True),
    ({"field": "requester_tier", "op": "gte", "value": 1}, False),  # nothing cached from the exchange: tier 0
    ({"field": "field", "key": "network", "op": "is_empty"}, True),
])
def test_each_condition(condition, holds):
    marker = rule([{"type": "add_tags", "value": ["matched"]}], conditions=[condition])
    t = fresh(ticket(language="ja", subject="ＵＳＤＴの入金", body="TRC20で送りました。カードは使っていません",
                     tags=["vip"]))
    assert ("matched" in t.tags) == holds
    assert TriggerFiring.objects.filter(trigger=marker).exists() == holds


def test_any_of_the_conditions_and_business_hours(settings):
    from tickets.models import BusinessCalendar, BusinessHours

    never = BusinessCalendar.objects.create(name="Never", timezone="Asia/Seoul")
    BusinessHours.objects.create(calendar=never, weekday=0, start="00:00", end="00:00:01")
    rule([{"type": "add_tags", "value": ["after_hours"]}], match="any",
         conditions=[{"field": "business_hours", "op": "outside", "value": never.pk},
                     {"field": "language", "op": "is", "value": "en"}])
    assert fresh(ticket()).tags == ["after_hours"]


def test_actions_assign_the_least_busy_agent_of_the_team_in_the_language_and_notify():
    team = core.team_get_or_create(name="Payments")
    busy = AgentFactory(email="busy@example.com", languages=["ko"])
    idle = AgentFactory(email="idle@example.com", languages=["ko"])
    away = AgentFactory(email="away@example.com", languages=["ko"])
    english = AgentFactory(email="en@example.com", languages=["en"])
    AgentProfile.objects.filter(user__in=[busy, idle, english]).update(team=team, presence=Presence.ONLINE)
    AgentProfile.objects.filter(user=away).update(team=team, presence=Presence.AWAY)
    ticket_update(ticket=ticket(), actor=busy, assignee=busy)
    lead = NotifyAddress.objects.create(name="Lead", email="lead@example.com", language="ja")
    rule([{"type": "set_team", "value": team.pk}, {"type": "set_assignee", "value": "least_busy"},
          {"type": "set_status", "value": "open"},
          {"type": "notify", "target": "requester", "via": "in_site", "message": {"en": "We got it", "ko": "접수됨"}},
          {"type": "notify", "target": "assignee", "via": "email", "message": {"en": "New for you"}},
          {"type": "notify", "target": "address", "address": lead.pk, "via": "email",
           "message": {"en": "Korean withdrawal", "ja": "韓国語の出金"}}])
    t = fresh(ticket())
    assert (t.team, t.assignee, t.status) == (team, idle, Status.OPEN)
    note = Notification.objects.get(user=t.requester, kind="rule_message")
    with translation.override("ko"):
        from support.notifications import render_body, render_title

        assert render_body(note) == "접수됨" and t.ref in render_title(note)
    assert OutboundEmail.objects.filter(to_email="idle@example.com", body_text="New for you").exists()
    assert OutboundEmail.objects.filter(to_email="lead@example.com", body_text="韓国語の出金").exists()


def test_remove_tags_category_and_no_online_agent():
    category = Category.objects.create(slug="withdrawals", name="Withdrawals")
    team = core.team_get_or_create(name="Empty")
    rule([{"type": "remove_tags", "value": ["spam"]}, {"type": "set_category", "value": category.pk},
          {"type": "set_assignee", "value": "least_busy", "team": team.pk}])
    t = fresh(ticket(tags=["spam", "keep"]))
    assert (t.tags, t.category, t.assignee) == (["keep"], category, None)
    assert "no_agent_online" in TriggerFiring.objects.get(ticket=t).outcome


def test_replies_and_changes_fire_their_events_and_agents_notes_do_not():
    agent = AgentFactory(email="a@example.com", languages=["ko"])
    rule([{"type": "add_tags", "value": ["customer_wrote"]}], events=["ticket.customer_replied"])
    rule([{"type": "add_tags", "value": ["agent_wrote"]}], events=["ticket.agent_replied"])
    rule([{"type": "set_priority", "value": "urgent"}], events=["ticket.status_changed"],
         conditions=[{"field": "status", "op": "is", "value": "pending"}, {"field": "actor", "op": "is",
                                                                           "value": "agent"}])
    t = ticket()
    ticket_reply(ticket=t, author=agent, body="internal", internal=True)
    assert fresh(t).tags == []
    ticket_reply(ticket=t, author=agent, body="확인하겠습니다")
    ticket_reply(ticket=fresh(t), author=t.requester, body="감사합니다")
    assert set(fresh(t).tags) == {"agent_wrote", "customer_wrote"}
    ticket_update(ticket=fresh(t), actor=agent, status="pending")
    assert fresh(t).priority == "urgent"


def test_later_triggers_see_earlier_changes_and_order_decides():
    first = rule([{"type": "set_priority", "value": "high"}], name="first")
    second = rule([{"type": "set_priority", "value": "low"}], name="second")
    follows = rule([{"type": "add_tags", "value": ["was_high"]}], name="follows",
                   conditions=[{"field": "priority", "op": "is", "value": "high"}])
    assert fresh(ticket()).priority == "low"
    triggers_reorder(actor=None, ids=[second.pk, first.pk, follows.pk])
    t = fresh(ticket())
    assert t.priority == "high" and t.tags == ["was_high"]


def test_testing_many_triggers_reads_the_ticket_once_and_locks_only_to_fire(django_assert_max_num_queries):
    """Many triggers that do not hold cost the same few reads as one (the ticket, its first message, a calendar),
    nothing locked or written; one that holds adds its own transaction."""
    from tickets.models import BusinessCalendar

    calendar = BusinessCalendar.objects.create(name="Seoul office", timezone="Asia/Seoul")
    t = ticket()
    for n in range(60):
        rule([{"type": "add_tags", "value": [f"r{n}"]}], name=f"r{n}", conditions=[
            {"field": "text", "op": "contains", "value": [f"nothing like {n}"]},
            {"field": "business_hours", "op": "within", "value": calendar.pk}], match="any")
    engine.active_triggers()  # (this process's copy of the triggers: loaded once after a change)
    event = DomainEvent(name="ticket.created", ticket_id=t.pk, actor="customer")
    with django_assert_max_num_queries(5) as queries:
        assert engine.rules_run(event) == []
    assert not any("FOR UPDATE" in q["sql"] or q["sql"].startswith(("INSERT", "UPDATE")) for q in queries.captured_queries)
    hit = rule([{"type": "add_tags", "value": ["hit"]}], name="hit",
               conditions=[{"field": "text", "op": "contains", "value": ["ＵＳＤＴ"]}])  # full width matches USDT
    engine.active_triggers()
    with django_assert_max_num_queries(16):
        assert engine.rules_run(DomainEvent(name="ticket.created", ticket_id=t.pk, actor="customer")) == [hit.pk]
    assert fresh(t).tags == ["hit"]


def test_changes_made_by_rules_fire_later_rules_and_the_loop_guard_cuts(settings):
    settings.AUTOMATION_MAX_ROUNDS = 2
    rule([{"type": "set_priority", "value": "high"}], name="a")
    rule([{"type": "add_tags", "value": ["b"]}], events=["ticket.priority_changed"], name="b")
    rule([{"type": "set_status", "value": "open"}], events=["ticket.tags_changed"], name="c")
    rule([{"type": "add_tags", "value": ["d"]}], events=["ticket.status_changed"], name="d")
    t = fresh(ticket())
    assert (t.priority, t.tags, t.status) == ("high", ["b"], Status.NEW)  # c and d never ran: cut after 2 rounds
    cut = RulesPass.objects.get(ticket=t)
    assert cut.cut and cut.rounds == 2 and len(cut.fired) == 2
    settings.AUTOMATION_MAX_ROUNDS = 5
    t = fresh(ticket())
    assert (t.tags, t.status) == (["b", "d"], Status.OPEN) and not RulesPass.objects.filter(ticket=t).exists()


def test_a_trigger_fires_once_per_event_and_ticket():
    marker = rule([{"type": "add_tags", "value": ["once"]}], events=["ticket.customer_replied"])
    t = ticket()
    event = DomainEvent(name="ticket.customer_replied", ticket_id=t.pk, actor="customer")
    assert engine.rules_run(event) == [marker.pk]
    assert engine.rules_run(event) == []  # the same event again (a redelivery): nothing
    assert engine.rules_run(DomainEvent(name="ticket.customer_replied", ticket_id=t.pk, actor="customer")) == [marker.pk]
    assert TriggerFiring.objects.filter(trigger=marker).count() == 2
    assert Trigger.objects.get(pk=marker.pk).fire_count == 2


def test_two_processes_running_the_same_event_fire_it_once():
    marker = rule([{"type": "add_tags", "value": ["once"]}], events=["ticket.customer_replied"])
    t = ticket()
    event = DomainEvent(name="ticket.customer_replied", ticket_id=t.pk, actor="customer")
    results, barrier = [], threading.Barrier(4)

    def run():
        try:
            barrier.wait()
            results.append(engine.rules_run(event))
        finally:
            connection.close()
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(len, results)) == [0, 0, 0, 1]
    assert TriggerFiring.objects.filter(trigger=marker).count() == 1


def test_triggers_are_checked_and_every_change_recorded():
    supervisor = AgentFactory(email="boss@example.com", languages=["ja"], supervisor=True)
    with translation.override("ja"):
        with pytest.raises(TriggerInvalid) as bad:
            rule([{"type": "set_priority", "value": "high"}],
                 conditions=[{"field": "language", "op": "is", "value": "xx"}])
        assert bad.value.field == "conditions" and "条件 1" in str(bad.value.detail)
        with pytest.raises(TriggerInvalid) as no_action:
            rule([])
        assert no_action.value.field == "actions"
        with pytest.raises(TriggerInvalid):
            rule([{"type": "notify", "target": "address", "address": 999, "via": "email", "message": {"en": "x"}}])
    trigger = rule([{"type": "set_priority", "value": "high"}], actor=supervisor)
    trigger_update(trigger=trigger, actor=supervisor, is_active=False)
    assert fresh(ticket()).priority == "normal"  # inactive: the engine reloaded its triggers
    trigger_delete(trigger=trigger, actor=supervisor)
    history = list(TriggerChange.objects.order_by("created_at", "id").values_list("action", "actor", "trigger_name"))
    assert history == [("created", supervisor.pk, "Rule"), ("updated", supervisor.pk, "Rule"),
                       ("deleted", supervisor.pk, "Rule")]
    change = TriggerChange.objects.get(action="updated")
    assert change.before["is_active"] is True and change.after["is_active"] is False


def test_set_a_custom_field_apply_a_macro_and_call_a_webhook():
    from support.webhooks.models import WebhookDelivery
    from support.webhooks.services import webhook_create
    from tickets.demo_fields import seed_fields
    from tickets.models import Macro

    category = Category.objects.create(slug="deposits-withdrawals", name="Deposits and withdrawals")
    seed_fields()
    agent = AgentFactory(email="mina@example.com", languages=["ko"])
    macro = Macro.objects.create(name_en="Ask for the hash", body_en="Send the TXID, {{customer_name}}.",
                                 body_ko="{{customer_name}}님, TXID를 보내 주세요.", add_tags=["asked_txid"],
                                 set_status="pending")
    hook, _secret = webhook_create(name="CRM", url="https://93.184.216.34/hook", events=["ticket.created"])
    rule([{"type": "set_assignee", "value": agent.pk}, {"type": "set_field", "key": "network", "value": "TRC20"},
          {"type": "set_field", "key": "uid", "value": "not digits"}, {"type": "apply_macro", "value": macro.pk},
          {"type": "webhook", "value": hook.pk}])
    t = fresh(ticket(category=category, custom_fields={"network": "ERC20"}))
    assert t.custom_fields["network"] == "TRC20" and "uid" not in t.custom_fields
    assert (t.status, t.tags, t.assignee) == (Status.PENDING, ["asked_txid"], agent)
    reply = t.messages.filter(author=agent).get()
    assert reply.body == f"{t.requester.display_name}님, TXID를 보내 주세요."
    outcome = TriggerFiring.objects.get(ticket=t).outcome
    assert "field_refused:uid" in outcome and "macro_reply:sent" in outcome and f"webhook:{hook.pk}:queued" in outcome
    # The webhook: one delivery for the webhook's own subscription (ticket.created), one for the rule's call.
    assert WebhookDelivery.objects.filter(webhook=hook, event="ticket.created").count() == 2
    with pytest.raises(TriggerInvalid):
        rule([{"type": "set_field", "key": "no_such_field", "value": 1}])
    with pytest.raises(TriggerInvalid):
        rule([{"type": "webhook", "value": 10_000}])
