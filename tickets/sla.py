"""SLA: the beat scan that records warnings and breaches, tells the people concerned (the kinds of notification
are in tickets.notifications) and escalates; and the public face of the SLA modules, which callers import as
`tickets.sla`:

    working_time  working-time arithmetic (calendar time, or a business calendar's hours)
    sla_timers    which policy applies, and the timer lifecycle the ticket services drive with the row locked
    sla_reading   timer states, the soonest due time, and the achievement report
    sla (this)    the beat scan, its alerts and escalations (it calls tickets.services, so nothing below imports it)
"""
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from support.models import User
from support.outbox import outbound_emails_queue_many
from support.roles import PERM_SUPERVISOR
from support.services import notifications_create_many

from . import services
from .models import PRIORITY_RANK, REF_PREFIX, Priority, SlaPolicy, SlaTimer
from .sla_reading import (
    TIMER_FINISHED,
    TIMER_MET,
    TimerView,
    next_due_subquery,
    sla_report,
    timer_state,
    timers_for_ticket,
)
from .sla_timers import (
    DONE_STATUSES,
    PAUSED_STATUSES,
    RUNNING,
    Kind,
    policy_for,
    sla_agent_replied,
    sla_cancel,
    sla_customer_replied,
    sla_reevaluate,
    sla_status_changed,
    sla_ticket_created,
)
from .working_time import MAX_DAYS, WorkingTime

__all__ = [
    "DIGEST_LINES", "DONE_STATUSES", "MAX_DAYS", "PAUSED_STATUSES", "RUNNING", "TIMER_FINISHED", "TIMER_MET", "Kind",
    "TimerView", "WorkingTime", "next_due_subquery", "policy_for", "sla_agent_replied", "sla_cancel",
    "sla_customer_replied", "sla_reevaluate", "sla_report", "sla_scan", "sla_status_changed", "sla_ticket_created",
    "timer_state", "timers_for_ticket",
]

DIGEST_LINES = 20  # tickets named in a digest email (the link lists them all)


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
