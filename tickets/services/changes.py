"""Changing tickets: the one function that applies validated changes to a locked ticket (audit trail, SLA timers,
the satisfaction request, who is told), and the services built on it: update, bulk update, SLA escalation."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.domain_events import actor_kind, publish
from support.models import Team, User
from support.roles import is_agent
from support.services import DomainError

from ..csat import csat_request
from ..emails import email_requester
from ..models import Category, Priority, Status, Ticket, TicketEvent
from ..sla_timers import sla_reevaluate, sla_status_changed
from .common import NotAllowed, TicketClosed, audit_event, normalize_tags, ticket_notify
from .fields import ticket_fields_change, ticket_fields_solve_check

AGENT_FIELDS = {"status", "priority", "assignee", "team", "category", "tags", "custom_fields"}
# The domain event a changed field publishes (the others: ticket.<field>_changed).
CHANGE_EVENTS = {"custom_fields": "ticket.fields_changed"}
CUSTOMER_STATUSES = {Status.SOLVED, Status.OPEN}


def ticket_update(*, ticket, actor, **changes):
    """Change status, priority, assignee, team, category, tags or custom field values (`custom_fields`: {key:
    value}, None or "" to empty one; services.fields checks them); every change is recorded in the audit trail.

    Agents may change all of them; the requester may only mark their own ticket solved or reopen it.
    """
    unknown = set(changes) - AGENT_FIELDS
    if unknown:
        raise DomainError(_("Unknown field."), code="invalid", field=sorted(unknown)[0])
    agent = is_agent(actor)
    if not agent:
        if actor.pk != ticket.requester_id or set(changes) - {"status"}:
            raise NotAllowed(_("Only agents can change this."), field=sorted(set(changes) - {"status"} or {"status"})[0])
        if changes.get("status") not in CUSTOMER_STATUSES:
            raise NotAllowed(_("You can only close or reopen your request."), field="status")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == Status.CLOSED:
            raise TicketClosed(_("This request is closed and can no longer be changed."))
        if not agent and changes["status"] == Status.OPEN and locked.status not in (Status.SOLVED, Status.PENDING):
            return locked
        ticket_changes_apply_locked(locked, actor, changes, now=timezone.now())
    ticket.refresh_from_db()
    return ticket


def _validate_change(field, value):
    if field == "status":
        if value not in Status.values or value == Status.NEW:
            raise DomainError(_("Unknown status."), code="invalid_status", field="status")
    elif field == "priority":
        if value not in Priority.values:
            raise DomainError(_("Unknown priority."), code="invalid_priority", field="priority")
    elif field == "assignee":
        if value is not None and (not isinstance(value, User) or not is_agent(value)):
            raise DomainError(_("Tickets can only be assigned to agents."), code="invalid_assignee", field="assignee")
    elif field == "team":
        if value is not None and not isinstance(value, Team):
            raise DomainError(_("Unknown team."), code="invalid_team", field="team")
    elif field == "category":
        if value is not None and not isinstance(value, Category):
            raise DomainError(_("Unknown category."), code="invalid_category", field="category")
    elif field == "tags":
        value = normalize_tags(value)
    return value


def _display(field, value):
    if value is None or value == "":
        return ""
    if field == "assignee":
        return value.display_name
    if field in ("team", "category"):
        return value.slug
    if field == "tags":
        return ", ".join(value)
    return value


def _code(field, value):
    """A changed value as domain events carry it: ids and codes, never objects."""
    if field in ("assignee", "team", "category"):
        return value.pk if value is not None else None
    return list(value) if isinstance(value, (list, tuple)) else value


def ticket_changes_apply_locked(locked, actor, changes, *, now, email_status=True, by_rules=False,
                                solve_check=True):
    """Apply validated changes to a locked ticket, write one audit event per changed field, notify, and publish one
    domain event per changed field after commit (support.domain_events; `by_rules`: a rule made the change).
    An agent who solves the ticket must have filled in the fields required to solve it (`solve_check`)."""
    events, update_fields = [], {"updated_at"}
    old_status = locked.status
    changed = {}
    for field, raw in changes.items():
        if field == "custom_fields":  # one audit event per changed field (services.fields)
            before, after, field_events = ticket_fields_change(locked, actor, raw)
            if field_events:
                changed[field] = [before, after]
                events += field_events
                update_fields.add(field)
            continue
        value = _validate_change(field, raw)
        current = getattr(locked, field)
        if field in ("assignee", "team", "category"):
            if (current.pk if current else None) == (value.pk if value else None):
                continue
        elif current == value:
            continue
        changed[field] = [_code(field, current), _code(field, value)]
        events.append(audit_event(locked, actor, field, _display(field, current), _display(field, value)))
        setattr(locked, field, value)
        update_fields.add(field)
        if field == "assignee" and value is not None and value.pk != getattr(actor, "pk", None):
            ticket_notify(value, "ticket_assigned", locked, for_agent=True)
    if ("status" in update_fields and locked.status == Status.SOLVED and solve_check and not by_rules
            and actor is not None and is_agent(actor)):
        ticket_fields_solve_check(locked)
    if "status" in update_fields:
        if locked.status == Status.SOLVED:
            locked.solved_at = now
            update_fields.add("solved_at")
        elif old_status == Status.SOLVED and locked.status != Status.CLOSED:  # reopened (closing keeps the time)
            locked.solved_at = None
            update_fields.add("solved_at")
        if locked.status == Status.CLOSED:
            locked.closed_at = now
            update_fields.add("closed_at")
    if not events:
        return []
    locked.updated_at = now
    locked.save(update_fields=sorted(update_fields))
    created = TicketEvent.objects.bulk_create(events)
    actor_code = actor_kind(actor, requester_id=locked.requester_id)
    for field, before_after in changed.items():
        publish(CHANGE_EVENTS.get(field, f"ticket.{field}_changed"), ticket_id=locked.pk, actor=actor_code,
                actor_id=getattr(actor, "pk", None), changes={field: before_after}, by_rules=by_rules)
    if "status" in update_fields:
        sla_status_changed(locked, old_status, locked.status, now)
    if {"priority", "category"} & update_fields:
        sla_reevaluate(locked, now)
    if "status" in update_fields and locked.status == Status.SOLVED and old_status != Status.SOLVED:
        csat_request(ticket=locked, now=now)  # "how did we do?", once per solve
    if "status" in update_fields:
        # The requester hears of status changes others make, except the routine new -> open of a first reply.
        routine = old_status == Status.NEW and locked.status == Status.OPEN
        if not routine and getattr(actor, "pk", None) != locked.requester_id:
            ticket_notify(locked.requester, "ticket_status", locked, status=locked.status)
            if email_status:
                status_event = next(e for e in created if e.field == TicketEvent.Field.STATUS)
                email_requester(ticket=locked, kind="ticket_status", status=locked.status, event_id=status_event.pk)
    return created


def ticket_bulk_update(*, tickets, actor, status=None, assignee=None, unassign=False, add_tags=()):
    """Apply the same change to many tickets (inbox bulk actions); each ticket gets its own audit events."""
    if not is_agent(actor):
        raise NotAllowed(_("Only agents can change tickets."))
    add_tags = normalize_tags(add_tags)
    changed = 0
    for ticket in tickets:
        changes = {}
        if status:
            changes["status"] = status
        if assignee is not None:
            changes["assignee"] = assignee
        elif unassign:
            changes["assignee"] = None
        if add_tags:
            changes["tags"] = list(dict.fromkeys([*ticket.tags, *add_tags]))
        if not changes or ticket.status == Status.CLOSED:
            continue
        ticket_update(ticket=ticket, actor=actor, **changes)
        changed += 1
    return changed


def sla_escalate(*, ticket, changes, now):
    """Apply a breached policy's escalation (raise priority, reassign); recorded in the audit trail as the system."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status != Status.CLOSED:
            ticket_changes_apply_locked(locked, None, changes, now=now)
