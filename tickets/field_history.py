"""A custom field's changes as supervisors read them: what kind of change each audit-log row is (created, changed,
retired, brought back, moved, deleted) and what changed, part by part, before and after, in the reader's language.
Reads the snapshots services.field_admin records; nothing here queries or writes."""
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .models import FieldType

TRANSLATED_PARTS = ("label", "help_text", "invalid_message")
FLAG_PARTS = ("customer_visible", "required_for_customer", "required_to_solve", "is_active")


def _part_labels():
    return {
        "key": pgettext("ticket field", "Key"), "type": _("Type"), "label": _("Label"), "help_text": _("Help text"),
        "invalid_message": _("Message when the value does not match"), "position": _("Position"),
        "customer_visible": _("Customers fill it in"), "required_for_customer": _("Required in the request form"),
        "required_to_solve": _("Required to solve"), "is_active": pgettext("ticket field", "Active"), "categories": _("Categories"),
        "pattern": _("Pattern"), "pattern_by": _("Pattern depends on"), "patterns": _("Patterns per option"),
        "options": _("Options"),
    }


def change_kind(change):
    """What a change did, in words: created, deleted, retired, brought back, moved or changed."""
    before, after = change.before, change.after
    if before is None:
        return pgettext("ticket field change", "created")
    if after is None:
        return pgettext("ticket field change", "deleted")
    parts = {name for name in set(before) | set(after) if before.get(name) != after.get(name)}
    if parts == {"is_active"}:
        return (pgettext("ticket field change", "brought back") if after["is_active"]
                else pgettext("ticket field change", "retired"))
    if parts == {"position"}:
        return pgettext("ticket field change", "moved")
    return pgettext("ticket field change", "changed")


def change_parts(change):
    """The names of the parts a change touched, in the reader's language (nothing for a creation or a deletion)."""
    if change.before is None or change.after is None:
        return []
    labels = _part_labels()
    return [labels[name] for name in labels if change.before.get(name) != change.after.get(name)]


def change_name(change):
    """The field's label (in the reader's language, else English) and key, as the change left it."""
    snapshot = change.after or change.before or {}
    labels = snapshot.get("label") or {}
    return labels.get(_language(), "") or labels.get("en", ""), snapshot.get("key", "")


def _language():
    return translation.get_language() or settings.LANGUAGE_CODE


def _lines(name, value):
    """A part's value as lines of text."""
    if value is None or value == "" or value == [] or value == {}:
        return []
    if name in FLAG_PARTS:
        return [_("Yes") if value else _("No")]
    if name == "type":
        return [str(FieldType(value).label) if value in FieldType.values else value]
    if name == "categories":
        return list(value)
    if name == "patterns":
        return [f"{option}: {pattern}" for option, pattern in sorted(value.items())]
    if name == "options":
        language = _language()
        return [f"{o['value']} — {o['label'].get(language) or o['label'].get('en', '')}" for o in value]
    return [str(value)]


def change_diffs(change):
    """[(what, lines before, lines after)] for each part that differs; texts in six languages one row per language
    that changed ("Label · Русский")."""
    before, after = change.before or {}, change.after or {}
    names = dict(settings.LANGUAGES)
    rows = []
    for name, label in _part_labels().items():
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name in TRANSLATED_PARTS:
            old, new = old or {}, new or {}
            for code in names:
                if old.get(code, "") != new.get(code, ""):
                    rows.append((f"{label} · {names[code]}", _lines(name, old.get(code)), _lines(name, new.get(code))))
        else:
            rows.append((label, _lines(name, old), _lines(name, new)))
    return rows
