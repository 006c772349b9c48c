"""Outbound webhooks joined to the desk at start (SupportConfig.ready calls connect()): the outbox subscribes to every
domain event, inside the publisher's transaction; the Celery tasks and the admin pages are registered by importing
their modules (support's own tasks.py and admin.py are found by name; these live in this package)."""
from support.domain_events import subscribe

from . import admin, tasks  # noqa: F401  (registered on import)
from .services import webhook_deliveries_queue


def connect():
    subscribe(webhook_deliveries_queue, in_transaction=True)
