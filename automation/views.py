"""The supervisors' pages for workflow rules (issue #26), in the agent area: the list of triggers and automations
(turn one on or off, move a trigger up or down, how often and when each fired, the latest changes), the editor, the
delete confirmation and the dry runs. Thin: parse, call a service or a selector, render. Every change goes through
automation.services, which checks it and records it (TriggerChange: who, when, before and after)."""
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from support.permissions import supervisor_required

from . import selectors
from .forms import (
    ACTION_KIND,
    ACTION_LABELS,
    AUTOMATION_FIELDS,
    EVENT_LABELS,
    FIELD_LABELS,
    FIELD_OPS,
    KIND,
    OP_LABELS,
    TRIGGER_FIELDS,
    RuleForm,
    action_row,
    action_rows,
    actions_from_post,
    choices,
    condition_row,
    condition_rows,
    conditions_from_post,
)
from .models import Automation, Match, Trigger
from .services import (
    TriggerInvalid,
    automation_delete,
    automation_save,
    automations_reorder,
    trigger_create,
    trigger_delete,
    trigger_update,
    triggers_reorder,
)


def _trigger(trigger_id):
    try:
        return selectors.trigger_get(trigger_id=trigger_id)
    except Trigger.DoesNotExist as exc:
        raise Http404 from exc


def _automation(automation_id):
    try:
        return selectors.automation_get(automation_id=automation_id)
    except Automation.DoesNotExist as exc:
        raise Http404 from exc


@supervisor_required
def rules_list(request):
    """Triggers in the order they run, then automations, then the latest changes to triggers."""
    triggers = [(t, [EVENT_LABELS.get(name, name) for name in t.events]) for t in selectors.trigger_list()]
    automations = [(a, [selectors.describe_condition(c, {}) for c in a.conditions if c.get("field") == "hours_since"])
                   for a in selectors.automation_list()]
    changes = [(change, selectors.change_fields(change)) for change in selectors.trigger_changes_recent()]
    return render(request, "automation/list.html", {"triggers": triggers, "automations": automations,
                                                    "changes": changes})


def _place_error(form, errors, exc):
    """A service's refusal beside the part it is about."""
    if exc.field in ("conditions", "actions"):
        errors[exc.field] = exc.detail
    else:
        form.add_error(exc.field if exc.field in form.fields else None, exc.detail)


def _config(automation):
    """What static/automation/js/rules.js needs, as JSON on the page: each field's operators and control, each
    action's control, and the rows' headings."""
    fields = AUTOMATION_FIELDS if automation else TRIGGER_FIELDS
    every = list(dict.fromkeys(op for name in fields for op in FIELD_OPS[name]))
    return {"ops": {name: choices(OP_LABELS, FIELD_OPS[name]) for name in fields} | {"": choices(OP_LABELS, every)},
            "kinds": {name: KIND[name] for name in fields}, "actionKinds": ACTION_KIND,
            "condition": _("Condition %(number)s"), "action": _("Action %(number)s")}


def _editor(request, *, rule=None, automation=False):
    """New or existing trigger or automation: the form, its rows of conditions and actions, saved through the
    services; a refusal is shown beside the part it names, in the page's language, with everything as typed."""
    options = selectors.editor_choices()
    errors = {}
    if request.method == "POST":
        form = RuleForm(request.POST, automation=automation)
        conditions, conditions_shown = conditions_from_post(request.POST, automation=automation,
                                                            numeric_keys=options["numeric_keys"])
        actions, actions_shown = actions_from_post(request.POST)
        if form.is_valid():
            values = {**form.values(), "conditions": conditions, "actions": actions}
            try:
                if automation:
                    saved = automation_save(automation=rule, actor=request.user, **values)
                elif rule is None:
                    saved = trigger_create(actor=request.user, **values)
                else:
                    saved = trigger_update(trigger=rule, actor=request.user, **values)
            except TriggerInvalid as exc:
                _place_error(form, errors, exc)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": saved.name})
                return redirect("automation:automation_edit" if automation else "automation:trigger_edit", saved.pk)
    else:
        initial = {"is_active": True, "match": Match.ALL, "events": ["ticket.created"]}
        if rule is not None:
            initial = {"name": rule.name, "description": rule.description, "is_active": rule.is_active,
                       "events": getattr(rule, "events", []), "match": getattr(rule, "match", Match.ALL)}
        form = RuleForm(initial=initial, automation=automation)
        conditions_shown = condition_rows(rule.conditions, automation=automation) if rule else []
        actions_shown = action_rows(rule.actions) if rule else []
    fields = AUTOMATION_FIELDS if automation else TRIGGER_FIELDS
    history = []
    if rule is not None:
        changes = (selectors.automation_changes(automation=rule) if automation
                   else selectors.trigger_changes(trigger=rule))
        history = [(change, selectors.change_diffs(change, options)) for change in changes]
    return render(request, "automation/editor.html", {
        "form": form, "rule": rule, "automation": automation, "errors": errors, "options": options,
        "conditions": conditions_shown or [condition_row(0, automation=automation)],
        "actions": actions_shown or [action_row(0)],
        "blank_condition": condition_row("__i__", automation=automation), "blank_action": action_row("__i__"),
        "fields": choices(FIELD_LABELS, fields), "action_types": choices(ACTION_LABELS),
        "history": history, "config": _config(automation),
    }, status=400 if form.errors or errors else 200)


@supervisor_required
def trigger_new(request):
    return _editor(request)


@supervisor_required
def trigger_edit(request, trigger_id):
    return _editor(request, rule=_trigger(trigger_id))


@supervisor_required
def automation_new(request):
    return _editor(request, automation=True)


@supervisor_required
def automation_edit(request, automation_id):
    return _editor(request, rule=_automation(automation_id), automation=True)


def _state_message(request, rule):
    text = _("“%(name)s” is on.") if rule.is_active else _("“%(name)s” is off.")
    messages.success(request, text % {"name": rule.name})


@require_POST
@supervisor_required
def trigger_toggle(request, trigger_id):
    """Turn a trigger on or off (recorded like any change)."""
    trigger = _trigger(trigger_id)
    try:
        trigger = trigger_update(trigger=trigger, actor=request.user, is_active=not trigger.is_active)
    except TriggerInvalid as exc:
        messages.error(request, exc.detail)
    else:
        _state_message(request, trigger)
    return redirect("automation:rules")


@require_POST
@supervisor_required
def automation_toggle(request, automation_id):
    automation = _automation(automation_id)
    try:
        # Names are kept per language (automation.translation): read and written back in the default language,
        # so turning it on or off in Korean does not copy the English name into the Korean one.
        with translation.override(settings.LANGUAGE_CODE):
            automation = automation_save(
                automation=automation, actor=request.user, name=automation.name, description=automation.description,
                is_active=not automation.is_active, conditions=automation.conditions, actions=automation.actions)
    except TriggerInvalid as exc:
        messages.error(request, exc.detail)
    else:
        _state_message(request, automation)
    return redirect("automation:rules")


@require_POST
@supervisor_required
def trigger_move(request, trigger_id):
    """Swap a trigger with the one before it (direction=up) or after it (down)."""
    trigger = _trigger(trigger_id)
    ids = selectors.trigger_ids_in_order()
    here = ids.index(trigger.pk)
    there = here + (-1 if request.POST.get("direction") == "up" else 1)
    if request.POST.get("direction") in ("up", "down") and 0 <= there < len(ids):
        ids[here], ids[there] = ids[there], ids[here]
        try:
            triggers_reorder(actor=request.user, ids=ids)
        except TriggerInvalid as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("“%(name)s” is now number %(position)s.") % {
                "name": trigger.name, "position": there + 1})
    return redirect("automation:rules")


@supervisor_required
def trigger_delete_view(request, trigger_id):
    """Ask first (GET), then delete (POST); its history stays, under its name."""
    trigger = _trigger(trigger_id)
    if request.method == "POST":
        trigger_delete(trigger=trigger, actor=request.user)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": trigger.name})
        return redirect("automation:rules")
    return render(request, "automation/delete.html", {"rule": trigger})


@require_POST
@supervisor_required
def automation_move(request, automation_id):
    """Swap an automation with the one before it (direction=up) or after it (down)."""
    automation = _automation(automation_id)
    ids = list(Automation.objects.order_by("position", "id").values_list("pk", flat=True))
    here = ids.index(automation.pk)
    there = here + (-1 if request.POST.get("direction") == "up" else 1)
    if request.POST.get("direction") in ("up", "down") and 0 <= there < len(ids):
        ids[here], ids[there] = ids[there], ids[here]
        automations_reorder(actor=request.user, ids=ids)
        messages.success(request, _("“%(name)s” is now number %(position)s.") % {
            "name": automation.name, "position": there + 1})
    return redirect("automation:rules")


@supervisor_required
def automation_delete_view(request, automation_id):
    """Ask first (GET), then delete (POST); its history stays, under its name."""
    automation = _automation(automation_id)
    if request.method == "POST":
        automation_delete(automation=automation, actor=request.user)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": automation.name})
        return redirect("automation:rules")
    return render(request, "automation/delete.html", {"rule": automation, "automation": True})


@supervisor_required
def trigger_dry_run(request, trigger_id):
    """Which open tickets the trigger's conditions match now; nothing is changed."""
    trigger = _trigger(trigger_id)
    result = selectors.trigger_dry_run(trigger)
    return render(request, "automation/dry_run.html", {
        "rule": trigger, "automation": False, "tickets": result.matched, "checked": result.checked,
        "event": EVENT_LABELS.get(trigger.events[0], trigger.events[0]) if trigger.events else ""})


@supervisor_required
def automation_dry_run(request, automation_id):
    """How many tickets the automation would act on at its next run, and the latest of them; nothing is changed."""
    automation = _automation(automation_id)
    result = selectors.automation_dry_run(automation)
    return render(request, "automation/dry_run.html", {
        "rule": automation, "automation": True, "tickets": result.matched, "count": result.checked})
