"""SLA timers on one ticket: which policy applies, and the timer lifecycle the ticket services drive (start, pause,
resume, fulfil, cancel, re-evaluate) with the ticket's row locked, so two processes never move one ticket's timers.
A timer's due time is always `started_at + target + time spent paused`, measured in the policy's working time
(tickets.working_time): storing `paused_seconds` instead of a moving due time means pausing, resuming and
re-evaluating a policy all use that one formula."""
from django.db.models import Q

from .models import SlaPolicy, SlaTimer, Status
from .working_time import working_time_for

Kind = SlaTimer.Kind
RUNNING = Q(fulfilled_at__isnull=True, cancelled_at__isnull=True)
PAUSED_STATUSES = (Status.PENDING, Status.ON_HOLD)
DONE_STATUSES = (Status.SOLVED, Status.CLOSED)


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
    work = working_time_for(policy)
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
            timer.paused_seconds += working_time_for(timer.policy).between(timer.paused_at, now)
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
            timer.paused_seconds += working_time_for(timer.policy).between(timer.paused_at, now)
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

