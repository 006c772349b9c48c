"""Celery beat entry points for live chat: each calls one service."""
from celery import shared_task

from . import services


@shared_task(acks_late=True)
def livechat_close_idle():
    """Close chats whose customer has gone quiet."""
    return services.conversations_close_idle()


@shared_task(acks_late=True)
def livechat_requeue_dropped():
    """Agents whose socket dropped past the grace period: offline, chats back to the queue."""
    return services.agents_dropped_requeue()


@shared_task(acks_late=True)
def livechat_route_all():
    """Route every waiting chat there is a seat for (a safety net behind the event-driven routing)."""
    return services.conversations_route_all()
