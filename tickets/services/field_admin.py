"""Defining custom ticket fields: the rules a field's definition follows (checked here for the supervisors' pages
and for Django admin, whose form calls `ticket_field_errors`), and the writes (create, change, retire or bring
back, reorder), each recorded in the audit log (support.audit.audit_change: who, when, before and after).

A field is never deleted here: retiring it (`is_active` false) takes it out of every form while the values tickets
carry stay stored and shown. Once tickets carry a field, its key and type are fixed (the stored values, filters,
saved views and rules name it by key and hold values of its type), and an option tickets carry cannot be removed.
Messages are in the request's language."""
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from support.audit import audit_change
from support.languages import LANGUAGE_CODES
from support.models import AuditEvent
from support.services import DomainError

from ..custom_fields import field_key_used, field_option_used
from ..models import FieldType, TicketField, TicketFieldOption
from ..models.fields import KEY_RE, OPTION_RE
from ..regexes import pattern_validate

CHOICE_TYPES = (FieldType.DROPDOWN, FieldType.MULTISELECT)
TRANSLATED = {"label": 100, "help_text": 300, "invalid_message": 200}  # each in six languages, at most so long
OPTION_LABEL_MAX = 100
MAX_OPTIONS = 200
FLAGS = ("customer_visible", "required_for_customer", "required_to_solve", "is_active")
PATTERN_PARTS = ("pattern", "pattern_by", "patterns")


class FieldDefinitionInvalid(DomainError):
    """A field definition that cannot be stored: `errors` is {name: [message, ...]}, by the form's names ("key",
    "label_ru", "pattern", "options", "options.<n>" for the option in row n)."""

    code = "invalid_ticket_field"

    def __init__(self, errors):
        self.errors = errors
        name, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=name)


def language_suffixes():
    """(language code, the suffix of its translated columns): ("zh-hans", "zh_hans")."""
    return [(code, build_localized_fieldname("", code)[1:]) for code in LANGUAGE_CODES]


def ticket_field_snapshot(field):
    """A field as the audit log keeps it: every part a supervisor edits, labels in every language, options in order
    (its options and categories read, or taken from a prefetch)."""
    texts = {name: {code: getattr(field, f"{name}_{suffix}") or "" for code, suffix in language_suffixes()}
             for name in TRANSLATED}
    options = sorted(field.options.all(), key=lambda o: (o.position, o.pk))
    return {
        "key": field.key, "type": field.type, **texts, "position": field.position,
        **{flag: getattr(field, flag) for flag in FLAGS},
        "categories": sorted(c.slug for c in field.categories.all()),
        "pattern": field.pattern, "pattern_by": field.pattern_by, "patterns": field.patterns or {},
        "options": [{"value": o.value, "label": {code: getattr(o, f"label_{suffix}") or ""
                                                 for code, suffix in language_suffixes()}} for o in options],
    }


def _dependents(key, *, exclude=None):
    """The fields whose patterns depend on the dropdown with this key."""
    return list(TicketField.objects.filter(pattern_by=key).exclude(pk=exclude).order_by("position", "key"))


def ticket_field_errors(values, *, field=None, options=None):
    """What is wrong with a field's definition, as {name: [message, ...]} (empty: nothing). `values` holds the key,
    type, the translated texts by column (label_en, help_text_ja, ...), the flags and the pattern parts; `field` is
    the stored field being changed (None: a new one); `options`, when given, the dropdown's or multi-select's
    options in order ([{"value", "labels": {suffix: text}}]).

    - The key: lower-case letters, digits and _, unique; fixed once tickets carry the field, or while another
      field's patterns depend on it. The type is fixed once tickets carry values of it.
    - A label in English at least (the language every other one falls back to).
    - Patterns (only for "text checked by a pattern") compile and cannot backtrack badly; patterns per option are
      keyed by the options of an existing dropdown field (pattern_by).
    - A field customers do not see cannot be required of them.
    - Options: at least one; values of letters, digits, - _ . (they are stored on tickets), each once, labelled in
      English at least; an option tickets carry, or another field has a pattern for, stays.
    """
    errors = {}

    def add(name, message):
        errors.setdefault(name, []).append(str(message))

    key, kind = values.get("key") or "", values.get("type")
    stored = field is not None and field.pk is not None
    dependents = _dependents(field.key, exclude=field.pk) if stored else []
    used = {}

    def in_use():  # read once, and only when the key or the type changes (every ticket's values are looked at)
        if "used" not in used:
            used["used"] = field_key_used(field.key)
        return used["used"]

    if not isinstance(key, str) or not re.fullmatch(KEY_RE, key):
        add("key", _("Start with a lower-case letter, then lower-case letters, digits or _ (at most 40 in all), "
                     "e.g. tx_hash."))
    elif TicketField.objects.filter(key=key).exclude(pk=field.pk if stored else None).exists():
        add("key", _("Another field already has this key."))
    elif stored and key != field.key:
        if in_use():
            add("key", _("Tickets already carry this field, so its key can no longer change."))
        elif dependents:
            add("key", _("The patterns of “%(field)s” depend on this key, so it cannot change.") % {
                "field": dependents[0].label})
    if kind not in FieldType.values:
        add("type", _("Choose a type."))
    elif stored and kind != field.type:
        if in_use():
            add("type", _("Tickets already carry values of this field, so its type can no longer change. Add a new "
                          "field instead and retire this one."))
        elif field.type == FieldType.DROPDOWN and dependents:
            add("type", _("The patterns of “%(field)s” depend on this dropdown, so it must stay a dropdown.") % {
                "field": dependents[0].label})
    if not (values.get("label_en") or "").strip():
        add("label_en", _("Write the label in English at least: it is shown wherever a language has none."))
    for name, limit in TRANSLATED.items():
        for _code, suffix in language_suffixes():
            if len(values.get(f"{name}_{suffix}") or "") > limit:
                add(f"{name}_{suffix}", _("Keep this under %(limit)s characters.") % {"limit": limit})
    if values.get("required_for_customer") and not values.get("customer_visible"):
        add("required_for_customer", _("A field customers do not see cannot be required of them."))
    for name, messages in _pattern_errors(values, kind, field if stored else None).items():
        for message in messages:
            add(name, message)
    if options is not None and kind in CHOICE_TYPES:
        for name, messages in _options_errors(options, field if stored else None, dependents).items():
            for message in messages:
                add(name, message)
    return errors


def _pattern_errors(values, kind, field):
    pattern, pattern_by, patterns = (values.get(name) for name in PATTERN_PARTS)
    if kind != FieldType.REGEX:
        if pattern or pattern_by or patterns:
            return {"pattern": [_("Only fields of the type “Text checked by a pattern” have one.")]}
        return {}
    errors = {}
    if pattern:
        try:
            pattern_validate(pattern)
        except ValidationError as exc:  # in the request's language
            errors["pattern"] = [" ".join(exc.messages)]
    if not isinstance(patterns or {}, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in (patterns or {}).items()):
        return {**errors, "patterns": [_('Write an object of option values and patterns: {"TRC20": "…"}.')]}
    patterns = patterns or {}
    if not pattern_by:
        if patterns:
            errors["pattern_by"] = [_("Name the dropdown field the patterns depend on.")]
        return errors
    source = TicketField.objects.filter(key=pattern_by, type=FieldType.DROPDOWN).exclude(
        pk=field.pk if field is not None else None).first()
    if source is None:
        return {**errors, "pattern_by": [_("No dropdown field has this key.")]}
    unknown = sorted(set(patterns) - set(source.options.values_list("value", flat=True)))
    if unknown:
        return {**errors, "patterns": [_("Not an option of that field: %(values)s") % {"values": ", ".join(unknown)}]}
    for option, text in patterns.items():
        try:
            pattern_validate(text)
        except ValidationError as exc:
            errors.setdefault("patterns", []).append(f"{option}: {' '.join(exc.messages)}")
    return errors


def _options_errors(options, field, dependents):
    errors = {}

    def add(name, message):
        errors.setdefault(name, []).append(str(message))

    if not options:
        add("options", _("Give a dropdown or multi-select field at least one option."))
    if len(options) > MAX_OPTIONS:
        add("options", _("Keep to at most %(limit)s options.") % {"limit": MAX_OPTIONS})
    seen = set()
    for n, option in enumerate(options):
        value, labels = option.get("value") or "", option.get("labels") or {}
        if not re.fullmatch(OPTION_RE, value):
            add(f"options.{n}", _("A value is stored on tickets: use letters, digits, - _ and . only, without "
                                  "spaces (at most 60), e.g. TRC20."))
        elif value in seen:
            add(f"options.{n}", _("Another option already has the value %(value)s.") % {"value": value})
        seen.add(value)
        if not (labels.get("en") or "").strip():
            add(f"options.{n}", _("Write the option's label in English at least."))
        if any(len(text or "") > OPTION_LABEL_MAX for text in labels.values()):
            add(f"options.{n}", _("Keep each label under %(limit)s characters.") % {"limit": OPTION_LABEL_MAX})
    if field is None or field.type not in CHOICE_TYPES:
        return errors
    for value in sorted(set(field.options.values_list("value", flat=True)) - seen):
        if field_option_used(field.key, value):
            add("options", _("Tickets carry the option %(value)s, so it stays (its labels may change).") % {
                "value": value})
        for dependent in dependents:
            if value in (dependent.patterns or {}):
                add("options", _("“%(field)s” has a pattern for the option %(value)s: remove that pattern "
                                 "first.") % {"field": dependent.label, "value": value})
    return errors


def _store_options(field, options):
    """The options, in this order: existing values keep their row (labels and position updated), new ones are
    added, the rest removed."""
    existing = {option.value: option for option in field.options.all()}
    for position, option in enumerate(options):
        row = existing.pop(option["value"], None) or TicketFieldOption(field=field, value=option["value"])
        row.position = position
        for _code, suffix in language_suffixes():
            setattr(row, f"label_{suffix}", (option["labels"].get(suffix) or "").strip())
        row.save()
    if existing:
        TicketFieldOption.objects.filter(pk__in=[option.pk for option in existing.values()]).delete()


def _record(actor, field_id, before, after, via):
    audit_change(actor=actor, object_type=AuditEvent.ObjectType.TICKET_FIELD, object_id=field_id, before=before,
                 after=after, via=via)


def ticket_field_audit(*, actor, field_id, before, after, via=AuditEvent.Via.PAGE):
    """Record a change made elsewhere (Django admin saves through its own forms): nothing when nothing changed."""
    if before != after:
        _record(actor, field_id, before, after, via)


def ticket_field_save(*, actor, values, options=None, categories=(), field=None):
    """Create a field (`field` None; last in the order) or change one (its row locked, so two supervisors'
    changes apply one after the other, each recorded against what the other left). `values` as for
    ticket_field_errors; `options` the choices of a dropdown or multi-select in order (None: those it has; a
    field of another type keeps none); `categories` the categories whose tickets carry it (none: all). FieldDefinitionInvalid names
    every problem."""
    with transaction.atomic():
        locked, before = None, None
        if field is not None:
            locked = TicketField.objects.select_for_update().get(pk=field.pk)
            before = ticket_field_snapshot(locked)
        if options is None:
            options = [{"value": o["value"], "labels": {suffix: o["label"][code] for code, suffix in language_suffixes()}}
                       for o in (before or {}).get("options", [])]
        errors = ticket_field_errors(values, field=locked, options=options)
        if errors:
            raise FieldDefinitionInvalid(errors)
        if locked is None:
            last = TicketField.objects.aggregate(last=Max("position"))["last"]
            locked = TicketField(position=0 if last is None else last + 1)
        locked.key, locked.type = values["key"], values["type"]
        for name in TRANSLATED:
            for _code, suffix in language_suffixes():
                setattr(locked, f"{name}_{suffix}", (values.get(f"{name}_{suffix}") or "").strip())
        for flag in FLAGS:  # a flag not given keeps its value (a new field: the model's default)
            setattr(locked, flag, bool(values.get(flag, getattr(locked, flag))))
        locked.pattern = values.get("pattern") or ""
        locked.pattern_by = values.get("pattern_by") or ""
        locked.patterns = values.get("patterns") or {}
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError as exc:  # the same key, saved by someone else a moment ago
            raise FieldDefinitionInvalid({"key": [_("Another field already has this key.")]}) from exc
        locked.categories.set(categories)
        _store_options(locked, options if locked.type in CHOICE_TYPES else [])
        after = ticket_field_snapshot(locked)
        if after != before:
            _record(actor, locked.pk, before, after, AuditEvent.Via.PAGE)
    return locked


def ticket_field_set_active(*, field, actor, active):
    """Retire a field (out of every form; the values tickets carry stay and are shown) or bring it back."""
    with transaction.atomic():
        locked = TicketField.objects.select_for_update().get(pk=field.pk)
        if locked.is_active != bool(active):
            before = ticket_field_snapshot(locked)
            locked.is_active = bool(active)
            locked.save(update_fields=["is_active"])
            _record(actor, locked.pk, before, ticket_field_snapshot(locked), AuditEvent.Via.PAGE)
    return locked


def ticket_fields_reorder(*, actor, ids):
    """Put the fields in this order (every field's id, once): forms, cards and the API list them so. Only the
    fields whose place in the order changed are recorded."""
    with transaction.atomic():
        fields = list(TicketField.objects.select_for_update().order_by("position", "key"))
        by_id = {field.pk: field for field in fields}
        if sorted(ids) != sorted(by_id) or len(set(ids)) != len(ids):
            raise FieldDefinitionInvalid({"ids": [_("Give every field once, in the new order.")]})
        was = {field.pk: rank for rank, field in enumerate(fields)}
        for position, field_id in enumerate(ids):
            field = by_id[field_id]
            if field.position == position:
                continue
            before = ticket_field_snapshot(field) if was[field_id] != position else None
            field.position = position
            field.save(update_fields=["position"])
            if before is not None:
                _record(actor, field.pk, before, ticket_field_snapshot(field), AuditEvent.Via.PAGE)
