"""A trigger's conditions: their shape (checked before a trigger is stored) and their test against a ticket.

A condition is {"field", "op", "value"} (custom fields: "field": "field", "key": the field's key):

    channel, language, priority, status    is | is_not | in          a code, or a list of codes for "in"
    category, team, assignee                is | is_not | in          an id, or null for "none"
    requester_organisation                  is | is_not | in          an organisation's id, or null for "none"
    tags                                    contains | not_contains | contains_any
    text, subject                           contains | not_contains   a list of phrases (any of them)
    requester_tier                          is | gte | lte            the customer's VIP tier at the exchange
    business_hours                          within | outside          a business calendar's id
    actor                                   is | is_not | in          customer | agent | system
    field (custom, "key")                   is | is_not | contains | is_set | is_empty

`requester_organisation` is the customer's organisation (support.organisations: from an address they have proven,
or set by an admin), read on the requester the engine loads with the ticket: no query of its own.

`text` is the subject and the event's message (a reply) or the first message; every text comparison is
case-insensitive and width-insensitive (NFKC then casefold: full-width "ＵＳＤＴ" and half-width "USDT" match, as do
half- and full-width katakana), so one phrase serves the six languages' ways of typing it.

Testing conditions reads the ticket in memory; the message text, the customer's tier (from the exchange profile's
cache, never a call to the exchange) and a calendar are read on first use only, once per pass.
"""
import time
import unicodedata
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from support.domain_events import ACTORS
from support.languages import LANGUAGE_CODES
from support.profiles import OK, customer_profile_cached
from tickets.models import BusinessCalendar, Channel, Message, Priority, Status

CODES = {"channel": Channel.values, "language": list(LANGUAGE_CODES), "priority": Priority.values,
         "status": Status.values, "actor": list(ACTORS)}
IDS = ("category", "team", "assignee")
REQUESTER_IDS = ("requester_organisation",)  # ids read on the requester, not the ticket
OPS = {**{name: ("is", "is_not", "in") for name in (*CODES, *IDS, *REQUESTER_IDS)},
       "tags": ("contains", "not_contains", "contains_any"), "text": ("contains", "not_contains"),
       "subject": ("contains", "not_contains"), "requester_tier": ("is", "gte", "lte"),
       "business_hours": ("within", "outside"), "field": ("is", "is_not", "contains", "is_set", "is_empty")}
MAX_CONDITIONS = 30
MAX_PHRASES = 50


class ConditionInvalid(ValueError):
    """A condition the engine could not read; the message is for the supervisor, in their language."""


def fold(text):
    """Case- and width-insensitive form of a text (NFKC, then casefold)."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def conditions_clean(conditions):
    """The conditions in their stored shape, or ConditionInvalid naming the first problem (its position from 1)."""
    if not isinstance(conditions, list) or len(conditions) > MAX_CONDITIONS:
        raise ConditionInvalid(_("Conditions must be a list of at most %(count)s.") % {"count": MAX_CONDITIONS})
    return [_condition_clean(condition, number) for number, condition in enumerate(conditions, start=1)]


def _condition_clean(condition, number):
    def invalid(message):
        return ConditionInvalid(_("Condition %(number)s: %(problem)s") % {"number": number, "problem": message})

    if not isinstance(condition, dict):
        raise invalid(_("it must be an object with a field, an operator and a value."))
    name, op, value = condition.get("field"), condition.get("op"), condition.get("value")
    if name not in OPS:
        raise invalid(_("unknown field."))
    if op not in OPS[name]:
        raise invalid(_("this operator does not apply to the field."))
    cleaned = {"field": name, "op": op}
    if name in CODES:
        values = value if op == "in" else [value]
        if not isinstance(values, list) or not values or any(v not in CODES[name] for v in values):
            raise invalid(_("unknown value."))
        cleaned["value"] = values if op == "in" else value
    elif name in IDS or name in REQUESTER_IDS:
        values = value if op == "in" else [value]
        if not isinstance(values, list) or not values or any(
                v is not None and (not isinstance(v, int) or isinstance(v, bool)) for v in values):
            raise invalid(_("the value must be an id, or null for none."))
        cleaned["value"] = values if op == "in" else value
    elif name in ("tags", "text", "subject"):
        phrases = value if isinstance(value, list) else [value]
        phrases = [p.strip() for p in phrases if isinstance(p, str) and p.strip()]
        if not phrases or len(phrases) > MAX_PHRASES or any(len(p) > 200 for p in phrases):
            raise invalid(_("give one to %(count)s words or phrases.") % {"count": MAX_PHRASES})
        cleaned["value"] = phrases if (name != "tags" or op == "contains_any") else phrases[0]
    elif name == "requester_tier":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 9:
            raise invalid(_("the tier is a whole number from 0 to 9."))
        cleaned["value"] = value
    elif name == "business_hours":
        if not isinstance(value, int) or not BusinessCalendar.objects.filter(pk=value).exists():
            raise invalid(_("unknown business calendar."))
        cleaned["value"] = value
    else:  # a custom field
        key = condition.get("key")
        if not isinstance(key, str) or not key or len(key) > 64:
            raise invalid(_("name the custom field by its key."))
        cleaned["key"] = key
        if op not in ("is_set", "is_empty"):
            if value is None or isinstance(value, (dict, list)):
                raise invalid(_("the value must be a single value."))
            cleaned["value"] = value
    return cleaned


class Facts:
    """What conditions read of one ticket at one event: the ticket in memory, the rest on first use."""

    def __init__(self, ticket, event, *, now=None, carry=None):
        """`carry`: earlier facts of the same pass, whose reads are reused (the customer's tier and the calendars;
        the text too when it is the same event: rules never change a subject or a message)."""
        self.ticket, self.event = ticket, event
        self.now = now or timezone.now()
        self._text = carry._text if carry is not None and carry.event is event else None
        self._tier = carry._tier if carry is not None else None
        self._calendars = carry._calendars if carry is not None else {}
        self._subject = self._tags = None

    def text(self):
        if self._text is None and hasattr(self.ticket, "event_body"):  # (read with the ticket by the engine)
            self._text = fold(f"{self.ticket.subject}\n{self.ticket.event_body or ''}")
        if self._text is None:
            message_id = (self.event.changes.get("message") or [None, None])[1]
            messages = Message.objects.filter(ticket_id=self.ticket.pk, is_internal=False)
            message = (messages.filter(pk=message_id) if message_id else messages.order_by("created_at", "id"))
            body = message.values_list("body", flat=True).first() or ""
            self._text = fold(f"{self.ticket.subject}\n{body}")
        return self._text

    def tier(self):
        if self._tier is None:
            result = customer_profile_cached(customer=self.ticket.requester)
            self._tier = result.profile.vip_tier if result is not None and result.state == OK else 0
        return self._tier

    def within_hours(self, calendar_id):
        if calendar_id not in self._calendars:
            calendar = _calendar(calendar_id)
            self._calendars[calendar_id] = calendar is not None and _within(calendar, self.now)
        return self._calendars[calendar_id]

    def subject(self):
        if self._subject is None:
            self._subject = fold(self.ticket.subject)
        return self._subject

    def tags(self):
        if self._tags is None:
            self._tags = {fold(tag) for tag in self.ticket.tags}
        return self._tags


CALENDAR_SECONDS = 60  # how long a process keeps a business calendar (an edit applies to triggers within a minute)
_calendars = {}  # id -> (kept until, calendar or None)


def _calendar(calendar_id):
    kept = _calendars.get(calendar_id)
    if kept is None or kept[0] < time.monotonic():
        calendar = BusinessCalendar.objects.prefetch_related("hours", "holidays").filter(pk=calendar_id).first()
        kept = _calendars[calendar_id] = (time.monotonic() + CALENDAR_SECONDS, calendar)
    return kept[1]


COST = {"subject": 1, "tags": 1, "field": 1, "text": 2, "requester_organisation": 3, "requester_tier": 4,
        "business_hours": 4}  # what testing a condition reads: 0 the ticket's columns, up to another query


def prepared(conditions):
    """The conditions as the engine keeps them in memory: their phrases and tags folded once (testing 200 triggers
    folds only the ticket's own text), and the cheap ones first (the answer is the same in any order, and a trigger
    whose language or channel differs never reads the message, the customer's tier or a calendar)."""
    ready = []
    for condition in conditions:
        if condition["field"] in ("text", "subject", "tags"):
            value = condition["value"]
            condition = {**condition, "folded": [fold(v) for v in value] if isinstance(value, list) else fold(value)}
        ready.append(condition)
    return sorted(ready, key=lambda condition: COST.get(condition["field"], 0))


def _within(calendar, at):
    local = at.astimezone(ZoneInfo(calendar.timezone))
    if local.date() in {holiday.date for holiday in calendar.holidays.all()}:
        return False
    moment = local.time().replace(tzinfo=None)
    return any(row.weekday == local.weekday() and row.start <= moment < row.end for row in calendar.hours.all())


def _current(facts, name):
    ticket = facts.ticket
    if name == "actor":
        return facts.event.actor
    if name in IDS:
        return getattr(ticket, f"{name}_id")
    if name == "requester_organisation":
        return ticket.requester.organisation_id
    return getattr(ticket, name)


def holds(condition, facts):
    """Does one (cleaned) condition hold for these facts?"""
    name, op, value = condition["field"], condition["op"], condition.get("value")
    if name in CODES or name in IDS or name in REQUESTER_IDS:
        current = _current(facts, name)
        if op == "in":
            return current in value
        return (current == value) == (op == "is")  # each operator alone: "in" on a single id would raise
    if name == "tags":
        tags, wanted = facts.tags(), condition.get("folded")
        if op == "contains_any":
            return any(tag in tags for tag in (wanted or [fold(tag) for tag in value]))
        return ((wanted or fold(value)) in tags) == (op == "contains")
    if name in ("text", "subject"):
        haystack = facts.text() if name == "text" else facts.subject()
        found = any(phrase in haystack for phrase in (condition.get("folded") or [fold(p) for p in value]))
        return found == (op == "contains")
    if name == "requester_tier":
        tier = facts.tier()
        return {"is": tier == value, "gte": tier >= value, "lte": tier <= value}[op]
    if name == "business_hours":
        return facts.within_hours(value) == (op == "within")
    current = (getattr(facts.ticket, "custom_fields", None) or {}).get(condition["key"])
    empty = current in (None, "", [], False)
    if op in ("is_set", "is_empty"):
        return empty == (op == "is_empty")
    if op == "contains":
        if isinstance(current, list):
            return any(fold(str(item)) == fold(str(value)) for item in current)
        return fold(str(value)) in fold(str(current or ""))
    same = fold(str(current)) == fold(str(value)) if not empty else False
    return same == (op == "is")


def _test(condition):
    """One prepared condition as a function of the facts: the ticket's own codes and ids compared directly (most of
    what 200 triggers test), the rest through holds()."""
    name, op, value = condition["field"], condition["op"], condition.get("value")
    if name in IDS or (name in CODES and name != "actor"):
        attr = f"{name}_id" if name in IDS else name
        if op == "in":
            allowed = frozenset(value)
            return lambda facts: getattr(facts.ticket, attr) in allowed
        if op == "is":
            return lambda facts: getattr(facts.ticket, attr) == value
        return lambda facts: getattr(facts.ticket, attr) != value
    return lambda facts: holds(condition, facts)


def tests_prepared(conditions):
    """prepared(conditions) as functions of the facts (what the engine keeps for each trigger)."""
    return [_test(condition) for condition in prepared(conditions)]


def matches(trigger, facts):
    """The trigger's conditions against the facts: all of them, or any (no conditions: always)."""
    prepared_tests = getattr(trigger, "tests", None)
    if prepared_tests is not None:
        tests = (test(facts) for test in prepared_tests)
    else:
        tests = (holds(condition, facts) for condition in trigger.conditions)
    if not trigger.conditions:
        return True
    return all(tests) if trigger.match == "all" else any(tests)
