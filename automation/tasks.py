"""Celery entry points for automation: each calls one service."""
from celery import shared_task

from .sweep import automations_run


@shared_task(acks_late=True)
def automations_sweep():
    """Time-based automations over the open tickets (every AUTOMATION_SWEEP_SECONDS)."""
    return automations_run()
