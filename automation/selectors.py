"""Reads for the supervisors' rules pages (automation.views): the rules in order with how often and when each fired,
the latest changes, what the editor offers to choose from, one trigger's history told in words, and the dry runs
(which open tickets a rule would match now)."""
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from support.domain_events import DomainEvent
from support.models import Team
from support.organisations.selectors import organisation_choices
from tickets.models import BusinessCalendar, Category, FieldType, Status, Ticket, TicketField
from tickets.selectors import agent_list

from .conditions import Facts, matches
from .forms import (
    ACTION_LABELS,
    EVENT_LABELS,
    FIELD_LABELS,
    HOURS_OF_LABELS,
    KIND,
    LEAST_BUSY,
    OP_LABELS,
    TARGET_LABELS,
    VIA_LABELS,
    code_choices,
)
from .models import Automation, Match, NotifyAddress, Trigger, TriggerChange
from .sweep import automation_matching

DRY_RUN_LIMIT = 200
AUTOMATION_DRY_RUN_LIMIT = 50
# Who the dry run's made-up event comes from: who usually causes it (an "is the customer" condition on a trigger
# for new tickets should match them).
DRY_RUN_ACTOR = {"ticket.created": "customer", "ticket.customer_replied": "customer", "chat.rated": "customer",
                 "ticket.agent_replied": "agent", "chat.ended": "system"}


def trigger_list():
    """Every trigger in the order the engine runs them."""
    return Trigger.objects.order_by("position", "id")


def automation_list():
    return Automation.objects.order_by("position", "id")


def trigger_get(*, trigger_id):
    """The trigger, or Trigger.DoesNotExist."""
    return Trigger.objects.get(pk=trigger_id)


def automation_get(*, automation_id):
    return Automation.objects.get(pk=automation_id)


def trigger_ids_in_order():
    return list(trigger_list().values_list("pk", flat=True))


def trigger_changes_recent(*, limit=20):
    """The latest changes to any trigger, who made them first."""
    return TriggerChange.objects.select_related("actor").order_by("-created_at", "-id")[:limit]


def trigger_changes(*, trigger, limit=50):
    return TriggerChange.objects.filter(trigger=trigger).select_related("actor").order_by("-created_at", "-id")[:limit]


def automation_changes(*, automation, limit=50):
    return (TriggerChange.objects.filter(automation=automation).select_related("actor")
            .order_by("-created_at", "-id")[:limit])


def editor_choices():
    """Everything the editor's selects offer, (value as text, label) by kind, and the keys of custom fields that hold
    whole numbers (their values are compared as numbers)."""
    fields = list(TicketField.objects.filter(is_active=True).order_by("position", "key"))
    teams = [(str(team.pk), team.name) for team in Team.objects.order_by("name")]
    agents = [(str(user.pk), user.display_name or user.email) for user in agent_list()]
    return {
        **code_choices(),
        "category": [(str(c.pk), c.name) for c in Category.objects.order_by("position", "slug")],
        "team": teams, "lbteam": teams, "assignee": agents, "organisation": organisation_choices(),
        "assignee_action": [(LEAST_BUSY, _("The least busy agent online")), *agents],
        "calendar": [(str(c.pk), c.name) for c in BusinessCalendar.objects.order_by("name")],
        "key": [(f.key, f.label) for f in fields],
        "address": [(str(a.pk), f"{a.name} <{a.email}>") for a in NotifyAddress.objects.order_by("name")],
        "numeric_keys": {f.key for f in fields if f.type == FieldType.NUMBER},
    }


def _label(labels, kind, value):
    if value is None:
        return _("none")
    return str(dict(labels.get(kind, ())).get(str(value), value))


def _join(labels, kind, value):
    return ", ".join(_label(labels, kind, item) for item in (value if isinstance(value, list) else [value]))


def describe_condition(condition, labels):
    """A condition in words ("Language · is · Korean"), with the names of what its ids point to."""
    field, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    kind = KIND.get(field, "")
    parts = [str(FIELD_LABELS.get(field, field)), str(OP_LABELS.get(op, op))]
    if kind == "hours":
        parts.insert(1, str(HOURS_OF_LABELS.get(condition.get("of"), condition.get("of"))))
        parts.append(_("%(hours)s h") % {"hours": value})
    elif kind == "custom":
        parts[0] = f"{parts[0]} {_label(labels, 'key', condition.get('key'))}"
        if op not in ("is_set", "is_empty"):
            parts.append(str(value))
    elif kind == "phrases":
        parts.append(", ".join(value if isinstance(value, list) else [value]))
    elif kind == "tier":
        parts.append(str(value))
    else:
        parts.append(_join(labels, kind, value))
    return " · ".join(parts)


def describe_action(action, labels):
    """An action in words ("Set the team: Korean payments")."""
    kind_type, value = action.get("type"), action.get("value")
    label = str(ACTION_LABELS.get(kind_type, kind_type))
    if kind_type == "notify":
        target = str(TARGET_LABELS.get(action.get("target"), action.get("target")))
        if action.get("target") == "address":
            target = _label(labels, "address", action.get("address"))
        text = f"{target} ({VIA_LABELS.get(action.get('via'), action.get('via'))})"
    elif kind_type in ("add_tags", "remove_tags"):
        text = ", ".join(value or [])
    elif kind_type == "set_assignee":
        text = _label(labels, "assignee_action", value)
        if value == LEAST_BUSY and action.get("team"):
            text = f"{text} ({_label(labels, 'team', action['team'])})"
    elif kind_type == "set_status":
        text = _label(labels, "status", value)
    else:
        text = _label(labels, kind_type.removeprefix("set_"), value)
    return _("%(action)s: %(value)s") % {"action": label, "value": text}


def _history_fields():
    return (("name", pgettext("workflow rule", "Name")), ("description", pgettext("workflow rule", "Description")),
            ("is_active", _("Active")),
            ("position", _("Position")), ("events", _("Runs on")), ("match", _("Conditions to meet")),
            ("conditions", _("Conditions")), ("actions", _("Actions")),
            # webhooks and notification addresses (automation.webhook_services keeps their changes here too)
            ("url", _("Receiver URL")), ("allow_private", _("Allow private addresses")),
            ("email", _("Email address")), ("language", _("Language")))


def _texts(key, value, labels):
    """A stored value of a trigger as lines of text."""
    if value is None or value == "":
        return []
    if key == "is_active":
        return [_("On") if value else _("Off")]
    if key == "allow_private":
        return [_("Yes") if value else _("No")]
    if key == "position":
        return [str(value + 1)]
    if key == "events":
        return [str(EVENT_LABELS.get(event, event)) for event in value]
    if key == "match":
        return [str(Match(value).label)] if value in Match.values else [str(value)]
    if key == "conditions":
        return [describe_condition(condition, labels) for condition in value]
    if key == "actions":
        return [describe_action(action, labels) for action in value]
    return [str(value)]


def change_fields(change):
    """The names of what a change changed (none for a trigger created or deleted: all of it)."""
    before, after = change.before or {}, change.after or {}
    if not before or not after:
        return []
    return [label for key, label in _history_fields() if before.get(key) != after.get(key)]


def change_diffs(change, labels):
    """What a change changed, field by field: (label, lines before, lines after)."""
    before, after = change.before or {}, change.after or {}
    diffs = [(label, _texts(key, before.get(key), labels), _texts(key, after.get(key), labels))
             for key, label in _history_fields() if before.get(key) != after.get(key)]
    return [diff for diff in diffs if diff[1] or diff[2]]


@dataclass
class DryRun:
    matched: list
    checked: int


def trigger_dry_run(trigger, limit=DRY_RUN_LIMIT):
    """Which open tickets (not solved or closed: the `limit` last updated) the trigger's conditions match now, as if
    its first event had just happened to each. Nothing is written, and the trigger need not be active."""
    name = trigger.events[0] if trigger.events else "ticket.created"
    actor = DRY_RUN_ACTOR.get(name, "agent")
    now = timezone.now()
    tickets = list(Ticket.objects.exclude(status__in=(Status.SOLVED, Status.CLOSED))
                   .select_related("requester", "assignee", "team").order_by("-updated_at", "-id")[:limit])
    matched = [ticket for ticket in tickets
               if matches(trigger, Facts(ticket, DomainEvent(name=name, ticket_id=ticket.pk, actor=actor), now=now))]
    return DryRun(matched=matched, checked=len(tickets))


def automation_dry_run(automation, limit=AUTOMATION_DRY_RUN_LIMIT):
    """The tickets the automation would act on at the next sweep: how many, and the `limit` last updated."""
    tickets = automation_matching(automation)
    shown = list(tickets.select_related("requester", "assignee", "team").order_by("-updated_at", "-id")[:limit])
    return DryRun(matched=shown, checked=tickets.count())
