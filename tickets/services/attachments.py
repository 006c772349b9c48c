"""Files attached to ticket messages: storing them checked, removing them when the write rolls back, and the scan
for secrets that runs after commit, with its sweep for scans whose task was lost."""
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from support.filescan import file_scan, file_scans_lost, scan_needed
from support.models import ScanState
from support.uploads import AttachmentRejected, check_upload, make_thumbnail

from ..models import Attachment


def attachments_store(*, ticket, message, uploader, files):
    """Store checked files; pictures, text, PDF and ZIP files are read for secrets in a task after commit
    (attachment_scan)."""
    checked = [check_upload(f) for f in files]
    stored = []
    for item in checked:
        attachment = Attachment(ticket=ticket, message=message, uploaded_by=uploader, filename=item.filename,
                                content_type=item.content_type, kind=item.kind, size=item.size)
        attachment.file.save(attachment.filename, item.upload, save=False)
        if item.kind == "image":
            attachment.thumbnail.save("thumb.png", ContentFile(make_thumbnail(item.upload)), save=False)
        if scan_needed(item.content_type):
            attachment.scan_state = ScanState.PENDING
        attachment.save()
        stored.append(attachment)
    pending = [attachment.pk for attachment in stored if attachment.scan_pending]
    if pending:
        # robust: with the broker down the request still succeeds, and the sweep queues the scans later.
        transaction.on_commit(lambda: attachment_scans_enqueue(pending), robust=True)
    return stored


def attachment_scans_enqueue(attachment_ids):
    """Queue the scans of these ticket files (one Celery task each)."""
    # cycle: tickets.tasks imports tickets.services, which imports this module
    from ..tasks import attachment_scan

    for attachment_id in attachment_ids:
        attachment_scan.delay(str(attachment_id))


def attachment_scan(*, attachment_id, last_attempt=True, result=None):
    """Read an attachment for secrets with the reader for its kind (support.filescan): where one is found, the file
    (and thumbnail) everyone sees becomes a blurred or masked copy, or a PDF or ZIP is withheld, and the attachment
    is flagged with the kinds; until then only its uploader is shown it (selectors.attachment_shown_to). Safe to
    run twice: returns the state recorded, or None. `result` records a scan read elsewhere instead
    (filescan.file_scan)."""
    language = Attachment.objects.filter(pk=attachment_id).values_list("ticket__language", flat=True).first()
    if language is None:
        return None
    return file_scan(model=Attachment, attachment_id=attachment_id, languages=[language],
                     last_attempt=last_attempt, thumbnail_field="thumbnail", result=result)


def attachment_scans_sweep(*, older_than_seconds=300):
    """Queue again the scans of files sent a while ago whose task was lost or whose worker died."""
    lost = file_scans_lost(Attachment.objects.filter(
        created_at__lt=timezone.now() - timedelta(seconds=older_than_seconds)))
    attachment_scans_enqueue(lost)
    return len(lost)


def attachments_count_check(files):
    """AttachmentRejected when more files come at once than TICKET_ATTACHMENT_MAX_FILES."""
    if len(files) > settings.TICKET_ATTACHMENT_MAX_FILES:
        raise AttachmentRejected(
            ngettext("Attach at most %(count)s file at a time.", "Attach at most %(count)s files at a time.",
                     settings.TICKET_ATTACHMENT_MAX_FILES) % {"count": settings.TICKET_ATTACHMENT_MAX_FILES},
            code="too_many_attachments", field="attachments",
        )


def attachment_files_cleanup(attachments_holder):
    """Uploaded files are not part of the transaction; remove them if it rolls back."""

    def cleanup():
        for attachment in attachments_holder:
            attachment.file.delete(save=False)
            if attachment.thumbnail:
                attachment.thumbnail.delete(save=False)

    return cleanup
