"""Celery entry points for tickets."""
from celery import shared_task
from django.conf import settings

from support.screenshots import ScreenshotScanError

from . import inbound, services, sla


@shared_task(acks_late=True)
def inbound_email_poll():
    """Fetch and file unseen mail from the IMAP mailbox configured by IMAP_* settings (beat, every minute)."""
    if not settings.IMAP_HOST:
        return 0
    return inbound.inbound_imap_poll(host=settings.IMAP_HOST, port=settings.IMAP_PORT, user=settings.IMAP_USER,
                                     password=settings.IMAP_PASSWORD, folder=settings.IMAP_FOLDER,
                                     use_ssl=settings.IMAP_SSL)


@shared_task(acks_late=True)
def sla_scan():
    """Record SLA warnings and breaches that have come due (beat, every minute); safe to run twice at once."""
    return sla.sla_scan()


@shared_task(bind=True, acks_late=True, autoretry_for=(ScreenshotScanError,), retry_backoff=30, max_retries=2)
def attachment_scan(self, attachment_id):
    """Read one attachment (picture, text, PDF, ZIP) for secrets; a task delivered again finds it finished (or
    claimed) and stops."""
    return services.attachment_scan(attachment_id=attachment_id, last_attempt=self.request.retries >= self.max_retries)


@shared_task(acks_late=True)
def attachment_scans_sweep():
    """Queue again the attachment scans whose task was lost (beat, every five minutes)."""
    return services.attachment_scans_sweep()
