"""Celery entry points of the shared core."""
from celery import shared_task
from django.conf import settings

from . import outbox, services


@shared_task(acks_late=True)
def notifications_purge_read():
    """Delete read notifications past the retention period (beat, hourly); safe to run twice."""
    return services.notifications_purge_read(older_than_days=settings.NOTIFICATION_RETENTION_DAYS)


@shared_task(acks_late=True, autoretry_for=(outbox.TemporaryEmailError,), retry_backoff=30, retry_backoff_max=3600,
             retry_jitter=True, max_retries=12)
def outbound_email_send(outbound_id):
    """Send one outbox row; safe to run twice (the row is claimed before sending)."""
    return outbox.outbound_email_deliver(outbound_id=outbound_id)


@shared_task(acks_late=True)
def outbound_emails_send(outbound_ids):
    """Send a batch of outbox rows (e.g. a scan's alerts: one task instead of one per email). A row that fails for
    a temporary reason gets a retrying task of its own; each row is claimed before sending, so none goes twice."""
    for outbound_id in outbound_ids:
        try:
            outbox.outbound_email_deliver(outbound_id=outbound_id)
        except outbox.TemporaryEmailError:
            outbound_email_send.apply_async((outbound_id,), countdown=30)


@shared_task(acks_late=True)
def outbound_emails_sweep():
    """Re-enqueue outbox rows whose delivery task was lost (beat, every minute)."""
    return outbox.outbound_emails_sweep(older_than_seconds=settings.OUTBOUND_EMAIL_SWEEP_AFTER)
