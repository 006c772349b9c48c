"""The rules editor's form (templates/automation/editor.html): the translated labels of events, condition fields,
operators and actions, and the conversion between the services' JSON (automation.conditions, actions, sweep) and
the rows of the page.

Each condition or action is a row of plain form fields (`c-<n>-field`, `c-<n>-op`, `c-<n>-<kind>`; `a-<n>-type`,
`a-<n>-<kind>`), so the editor posts without JavaScript; static/automation/js/rules.js only adds and removes rows and
shows the controls that fit the chosen field or action. Nothing is judged here: what cannot be read is passed on as
typed, for the services to refuse in the page's language, and the rows come back as typed.
"""
import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from support.domain_events import ACTORS
from support.languages import LANGUAGE_CODES, language_choices
from tickets.models import Channel, Priority, Status

from .conditions import OPS
from .models import Match
from .services import TICKET_EVENTS
from .sweep import HOURS_OF

EVENT_LABELS = {
    "ticket.created": _("Ticket created"), "ticket.customer_replied": _("Customer replied"),
    "ticket.agent_replied": _("Agent replied"), "ticket.status_changed": _("Status changed"),
    "ticket.priority_changed": _("Priority changed"), "ticket.assignee_changed": _("Assignee changed"),
    "ticket.team_changed": _("Team changed"), "ticket.tags_changed": _("Tags changed"),
    "ticket.category_changed": _("Category changed"), "ticket.fields_changed": _("Custom fields changed"),
    "chat.ended": _("Chat ended"), "chat.rated": _("Chat rated"),
}
FIELD_LABELS = {
    "hours_since": _("Time since"), "language": _("Language"), "channel": _("Channel"), "priority": _("Priority"),
    "status": _("Status"), "category": _("Category"), "team": _("Team"), "assignee": _("Assignee"),
    "tags": _("Tags"), "text": _("Subject or message"), "subject": _("Subject"),
    "requester_tier": _("Customer's VIP tier"), "business_hours": _("Business hours"), "actor": _("Who acted"),
    "field": _("Custom field"), "requester_organisation": _("Customer's organisation"),
}
TRIGGER_FIELDS = ("language", "channel", "priority", "status", "category", "team", "assignee", "tags", "text",
                  "subject", "requester_tier", "requester_organisation", "business_hours", "actor", "field")
AUTOMATION_FIELDS = ("hours_since", "language", "channel", "priority", "status", "category", "team", "assignee",
                     "requester_organisation", "tags", "field")
OP_LABELS = {
    "is": pgettext_lazy("rule condition", "is"), "is_not": pgettext_lazy("rule condition", "is not"),
    "in": pgettext_lazy("rule condition", "is one of"), "contains": pgettext_lazy("rule condition", "contains"),
    "not_contains": pgettext_lazy("rule condition", "does not contain"),
    "contains_any": pgettext_lazy("rule condition", "contains any of"),
    "gte": pgettext_lazy("rule condition", "at least"), "lte": pgettext_lazy("rule condition", "at most"),
    "within": pgettext_lazy("rule condition", "within"), "outside": pgettext_lazy("rule condition", "outside"),
    "is_set": pgettext_lazy("rule condition", "is filled in"), "is_empty": pgettext_lazy("rule condition", "is empty"),
}
FIELD_OPS = {**OPS, "hours_since": ("gte", "lte")}
# The control that holds a condition's value, by field; codes and ids are selects (several for "is one of").
KIND = {"language": "language", "channel": "channel", "priority": "priority", "status": "status", "actor": "actor",
        "category": "category", "team": "team", "assignee": "assignee", "tags": "phrases", "text": "phrases",
        "subject": "phrases", "requester_tier": "tier", "business_hours": "calendar", "field": "custom",
        "hours_since": "hours", "requester_organisation": "organisation"}
CODE_KINDS = ("language", "channel", "priority", "status", "actor")
ID_KINDS = ("category", "team", "assignee", "organisation")
CONDITION_SELECTS = (*CODE_KINDS, *ID_KINDS, "calendar", "key", "of")
CONDITION_TEXTS = ("phrases", "tier", "fvalue", "hours")
HOURS_OF_LABELS = {"created": pgettext_lazy("time since", "created"),
                   "updated": pgettext_lazy("time since", "last updated"),
                   "pending": pgettext_lazy("time since", "set to pending"),
                   "solved": pgettext_lazy("time since", "solved"),
                   "breach": pgettext_lazy("time since", "an SLA target was missed")}
ACTOR_LABELS = {"customer": pgettext_lazy("who acted", "The customer"),
                "agent": pgettext_lazy("who acted", "An agent"), "system": pgettext_lazy("who acted", "The system")}

ACTION_LABELS = {
    "set_priority": _("Set the priority"), "set_status": _("Set the status"), "set_category": _("Set the category"),
    "set_team": _("Set the team"), "set_assignee": _("Assign to"), "add_tags": _("Add tags"),
    "remove_tags": _("Remove tags"), "notify": _("Notify"),
}
ACTION_KIND = {"set_priority": "priority", "set_status": "status", "set_category": "category", "set_team": "team",
               "set_assignee": "assignee", "add_tags": "tags", "remove_tags": "tags", "notify": "notify"}
ACTION_SELECTS = ("priority", "status", "category", "team", "assignee", "lbteam", "target", "address", "via")
TARGET_LABELS = {"requester": _("The customer who asked"), "assignee": _("The assignee"),
                 "team": _("The ticket's team"), "supervisors": _("The supervisors"),
                 "address": _("An address from the list")}
VIA_LABELS = {"in_site": _("In the site"), "email": _("By email")}
LEAST_BUSY = "least_busy"
NONE = "none"
SEPARATORS = re.compile(r"[,，、､]")


def choices(labels, codes=None):
    return [(code, labels[code]) for code in (codes or labels)]


def code_choices():
    """The selects of codes, whatever the desk's data: (value, label) lists by kind."""
    return {"language": language_choices(), "channel": Channel.choices, "priority": Priority.choices,
            "status": Status.choices, "actor": choices(ACTOR_LABELS, ACTORS),
            "of": choices(HOURS_OF_LABELS, HOURS_OF), "target": choices(TARGET_LABELS), "via": choices(VIA_LABELS),
            "set_status": [(value, label) for value, label in Status.choices if value != Status.NEW]}


class RuleForm(forms.Form):
    """A rule's own fields; its conditions and actions are the rows beside them. Every field is optional here: the
    services say what is missing, in the page's language."""

    name = forms.CharField(label=pgettext_lazy("workflow rule", "Name"), required=False, max_length=200)
    description = forms.CharField(label=pgettext_lazy("workflow rule", "Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label=_("Active"), required=False)
    events = forms.MultipleChoiceField(label=_("Runs on"), required=False, widget=forms.CheckboxSelectMultiple,
                                       choices=choices(EVENT_LABELS, TICKET_EVENTS))
    match = forms.ChoiceField(label=_("Conditions to meet"), required=False, widget=forms.RadioSelect,
                              choices=Match.choices)

    def __init__(self, *args, automation=False, **kwargs):
        super().__init__(*args, **kwargs)
        if automation:
            del self.fields["events"], self.fields["match"]

    def values(self):
        data = dict(self.cleaned_data)
        if "match" in self.fields:
            data["match"] = data.get("match") or Match.ALL
        return data


def split_list(text):
    """Words or phrases typed with commas between them (any of the six languages' commas)."""
    return [part.strip() for part in SEPARATORS.split(text or "") if part.strip()]


def number(text):
    """The whole or decimal number typed, else the text as typed (the services refuse it)."""
    text = (text or "").strip()
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if abs(value) < 2 ** 53 else text
    return text


def ident(text):
    """An id chosen in a select ("none": no value), else what came (the services refuse it)."""
    if text is None or text == NONE:
        return None
    value = number(text)
    return value if isinstance(value, int) else text


def _first(values):
    return values[0] if values else ""


def _indices(data, prefix, key):
    pattern = re.compile(rf"{prefix}-(\d{{1,4}})-{key}")
    return sorted({int(match[1]) for name in data if (match := pattern.fullmatch(name))})[:60]


def _as_list(value):
    return value if isinstance(value, list) else [value]


def _op_choices(field, automation):
    if field in FIELD_OPS:
        return choices(OP_LABELS, FIELD_OPS[field])
    fields = AUTOMATION_FIELDS if automation else TRIGGER_FIELDS
    every = dict.fromkeys(op for name in fields for op in FIELD_OPS[name])
    return choices(OP_LABELS, list(every))


def condition_row(n, field="", op="", *, automation=False, **values):
    """One condition as the page shows it: every control's value as text (selects: lists of text)."""
    empty = {**{kind: [] for kind in CONDITION_SELECTS}, **{kind: "" for kind in CONDITION_TEXTS}}
    kind = KIND.get(field, "")
    # Which controls show (rules.js keeps this up to date as the row changes): the field's, and a custom field's
    # value unless the operator needs none.
    show = {name: kind == name for name in set(KIND.values())}
    show["fvalue"] = kind == "custom" and op not in ("is_set", "is_empty")
    return {"n": n, "field": field, "op": op, "kind": kind, "ops": _op_choices(field, automation),
            "v": {**empty, **values}, "show": show, "multi": op == "in"}


def condition_rows(conditions, *, automation=False):
    """The rows of stored conditions."""
    rows = []
    for n, condition in enumerate(conditions):
        field, value = condition.get("field", ""), condition.get("value")
        kind, values = KIND.get(field, ""), {}
        if kind in CODE_KINDS:
            values[kind] = [str(v) for v in _as_list(value)]
        elif kind in ID_KINDS:
            values[kind] = [NONE if v is None else str(v) for v in _as_list(value)]
        elif kind == "phrases":
            values["phrases"] = ", ".join(_as_list(value))
        elif kind == "tier":
            values["tier"] = str(value)
        elif kind == "hours":
            values["hours"], values["of"] = str(value), [condition.get("of", "")]
        elif kind == "calendar":
            values["calendar"] = [str(value)]
        elif kind == "custom":
            values["key"], values["fvalue"] = [condition.get("key", "")], "" if value is None else str(value)
        rows.append(condition_row(n, field, condition.get("op", ""), automation=automation, **values))
    return rows


def conditions_from_post(data, *, automation=False, numeric_keys=()):
    """(the conditions in the services' shape, the rows as typed) from the posted form; empty rows are left out."""
    conditions, rows = [], []
    for n in _indices(data, "c", "field"):
        field = data.get(f"c-{n}-field", "")
        if not field:
            continue
        row = condition_row(n, field, data.get(f"c-{n}-op", ""), automation=automation,
                            **{kind: data.getlist(f"c-{n}-{kind}") for kind in CONDITION_SELECTS},
                            **{kind: data.get(f"c-{n}-{kind}", "") for kind in CONDITION_TEXTS})
        rows.append(row)
        conditions.append(_condition(row, numeric_keys))
    return conditions, rows


def _condition(row, numeric_keys):
    field, op, kind, v = row["field"], row["op"], row["kind"], row["v"]
    condition = {"field": field, "op": op}
    if kind in CODE_KINDS or kind in ID_KINDS:
        values = v[kind] if kind in CODE_KINDS else [ident(item) for item in v[kind]]
        condition["value"] = values if op == "in" else (values[0] if values else None)
    elif kind == "phrases":
        condition["value"] = split_list(v["phrases"])
    elif kind == "tier":
        condition["value"] = number(v["tier"])
    elif kind == "calendar":
        condition["value"] = ident(_first(v["calendar"]) or None)
    elif kind == "custom":
        condition["key"] = _first(v["key"])
        if op not in ("is_set", "is_empty"):
            typed = v["fvalue"].strip()
            condition["value"] = number(typed) if condition["key"] in numeric_keys else typed
    elif kind == "hours":
        condition["of"], condition["value"] = _first(v["of"]), number(v["hours"])
    return condition


def action_row(n, kind_type="", **values):
    empty = {**{kind: [] for kind in ACTION_SELECTS}, "tags": "", "msg": {}}
    kind = ACTION_KIND.get(kind_type, "")
    row = {"n": n, "type": kind_type, "kind": kind, "v": {**empty, **values}}
    row["show"] = {name: kind == name for name in set(ACTION_KIND.values())}
    row["show"]["lbteam"] = kind == "assignee" and LEAST_BUSY in row["v"]["assignee"]
    row["show"]["address"] = kind == "notify" and "address" in row["v"]["target"]
    messages = row["v"]["msg"]
    row["messages"] = [(code, name, messages.get(code, "")) for code, name in language_choices()]
    return row


def action_rows(actions):
    """The rows of stored actions."""
    rows = []
    for n, action in enumerate(actions):
        kind_type, value = action.get("type", ""), action.get("value")
        kind, values = ACTION_KIND.get(kind_type, ""), {}
        if kind in ("priority", "status"):
            values[kind] = [str(value)]
        elif kind in ("category", "team", "assignee"):
            values[kind] = [NONE if value is None else str(value)]
            values["lbteam"] = [NONE if action.get("team") is None else str(action["team"])]
        elif kind == "tags":
            values["tags"] = ", ".join(_as_list(value))
        elif kind == "notify":
            values.update(target=[action.get("target", "")], via=[action.get("via", "")],
                          address=[str(action.get("address") or "")], msg=action.get("message") or {})
        rows.append(action_row(n, kind_type, **values))
    return rows


def actions_from_post(data):
    """(the actions in the services' shape, the rows as typed) from the posted form; empty rows are left out."""
    actions, rows = [], []
    for n in _indices(data, "a", "type"):
        kind_type = data.get(f"a-{n}-type", "")
        if not kind_type:
            continue
        row = action_row(n, kind_type, **{kind: data.getlist(f"a-{n}-{kind}") for kind in ACTION_SELECTS},
                         tags=data.get(f"a-{n}-tags", ""),
                         msg={code: data.get(f"a-{n}-msg-{code}", "") for code in LANGUAGE_CODES})
        rows.append(row)
        actions.append(_action(row))
    return actions, rows


def _action(row):
    kind_type, kind, v = row["type"], row["kind"], row["v"]
    action = {"type": kind_type}
    if kind in ("priority", "status"):
        action["value"] = _first(v[kind]) or None
    elif kind in ("category", "team"):
        action["value"] = ident(_first(v[kind]))
    elif kind == "assignee":
        chosen = _first(v["assignee"])
        action["value"] = chosen if chosen == LEAST_BUSY else ident(chosen)
        if chosen == LEAST_BUSY:
            action["team"] = ident(_first(v["lbteam"]) or NONE)
    elif kind == "tags":
        action["value"] = split_list(v["tags"])
    elif kind == "notify":
        address = ident(_first(v["address"]) or NONE)
        action.update(target=_first(v["target"]), via=_first(v["via"]),
                      address=address if isinstance(address, int) else None, message=dict(v["msg"]))
    return action
