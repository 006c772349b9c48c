"""Storing chat messages: one rule set, one statement. Every message (a customer's or an agent's line, the bot's
answer, a system note) gets the next sequence number of its chat and moves the chat's counters in the same SQL
statement (_STORE_SQL); message_post adds the checks of who may write and the resend rule, message_append_locked is
for a caller that holds the chat's row lock and has decided already. The bell rings after commit."""
import json
import re
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.filescan import scan_needed
from support.models import ScanState
from support.secretscan import asks_for_code, secrets_mask
from support.uploads import check_upload

from .. import events
from ..models import ChatAttachment, ChatMessage, Conversation, ConversationStatus, SenderKind
from .errors import ChatClosed, ChatNotAvailable
from .translation import translation_meta

# One statement stores a message (one round trip, and in autocommit its own transaction): the UPDATE takes the
# chat's row lock, checks who may write and that this client_msg_id is not stored yet (unless %(decided)s: the
# caller holds the lock and has checked), and hands out the next sequence number; the INSERT stores the message with
# it. (It was six round trips through the ORM; the chat benchmark found the server spending most of a message's time
# there.) SET expressions see the row as it was, so `last_seq + 1` is the new number everywhere.
_STORE_SQL = """
WITH chat AS (
    UPDATE livechat_conversation SET
        last_seq = last_seq + 1,
        last_customer_message_at = CASE WHEN %(kind)s = 'customer' THEN %(now)s ELSE last_customer_message_at END,
        first_agent_reply_at = CASE WHEN %(kind)s = 'agent' THEN COALESCE(first_agent_reply_at, %(now)s)
                                    ELSE first_agent_reply_at END,
        agent_read_seq = CASE WHEN %(kind)s = 'agent' AND agent_id = %(sender)s THEN last_seq + 1
                              ELSE agent_read_seq END
    WHERE id = %(chat)s AND (%(decided)s OR (
        status <> 'closed'
        AND (%(kind)s <> 'agent' OR (status = 'active' AND agent_id = %(sender)s))
        AND (%(mid)s = '' OR NOT EXISTS (SELECT 1 FROM livechat_chatmessage
                                         WHERE conversation_id = %(chat)s AND client_msg_id = %(mid)s))))
    RETURNING id, last_seq, status, last_customer_message_at, first_agent_reply_at, agent_read_seq
)
INSERT INTO livechat_chatmessage (conversation_id, seq, sender_kind, sender_id, body, client_msg_id, meta, created_at)
SELECT id, last_seq, %(kind)s, %(sender)s, %(body)s, %(mid)s, %(meta)s::jsonb, %(now)s FROM chat
RETURNING id, seq, (SELECT status FROM chat){counters}
"""
# message_post needs the chat's status only; a caller holding the chat in memory also reads back the counters the
# statement set. (Reading those back, two timestamps among them, cost a posted message a tenth of its time.)
_POST_SQL = _STORE_SQL.format(counters="")
_APPEND_SQL = _STORE_SQL.format(counters=", (SELECT last_customer_message_at FROM chat), "
                                         "(SELECT first_agent_reply_at FROM chat), (SELECT agent_read_seq FROM chat)")


def _store(*, conversation_id, sender_kind, body, sender, client_msg_id, meta, now, decided):
    """Run _STORE_SQL (with the counters when `decided`: the caller holds the chat); the returned row, or None when
    the checks refused it."""
    params = {"chat": str(conversation_id), "kind": sender_kind, "sender": sender.pk if sender is not None else None,
              "body": body, "mid": client_msg_id, "meta": json.dumps(meta), "now": now, "decided": decided}
    with connection.cursor() as cursor:
        cursor.execute(_APPEND_SQL if decided else _POST_SQL, params)
        return cursor.fetchone()


def no_files():
    """The `attachments` of a message known to have none, as prefetch_related would leave them (already evaluated:
    an unevaluated none() still compiles its SQL when read, on every message's frame)."""
    files = ChatAttachment.objects.none()
    files._result_cache = []
    return files


def _message(row, *, conversation_id, sender_kind, sender, body, client_msg_id, meta, now, files_known):
    message = ChatMessage(id=row[0], conversation_id=conversation_id, seq=row[1], sender_kind=sender_kind,
                          sender=sender, body=body, client_msg_id=client_msg_id, meta=meta, created_at=now)
    message.chat_status = row[2]
    if files_known:
        # Known to have no files: the frame built after commit need not ask the database.
        message._prefetched_objects_cache = {"attachments": no_files()}
    return message


def message_append_locked(conversation, *, sender_kind, body, meta=None):
    """Add a bot's or a system message to a conversation whose row the caller holds locked (FOR UPDATE) and may
    write to (a system note is added to a chat being closed): the next sequence number; the chat in memory gets the
    counters the statement set."""
    meta, now = meta or {}, timezone.now()
    row = _store(conversation_id=conversation.pk, sender_kind=sender_kind, body=body, sender=None, client_msg_id="",
                 meta=meta, now=now, decided=True)
    (conversation.last_seq, conversation.last_customer_message_at, conversation.first_agent_reply_at,
     conversation.agent_read_seq) = row[1], row[3], row[4], row[5]
    message = _message(row, conversation_id=conversation.pk, sender_kind=sender_kind, sender=None, body=body,
                       client_msg_id="", meta=meta, now=now, files_known=True)
    message.conversation = conversation
    transaction.on_commit(lambda: events.message_created(message))
    return message


def message_post(*, conversation_id, sender_kind, body, sender=None, client_msg_id="", upload=None, announce=True,
                 translation=None):
    """Store one message (optionally with one file, checked like ticket attachments) with the next sequence
    number, then ring the bell. A resend with the same client_msg_id returns the stored message and is not stored
    twice. Customers write to chats that are not closed; agents only to their own active chats. Returns
    (message, created); the message carries `chat_status`, the chat's status when it was stored, and `announced`.
    announce=False leaves the bell to the caller (events.message_sends gives what to send): the websocket consumers
    send it from their own event loop after this returns, sparing a hand-off to the sender thread per message.
    `translation`: (source, target) languages when the message is to be machine-translated for the other side
    (services.translation decides): the masked text is translated before it is stored, within the provider's
    deadline, and a failure stores it untranslated, marked so (meta["translation"]); it never stops the message."""
    checked = check_upload(upload, max_bytes=settings.LIVECHAT_ATTACHMENT_MAX_BYTES, field="file") if upload else None
    # Secrets (recovery phrases, keys, API secrets, one-time codes) are masked before anything is stored.
    masked = secrets_mask(body, asked_for_code=sender_kind == SenderKind.CUSTOMER and _answers_a_code_request(
        conversation_id, body))
    body, meta = masked.text, ({"secrets": list(masked.kinds)} if masked.found else {})
    if translation is not None and body.strip():
        meta["translation"] = translation_meta(body, source=translation[0], target=translation[1])
    now = timezone.now()
    attachment = None
    try:
        # In autocommit the statement is its own transaction; with a file, or inside a caller's transaction (a
        # savepoint then), the file's row and a resend race are handled in one atomic block.
        with transaction.atomic() if (checked is not None or connection.in_atomic_block) else nullcontext():
            row = _store(conversation_id=conversation_id, sender_kind=sender_kind, body=body, sender=sender,
                         client_msg_id=client_msg_id, meta=meta, now=now, decided=False)
            if row is None:
                return _refused_post(conversation_id, sender_kind, client_msg_id), False
            if checked is not None:
                attachment = _attachment_store(checked, message_id=row[0])
    except IntegrityError:
        if attachment is not None:
            attachment.file.delete(save=False)
        # The same client_msg_id stored by a concurrent resend in between: that one is the message.
        existing = ChatMessage.objects.filter(conversation_id=conversation_id, client_msg_id=client_msg_id).first()
        if client_msg_id and existing is not None:
            existing.chat_status = None
            return existing, False
        raise
    except BaseException:
        if attachment is not None:  # files are not part of the transaction
            attachment.file.delete(save=False)
        raise
    message = _message(row, conversation_id=conversation_id, sender_kind=sender_kind, sender=sender, body=body,
                       client_msg_id=client_msg_id, meta=meta, now=now, files_known=attachment is None)
    message.announced = announce
    if announce:
        transaction.on_commit(lambda: events.message_created(message))
    return message, True


def _attachment_store(checked, *, message_id):
    """The file of a message being stored (in its transaction); pictures, text, PDF and ZIP are read for secrets
    after commit (attachments.chat_attachment_scan)."""
    scanned = scan_needed(checked.content_type)
    attachment = ChatAttachment(filename=checked.filename, content_type=checked.content_type, size=checked.size,
                                message_id=message_id, scan_state=ScanState.PENDING if scanned else ScanState.SKIPPED)
    attachment.file.save("", checked.upload, save=False)
    attachment.save()
    if attachment.scan_pending:
        transaction.on_commit(lambda: attachment_scans_enqueue([attachment.pk]), robust=True)
    return attachment


def attachment_scans_enqueue(attachment_ids):
    """Queue the scans of these chat files (one Celery task each)."""
    # cycle: the Celery task <-> service pair (livechat.tasks calls this package, which enqueues its tasks).
    from ..tasks import chat_attachment_scan

    for attachment_id in attachment_ids:
        chat_attachment_scan.delay(str(attachment_id))


def secret_warning_post(conversation_id, kinds):
    """Tell the customer, in the chat, that what they sent was hidden and that staff never ask for it (a system
    message: each reader's page shows it in their language, and the agent sees which kinds were found)."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        message_append_locked(conversation, sender_kind=SenderKind.SYSTEM, body="secret_hidden",
                              meta={"secrets": list(kinds)})


def _answers_a_code_request(conversation_id, body):
    """Is this customer message a bare number answering a request for a code (from whoever wrote last)?"""
    if not re.fullmatch(r"\s*\d[\d\s-]*\d\s*", body or ""):
        return False
    last = (ChatMessage.objects.filter(conversation_id=conversation_id).exclude(sender_kind=SenderKind.CUSTOMER)
            .order_by("-seq").values_list("body", flat=True).first())
    return asks_for_code(last or "")


def _refused_post(conversation_id, sender_kind, client_msg_id):
    """Why the statement stored nothing, in the order the rules apply: a resend (the stored message is returned),
    a chat that does not exist or is closed, or (agents) a chat that is not theirs."""
    if client_msg_id:
        existing = ChatMessage.objects.filter(conversation_id=conversation_id, client_msg_id=client_msg_id).first()
        if existing is not None:
            existing.chat_status = None
            return existing
    status = Conversation.objects.filter(pk=conversation_id).values_list("status", flat=True).first()
    if status == ConversationStatus.CLOSED:
        raise ChatClosed(_("This chat is closed."))
    raise ChatNotAvailable(_("This chat is not one of your active chats."), code="not_your_chat")
