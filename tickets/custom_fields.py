"""Custom ticket fields as pages and lists read them: the active definitions (one read, options and categories
included), the form inputs for the request form, the agent's card and the inbox's filters, and values as people
read them; the supervisors' list of fields and a field's history. Values are checked by services.fields and
definitions by services.field_admin; nothing here writes."""
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from support.models import AuditEvent

from .field_values import TEXT_MAX, FieldValueError, value_parse
from .models import Category, FieldType, Ticket, TicketField, TicketFieldOption
from .regexes import REGEX_INPUT_MAX

FORM_PREFIX = "cf_"  # a field's input in the request form and the agent's card: cf_<key>
FILTER_PREFIX = "field."  # a field's filter in the inbox and the API: field.<key>=<value>


def ticket_fields_active(*, keys=None):
    """The active fields in order, their options and categories loaded: three queries, however many fields
    (`keys`: only these)."""
    fields = TicketField.objects.filter(is_active=True)
    if keys is not None:
        fields = fields.filter(key__in=list(keys))
    return list(fields.prefetch_related(
        Prefetch("options", queryset=TicketFieldOption.objects.order_by("position", "id")),
        Prefetch("categories", queryset=Category.objects.only("id", "slug"))).order_by("position", "key"))


def customer_field_keys():
    """The keys of the fields customers fill in (and so may read), retired ones too (their values stay): one
    query."""
    return set(TicketField.objects.filter(customer_visible=True).values_list("key", flat=True))


def _options_prefetch():
    return Prefetch("options", queryset=TicketFieldOption.objects.order_by("position", "id"))


def ticket_field_values(values, *, customer=False, skip=()):
    """(field, value as people read it) for each field a ticket's `values` hold, in the fields' order, retired
    fields included (retiring takes a field out of the forms, not off the tickets); for a `customer` only the
    fields they fill in; `skip`: keys shown elsewhere (the agent's card has the active ones as inputs). Two
    queries, none when there is nothing to show."""
    keys = [key for key in (values or {}) if key not in skip]
    if not keys:
        return []
    fields = TicketField.objects.filter(key__in=keys)
    if customer:
        fields = fields.filter(customer_visible=True)
    rows = [(field, value_display(field, values[field.key]))
            for field in fields.prefetch_related(_options_prefetch()).order_by("position", "key")]
    return [(field, shown) for field, shown in rows if shown]


def field_key_used(key):
    """Whether any ticket carries a value of the field with this key (`custom_fields ? key`, from the GIN index)."""
    return Ticket.objects.filter(custom_fields__has_key=key).exists()


def field_option_used(key, value):
    """Whether any ticket carries this option of a dropdown (key: value) or multi-select (key: [.., value]): the
    GIN index's containment."""
    return Ticket.objects.filter(Q(custom_fields__contains={key: value}) |
                                 Q(custom_fields__contains={key: [value]})).exists()


def ticket_field_list():
    """Every field, retired ones too, in order, with its categories: two queries however many fields."""
    return list(TicketField.objects.prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("position", "slug"))).order_by("position", "key"))


def ticket_field_ids_in_order():
    """The fields' ids in their order (retired ones too)."""
    return list(TicketField.objects.order_by("position", "key").values_list("pk", flat=True))


def ticket_field_get(*, field_id):
    """One field with its options and categories (TicketField.DoesNotExist when there is none)."""
    return TicketField.objects.prefetch_related(_options_prefetch(), "categories").get(pk=field_id)


def ticket_field_changes(*, field_id=None, limit=20):
    """The latest changes to fields (or to one), newest first, from the audit log (services.field_admin records
    them), with who made them: one query."""
    changes = AuditEvent.objects.filter(action=AuditEvent.Action.SETUP_CHANGE,
                                        object_type=AuditEvent.ObjectType.TICKET_FIELD).select_related("actor")
    if field_id is not None:
        changes = changes.filter(object_id=str(field_id))
    return list(changes.order_by("-created_at", "-id")[:limit])


def value_display(field, value):
    """A stored value as people read it, in their language: options by their labels, a ticked box as "Yes"."""
    if value is None or value == "" or value == []:
        return ""
    if field.type == FieldType.CHECKBOX:
        return str(_("Yes")) if value else str(_("No"))
    if field.type == FieldType.DROPDOWN:
        return str(field.option_label(value))
    if field.type == FieldType.MULTISELECT:
        return ", ".join(str(field.option_label(item)) for item in value)
    return str(value)


class ValuesField(forms.Field):
    """The ticked options of a multi-select, as sent (services.fields checks them)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value):
        return [str(item) for item in value] if isinstance(value, (list, tuple)) else []


def form_field(field, *, in_request_form=False):
    """The input of one field, for the request form (`in_request_form`: marked with the categories it belongs to,
    for static/tickets/js/custom_fields.js) and the agent's card. Inputs only read what was sent: the service
    checks values, so the form, the API and a rule say the same thing."""
    attrs = {}
    if in_request_form:
        attrs["data-field-categories"] = " ".join(sorted(c.slug for c in field.categories.all()))
        if field.required_for_customer:
            attrs["aria-required"] = "true"
    kind = field.type
    options = [(option.value, option.label) for option in field.options.all()]
    if kind == FieldType.DROPDOWN:
        made = forms.CharField(widget=forms.Select(choices=[("", "—"), *options], attrs=attrs))
    elif kind == FieldType.MULTISELECT:
        made = ValuesField(widget=forms.CheckboxSelectMultiple(choices=options, attrs=attrs))
    elif kind == FieldType.CHECKBOX:
        made = forms.BooleanField(widget=forms.CheckboxInput(attrs=attrs))
    elif kind == FieldType.DATE:
        made = forms.CharField(widget=forms.DateInput(attrs={**attrs, "type": "date"}))
    elif kind in (FieldType.NUMBER, FieldType.DECIMAL):
        mode = "numeric" if kind == FieldType.NUMBER else "decimal"
        made = forms.CharField(widget=forms.TextInput(attrs={**attrs, "inputmode": mode, "maxlength": 60}))
    else:
        limit = REGEX_INPUT_MAX if kind == FieldType.REGEX else TEXT_MAX
        extra = {"spellcheck": "false", "autocomplete": "off"} if kind == FieldType.REGEX else {}
        made = forms.CharField(widget=forms.TextInput(attrs={**attrs, **extra, "maxlength": limit}))
    made.required = False
    made.label = field.label
    made.help_text = field.help_text
    return made


def form_initial(field, value):
    """A stored value as its input shows it."""
    if value is None:
        return [] if field.type == FieldType.MULTISELECT else None
    return value


class FilterValueField(forms.CharField):
    """A field's value in the inbox's filters, cleaned to its stored form (a multi-select's one option as a list),
    so the filter is containment: custom_fields @> {"key": value}."""

    def __init__(self, ticket_field, **kwargs):
        self.ticket_field = ticket_field
        super().__init__(required=False, max_length=REGEX_INPUT_MAX, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            parsed = value_parse(self.ticket_field, value)
        except FieldValueError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        if parsed is None and self.ticket_field.type == FieldType.CHECKBOX and value.strip().lower() in (
                "false", "no", "0"):
            return False
        return parsed  # a multi-select's one option comes as a list already


def filter_form_field(field):
    """The inbox's filter for one field: a list of its options (a checkbox: yes or no), or a text to equal."""
    if field.type in (FieldType.DROPDOWN, FieldType.MULTISELECT, FieldType.CHECKBOX):
        choices = ([("true", _("Yes")), ("false", _("No"))] if field.type == FieldType.CHECKBOX
                   else [(option.value, option.label) for option in field.options.all()])
        widget = forms.Select(choices=[("", "—"), *choices])
    else:
        widget = forms.TextInput(attrs={"maxlength": REGEX_INPUT_MAX})
    return FilterValueField(field, label=field.label, widget=widget)


def events_labelled(events, fields):
    """The audit trail's custom-field events get `key_label`: the field's label in the reader's language."""
    labels = {field.key: field.label for field in fields}
    events = list(events)
    for event in events:
        if event.key:
            event.key_label = labels.get(event.key, event.key)
    return events


def values_for_customer(values, fields):
    """What a customer may read of a ticket's values: the fields they fill in."""
    visible = {field.key for field in fields if field.customer_visible}
    return {key: value for key, value in (values or {}).items() if key in visible}
