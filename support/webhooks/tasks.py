"""Celery entry points of outbound webhooks (registered by support/webhooks/wiring.py at app start)."""
from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True)
def webhook_delivery_send(delivery_id):
    """Post one outbox row; safe to run twice (the row is claimed first). A failed attempt is queued again after its
    backoff; should that task be lost, the sweep finds the overdue row."""
    outcome = services.webhook_delivery_deliver(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        services.webhook_deliveries_enqueue([delivery_id], countdown=outcome.retry_in)
    return outcome.result


@shared_task(acks_late=True)
def webhook_deliveries_sweep():
    """Queue again deliveries whose task was lost or whose worker died mid-request (beat, every minute)."""
    return services.webhook_deliveries_sweep(older_than_seconds=settings.WEBHOOK_SWEEP_AFTER)
