"""Celery entry points of the shared core."""
from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True)
def notifications_purge_read():
    """Delete read notifications past the retention period (beat, hourly); safe to run twice."""
    return services.notifications_purge_read(older_than_days=settings.NOTIFICATION_RETENTION_DAYS)
