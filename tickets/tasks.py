"""Celery entry points for tickets."""
from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True)
def tickets_close_solved():
    """Close tickets solved longer ago than TICKET_AUTO_CLOSE_DAYS (beat, hourly)."""
    return services.tickets_close_solved(older_than_days=settings.TICKET_AUTO_CLOSE_DAYS)
