"""Celery entry points for live chat: each calls one service."""
from celery import shared_task

from support.screenshots import ScreenshotScanError

from . import services


@shared_task(acks_late=True)
def livechat_close_idle():
    """Close chats whose customer has gone quiet."""
    return services.conversations_close_idle()


@shared_task(acks_late=True)
def livechat_wrap_up_stale():
    """Wrap up ended chats their agent left unwrapped for too long."""
    return services.conversations_wrap_up_stale()


@shared_task(acks_late=True)
def livechat_requeue_dropped():
    """Agents whose socket dropped past the grace period: offline, chats back to the queue."""
    return services.agents_dropped_requeue()


@shared_task(acks_late=True)
def livechat_route_all():
    """Route every waiting chat there is a seat for (a safety net behind the event-driven routing)."""
    return services.conversations_route_all()


@shared_task(acks_late=True)
def livechat_overflow_offers():
    """Offer waiting customers of long queues an agent of another language now (agents come free at any time)."""
    return len(services.overflow_offers_make())


@shared_task(bind=True, acks_late=True, autoretry_for=(ScreenshotScanError,), retry_backoff=30, max_retries=2)
def chat_attachment_scan(self, attachment_id):
    """Read one file sent in a chat (picture, text, PDF, ZIP) for secrets; a task delivered again finds it finished
    (or claimed) and stops."""
    return services.chat_attachment_scan(attachment_id=attachment_id,
                                         last_attempt=self.request.retries >= self.max_retries)


@shared_task(acks_late=True)
def chat_attachment_scans_sweep():
    """Queue again the file scans whose task was lost (beat, every five minutes)."""
    return services.chat_attachment_scans_sweep()
