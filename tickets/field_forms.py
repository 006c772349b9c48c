"""The supervisors' editor of a custom ticket field (tickets.field_views): what a browser posts, read into what
services.field_admin takes (values, options in order, categories), and the editor's rows as the page shows them,
the supervisor's own language first. Inputs only read what was sent: every rule is the service's."""
import re

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Category, FieldType, TicketField
from .services.field_admin import CHOICE_TYPES, TRANSLATED, language_suffixes

OPTION_ROW = re.compile(r"^o-(\d{1,3})-value$")
BLANK_OPTIONS = 2  # empty rows after the options, to add some without JavaScript


def languages_ordered():
    """[(code, column suffix, name)] of the six languages, the page's language first."""
    names = dict(settings.LANGUAGES)
    current = translation.get_language()
    rows = [(code, suffix, names[code]) for code, suffix in language_suffixes()]
    return sorted(rows, key=lambda row: row[0] != current)


class TicketFieldForm(forms.Form):
    """A field's definition as posted. The key and the type are read-only (`locked`) once tickets carry the
    field; pattern parts mean something only for "text checked by a pattern" and are dropped otherwise."""

    key = forms.CharField(label=pgettext_lazy("ticket field", "Key"), required=False, strip=True,
                          help_text=_("Lower-case letters, digits and _, e.g. tx_hash. The API, the inbox's filters "
                                      "and the rules name the field by it; it is fixed once tickets carry the field."))
    type = forms.ChoiceField(label=_("Type"), choices=FieldType.choices)
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"), required=False, queryset=Category.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("Tickets of these categories carry the field; none ticked: every ticket."))
    customer_visible = forms.BooleanField(label=_("Customers fill it in"), required=False,
                                          help_text=_("Shown in the request form and on the customer's ticket; "
                                                      "otherwise only agents see and set it."))
    required_for_customer = forms.BooleanField(label=_("Required in the request form"), required=False)
    required_to_solve = forms.BooleanField(label=_("Required to solve"), required=False,
                                           help_text=_("Agents cannot solve a ticket while it is empty."))
    is_active = forms.BooleanField(label=pgettext_lazy("ticket field", "Active"), required=False,
                                   help_text=_("A retired field leaves every form; the values tickets carry stay "
                                               "and are shown."))
    pattern = forms.CharField(label=_("Pattern"), required=False, strip=True,
                              help_text=_("A regular expression the whole value must match, e.g. [0-9]{6,12}."))
    pattern_by = forms.CharField(label=_("Pattern depends on"), required=False, strip=True)

    def __init__(self, *args, field=None, locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket_field = field
        self.fields["categories"].queryset = Category.objects.order_by("position", "slug")
        self.fields["categories"].label_from_instance = lambda category: category.name
        for name in TRANSLATED:
            for _code, suffix in language_suffixes():
                self.fields[f"{name}_{suffix}"] = forms.CharField(required=False, strip=True)
        if locked:
            self.fields["key"].disabled = self.fields["type"].disabled = True

    def values(self):
        """What services.field_admin.ticket_field_save takes as `values`."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in self.fields if name != "categories"}
        if data.get("type") == FieldType.REGEX:
            values["patterns"] = self._patterns(values.get("pattern_by") or "")
        else:
            values.update(pattern="", pattern_by="", patterns={},
                          **{f"invalid_message_{suffix}": "" for _code, suffix in language_suffixes()})
        return values

    def _patterns(self, source_key):
        """The patterns typed for the options of the dropdown the pattern depends on (empty ones left out)."""
        source = TicketField.objects.filter(key=source_key, type=FieldType.DROPDOWN).first() if source_key else None
        if source is None:
            return {}
        found = {}
        for value in source.options.values_list("value", flat=True):
            text = (self.data.get(f"pp-{source.key}-{value}") or "").strip()
            if text:
                found[value] = text
        return found


def options_from_post(data):
    """The option rows as posted: ([{"value", "labels"}] in the order asked for, the rows to show again). Blank rows
    and rows marked for removal are left out of the first; each row keeps its number, so an error can name it."""
    rows = []
    for name in data:
        match = OPTION_ROW.match(name)
        if not match:
            continue
        n = int(match.group(1))
        value = (data.get(name) or "").strip()
        labels = {suffix: (data.get(f"o-{n}-label_{suffix}") or "").strip() for _code, suffix in language_suffixes()}
        try:
            order = int(data.get(f"o-{n}-order") or n)
        except ValueError:
            order = n
        removed = bool(data.get(f"o-{n}-remove"))
        if value or any(labels.values()):
            rows.append({"order": order, "n": n, "value": value, "labels": labels, "removed": removed})
    rows.sort(key=lambda row: (row["order"], row["n"]))
    kept = [row for row in rows if not row["removed"]]
    return [{"value": row["value"], "labels": row["labels"]} for row in kept], kept


def option_rows(options, errors=None):
    """The editor's option rows: each option (dicts of value and labels by suffix) with its inputs in the page's
    language order and the errors about it, then blank rows to fill in."""
    errors = errors or {}
    languages = languages_ordered()
    rows = []
    for index, option in enumerate([*options, *[{"value": "", "labels": {}}] * BLANK_OPTIONS]):
        rows.append({"n": index, "value": option["value"], "order": index + 1,
                     "labels": [(code, suffix, name, option["labels"].get(suffix, ""))
                                for code, suffix, name in languages],
                     "errors": errors.get(f"options.{index}", []), "blank": index >= len(options)})
    return rows


def stored_options(field):
    """A stored field's options as the editor reads them."""
    if field is None or field.type not in CHOICE_TYPES:
        return []
    return [{"value": option.value,
             "labels": {suffix: getattr(option, f"label_{suffix}") or "" for _code, suffix in language_suffixes()}}
            for option in field.options.all()]


def pattern_sources(field, data=None):
    """The dropdown fields a pattern may depend on (not the field itself), each with its options and the pattern
    for each, as posted (`data`) or stored: [{"key", "label", "options": [(value, label, pattern, input name)]}]."""
    sources = TicketField.objects.filter(type=FieldType.DROPDOWN).exclude(pk=getattr(field, "pk", None))
    stored = {field.pattern_by: field.patterns or {}} if field is not None and field.pattern_by else {}
    result = []
    for source in sources.prefetch_related("options").order_by("position", "key"):
        rows = []
        for option in sorted(source.options.all(), key=lambda o: (o.position, o.pk)):
            name = f"pp-{source.key}-{option.value}"
            text = data.get(name, "") if data is not None else stored.get(source.key, {}).get(option.value, "")
            rows.append((option.value, option.label, text, name))
        result.append({"key": source.key, "label": source.label, "options": rows})
    return result


def field_initial(field):
    """A stored field as the form's initial values (a new one: active, customers fill it in)."""
    if field is None:
        return {"type": FieldType.TEXT, "customer_visible": True, "is_active": True}
    initial = {name: getattr(field, name) for name in ("key", "type", "customer_visible", "required_for_customer",
                                                      "required_to_solve", "is_active", "pattern", "pattern_by")}
    initial["categories"] = [category.pk for category in field.categories.all()]
    for name in TRANSLATED:
        for _code, suffix in language_suffixes():
            initial[f"{name}_{suffix}"] = getattr(field, f"{name}_{suffix}") or ""
    return initial
