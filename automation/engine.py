"""The rules engine: one entry point, `rules_run(event)`, called for every ticket event after commit (a
support.domain_events subscriber, registered in apps.py), so every path that changes a ticket (a page, the API, an
email, a chat, the bot, a task) fires the same triggers.

A pass over one event: the active triggers listening to it, in position order, each tested against the ticket as it
is now; one that holds is claimed (TriggerFiring, unique per trigger, event and ticket: with any number of
processes a trigger fires at most once per event and ticket, and at most once in a pass), its actions run on the
locked ticket in one transaction (as the system, marked made by rules), and the changes it made become the events
of the next round ("priority changed" can fire a trigger listening to that). A pass ends when a round changes
nothing, or after AUTOMATION_MAX_ROUNDS rounds: then it is cut and recorded (RulesPass), so rules that feed each
other are seen, not run forever. Events made by rules reach webhooks like any other; the engine ignores them as
events of their own (this pass already handles them).

Speed: the active triggers are kept in each process and reloaded when any trigger changes (a version number in the
cache); an event no trigger listens to costs one cache read, and testing conditions reads the ticket once (the
message text, the customer's tier and a calendar only when a condition asks).
"""
import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from support.domain_events import DomainEvent
from tickets.models import Message, Ticket
from tickets.services import ticket_changes_apply_locked

from .actions import actions_apply
from .conditions import Facts, matches, tests_prepared
from .models import RulesPass, Trigger, TriggerFiring

logger = logging.getLogger(__name__)
VERSION_KEY = "automation:triggers:version"
_cache = {"version": None, "triggers": [], "checked": None}
FACTS_SQL = f"""
    SELECT t.*, (SELECT m.body FROM {Message._meta.db_table} m
                 WHERE m.ticket_id = t.id AND NOT m.is_internal AND (%s::bigint IS NULL OR m.id = %s)
                 ORDER BY m.created_at, m.id LIMIT 1) AS event_body
    FROM {Ticket._meta.db_table} t WHERE t.id = %s"""
VERSION_CHECK_SECONDS = 1.0
FIELD_EVENTS = {"custom_field": "ticket.fields_changed"}  # audit trail field -> the event its change is


def triggers_changed():
    """Every process reloads its triggers (this one on its next event, the others within VERSION_CHECK_SECONDS;
    call after any change to a trigger). The version is a random token, not a counter: after the cache is emptied, a
    counter would start again at a number some process still holds, with triggers that have changed since."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _cache["checked"] = None


def triggers_forget():
    """This process forgets its copy of the triggers (tests whose database is emptied behind the services' back)."""
    _cache["version"], _cache["triggers"], _cache["checked"] = None, [], None


def active_triggers():
    """The active triggers in position order, prepared (conditions.prepared), from this process's copy while no
    trigger changed; the version is read from the cache at most every VERSION_CHECK_SECONDS (a burst of events does
    not ask Redis each time)."""
    now = time.monotonic()
    if _cache["checked"] is not None and now - _cache["checked"] < VERSION_CHECK_SECONDS:
        return _cache["triggers"]
    _cache["checked"] = now
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    if _cache["version"] != version:
        triggers = list(Trigger.objects.filter(is_active=True).order_by("position", "id"))
        for trigger in triggers:
            trigger.tests = tests_prepared(trigger.conditions)
        _cache["triggers"] = triggers
        _cache["version"] = version
    return _cache["triggers"]


def rules_run(event):
    """Run the triggers for one event (the domain events subscriber). Returns the ids of the triggers that fired."""
    if event.by_rules or event.ticket_id is None:
        return []
    triggers = active_triggers()
    if not any(event.name in trigger.events for trigger in triggers):
        return []
    fired, queue, rounds, cut, facts = [], [event], 0, False, None
    while queue:
        rounds += 1
        if rounds > settings.AUTOMATION_MAX_ROUNDS:
            cut = True
            break
        next_round = []
        for current in queue:
            listening = [trigger for trigger in triggers if current.name in trigger.events and trigger.pk not in fired]
            facts = _facts(current, carry=facts) if listening else facts
            if facts is None:
                return fired  # the ticket is gone (merged away and deleted)
            if not any(matches(trigger, facts) for trigger in listening):
                continue  # the common case: nothing to lock, nothing written
            for trigger, changed in _fire_round(listening, current, root=event, round_no=rounds, carry=facts):
                fired.append(trigger.pk)
                next_round += [DomainEvent(name=FIELD_EVENTS.get(field, f"ticket.{field}_changed"),
                                           ticket_id=event.ticket_id, actor="system", by_rules=True)
                               for field in changed]
            facts = None  # the ticket changed: the next event reads it again
        queue = next_round
    if cut:
        RulesPass.objects.create(ticket_id=event.ticket_id, event_id=event.id, event=event.name, rounds=rounds - 1,
                                 fired=fired, cut=True)
        logger.warning("rules pass for %s on ticket %s cut after %s rounds (triggers %s)", event.name,
                       event.ticket_id, rounds - 1, fired)
    return fired


def _facts(event, *, carry=None):
    """The ticket as it is now (not locked: most events match no trigger, and testing needs no lock)."""
    message_id = (event.changes.get("message") or [None, None])[1]
    # One round trip, written out (this runs after every change to a ticket; the ORM's query building cost more than
    # the query): the ticket's own columns and the event's message, or the first one (the requester is read later
    # if a condition asks).
    found = list(Ticket.objects.raw(FACTS_SQL, [message_id, message_id, event.ticket_id]))
    return Facts(found[0], event, carry=carry) if found else None


def _fire_round(listening, event, *, root, round_no, carry):
    """The triggers listening to one event, in order, on the locked ticket in one transaction: each tested against
    the ticket as the triggers before it left it; one that holds runs its actions and is recorded (TriggerFiring:
    unique per trigger, event and ticket) in a savepoint of its own, so a trigger already fired for this event by
    another process (which held the lock before us) leaves nothing behind. Returns [(trigger, fields it changed)]."""
    now = timezone.now()
    done = []
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("requester", "assignee").filter(
            pk=event.ticket_id).first()
        if ticket is None:
            return done
        facts = Facts(ticket, event, now=now, carry=carry)
        for trigger in listening:
            if not matches(trigger, facts):
                continue

            def apply_changes(changes):
                return ticket_changes_apply_locked(ticket, None, changes, now=now, by_rules=True)

            try:
                with transaction.atomic():
                    outcome, changed = actions_apply(trigger, ticket, now=now, apply_changes=apply_changes,
                                                     event=event)
                    TriggerFiring.objects.create(trigger=trigger, ticket=ticket, event_id=root.id, event=event.name,
                                                 round=round_no, fired_at=now, outcome=outcome)
            except IntegrityError:
                ticket.refresh_from_db()  # its changes were rolled back with the savepoint: as stored, in memory too
                continue  # another process fired it for this event already
            done.append((trigger, changed))
        if done:
            Trigger.objects.filter(pk__in=[trigger.pk for trigger, _changed in done]).update(
                fire_count=F("fire_count") + 1, last_fired_at=now)
    return done
