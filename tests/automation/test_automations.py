"""Time-based automations (issue #26): the desk's defaults (remind after 3 days pending, close 4 days after solved,
alert the supervisors when an urgent request is unassigned for 15 minutes), each acting on a ticket once until it
changes again, two sweeps at once acting once, and automations refused when the database cannot test them."""
import importlib
import threading
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.db import close_old_connections, connection
from django.utils import timezone

from automation.models import Automation, AutomationRun
from automation.services import TriggerInvalid, automation_save
from automation.sweep import automation_matching, automations_run
from support.models import Notification, OutboundEmail
from tests.factories import AgentFactory, UserFactory
from tickets.models import SlaTimer, Status, Ticket, TicketEvent
from tickets.services import ticket_create, ticket_reply, ticket_update

pytestmark = pytest.mark.django_db
# The defaults are written by a data migration; a test database emptied by an earlier transactional test has lost
# them, so each test writes them again with the migration's own function (it skips those that exist).
DEFAULTS = importlib.import_module("automation.migrations.0004_default_automations")


@pytest.fixture(autouse=True)
def _default_automations():
    DEFAULTS.create(django_apps, None)


def make_ticket(language="ja", **kwargs):
    customer = UserFactory(language=language)
    return ticket_create(requester=customer, subject="入金が反映されない", body="TXID: 0xabc", language=language, **kwargs)


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def pending_since(ticket, agent, days):
    ticket_update(ticket=ticket, actor=agent, status=Status.PENDING)
    TicketEvent.objects.filter(ticket=ticket, field="status", new_value=Status.PENDING).update(created_at=days_ago(days))
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=days_ago(days))


def reminders(ticket):
    return OutboundEmail.objects.filter(to_email=ticket.requester.email, topic=f"rule:{ticket.pk}")


def test_the_desk_starts_with_three_automations():
    names = list(Automation.objects.filter(is_active=True).values_list("name_en", "name_ko"))
    assert names == [("Remind the customer after 3 days pending", "대기 3일 후 고객에게 알림"),
                     ("Close 4 days after solved", "해결 4일 후 종료"),
                     ("Alert the supervisors when an urgent request is unassigned for 15 minutes",
                      "긴급 요청이 15분 동안 미배정이면 관리자에게 알림")]


@pytest.mark.django_db(transaction=True)
def test_a_ticket_that_fails_is_rolled_back_alone_and_the_sweep_goes_on(caplog):
    """The database refuses one ticket's change (a constraint of its own, as a real failure would): that ticket stays
    as it was, with no run recorded (so the next sweep tries again), and the others in its batch are closed."""
    agent = AgentFactory(languages=["ja"])
    tickets = [make_ticket() for _ in range(3)]
    for t in tickets:
        ticket_update(ticket=t, actor=agent, status=Status.SOLVED)
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(solved_at=days_ago(5))
    broken = tickets[1]
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE tickets_ticket ADD CONSTRAINT test_refuse_one "
                       f"CHECK (id <> {broken.pk} OR status <> 'closed') NOT VALID")
    try:
        acted = automations_run()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE tickets_ticket DROP CONSTRAINT test_refuse_one")
    close = Automation.objects.get(name_en="Close 4 days after solved")
    assert acted[close.pk] == 2 and Automation.objects.get(pk=close.pk).fire_count == 2
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert [statuses[t.pk] for t in tickets] == [Status.CLOSED, Status.SOLVED, Status.CLOSED]
    assert not AutomationRun.objects.filter(automation=close, ticket=broken).exists()
    assert f"on ticket {broken.pk} failed" in caplog.text
    assert automations_run()[close.pk] == 1  # the next sweep closes it


def test_solved_tickets_close_after_four_days_by_the_default_automation():
    agent = AgentFactory(languages=["ja"])
    old, recent, open_one = make_ticket(), make_ticket(), make_ticket()
    for t in (old, recent):
        ticket_update(ticket=t, actor=agent, status=Status.SOLVED)
    Ticket.objects.filter(pk=old.pk).update(solved_at=days_ago(5))
    Ticket.objects.filter(pk=recent.pk).update(solved_at=days_ago(3))
    automations_run()
    automations_run()
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses == {old.pk: Status.CLOSED, recent.pk: Status.SOLVED, open_one.pk: Status.NEW}
    assert old.events.filter(field="status", new_value="closed", actor__isnull=True).exists()
    closing = Automation.objects.get(name_en="Close 4 days after solved")
    assert closing.fire_count == 1 and AutomationRun.objects.filter(automation=closing).count() == 1


def test_the_pending_reminder_is_sent_once_until_the_ticket_changes_again():
    agent = AgentFactory(languages=["ja"])
    waiting, fresh = make_ticket(), make_ticket()
    pending_since(waiting, agent, days=4)
    pending_since(fresh, agent, days=1)
    automations_run()
    automations_run()
    [mail] = reminders(waiting)
    assert "ご返信をお待ちしています" in mail.body_text  # the customer's language
    assert not reminders(fresh).exists()
    # The customer answers (the ticket opens), goes quiet again: reminded again after 3 more days (the beat's sweeps
    # in between, and the one 3.5 days later, read only what changed or crossed a threshold since the one before).
    ticket_reply(ticket=Ticket.objects.get(pk=waiting.pk), author=waiting.requester, body="確認します")
    ticket_update(ticket=Ticket.objects.get(pk=waiting.pk), actor=agent, status=Status.PENDING)
    automations_run(now=timezone.now() + timedelta(days=1))
    assert reminders(waiting).count() == 1
    automations_run(now=timezone.now() + timedelta(days=3.5))
    assert reminders(waiting).count() == 2


def test_a_sweep_reads_what_changed_or_crossed_since_the_last_and_the_daily_one_reads_all():
    """After a complete sweep, the next reads only tickets changed since or whose threshold was crossed since: a
    ticket made due behind the services' back (as a customer joining an organisation would be) waits for the daily
    full sweep. An edited automation starts again from every ticket."""
    agent = AgentFactory(languages=["ja"])
    close = Automation.objects.get(name_en="Close 4 days after solved")
    solved = make_ticket()
    ticket_update(ticket=solved, actor=agent, status=Status.SOLVED)
    automations_run()
    assert Automation.objects.get(pk=close.pk).swept_until is not None
    Ticket.objects.filter(pk=solved.pk).update(solved_at=days_ago(5), updated_at=days_ago(5))
    assert automations_run()[close.pk] == 0  # neither changed nor crossed since the last sweep
    assert automations_run(full=True)[close.pk] == 1
    assert Ticket.objects.get(pk=solved.pk).status == Status.CLOSED
    # Crossed in the window: solved 4 days before the next sweep's time, acted on by that sweep.
    later = make_ticket()
    ticket_update(ticket=later, actor=agent, status=Status.SOLVED)
    automations_run()
    assert automations_run(now=timezone.now() + timedelta(days=3, hours=23))[close.pk] == 0
    assert automations_run(now=timezone.now() + timedelta(days=4, minutes=1))[close.pk] == 1
    # An edited automation's window starts again.
    automation_save(automation=close, actor=agent, name=close.name_en, conditions=close.conditions,
                    actions=close.actions)
    assert Automation.objects.get(pk=close.pk).swept_until is None


@pytest.mark.django_db(transaction=True)
def test_a_ticket_locked_during_a_sweep_is_not_lost():
    """Another transaction holds the ticket (SKIP LOCKED passes it by): the sweep is not complete, its window stays,
    and the next sweep acts on it, even though it neither changed nor crossed anything since."""
    agent = AgentFactory(languages=["ja"])
    close = Automation.objects.get(name_en="Close 4 days after solved")
    automations_run()  # (a complete sweep: the window starts now)
    t = make_ticket()
    ticket_update(ticket=t, actor=agent, status=Status.SOLVED)
    Ticket.objects.filter(pk=t.pk).update(solved_at=timezone.now() - timedelta(days=4, minutes=1))
    locked, release = threading.Event(), threading.Event()

    def hold():
        from django.db import transaction

        with transaction.atomic():
            Ticket.objects.select_for_update().get(pk=t.pk)
            locked.set()
            release.wait(30)
        close_old_connections()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(30)
    try:
        later = timezone.now() + timedelta(hours=1)
        swept = Automation.objects.get(pk=close.pk).swept_until
        assert automations_run(now=later)[close.pk] == 0
        assert Automation.objects.get(pk=close.pk).swept_until == swept  # not complete: the window stays
    finally:
        release.set()
        holder.join()
    assert automations_run(now=later + timedelta(minutes=5))[close.pk] == 1
    assert Ticket.objects.get(pk=t.pk).status == Status.CLOSED


def test_urgent_unassigned_requests_alert_the_supervisors():
    boss = AgentFactory(email="boss@example.com", languages=["ko"], supervisor=True)
    AgentFactory(email="plain@example.com", languages=["ko"])
    urgent, assigned, young = make_ticket("ko"), make_ticket("ko"), make_ticket("ko")
    for t in (urgent, assigned, young):
        ticket_update(ticket=t, actor=boss, priority="urgent")
    ticket_update(ticket=assigned, actor=boss, assignee=boss)
    Ticket.objects.filter(pk__in=[urgent.pk, assigned.pk]).update(created_at=timezone.now() - timedelta(minutes=20))
    automations_run()
    notes = Notification.objects.filter(kind="rule_message")
    assert list(notes.values_list("user__email", "params__ticket")) == [("boss@example.com", urgent.ref)]
    assert notes.get().params["text"] == "긴급 요청에 15분 동안 담당자가 지정되지 않았습니다."


def test_hours_since_an_sla_breach_and_the_dry_run():
    automation = automation_save(name="Breached a day", conditions=[
        {"field": "hours_since", "of": "breach", "op": "gte", "value": 24}],
        actions=[{"type": "add_tags", "value": ["breached"]}])
    late, ok = make_ticket(), make_ticket()
    SlaTimer.objects.create(ticket=late, kind="first_response", target_minutes=60, started_at=days_ago(3),
                            due_at=days_ago(2.9), breached_at=days_ago(2))
    assert list(automation_matching(automation).values_list("pk", flat=True)) == [late.pk]  # what it would do now
    automations_run()
    assert Ticket.objects.get(pk=late.pk).tags == ["breached"] and Ticket.objects.get(pk=ok.pk).tags == []
    assert not automation_matching(automation).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_act_once():
    agent = AgentFactory(languages=["ja"])
    tickets = [make_ticket() for _ in range(6)]
    for t in tickets:
        pending_since(t, agent, days=5)
    barrier = threading.Barrier(2)

    def sweep():
        try:
            barrier.wait()
            automations_run()
        finally:
            connection.close()
            close_old_connections()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for t in tickets:
        assert reminders(t).count() == 1
    assert AutomationRun.objects.count() == 6


def test_automations_are_refused_when_the_database_cannot_test_them():
    with pytest.raises(TriggerInvalid) as no_time:
        automation_save(name="x", conditions=[{"field": "status", "op": "is", "value": "open"}],
                        actions=[{"type": "add_tags", "value": ["x"]}])
    assert no_time.value.field == "conditions"
    with pytest.raises(TriggerInvalid):
        automation_save(name="x", conditions=[{"field": "hours_since", "of": "created", "op": "gte", "value": 1},
                                              {"field": "text", "op": "contains", "value": ["usdt"]}],
                        actions=[{"type": "add_tags", "value": ["x"]}])
    with pytest.raises(TriggerInvalid):
        automation_save(name="x", conditions=[{"field": "hours_since", "of": "never", "op": "gte", "value": 1}],
                        actions=[{"type": "add_tags", "value": ["x"]}])


def test_every_change_to_an_automation_is_recorded():
    from automation.models import TriggerChange
    from automation.services import automation_delete, automations_reorder

    boss = AgentFactory(email="boss@example.com", languages=["en"], supervisor=True)
    automation = automation_save(actor=boss, name="Tag old", conditions=[
        {"field": "hours_since", "of": "created", "op": "gte", "value": 48}],
        actions=[{"type": "add_tags", "value": ["old"]}])
    automation_save(automation=automation, actor=boss, name="Tag old", is_active=False,
                    conditions=automation.conditions, actions=automation.actions)
    ids = list(Automation.objects.order_by("position", "id").values_list("pk", flat=True))
    automations_reorder(actor=boss, ids=[ids[-1], *ids[:-1]])
    with pytest.raises(TriggerInvalid):
        automations_reorder(actor=boss, ids=ids[:-1])
    automation_delete(automation=automation, actor=boss)
    mine = TriggerChange.objects.filter(trigger_name="Tag old").order_by("created_at", "id")
    assert [change.action for change in mine] == ["created", "updated", "reordered", "deleted"]
    assert mine[1].before["is_active"] is True and mine[1].after["is_active"] is False
    assert all(change.actor == boss for change in mine)
    assert TriggerChange.objects.filter(action="reordered").count() == len(ids)  # each one that moved
