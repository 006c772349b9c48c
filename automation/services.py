"""Writing triggers: create, change, delete and reorder, each checked (automation.conditions / actions: a
trigger the engine cannot read is never stored), recorded (TriggerChange: who, when, before and after) and made
known to every process's engine (engine.triggers_changed) after commit."""
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from support.domain_events import EVENTS
from support.services import DomainError

from .actions import ActionInvalid, actions_clean
from .conditions import ConditionInvalid, conditions_clean
from .engine import triggers_changed
from .models import Automation, Match, Trigger, TriggerChange
from .sweep import automation_conditions_clean

TICKET_EVENTS = tuple(name for name in EVENTS if name.startswith("ticket.")) + ("chat.ended", "chat.rated")
EDITABLE = ("name", "description", "is_active", "events", "match", "conditions", "actions")


class TriggerInvalid(DomainError):
    code = "invalid_trigger"


def trigger_snapshot(trigger):
    """A trigger as its change history keeps it."""
    return {"name": trigger.name, "description": trigger.description, "is_active": trigger.is_active,
            "position": trigger.position, "events": list(trigger.events), "match": trigger.match,
            "conditions": trigger.conditions, "actions": trigger.actions}


def _clean(values):
    cleaned = {}
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        raise TriggerInvalid(_("Give the trigger a name (at most 120 characters)."), field="name")
    cleaned["name"] = name
    cleaned["description"] = (values.get("description") or "").strip()[:2000]
    cleaned["is_active"] = bool(values.get("is_active", True))
    events = values.get("events")
    if not isinstance(events, list) or not events or any(event not in TICKET_EVENTS for event in events):
        raise TriggerInvalid(_("Choose at least one event the trigger runs on."), field="events")
    cleaned["events"] = list(dict.fromkeys(events))
    match = values.get("match", Match.ALL)
    if match not in Match.values:
        raise TriggerInvalid(_("Match all conditions or any of them."), field="match")
    cleaned["match"] = match
    try:
        cleaned["conditions"] = conditions_clean(values.get("conditions") or [])
    except ConditionInvalid as exc:
        raise TriggerInvalid(str(exc), field="conditions") from exc
    try:
        cleaned["actions"] = actions_clean(values.get("actions"))
    except ActionInvalid as exc:
        raise TriggerInvalid(str(exc), field="actions") from exc
    return cleaned


def _record(trigger, actor, action, before, after):
    TriggerChange.objects.create(trigger=trigger if action != TriggerChange.Action.DELETED else None,
                                 trigger_name=(after or before)["name"], actor=actor, action=action,
                                 before=before, after=after)
    transaction.on_commit(triggers_changed)


def trigger_create(*, actor, **values):
    """A new trigger, last in the order."""
    cleaned = _clean(values)
    with transaction.atomic():
        last = Trigger.objects.aggregate(last=Max("position"))["last"]
        trigger = Trigger.objects.create(created_by=actor, position=0 if last is None else last + 1, **cleaned)
        _record(trigger, actor, TriggerChange.Action.CREATED, None, trigger_snapshot(trigger))
    return trigger


def trigger_update(*, trigger, actor, **values):
    """Change a trigger (every editable field given, as on create)."""
    cleaned = _clean({**trigger_snapshot(trigger), **values})
    with transaction.atomic():
        locked = Trigger.objects.select_for_update().get(pk=trigger.pk)
        before = trigger_snapshot(locked)
        for field, value in cleaned.items():
            setattr(locked, field, value)
        locked.updated_at = timezone.now()
        locked.save()
        if trigger_snapshot(locked) != before:
            _record(locked, actor, TriggerChange.Action.UPDATED, before, trigger_snapshot(locked))
    return locked


def trigger_delete(*, trigger, actor):
    with transaction.atomic():
        locked = Trigger.objects.select_for_update().get(pk=trigger.pk)
        _record(locked, actor, TriggerChange.Action.DELETED, trigger_snapshot(locked), None)
        locked.delete()


def triggers_reorder(*, actor, ids):
    """Put the triggers in this order (every trigger's id, once)."""
    with transaction.atomic():
        triggers = {t.pk: t for t in Trigger.objects.select_for_update().order_by("position", "id")}
        if sorted(ids) != sorted(triggers) or len(set(ids)) != len(ids):
            raise TriggerInvalid(_("Give every trigger once, in the new order."), field="ids")
        for position, trigger_id in enumerate(ids):
            trigger = triggers[trigger_id]
            if trigger.position != position:
                before = trigger_snapshot(trigger)
                trigger.position = position
                trigger.save(update_fields=["position"])
                _record(trigger, actor, TriggerChange.Action.REORDERED, before, trigger_snapshot(trigger))
        transaction.on_commit(triggers_changed)


def automation_snapshot(automation):
    """An automation as the rules' change history keeps it."""
    return {"name": automation.name, "description": automation.description, "is_active": automation.is_active,
            "position": automation.position, "conditions": automation.conditions, "actions": automation.actions}


def _record_automation(automation, actor, action, before, after):
    TriggerChange.objects.create(automation=automation if action != TriggerChange.Action.DELETED else None,
                                 trigger_name=(after or before)["name"], actor=actor, action=action, before=before,
                                 after=after)


def automation_delete(*, automation, actor):
    with transaction.atomic():
        locked = Automation.objects.select_for_update().get(pk=automation.pk)
        _record_automation(locked, actor, TriggerChange.Action.DELETED, automation_snapshot(locked), None)
        locked.delete()


def automations_reorder(*, actor, ids):
    """Put the automations in this order (every automation's id, once)."""
    with transaction.atomic():
        automations = {a.pk: a for a in Automation.objects.select_for_update().order_by("position", "id")}
        if sorted(ids) != sorted(automations) or len(set(ids)) != len(ids):
            raise TriggerInvalid(_("Give every automation once, in the new order."), field="ids")
        for position, automation_id in enumerate(ids):
            automation = automations[automation_id]
            if automation.position != position:
                before = automation_snapshot(automation)
                automation.position = position
                automation.save(update_fields=["position"])
                _record_automation(automation, actor, TriggerChange.Action.REORDERED, before,
                                   automation_snapshot(automation))


def automation_save(*, automation=None, actor=None, **values):
    """Create or change an automation, its conditions and actions checked (automation.sweep: at least one time
    condition, only what the database can test)."""
    name = (values.get("name") or "").strip()
    if not name or len(name) > 120:
        raise TriggerInvalid(_("Give the automation a name (at most 120 characters)."), field="name")
    try:
        conditions = automation_conditions_clean(values.get("conditions"))
    except ConditionInvalid as exc:
        raise TriggerInvalid(str(exc), field="conditions") from exc
    try:
        actions = actions_clean(values.get("actions"))
    except ActionInvalid as exc:
        raise TriggerInvalid(str(exc), field="actions") from exc
    fields = {"name": name, "description": (values.get("description") or "").strip()[:2000],
              "is_active": bool(values.get("is_active", True)), "conditions": conditions, "actions": actions}
    with transaction.atomic():
        if automation is None:
            last = Automation.objects.aggregate(last=Max("position"))["last"]
            automation = Automation.objects.create(position=0 if last is None else last + 1, **fields)
            _record_automation(automation, actor, TriggerChange.Action.CREATED, None, automation_snapshot(automation))
            return automation
        before = automation_snapshot(automation)
        for field, value in fields.items():
            setattr(automation, field, value)
        automation.updated_at = timezone.now()
        automation.swept_until = None  # its conditions may have changed: the next sweep looks at every ticket
        automation.save()
        if automation_snapshot(automation) != before:
            _record_automation(automation, actor, TriggerChange.Action.UPDATED, before, automation_snapshot(automation))
    return automation
