"""Files sent in a chat, after they are stored: the scan for secrets and its safety net."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from support.filescan import file_scan, file_scans_lost
from support.models import ScanState

from .. import events
from ..models import ChatAttachment, SenderKind
from .messages import attachment_scans_enqueue, secret_warning_post


def chat_attachment_scan(*, attachment_id, last_attempt=True, result=None):
    """Read a file sent in a chat for secrets with the reader for its kind (support.filescan). Until it is read
    only its sender is shown it (selectors.attachment_get_for_viewer); then the chat's sockets hear the outcome, and
    where a secret was found the file is a blurred or masked copy, or a PDF or ZIP is withheld, agents see its
    kinds, and a customer who sent it is told in the chat (the same warning as for a secret typed). Safe to run
    twice: returns the state recorded, or None. `result` records a scan read elsewhere instead
    (filescan.file_scan)."""
    row = (ChatAttachment.objects.filter(pk=attachment_id)
           .values_list("message__conversation_id", "message__conversation__language", "message__sender_kind")
           .first())
    if row is None:
        return None
    conversation_id, language, sender_kind = row
    state = file_scan(model=ChatAttachment, attachment_id=attachment_id, languages=[language],
                      last_attempt=last_attempt, result=result)
    if state is None:
        return None
    attachment = ChatAttachment.objects.select_related("message").get(pk=attachment_id)
    transaction.on_commit(lambda: events.attachment_scanned(attachment))
    if state in (ScanState.SECRET, ScanState.WITHHELD) and sender_kind == SenderKind.CUSTOMER:
        secret_warning_post(conversation_id, attachment.secret_kinds)
    return state


def chat_attachment_scans_sweep(*, older_than_seconds=300):
    """Queue again the scans of files sent a while ago whose task was lost or whose worker died."""
    lost = file_scans_lost(ChatAttachment.objects.filter(
        message__created_at__lt=timezone.now() - timedelta(seconds=older_than_seconds)))
    attachment_scans_enqueue(lost)
    return len(lost)
