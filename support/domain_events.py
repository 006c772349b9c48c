"""Domain events: what happened to a ticket or a chat, told after commit to whoever subscribed (the rules engine of
the automation app, outbound webhooks). One path for every caller: the services that change tickets and chats publish
here, whatever called them (a page, the API, an email, a chat, the bot, a task), so every path fires the same rules and
the same webhooks.

    publish(name, **payload)      from a service, inside its transaction: delivered after commit, never if it rolls back
    subscribe(handler, names=(), *, in_transaction=False)
                                  at app start (AppConfig.ready): handler(event) for these names, or for all; after
                                  commit, or (in_transaction) at once, inside the publisher's transaction: for an
                                  outbox that must hold the event exactly when the change is stored (webhooks)

An event is a DomainEvent: its `id`, `name` (one of EVENTS), `ticket_id` and/or `conversation_id`, the `actor` kind
("customer", "agent" or "system") and `actor_id`, `changes` ({field: [before, after]}, codes and ids only, never a
message's text), `by_rules` (the change was made by a rule: the engine counts it in its own pass), and the time.
A subscriber that fails is logged and the others still run: a webhook that cannot be queued never undoes a reply.
"""
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .roles import is_agent

logger = logging.getLogger(__name__)

EVENTS = (
    "ticket.created", "ticket.customer_replied", "ticket.agent_replied", "ticket.status_changed",
    "ticket.priority_changed", "ticket.assignee_changed", "ticket.team_changed", "ticket.tags_changed",
    "ticket.category_changed", "ticket.fields_changed", "chat.ended", "chat.rated",
)
ACTORS = ("customer", "agent", "system")


@dataclass(frozen=True)
class DomainEvent:
    name: str
    ticket_id: int | None = None
    conversation_id: str | None = None
    actor: str = "system"
    actor_id: int | None = None
    changes: dict = field(default_factory=dict)
    by_rules: bool = False
    at: datetime = field(default_factory=timezone.now)
    id: uuid.UUID = field(default_factory=uuid.uuid4)  # once per event: a rule fires at most once for it

    def as_json(self):
        """The event as webhooks send it (docs/api.md)."""
        return {"id": str(self.id), "event": self.name, "ticket_id": self.ticket_id, "conversation_id": self.conversation_id,
                "actor": self.actor, "actor_id": self.actor_id, "changes": self.changes, "by_rules": self.by_rules,
                "at": self.at.isoformat()}


_subscribers = []  # (handler, frozenset of names or None for all, in_transaction)


def subscribe(handler, names=(), *, in_transaction=False):
    """Call handler(event) for each event named (all when none are named): after commit, or in the publisher's
    transaction. Idempotent per handler."""
    unknown = set(names) - set(EVENTS)
    if unknown:
        raise ValueError(f"unknown domain events: {sorted(unknown)}")
    if not any(existing is handler for existing, _names, _when in _subscribers):
        _subscribers.append((handler, frozenset(names) or None, in_transaction))


def publish(name, **payload):
    """Run the in-transaction subscribers now (their failure fails the publisher's transaction: the outbox and the
    change are stored together or not at all), and the others after the transaction commits."""
    if name not in EVENTS:
        raise ValueError(f"unknown domain event: {name}")
    if payload.get("actor", "system") not in ACTORS:
        raise ValueError(f"unknown actor: {payload.get('actor')}")
    event = DomainEvent(name=name, **payload)
    for handler, names, in_transaction in list(_subscribers):
        if in_transaction and (names is None or name in names):
            handler(event)
    transaction.on_commit(lambda: deliver(event))
    return event


def deliver(event):
    """Run every after-commit subscriber of the event; one that fails is logged, the others still run."""
    for handler, names, in_transaction in list(_subscribers):
        if in_transaction or (names is not None and event.name not in names):
            continue
        try:
            handler(event)
        except Exception:  # noqa: BLE001 - a subscriber's bug must not cost the change that was already committed
            logger.exception("domain event %s: subscriber %s failed", event.name, getattr(handler, "__name__", handler))


def actor_kind(user, *, requester_id=None):
    """The actor kind of a user acting on a ticket: the requester is the customer, staff are agents, nobody is the
    system."""
    if user is None:
        return "system"
    if requester_id is not None and user.pk == requester_id:
        return "customer"
    return "agent" if is_agent(user) else "customer"
