"""Automations: time-based rules, run by the beat over an indexed, set-based query (like the SLA scan), each acting on
a ticket once until the ticket changes again.

An automation's conditions are the triggers' ticket conditions the database can test (channel, language, priority,
status, category, team, assignee, the requester's organisation, tags, custom fields) and at least one time condition:

    {"field": "hours_since", "of": "created" | "updated" | "pending" | "solved" | "breach", "op": "gte" | "lte",
     "value": hours (a number: 0.25 is 15 minutes)}

"pending" counts from the last time the ticket was set pending (its audit trail), "breach" from its first breached
SLA target. A sweep asks, per active automation in position order, for the open tickets that match and that it has
not acted on since they last changed (no AutomationRun at or after their updated_at), a batch at a time; each is
locked with SKIP LOCKED (two sweeps at once never take the same ticket), tested again under the lock, and given the
actions (automation.actions, as the system, through the services' rule for changes: audit trail, SLA timers,
notifications; the changes are ordinary events for triggers and webhooks). The run is recorded with the ticket's
updated_at after the actions, so an action that changes nothing (a reminder) is not repeated, and a ticket that
changes again (the customer answers, then goes quiet) is acted on again.
"""
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from support.domain_events import DomainEvent
from tickets.models import SlaTimer, Status, Ticket, TicketEvent
from tickets.services import ticket_changes_apply_locked

from .actions import actions_apply
from .conditions import CODES, IDS, ConditionInvalid, conditions_clean
from .models import Automation, AutomationRun

logger = logging.getLogger(__name__)
HOURS_OF = ("created", "updated", "pending", "solved", "breach")
IN_DATABASE = (*CODES, *IDS, "requester_organisation", "tags", "field")
MAX_HOURS = 24 * 366
BATCH = 500
CHUNK = 50  # tickets acted on per transaction
WINDOW_MARGIN = timedelta(minutes=10)


def automation_conditions_clean(conditions):
    """The conditions in their stored shape, or ConditionInvalid: at least one time condition, and only conditions
    the database can test."""
    if not isinstance(conditions, list):
        raise ConditionInvalid(_("Conditions must be a list of at most %(count)s.") % {"count": 30})
    timed = [c for c in conditions if isinstance(c, dict) and c.get("field") == "hours_since"]
    others = [c for c in conditions if c not in timed]
    if not timed:
        raise ConditionInvalid(_("An automation needs a time condition (hours since created, updated, pending, "
                                 "solved or an SLA breach)."))
    cleaned = []
    for condition in timed:
        hours = condition.get("value")
        if condition.get("of") not in HOURS_OF or condition.get("op") not in ("gte", "lte") or isinstance(
                hours, bool) or not isinstance(hours, (int, float)) or not 0 <= hours <= MAX_HOURS:
            raise ConditionInvalid(_("A time condition is hours since created, updated, pending, solved or an SLA "
                                     "breach, at least or at most a number of hours up to a year."))
        cleaned.append({"field": "hours_since", "of": condition["of"], "op": condition["op"], "value": hours})
    for condition in conditions_clean(others):
        if condition["field"] not in IN_DATABASE or condition["field"] == "actor":
            raise ConditionInvalid(_("This condition is for triggers only: automations test what the database "
                                     "knows of a ticket."))
        cleaned.append(condition)
    return cleaned


def _code_q(condition):
    name, op, value = condition["field"], condition["op"], condition.get("value")
    column = f"{name}_id" if name in IDS else name
    if name == "requester_organisation":
        column = "requester__organisation_id"
    if name == "tags":
        if op == "contains_any":
            return Q(tags__overlap=value)
        return Q(tags__contains=[value]) if op == "contains" else ~Q(tags__contains=[value])
    if name == "field":
        path = f"custom_fields__{condition['key']}"
        empty = Q(**{f"{path}__isnull": True}) | Q(**{path: ""}) | Q(**{path: []}) | Q(**{path: False})
        if op in ("is_set", "is_empty"):
            return empty if op == "is_empty" else ~empty
        if op == "contains":
            return Q(**{f"{path}__icontains": str(value)}) | Q(**{f"{path}__contains": [value]})
        return Q(**{path: value}) if op == "is" else ~Q(**{path: value})
    if op == "in":
        present = [v for v in value if v is not None]
        q = Q(**{f"{column}__in": present})
        return q | Q(**{f"{column}__isnull": True}) if None in value else q
    q = Q(**{f"{column}__isnull": True}) if value is None else Q(**{column: value})
    return q if op == "is" else ~q


def automation_query(automation, now):
    """(annotations, filter) selecting the tickets the automation's conditions match at `now`, closed ones never."""
    annotations, q = {}, ~Q(status=Status.CLOSED)
    for condition in automation.conditions:
        if condition["field"] != "hours_since":
            q &= _code_q(condition)
            continue
        of = condition["of"]
        if of == "pending":
            annotations["pending_since"] = Subquery(
                TicketEvent.objects.filter(ticket=OuterRef("pk"), field=TicketEvent.Field.STATUS,
                                           new_value=Status.PENDING)
                .order_by("-created_at").values("created_at")[:1])
            column = "pending_since"
            q &= Q(status=Status.PENDING)
        elif of == "breach":
            annotations["breached_since"] = Subquery(
                SlaTimer.objects.filter(ticket=OuterRef("pk"), breached_at__isnull=False).order_by("breached_at")
                .values("breached_at")[:1])
            column = "breached_since"
        else:
            column = {"created": "created_at", "updated": "updated_at", "solved": "solved_at"}[of]
        edge = now - timedelta(hours=condition["value"])
        q &= Q(**{f"{column}__lte": edge}) if condition["op"] == "gte" else Q(**{f"{column}__gte": edge})
    return annotations, q


def _not_acted(automation):
    return ~Exists(AutomationRun.objects.filter(automation=automation, ticket=OuterRef("pk"),
                                                version__gte=OuterRef("updated_at")))


def _window(automation, since, now):
    """The tickets that may have become due since the last complete sweep (`since`): those changed since (any change
    to what a condition reads moves updated_at), and those whose "at least N hours since" threshold was crossed since
    (the others crossed it earlier and were handled then). WINDOW_MARGIN more on each side: a change committed late
    (its updated_at is its transaction's time) is still seen. One `id IN (... UNION ...)` of small index ranges (an
    OR of them would make the planner test every ticket)."""
    start = since - WINDOW_MARGIN
    parts = [Ticket.objects.filter(updated_at__gt=start).order_by().values("pk")]
    for condition in automation.conditions:
        if condition["field"] != "hours_since" or condition["op"] != "gte":
            continue  # "at most N hours since" holds only for recent tickets: changed ones, already in the window
        hours = timedelta(hours=condition["value"])
        crossed = {"gt": start - hours, "lte": now - hours}
        of = condition["of"]
        if of == "pending":
            parts.append(TicketEvent.objects.filter(
                field=TicketEvent.Field.STATUS, new_value=Status.PENDING,
                **{f"created_at__{op}": edge for op, edge in crossed.items()}).order_by().values("ticket_id"))
        elif of == "breach":
            parts.append(SlaTimer.objects.filter(**{f"breached_at__{op}": edge for op, edge in crossed.items()})
                         .order_by().values("ticket_id"))
        else:
            column = {"created": "created_at", "updated": "updated_at", "solved": "solved_at"}[of]
            parts.append(Ticket.objects.filter(**{f"{column}__{op}": edge for op, edge in crossed.items()})
                         .order_by().values("pk"))
    return Q(pk__in=parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0])


def automation_matching(automation, *, now=None, since=None):
    """The tickets the automation would act on now (the dry run and the sweep): a queryset. With `since` (the last
    complete sweep), only those that may have become due after it: the same answer, read from a window instead of
    every ticket the automation ever acted on (see automations_run)."""
    now = now or timezone.now()
    annotations, q = automation_query(automation, now)
    tickets = Ticket.objects.annotate(**annotations).filter(q).filter(_not_acted(automation))
    return tickets if since is None else tickets.filter(_window(automation, since, now))


def automations_run(*, now=None, batch=BATCH, full=False):
    """The beat: every active automation, in position order, on the tickets it matches; returns {id: acted}. The
    tickets are acted on CHUNK to a transaction (one commit for many, not one each), each in a savepoint of its own:
    one that fails is logged and rolled back alone, the others stand.

    A sweep reads only the window since the automation's last complete sweep (`swept_until`), so its cost follows
    what happened since, not the backlog of tickets it acted on long ago (a million tickets, 120,000 of them reminded
    and still pending: 2.4 s for every sweep before). A sweep is complete when it took every candidate (fewer than
    a batch) and acted on each; otherwise the window stays where it was and the next sweep looks again (a ticket
    locked by another transaction, or one whose change failed, is not lost). `full`: every ticket (the daily sweep,
    for what moves no updated_at: a customer joining an organisation); an automation never swept, or whose
    conditions changed, is swept in full too."""
    now = now or timezone.now()
    acted = {}
    for automation in Automation.objects.filter(is_active=True).order_by("position", "id"):
        since = None if full else automation.swept_until
        ids = list(automation_matching(automation, now=now, since=since).order_by("pk")
                   .values_list("pk", flat=True)[:batch])
        count = 0
        for start in range(0, len(ids), CHUNK):
            with transaction.atomic():
                count += _act_chunk(automation, ids[start:start + CHUNK], now)
        if count:
            Automation.objects.filter(pk=automation.pk).update(fire_count=F("fire_count") + count, last_fired_at=now)
        if len(ids) < batch and count == len(ids):  # (unless it was edited meanwhile: then it starts in full)
            Automation.objects.filter(pk=automation.pk, updated_at=automation.updated_at).update(swept_until=now)
        acted[automation.pk] = count
    return acted


def _act_chunk(automation, ids, now):
    """Lock the chunk's tickets that still match and were not acted on since they last changed, in one statement
    (SKIP LOCKED: a ticket another sweep or an agent holds is left for the next sweep); act on each in a savepoint of
    its own, as the system; record the runs at each ticket's new updated_at. Returns how many it acted on."""
    annotations, q = automation_query(automation, now)
    tickets = list(Ticket.objects.select_for_update(skip_locked=True, of=("self",)).annotate(**annotations)
                   .filter(q, pk__in=ids).filter(_not_acted(automation)).select_related("requester", "assignee")
                   .order_by("pk"))
    runs = []
    for ticket in tickets:
        try:
            with transaction.atomic():
                outcome = _act(automation, ticket, now)
        except Exception:  # noqa: BLE001 - one ticket's failure (a bad macro, a constraint) must not stop the sweep
            logger.exception("automation %s on ticket %s failed; rolled back, tried again at the next sweep",
                             automation.pk, ticket.pk)
            continue
        runs.append(AutomationRun(automation=automation, ticket=ticket, version=ticket.updated_at, acted_at=now,
                                  outcome=outcome))
    AutomationRun.objects.bulk_create(runs)
    return len(runs)


def _act(automation, ticket, now):
    """The automation's actions on one locked ticket; their outcome."""
    def apply_changes(changes):
        return ticket_changes_apply_locked(ticket, None, changes, now=now, email_status=False)

    fired = DomainEvent(name="automation.fired", ticket_id=ticket.pk, actor="system",
                        changes={"automation": [None, automation.pk]})
    outcome, _changed = actions_apply(automation, ticket, now=now, apply_changes=apply_changes, event=fired)
    return outcome
