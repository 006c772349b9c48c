"""Celery entry points for automation: each calls one service."""
from celery import shared_task

from .sweep import automations_run


@shared_task(acks_late=True)
def automations_sweep(full=False):
    """Time-based automations over the open tickets (every 5 minutes; once a day over every ticket, `full`)."""
    return automations_run(full=full)
