"""SLA timers with a controllable clock: working time across weekends, holidays and DST; pause and resume;
fulfilment rules; re-evaluation; exactly-once warnings and breaches; catch-up; escalation; reports."""
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from support.models import Notification, OutboundEmail, Team
from tickets import services, sla
from tickets.models import BusinessCalendar, BusinessHours, Holiday, SlaPolicy, SlaTimer, Ticket

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)  # a Monday


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def policies(db):
    """The demo desk: 24/7 targets by priority."""
    made = {}
    for position, (priority, first, resolution) in enumerate(
            [("urgent", 15, 240), ("high", 60, 480), ("normal", 240, 1440), ("low", 1440, 4320)]):
        made[priority] = SlaPolicy.objects.create(
            name=f"{priority} 24/7", position=position, priorities=[priority], first_response_minutes=first,
            next_response_minutes=first, resolution_minutes=resolution)
    return made


@pytest.fixture
def ny_calendar(db):
    calendar = BusinessCalendar.objects.create(name="New York office", timezone="America/New_York")
    for weekday in range(5):
        BusinessHours.objects.create(calendar=calendar, weekday=weekday, start=time(9), end=time(18))
    return calendar


def timer(ticket, kind):
    return SlaTimer.objects.filter(ticket=ticket, kind=kind).order_by("-started_at", "-id").first()


# --- working time --------------------------------------------------------------------------------------------

def test_business_hours_carry_over_the_weekend(ny_calendar):
    work = sla.WorkingTime(ny_calendar)
    friday_5pm = datetime(2026, 11, 6, 17, 0, tzinfo=NY)
    due = work.add(friday_5pm, 4 * 3600)
    assert due.astimezone(NY) == datetime(2026, 11, 9, 12, 0, tzinfo=NY)  # 1 h Friday + 3 h Monday
    assert work.between(friday_5pm, due) == 4 * 3600


def test_a_holiday_is_skipped(ny_calendar):
    Holiday.objects.create(calendar=ny_calendar, date=date(2026, 11, 9), name="Office closed")
    work = sla.WorkingTime(BusinessCalendar.objects.prefetch_related("hours", "holidays").get())
    due = work.add(datetime(2026, 11, 6, 17, 0, tzinfo=NY), 4 * 3600)
    assert due.astimezone(NY) == datetime(2026, 11, 10, 12, 0, tzinfo=NY)


def test_working_hours_follow_local_time_across_a_dst_change(ny_calendar):
    """US clocks go forward on Sunday 8 March 2026: 9:00 local is 14:00 UTC before and 13:00 UTC after."""
    work = sla.WorkingTime(ny_calendar)
    friday = datetime(2026, 3, 6, 17, 0, tzinfo=NY)  # 22:00 UTC (EST)
    due = work.add(friday, 4 * 3600)
    assert due == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # Monday 12:00 EDT
    assert work.between(friday, due) == 4 * 3600


def test_calendar_time_is_plain_elapsed_time():
    work = sla.WorkingTime(None)
    assert work.add(T0, 900) == T0 + timedelta(minutes=15)


def test_a_business_hours_policy_sets_due_times_in_working_time(db, customer, ny_calendar):
    SlaPolicy.objects.create(name="NY office", first_response_minutes=240, calendar=ny_calendar)
    with at(datetime(2026, 11, 6, 17, 0, tzinfo=NY)):
        ticket = services.ticket_create(requester=customer, subject="s", body="b")
    assert timer(ticket, "first_response").due_at == datetime(2026, 11, 9, 12, 0, tzinfo=NY)


# --- lifecycle -----------------------------------------------------------------------------------------------

def test_policy_chosen_by_priority_and_position(db, customer, agent, policies):
    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b", priority="urgent")
    first = timer(ticket, "first_response")
    assert first.policy == policies["urgent"] and first.due_at == T0 + timedelta(minutes=15)
    assert timer(ticket, "resolution").due_at == T0 + timedelta(minutes=240)
    assert first.warn_at == T0 + timedelta(minutes=12)


def test_no_matching_policy_means_no_timers(db, customer):
    ticket = services.ticket_create(requester=customer, subject="s", body="b")
    assert not SlaTimer.objects.filter(ticket=ticket).exists()


def test_internal_note_does_not_count_a_public_reply_does(db, customer, agent, policies):
    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b")
    with at(T0 + timedelta(minutes=30)):
        services.ticket_reply(ticket=ticket, author=agent, body="note", internal=True)
    assert timer(ticket, "first_response").is_running
    with at(T0 + timedelta(minutes=60)):
        services.ticket_reply(ticket=ticket, author=agent, body="Hello")
    first = timer(ticket, "first_response")
    assert first.fulfilled_at == T0 + timedelta(minutes=60) and first.met


def test_each_customer_reply_starts_a_next_response_timer(db, customer, agent, policies):
    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b")
        services.ticket_reply(ticket=ticket, author=agent, body="Hi")
    with at(T0 + timedelta(hours=1)):
        services.ticket_reply(ticket=ticket, author=customer, body="More info")
    nxt = timer(ticket, "next_response")
    assert nxt.started_at == T0 + timedelta(hours=1) and nxt.due_at == nxt.started_at + timedelta(minutes=240)
    with at(T0 + timedelta(hours=2)):
        services.ticket_reply(ticket=ticket, author=agent, body="Thanks")
    assert timer(ticket, "next_response").fulfilled_at == T0 + timedelta(hours=2)


def test_pending_pauses_and_resumes_with_the_remaining_time(db, customer, agent, policies):
    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b")
    with at(T0 + timedelta(hours=1)):
        services.ticket_update(ticket=ticket, actor=agent, status="pending")
    paused = timer(ticket, "resolution")
    assert paused.due_at is None and paused.paused_at == T0 + timedelta(hours=1)
    with at(T0 + timedelta(hours=3)):
        services.ticket_reply(ticket=ticket, author=customer, body="Here is the TxID")  # reopens: pending -> open
    resumed = timer(ticket, "resolution")
    assert resumed.paused_seconds == 2 * 3600
    assert resumed.due_at == T0 + timedelta(minutes=1440) + timedelta(hours=2)


def test_solving_fulfils_and_reopening_restarts_resolution(db, customer, agent, policies):
    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b")
    with at(T0 + timedelta(hours=5)):
        services.ticket_update(ticket=ticket, actor=agent, status="solved")
    solved = timer(ticket, "resolution")
    assert solved.fulfilled_at == T0 + timedelta(hours=5) and solved.met
    with at(T0 + timedelta(hours=6)):
        services.ticket_reply(ticket=ticket, author=customer, body="Not fixed")
    again = timer(ticket, "resolution")
    assert again.pk != solved.pk and again.started_at == T0 + timedelta(hours=6) and again.is_running


def test_priority_change_re_evaluates_the_policy(db, customer, agent, policies):
    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b")
    assert timer(ticket, "first_response").due_at == T0 + timedelta(minutes=240)
    with at(T0 + timedelta(minutes=5)):
        services.ticket_update(ticket=ticket, actor=agent, priority="urgent")
    first = timer(ticket, "first_response")
    assert first.policy == policies["urgent"] and first.due_at == T0 + timedelta(minutes=15)


def test_merge_cancels_the_duplicates_timers(db, customer, agent, policies):
    with at(T0):
        target = services.ticket_create(requester=customer, subject="a", body="b")
        duplicate = services.ticket_create(requester=customer, subject="a", body="b")
        services.ticket_merge(source=duplicate, target=target, actor=agent)
    assert not SlaTimer.objects.filter(ticket=duplicate, cancelled_at__isnull=True, fulfilled_at__isnull=True).exists()


# --- the scan ------------------------------------------------------------------------------------------------

def test_warning_then_breach_each_recorded_once(db, customer, agent, policies, mailbox):
    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b", priority="urgent")
        services.ticket_update(ticket=ticket, actor=agent, assignee=agent)
    with at(T0 + timedelta(minutes=13)):
        assert sla.sla_scan() == (1, 0)
        assert sla.sla_scan() == (0, 0)
    with at(T0 + timedelta(minutes=16)):
        assert sla.sla_scan() == (0, 1)
        assert sla.sla_scan() == (0, 0)
    kinds = list(Notification.objects.filter(user=agent, kind__startswith="sla").order_by("id")
                 .values_list("kind", flat=True))
    assert kinds == ["sla_warning", "sla_breach"]
    assert OutboundEmail.objects.filter(to_email=agent.email, topic=f"sla:{ticket.ref}").count() == 2


def test_many_alerts_for_one_person_become_one_digest_in_their_language(db, customer, agent, supervisor, policies,
                                                                        settings):
    """A surge: more than SLA_ALERT_DIGEST_AFTER breaches for one agent in one scan give one notification and one
    email naming the first tickets and linking to their inbox by due time; someone with few still gets one each."""
    from support.notifications import render_body, render_title
    from tests.factories import AgentFactory

    settings.SLA_ALERT_DIGEST_AFTER = 3
    agent.language = "ja"
    agent.save(update_fields=["language"])
    colleague = AgentFactory(email="colleague@example.com", languages=["en"])
    with at(T0):
        mine = [services.ticket_create(requester=customer, subject=f"Withdrawal {n}", body="b", priority="urgent")
                for n in range(5)]
        for ticket in mine:
            services.ticket_update(ticket=ticket, actor=agent, assignee=agent)
        theirs = services.ticket_create(requester=customer, subject="Deposit", body="b", priority="urgent")
        services.ticket_update(ticket=theirs, actor=agent, assignee=colleague)
    with at(T0 + timedelta(minutes=20)):
        assert sla.sla_scan() == (0, 6)

    digest = Notification.objects.get(user=agent, kind__startswith="sla")
    assert digest.kind == "sla_breach_digest" and digest.params["count"] == 5
    assert digest.url == "/ja/agent/tickets/?sort=due&assignee=me"
    assert render_title(digest).endswith("5") and mine[0].ref in render_body(digest)
    email = OutboundEmail.objects.get(to_email=agent.email, topic__startswith="sla")
    assert email.topic == "sla-digest:sla_breach" and "5" in email.subject
    assert email.subject != "Tickets past their targets: 5"  # in Japanese, the agent's language
    assert all(ticket.ref in email.body_text for ticket in mine)
    assert "/ja/agent/tickets/?sort=due&assignee=me" in email.body_text

    assert list(Notification.objects.filter(user=colleague, kind__startswith="sla")
                .values_list("kind", flat=True)) == ["sla_breach"]
    assert OutboundEmail.objects.filter(to_email=colleague.email, topic=f"sla:{theirs.ref}").count() == 1


def test_breach_after_downtime_is_dated_at_the_due_time(db, customer, policies):
    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b", priority="urgent")
    with at(T0 + timedelta(hours=3)):  # workers were down; the first scan after restart catches up
        assert sla.sla_scan() == (0, 1)
    assert timer(ticket, "first_response").breached_at == T0 + timedelta(minutes=15)


def test_unassigned_breach_goes_to_the_team_then_supervisors(db, customer, agent, supervisor, policies):
    with at(T0):
        services.ticket_create(requester=customer, subject="s", body="b", priority="urgent")
    with at(T0 + timedelta(minutes=20)):
        sla.sla_scan()
    assert Notification.objects.filter(user=supervisor, kind="sla_breach").count() == 1
    assert not Notification.objects.filter(user=agent, kind="sla_breach").exists()


def test_escalation_raises_priority_and_reassigns_the_team(db, customer, agent, policies):
    team = Team.objects.create(name="Escalations", slug="escalations")
    SlaPolicy.objects.filter(pk=policies["high"].pk).update(escalate_priority=True, escalate_team=team)
    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="s", body="b", priority="high")
    with at(T0 + timedelta(minutes=61)):
        sla.sla_scan()
    ticket.refresh_from_db()
    assert ticket.priority == "urgent" and ticket.team == team
    assert ticket.events.filter(field="priority", old_value="high", new_value="urgent", actor__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_scanning_at_once_record_each_breach_once(customer, policies):
    with at(T0):
        tickets = [services.ticket_create(requester=customer, subject=f"s{i}", body="b", priority="urgent")
                   for i in range(30)]
    results, barrier = [], threading.Barrier(2)

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(sla.sla_scan(now=T0 + timedelta(hours=1), batch=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r[1] for r in results) == 30  # 30 first-response breaches between them, none twice
    assert SlaTimer.objects.filter(kind="first_response", breached_at__isnull=False).count() == 30
    assert Notification.objects.filter(kind="sla_breach").count() == 30 * len(sla._Recipients()(tickets[0]))


def test_the_due_scan_can_use_its_partial_index(db, customer, policies):
    with at(T0):
        services.ticket_create(requester=customer, subject="s", body="b", priority="urgent")
    query = SlaTimer.objects.filter(sla.RUNNING, breached_at__isnull=True, due_at__lte=T0).order_by("due_at")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "sla_due_scan" in plan, plan


# --- reading -------------------------------------------------------------------------------------------------

def test_report_rates_and_percentiles_by_hand(db, customer, agent, policies):
    """Three urgent tickets: first responses after 5, 10 and 30 minutes against a 15-minute target."""
    for minutes in (5, 10, 30):
        with at(T0):
            ticket = services.ticket_create(requester=customer, subject="s", body="b", priority="urgent")
        if minutes > 15:
            with at(T0 + timedelta(minutes=20)):
                sla.sla_scan()
        with at(T0 + timedelta(minutes=minutes)):
            services.ticket_reply(ticket=ticket, author=agent, body="Hi")
    rows = sla.sla_report(start=T0 - timedelta(days=1), end=T0 + timedelta(days=1))
    first = next(r for r in rows if r["kind"] == "first_response")
    assert (first["group"], first["total"], first["met"]) == ("urgent 24/7", 3, 2)
    assert first["rate"] == pytest.approx(2 / 3)
    assert first["p50_minutes"] == 10.0 and first["p90_minutes"] == pytest.approx(26.0)
    by_language = sla.sla_report(start=T0 - timedelta(days=1), end=T0 + timedelta(days=1), group_by="language")
    assert {r["group"] for r in by_language} == {"en"}


def test_report_of_an_empty_period_is_empty(db):
    assert sla.sla_report(start=T0, end=T0 + timedelta(days=1)) == []


def test_inbox_sorts_by_due_and_shows_breaches(client, db, customer, agent, policies):
    with at(T0):
        low = services.ticket_create(requester=customer, subject="Low one", body="b", priority="low")
        urgent = services.ticket_create(requester=customer, subject="Urgent one", body="b", priority="urgent")
    with at(T0 + timedelta(minutes=20)):
        client.force_login(agent)
        html = client.get("/en/agent/tickets/?view=all").content.decode()
        ticket_page = client.get(f"/en/agent/tickets/{urgent.ref}/").content.decode()
    # Issue #24: what can still be answered in time comes first; the breached ones are a group of their own after it.
    assert html.index(low.ref) < html.index(urgent.ref)
    assert "Breached 5\xa0minutes ago" in html and "Due in 23\xa0hours" in html
    assert 'data-testid="sla-timers"' in ticket_page and "First response" in ticket_page
    assert Ticket.objects.count() == 2


def test_seed_creates_the_demo_policy_set_and_a_calendar(db):
    from tickets.demo import seed_sla

    seed_sla()
    seed_sla()
    targets = {p.priorities[0]: p.first_response_minutes for p in SlaPolicy.objects.all()}
    assert targets == {"urgent": 15, "high": 60, "normal": 240, "low": 1440}
    calendar = BusinessCalendar.objects.get()
    assert calendar.hours.count() == 5 and calendar.holidays.exists()


def test_first_matching_policy_by_language_channel_and_category(db, customer, category):
    korean = SlaPolicy.objects.create(name="Korean email", position=1, languages=["ko"], channels=["email"],
                                      first_response_minutes=30)
    deposits = SlaPolicy.objects.create(name="Deposits", position=2, first_response_minutes=45)
    deposits.categories.add(category)
    fallback = SlaPolicy.objects.create(name="Everything else", position=3, first_response_minutes=600)
    with at(T0):
        ko_mail = services.ticket_create(requester=customer, subject="s", body="b", language="ko", channel="email")
        ko_web = services.ticket_create(requester=customer, subject="s", body="b", language="ko", category=category)
        other = services.ticket_create(requester=customer, subject="s", body="b")
    assert timer(ko_mail, "first_response").policy == korean
    assert timer(ko_web, "first_response").policy == deposits
    assert timer(other, "first_response").policy == fallback
    assert not SlaTimer.objects.filter(ticket=other, kind="resolution").exists()  # no resolution target set


def test_the_ticket_api_shows_agents_the_due_times_and_customers_nothing_of_them(customer, agent, policies):
    from rest_framework.test import APIClient

    with at(T0):
        ticket = services.ticket_create(requester=customer, subject="Deposit missing", body="Where is it?",
                                        priority="high")
    api = APIClient()
    api.force_authenticate(agent)
    shown = api.get(f"/api/v1/tickets/{ticket.ref}/").json()
    assert shown["next_due_at"] == "2026-11-02T13:00:00Z"  # high: first response within 60 minutes
    kinds = {row["kind"]: row for row in shown["sla"]}
    assert kinds["first_response"]["state"] == "running" and kinds["first_response"]["target_minutes"] == 60
    assert kinds["resolution"]["due_at"] == "2026-11-02T20:00:00Z"
    listed = api.get("/api/v1/tickets/").json()["results"][0]
    assert listed["next_due_at"] == shown["next_due_at"] and listed["sla"] == shown["sla"]
    api.force_authenticate(customer)
    own = api.get(f"/api/v1/tickets/{ticket.ref}/").json()
    assert "sla" not in own and "next_due_at" not in own


def _tickets_due_at_several_times(customer):
    """Five tickets: due in 1 and 3 hours, breached 1 hour and 2 weeks ago, and one without a running timer."""
    refs = {}
    for name in ("in_1h", "in_3h", "late_1h", "late_2w", "no_timer"):
        refs[name] = services.ticket_create(requester=customer, subject=name, body="?", priority="high")
    now = datetime.now(UTC)
    due = {"in_1h": now + timedelta(hours=1), "in_3h": now + timedelta(hours=3), "late_1h": now - timedelta(hours=1),
           "late_2w": now - timedelta(days=14)}
    for name, ticket in refs.items():
        timers = SlaTimer.objects.filter(ticket=ticket)
        if name == "no_timer":
            timers.delete()
        else:
            timers.update(due_at=due[name])


def test_due_soonest_puts_what_is_about_to_breach_first_and_breaches_in_their_own_group(customer, agent, policies):
    """Issue #24: "due soonest" put tickets breached two weeks ago first. Now: not yet due, soonest first; then the
    breached ones, latest breach first; then tickets without a running timer."""
    from rest_framework.test import APIClient

    _tickets_due_at_several_times(customer)
    api = APIClient()
    api.force_authenticate(agent)
    listed = [row["subject"] for row in api.get("/api/v1/tickets/?sort=due").json()["results"]]
    assert listed == ["in_1h", "in_3h", "late_1h", "late_2w", "no_timer"]


def test_the_inbox_heads_the_breached_group_in_the_pages_language(client, customer, agent, policies):
    """The inbox (sorted by due time by default) shows the breached tickets and those without a timer under their
    own headings, after what is still due."""
    from django.utils import translation

    _tickets_due_at_several_times(customer)
    client.force_login(agent)
    page = client.get("/ja/agent/tickets/?view=all").content.decode()
    with translation.override("ja"):
        breached, no_timer = translation.gettext("Breached"), translation.gettext("no SLA timer")
    assert breached != "Breached" and page.count('data-testid="inbox-group"') == 2
    assert page.index("in_3h") < page.index(breached) < page.index("late_1h") < page.index(no_timer)

