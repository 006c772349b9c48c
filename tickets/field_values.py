"""One custom field's value: from what a form or an API client sent to the form it is stored in (models.fields.
TicketField says which), and the pattern check of "text checked by a pattern" fields, whose pattern may depend on
another field's choice (a transaction hash checked by its network). Messages are in the request's language.

Pure functions of a field definition and a value: services.fields applies them to a ticket's values, the inbox's
filters to a filter's value.
"""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .models import FieldType
from .regexes import REGEX_INPUT_MAX, pattern_matches

TEXT_MAX = 500
NUMBER_LIMIT = 10**15  # whole numbers stay exact in JavaScript clients too
DECIMAL_PLACES = 18  # the smallest unit of an ERC-20 token
DECIMAL_DIGITS = 40
_SPACES = re.compile(r"[\s\u00a0\u202f']+")  # "1 000,5" (ru), "1'000.5"
_DECIMAL = re.compile(r"^\+?(\d*)(?:[.,](\d+))?$")
_NUMBER = re.compile(r"^[+-]?\d{1,16}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")  # PostgreSQL's JSON cannot hold NUL; none belongs in a one-line value
TRUE, FALSE = ("true", "1", "on", "yes"), ("false", "0", "off", "no", "")


class FieldValueError(Exception):
    """A value a field cannot hold: a stable code and a message for people."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def is_empty(value):
    return value is None or value == "" or value == [] or value is False


def value_parse(field, raw):
    """The stored form of `raw` for this field, or None when it is empty (the key is then absent); FieldValueError
    when the field cannot hold it. Checks the type and the options, not a pattern (pattern_check)."""
    kind = field.type
    if raw is None:
        return None
    if kind == FieldType.MULTISELECT:
        return _choices(field, raw)
    if isinstance(raw, (dict, list, tuple)):
        raise FieldValueError("invalid", _("Give a single value."))
    if kind == FieldType.CHECKBOX:
        text = str(raw).strip().lower()
        if raw is True or text in TRUE:
            return True
        if raw is False or text in FALSE:
            return None
        raise FieldValueError("invalid_choice", _("Choose yes or no."))
    if isinstance(raw, bool):
        raise FieldValueError("invalid", _("Give a single value."))
    text = " ".join(_CONTROLS.sub(" ", str(raw)).split())
    if not text:
        return None
    if kind == FieldType.NUMBER:
        return _number(text)
    if kind == FieldType.DECIMAL:
        return _decimal(text)
    if kind == FieldType.DATE:
        return _date(text)
    if kind == FieldType.DROPDOWN:
        if text not in {option.value for option in field.options.all()}:
            raise FieldValueError("invalid_choice", _("Choose one of the options."))
        return text
    limit = REGEX_INPUT_MAX if kind == FieldType.REGEX else TEXT_MAX
    if len(text) > limit:
        raise FieldValueError("too_long", _("Keep this under %(limit)s characters.") % {"limit": limit})
    return text


def _choices(field, raw):
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
        raise FieldValueError("invalid_choice", _("Choose one of the options."))
    chosen = {item.strip() for item in items if item.strip()}
    values = [option.value for option in field.options.all()]
    if chosen - set(values):
        raise FieldValueError("invalid_choice", _("Choose one of the options."))
    return [value for value in values if value in chosen] or None


def _number(text):
    if not _NUMBER.match(text) or abs(int(text)) >= NUMBER_LIMIT:
        raise FieldValueError("invalid_number", _("Enter a whole number."))
    return int(text)


def _decimal(text):
    """Plain notation, canonical ("0.50" -> "0.5"), so a filter finds what was typed either way. A comma is read as
    the decimal separator too (es, ru); thousands separators other than spaces are refused, as ambiguous."""
    text = _SPACES.sub("", text)
    if text.startswith("-") and _DECIMAL.match(text[1:]):
        raise FieldValueError("invalid_number", _("Enter an amount of zero or more."))
    match = _DECIMAL.match(text)
    if match is None or not (match.group(1) or match.group(2)):
        raise FieldValueError("invalid_number", _("Enter a number."))
    whole, places = match.group(1) or "0", match.group(2) or ""
    if len(places) > DECIMAL_PLACES:
        raise FieldValueError("invalid_number", _("Use at most %(places)s decimal places.") % {
            "places": DECIMAL_PLACES})
    if len(whole.lstrip("0")) + len(places) > DECIMAL_DIGITS:
        raise FieldValueError("invalid_number", _("Enter a number."))
    try:
        number = Decimal(f"{whole}.{places or '0'}")
    except InvalidOperation as exc:  # the pattern above lets only digits through; kept for safety
        raise FieldValueError("invalid_number", _("Enter a number.")) from exc
    return format(number.normalize(), "f")


def _date(text):
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise FieldValueError("invalid_date", _("Enter a date as YYYY-MM-DD.")) from exc


def pattern_check(field, value, values, fields_by_key):
    """A "text checked by a pattern" value matches its pattern: the one for the option chosen in the field it
    depends on (`pattern_by`, read from `values`), else its own. FieldValueError with the field's own message
    (its `{option}` filled in) or a general one."""
    if field.type != FieldType.REGEX or value is None:
        return
    pattern, option = field.pattern, None
    chosen = values.get(field.pattern_by) if field.pattern_by else None
    if isinstance(chosen, str) and (field.patterns or {}).get(chosen):
        pattern, option = field.patterns[chosen], chosen
    if not pattern or pattern_matches(pattern, value):
        return
    source = fields_by_key.get(field.pattern_by)
    option_label = str(source.option_label(option)) if source is not None and option else option
    if field.invalid_message:
        message = field.invalid_message.replace("{option}", option_label or "")
    elif option:
        message = _("This value does not match the format for %(option)s.") % {"option": option_label}
    else:
        message = _("This value does not have the expected format.")
    raise FieldValueError("invalid_format", message)


def value_text(value):
    """A stored value as one line of text (the audit trail, CSV): lists joined, a ticked box "true"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
