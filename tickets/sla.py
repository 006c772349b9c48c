"""SLA timers: working-time arithmetic, the timer lifecycle the ticket services drive, the beat scan, and reports.

A timer's due time is always `started_at + target + time spent paused`, measured in the policy's working time
(calendar time, or a business calendar's hours in its time zone, skipping holidays). Storing `paused_seconds`
instead of a moving due time means pausing, resuming and re-evaluating a policy all use that one formula.
Callers hold the ticket's row lock (the ticket services do), so two processes never move one ticket's timers.
"""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Extract
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from support.aggregates import Percentile
from support.models import User
from support.notifications import register_kind
from support.outbox import outbound_emails_queue_many
from support.roles import PERM_SUPERVISOR
from support.services import notifications_create_many

from .models import PRIORITY_RANK, REF_PREFIX, Priority, SlaPolicy, SlaTimer, Status

Kind = SlaTimer.Kind
RUNNING = Q(fulfilled_at__isnull=True, cancelled_at__isnull=True)
PAUSED_STATUSES = (Status.PENDING, Status.ON_HOLD)
DONE_STATUSES = (Status.SOLVED, Status.CLOSED)
MAX_DAYS = 3700  # a target that cannot be met within ten years of working days is a configuration error

register_kind("sla_warning", title=gettext_lazy("%(ref)s: %(timer)s due soon"),
              body=gettext_lazy("“%(subject)s” — due %(due)s (UTC)."),
              prepare=lambda p: {**p, "timer": Kind(p["timer"]).label})
register_kind("sla_breach", title=gettext_lazy("%(ref)s: %(timer)s target breached"),
              body=gettext_lazy("“%(subject)s” — was due %(due)s (UTC)."),
              prepare=lambda p: {**p, "timer": Kind(p["timer"]).label})
# When one scan has many alerts for one person (a surge, or a backlog after downtime), they get one digest instead.
register_kind("sla_warning_digest", title=gettext_lazy("Tickets due soon: %(count)s"),
              body=gettext_lazy("Including %(refs)s."))
register_kind("sla_breach_digest", title=gettext_lazy("Tickets past their targets: %(count)s"),
              body=gettext_lazy("Including %(refs)s."))

DIGEST_LINES = 20  # tickets named in a digest email (the link lists them all)


# --- working time --------------------------------------------------------------------------------------------


class WorkingTime:
    """Seconds of work between instants, and the instant a number of working seconds after another."""

    def __init__(self, calendar=None):
        self.calendar = calendar
        if calendar is None:
            return
        self.tz = ZoneInfo(calendar.timezone)
        self.hours = {day: [] for day in range(7)}
        for row in calendar.hours.all():
            self.hours[row.weekday].append((row.start, row.end))
        for day in self.hours.values():
            day.sort()
        self.holidays = {h.date for h in calendar.holidays.all()}
        if not any(self.hours.values()):
            raise ValueError(f"business calendar {calendar.name!r} has no working hours")

    def _intervals(self, start_date):
        """Working intervals (UTC datetimes) from a local date on. Local wall-clock hours, so DST is respected."""
        for offset in range(MAX_DAYS):
            day = start_date + timedelta(days=offset)
            if day in self.holidays:
                continue
            for begin, end in self.hours[day.weekday()]:
                yield (datetime.combine(day, begin, tzinfo=self.tz).astimezone(UTC),
                       datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC))

    def add(self, start, seconds):
        if self.calendar is None:
            return start + timedelta(seconds=seconds)
        start = start.astimezone(UTC)
        remaining = max(0.0, float(seconds))
        for begin, end in self._intervals(start.astimezone(self.tz).date() - timedelta(days=1)):
            if end <= start:
                continue
            begin = max(begin, start)
            available = (end - begin).total_seconds()
            if remaining <= available:
                return begin + timedelta(seconds=remaining)
            remaining -= available
        raise ValueError("no working time within ten years")

    def between(self, a, b):
        if b <= a:
            return 0
        if self.calendar is None:
            return int((b - a).total_seconds())
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        total = 0.0
        for begin, end in self._intervals(a.astimezone(self.tz).date() - timedelta(days=1)):
            if begin >= b:
                break
            overlap = (min(end, b) - max(begin, a)).total_seconds()
            if overlap > 0:
                total += overlap
        return int(total)


def _working_time(policy):
    calendar = policy.calendar if policy is not None else None
    return WorkingTime(calendar)


# --- policies ------------------------------------------------------------------------------------------------


def policy_for(ticket):
    """The first active policy, by position, whose conditions the ticket meets (None: no SLA)."""
    policies = (SlaPolicy.objects.filter(is_active=True).select_related("calendar")
                .prefetch_related("categories", "calendar__hours", "calendar__holidays").order_by("position", "id"))
    for policy in policies:
        if policy.priorities and ticket.priority not in policy.priorities:
            continue
        if policy.languages and ticket.language not in policy.languages:
            continue
        if policy.channels and ticket.channel not in policy.channels:
            continue
        category_ids = {c.pk for c in policy.categories.all()}
        if category_ids and ticket.category_id not in category_ids:
            continue
        return policy
    return None


def _target(policy, kind):
    return {Kind.FIRST_RESPONSE: policy.first_response_minutes, Kind.NEXT_RESPONSE: policy.next_response_minutes,
            Kind.RESOLUTION: policy.resolution_minutes}[kind]


def _schedule(timer, policy, *, paused):
    """Set due and warning times from the one formula (or clear them while paused)."""
    if paused:
        timer.due_at = timer.warn_at = None
        return
    work = _working_time(policy)
    target = timer.target_minutes * 60
    timer.due_at = work.add(timer.started_at, target + timer.paused_seconds)
    percent = policy.warning_percent if policy is not None else 80
    timer.warn_at = work.add(timer.started_at, target * percent / 100 + timer.paused_seconds)


# --- lifecycle (called by tickets.services with the ticket row locked) ---------------------------------------


def _start(ticket, kind, now, policy):
    minutes = _target(policy, kind) if policy is not None else None
    if not minutes:
        return None
    timer = SlaTimer(ticket=ticket, policy=policy, kind=kind, target_minutes=minutes, started_at=now)
    paused = ticket.status in PAUSED_STATUSES
    if paused:
        timer.paused_at = now
    _schedule(timer, policy, paused=paused)
    timer.save()
    return timer


def _running(ticket, *kinds):
    qs = SlaTimer.objects.filter(RUNNING, ticket=ticket).select_related("policy__calendar")
    return list(qs.filter(kind__in=kinds) if kinds else qs)


def _finish(timers, now, *, cancelled=False):
    for timer in timers:
        if cancelled:
            timer.cancelled_at = now
        else:
            timer.fulfilled_at = now
        if timer.paused_at is not None:
            timer.paused_seconds += _working_time(timer.policy).between(timer.paused_at, now)
            timer.paused_at = None
        timer.save(update_fields=["fulfilled_at", "cancelled_at", "paused_at", "paused_seconds"])


def sla_ticket_created(ticket, now):
    policy = policy_for(ticket)
    _start(ticket, Kind.FIRST_RESPONSE, now, policy)
    _start(ticket, Kind.RESOLUTION, now, policy)


def sla_agent_replied(ticket, now):
    """A public agent reply fulfils the first response and the pending next response (internal notes do not)."""
    _finish(_running(ticket, Kind.FIRST_RESPONSE, Kind.NEXT_RESPONSE), now)


def sla_customer_replied(ticket, now):
    """Each customer reply after the first response starts a next-response timer."""
    if _running(ticket, Kind.FIRST_RESPONSE, Kind.NEXT_RESPONSE):
        return  # a response is already owed; its clock keeps running
    _start(ticket, Kind.NEXT_RESPONSE, now, policy_for(ticket))


def sla_status_changed(ticket, old, new, now):
    if new in DONE_STATUSES:
        _finish(_running(ticket), now)
        return
    if old in DONE_STATUSES and new not in DONE_STATUSES:
        # Reopened: the resolution clock starts again.
        _start(ticket, Kind.RESOLUTION, now, policy_for(ticket))
        return
    was_paused, paused = old in PAUSED_STATUSES, new in PAUSED_STATUSES
    if was_paused == paused:
        return
    for timer in _running(ticket):
        if paused and timer.paused_at is None:
            timer.paused_at = now
        elif not paused and timer.paused_at is not None:
            timer.paused_seconds += _working_time(timer.policy).between(timer.paused_at, now)
            timer.paused_at = None
        _schedule(timer, timer.policy, paused=paused)
        timer.save(update_fields=["paused_at", "paused_seconds", "due_at", "warn_at"])


def sla_reevaluate(ticket, now):
    """Priority or category changed: running timers take the targets of the policy that matches now."""
    policy = policy_for(ticket)
    for timer in _running(ticket):
        minutes = _target(policy, timer.kind) if policy is not None else None
        if not minutes:
            timer.cancelled_at = now
            timer.save(update_fields=["cancelled_at"])
            continue
        timer.policy, timer.target_minutes = policy, minutes
        if timer.breached_at is None:
            _schedule(timer, policy, paused=timer.paused_at is not None)
        timer.save(update_fields=["policy", "target_minutes", "due_at", "warn_at"])


def sla_cancel(ticket, now):
    _finish(_running(ticket), now, cancelled=True)


# --- the beat scan -------------------------------------------------------------------------------------------


class _Recipients:
    """Who is told about a ticket's timer: its assignee; else its team; else the supervisors. Team members and
    supervisors are read once per scan, not once per timer."""

    def __init__(self):
        self.teams, self.supervisors = {}, None

    def __call__(self, ticket):
        """`ticket`: anything with assignee_id, assignee (a User or None) and team_id (a Ticket, or a _Due)."""
        if ticket.assignee_id and ticket.assignee is not None and ticket.assignee.is_active:
            return [ticket.assignee]
        if ticket.team_id:
            if ticket.team_id not in self.teams:
                self.teams[ticket.team_id] = list(User.objects.filter(is_active=True,
                                                                      agent_profile__team_id=ticket.team_id))
            if self.teams[ticket.team_id]:
                return self.teams[ticket.team_id]
        if self.supervisors is None:
            codename = PERM_SUPERVISOR.split(".")[1]
            self.supervisors = list(User.objects.filter(is_active=True,
                                                        groups__permissions__codename=codename).distinct())
        return self.supervisors


@dataclass
class _Due:
    """A timer the scan has just marked, with what its alerts need of the ticket (no model instances: at 10,000
    due timers, building them and parsing their unused dates was most of the scan's time)."""
    id: int
    kind: str
    due_at: datetime
    policy_id: int | None
    ticket_id: int
    number: int
    subject: str
    priority: str
    assignee_id: int | None
    team_id: int | None
    assignee: User | None = None

    @property
    def ref(self):
        return f"{REF_PREFIX}{self.number}"


# One statement claims and marks a batch: the inner SELECT locks due rows with SKIP LOCKED (concurrent scans take
# different rows, and a row another scan marked meanwhile no longer matches), the UPDATE marks them, and the outer
# SELECT returns what the alerts need. The inner conditions match the partial indexes sla_warn_scan / sla_due_scan.
_CLAIM_SQL = {
    "sla_warning": """
        UPDATE tickets_slatimer SET warned_at = %(now)s WHERE id IN (
            SELECT id FROM tickets_slatimer
            WHERE warned_at IS NULL AND breached_at IS NULL AND fulfilled_at IS NULL AND cancelled_at IS NULL
              AND warn_at IS NOT NULL AND warn_at <= %(now)s AND due_at > %(now)s
            ORDER BY warn_at LIMIT %(batch)s FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, due_at, policy_id, ticket_id""",
    "sla_breach": """
        UPDATE tickets_slatimer SET breached_at = due_at WHERE id IN (
            SELECT id FROM tickets_slatimer
            WHERE breached_at IS NULL AND fulfilled_at IS NULL AND cancelled_at IS NULL
              AND due_at IS NOT NULL AND due_at <= %(now)s
            ORDER BY due_at LIMIT %(batch)s FOR UPDATE SKIP LOCKED)
        RETURNING id, kind, due_at, policy_id, ticket_id""",
}


def _claim(kind, now, batch):
    """Mark up to `batch` due timers (warned or breached) and return them as _Due rows, soonest first."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH claimed AS ({_CLAIM_SQL[kind]})
            SELECT c.id, c.kind, c.due_at, c.policy_id, c.ticket_id, t.number, t.subject, t.priority, t.assignee_id,
                   t.team_id
            FROM claimed c JOIN tickets_ticket t ON t.id = c.ticket_id ORDER BY c.due_at, c.id""",
                       {"now": now, "batch": batch})
        rows = [_Due(*row) for row in cursor.fetchall()]
    assignees = User.objects.in_bulk({row.assignee_id for row in rows if row.assignee_id})
    for row in rows:
        row.assignee = assignees.get(row.assignee_id)
    return rows


def _alert_many(timers, kind, recipients=None):
    """`timers`: _Due rows (see _claim). Tell each timer's people, in-site and by email in their language: one INSERT of notifications and one of
    outbox rows for the whole batch. Someone with more than SLA_ALERT_DIGEST_AFTER alerts in the batch gets one
    digest (a count, the first tickets, and a link to their inbox sorted by due time) instead: a surge must not bury
    an agent under hundreds of emails, nor the outbox under a message per ticket."""
    recipients = recipients or _Recipients()
    per_user = {}
    for timer in timers:
        for user in recipients(timer):
            per_user.setdefault(user.pk, (user, []))[1].append(timer)
    notifications, emails = [], []
    for user, own in per_user.values():
        if len(own) > settings.SLA_ALERT_DIGEST_AFTER:
            _digest(user, own, kind, notifications, emails)
            continue
        for timer in own:
            ticket = timer
            due = timer.due_at.strftime("%Y-%m-%d %H:%M")
            url = f"/{user.language}/agent/tickets/{ticket.ref}/"
            notifications.append({"user": user, "kind": kind, "url": url, "params": {
                "ref": ticket.ref, "subject": ticket.subject, "timer": timer.kind, "due": due}})
            with translation.override(user.language):
                label = Kind(timer.kind).label
                if kind == "sla_breach":
                    subject = _("[%(ref)s] %(timer)s target breached") % {"ref": ticket.ref, "timer": label}
                else:
                    subject = _("[%(ref)s] %(timer)s due soon") % {"ref": ticket.ref, "timer": label}
                body = _("Ticket %(ref)s “%(subject)s” (priority %(priority)s): %(timer)s due %(due)s UTC.\n"
                         "%(url)s") % {
                    "ref": ticket.ref, "subject": ticket.subject, "priority": Priority(ticket.priority).label,
                    "timer": label, "due": due, "url": f"{settings.SITE_URL}{url}"}
            emails.append({"to_email": user.email, "user": user, "subject": subject, "body_text": body,
                           "auto_generated": True, "topic": f"sla:{ticket.ref}"})
    if notifications:
        notifications_create_many(notifications)
        outbound_emails_queue_many(emails)


def _digest(user, timers, kind, notifications, emails):
    """One notification and one email for many timers of one person: the count, the first tickets by due time,
    and their inbox sorted by due time (their own tickets when they are the assignee of all of them)."""
    timers = sorted(timers, key=lambda timer: timer.due_at)
    refs = [timer.ref for timer in timers]
    own = all(timer.assignee_id == user.pk for timer in timers)
    url = f"/{user.language}/agent/tickets/?sort=due" + ("&assignee=me" if own else "")
    notifications.append({"user": user, "kind": f"{kind}_digest", "url": url, "params": {
        "count": len(timers), "refs": ", ".join(refs[:5]) + (" …" if len(refs) > 5 else "")}})
    with translation.override(user.language):
        if kind == "sla_breach":
            subject = _("Tickets past their targets: %(count)s") % {"count": len(timers)}
        else:
            subject = _("Tickets due soon: %(count)s") % {"count": len(timers)}
        lines = [f"{timer.ref}  {Kind(timer.kind).label}, {timer.due_at:%Y-%m-%d %H:%M} UTC  "
                 f"“{timer.subject}”" for timer in timers[:DIGEST_LINES]]
        body = _("The first by due time:\n%(lines)s\n\nAll of them: %(url)s") % {
            "lines": "\n".join(lines), "url": f"{settings.SITE_URL}{url}"}
    emails.append({"to_email": user.email, "user": user, "subject": subject, "body_text": body,
                   "auto_generated": True, "topic": f"sla-digest:{kind}"})


def _escalate(timer, now):
    from . import services

    policy = timer.policy
    if policy is None:
        return
    changes = {}
    if policy.escalate_priority:
        rank = PRIORITY_RANK[timer.ticket.priority]
        higher = [p for p, r in PRIORITY_RANK.items() if r == rank + 1]
        if higher:
            changes["priority"] = higher[0]
    if policy.escalate_team_id and timer.ticket.team_id != policy.escalate_team_id:
        changes["team"] = policy.escalate_team
    if policy.escalate_to_id and timer.ticket.assignee_id != policy.escalate_to_id:
        changes["assignee"] = policy.escalate_to
    if changes:
        services.sla_escalate(ticket=timer.ticket, changes=changes, now=now)


def sla_scan(*, now=None, batch=5000):
    """Record warnings and breaches that are due, each exactly once, even when two scans run at once.

    Each batch is claimed and marked in one statement (see _CLAIM_SQL: FOR UPDATE SKIP LOCKED, so concurrent scans
    take different rows) and its alerts are written in two INSERTs, in one transaction. A breach is dated at the
    due time, not when a scan noticed it, so a scan after downtime reports truly. Returns (warnings, breaches).
    """
    now = now or timezone.now()
    recipients = _Recipients()
    counts = {}
    for kind in ("sla_warning", "sla_breach"):  # a timer already past due gets the breach, not a late warning
        counts[kind] = 0
        while True:
            with transaction.atomic():
                due = _claim(kind, now, batch)
                _alert_many(due, kind, recipients)
                if kind == "sla_breach":
                    _escalate_many(due, now)
            counts[kind] += len(due)
            if len(due) < batch:
                break
    return counts["sla_warning"], counts["sla_breach"]


def _escalate_many(due, now):
    """Apply the escalations of the breached timers whose policy asks for one (policies read once)."""
    policies = {policy.pk: policy for policy in SlaPolicy.objects.filter(
        pk__in={row.policy_id for row in due if row.policy_id}).select_related("escalate_team", "escalate_to")
        if policy.escalate_priority or policy.escalate_team_id or policy.escalate_to_id}
    if not policies:
        return
    timers = SlaTimer.objects.filter(pk__in=[row.id for row in due if row.policy_id in policies]).select_related(
        "ticket").order_by("due_at", "id")
    for timer in timers:
        timer.policy = policies[timer.policy_id]
        _escalate(timer, now)


# --- reading -------------------------------------------------------------------------------------------------


def next_due_subquery():
    """For annotating tickets: the soonest due time of a running, unpaused timer."""
    return Subquery(SlaTimer.objects.filter(RUNNING, ticket=OuterRef("pk"), due_at__isnull=False)
                    .order_by("due_at").values("due_at")[:1])


@dataclass
class TimerView:
    timer: SlaTimer
    state: str  # running, paused, met, missed, breached, cancelled


def timer_state(timer):
    """running, paused, met, missed, breached or cancelled."""
    if timer.cancelled_at:
        return "cancelled"
    if timer.fulfilled_at:
        return "met" if timer.met else "missed"
    if timer.breached_at:
        return "breached"
    if timer.paused_at:
        return "paused"
    return "running"


def timers_for_ticket(ticket):
    return [TimerView(timer, timer_state(timer))
            for timer in SlaTimer.objects.filter(ticket=ticket).select_related("policy").order_by("started_at", "id")]


# A finished timer was met when it was fulfilled without a breach, by its due time; reports share this definition.
TIMER_FINISHED = Q(fulfilled_at__isnull=False) | Q(breached_at__isnull=False)
TIMER_MET = Q(fulfilled_at__isnull=False, breached_at__isnull=True) & (Q(due_at__isnull=True)
                                                                      | Q(fulfilled_at__lte=F("due_at")))


def sla_report(*, start, end, group_by="policy"):
    """Achievement and times per policy or language, for first response and resolution timers started in the
    period and finished (met, missed or breached). Rows: {group, kind, total, met, rate, p50_minutes, p90_minutes}
    where the times are from start to fulfilment in calendar minutes."""
    group_field = {"policy": "policy__name", "language": "ticket__language"}[group_by]
    finished, met = TIMER_FINISHED, TIMER_MET
    seconds = Extract(F("fulfilled_at") - F("started_at"), "epoch")
    rows = (SlaTimer.objects.filter(finished, cancelled_at__isnull=True, started_at__gte=start, started_at__lt=end,
                                    kind__in=[Kind.FIRST_RESPONSE, Kind.RESOLUTION])
            .values(group_field, "kind")
            .annotate(total=Count("id"), met=Count("id", filter=met),
                      p50=Percentile(seconds, 0.5, filter=Q(fulfilled_at__isnull=False)),
                      p90=Percentile(seconds, 0.9, filter=Q(fulfilled_at__isnull=False)))
            .order_by(group_field, "kind"))
    return [
        {"group": row[group_field] or "—", "kind": row["kind"], "total": row["total"], "met": row["met"],
         "rate": row["met"] / row["total"] if row["total"] else None,
         "p50_minutes": round(row["p50"] / 60, 1) if row["p50"] is not None else None,
         "p90_minutes": round(row["p90"] / 60, 1) if row["p90"] is not None else None}
        for row in rows
    ]
