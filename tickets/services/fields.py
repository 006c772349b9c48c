"""Custom field values: the one place they are checked, whoever sends them (the request form, the API, an agent's
ticket page, a rule), and the change an agent makes to them, one audit event per changed field."""
from django.utils.translation import gettext as _

from support.services import DomainError

from ..custom_fields import ticket_fields_active
from ..field_values import FieldValueError, is_empty, pattern_check, value_parse, value_text
from ..models import TicketEvent
from .common import audit_event

MAX_VALUES = 100


class FieldErrors(DomainError):
    """Custom field values that cannot be stored. `errors` is {key: (code, message)}; as a DomainError it names the
    first one (`field` "custom_fields.<key>"), and `fields()` gives every message by its path, for the API's error
    shape and for forms."""

    def __init__(self, errors):
        self.errors = errors
        key, (code, message) = next(iter(errors.items()))
        super().__init__(message, code=code, field=field_path(key))

    def fields(self):
        return {field_path(key): [message] for key, (_code, message) in self.errors.items()}


def field_path(key):
    """Where an error points: "custom_fields.<key>", or "custom_fields" itself."""
    return f"custom_fields.{key}" if key else "custom_fields"


def ticket_fields_clean(*, values, category, for_agent, solving=False, current=None, fields=None):
    """The values a ticket of `category` stores: `current` (its stored values, on a change) with `values` applied
    (key -> value as sent; None or "" empties a field), cleaned, or FieldErrors naming every field at fault.

    - Only fields for the category are accepted, and of those a customer (`for_agent` false) only the ones they fill
      in; a field they do not see is "unknown", like one that does not exist.
    - A new ticket (no `current`) from a customer needs every field required of customers.
    - A pattern that depends on another field is checked again when that field changes.
    - `solving`: fields required to solve must not be empty (an agent sets the status to solved).
    """
    fields = ticket_fields_active() if fields is None else fields
    by_key = {field.key: field for field in fields}
    applicable = {field.key: field for field in fields
                  if field.applies_to(category) and (for_agent or field.customer_visible)}
    if not isinstance(values, dict) or len(values) > MAX_VALUES:
        raise FieldErrors({"": ("invalid", _("Give an object of field keys and values."))})
    errors, result, touched = {}, dict(current or {}), set()
    for key, raw in values.items():
        field = applicable.get(key)
        if field is None:
            known = by_key.get(key) if isinstance(key, str) else None
            if known is not None and (for_agent or known.customer_visible):
                errors[key] = ("not_applicable", _("This field does not apply to the ticket's category."))
            else:
                errors[str(key)[:60]] = ("unknown_field", _("Unknown field."))
            continue
        try:
            value = value_parse(field, raw)
        except FieldValueError as exc:
            errors[key] = (exc.code, exc.message)
            continue
        touched.add(key)
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    for key, field in applicable.items():
        if key in errors or key not in result:
            continue
        if current is None or key in touched or field.pattern_by in touched:
            try:
                pattern_check(field, result[key], result, by_key)
            except FieldValueError as exc:
                errors[key] = (exc.code, exc.message)
    for key, field in applicable.items():
        if key in errors or not is_empty(result.get(key)):
            continue
        if current is None and not for_agent and field.required_for_customer:
            errors[key] = ("required", _("This field is required."))
        elif solving and field.required_to_solve:
            errors[key] = ("required_to_solve", _("Fill in “%(label)s” before solving this ticket.") % {
                "label": field.label})
    if errors:
        raise FieldErrors(errors)
    return result


def ticket_fields_change(locked, actor, values):
    """Apply an agent's (or a rule's) change of custom field values to a locked ticket, in memory: ({key: before},
    {key: after}, unsaved audit events), one event per changed key, empty when nothing changed."""
    before = dict(locked.custom_fields or {})
    after = ticket_fields_clean(values=values, category=locked.category, for_agent=True, current=before)
    keys = sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
    events = []
    for key in keys:
        event = audit_event(locked, actor, TicketEvent.Field.CUSTOM_FIELD, value_text(before.get(key)),
                            value_text(after.get(key)))
        event.key = key
        events.append(event)
    locked.custom_fields = after
    return {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}, events


def ticket_fields_solve_check(ticket):
    """Raise FieldErrors when a field required to solve the ticket is empty (an agent is solving it)."""
    ticket_fields_clean(values={}, category=ticket.category, for_agent=True, solving=True,
                        current=ticket.custom_fields or {})

