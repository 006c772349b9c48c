"""The email outbox: every app queues mail here; one task delivers it; a sweep finds what was left behind.

Guarantees: a row is written in the caller's transaction, so mail exists exactly when the change it reports does.
Delivery claims the row with a conditional UPDATE (pending -> sending, or a sending row whose lease expired), so a
task delivered twice sends once, and a worker killed mid-send (its task redelivered only after the broker's
visibility timeout) leaves a `sending` row that the sweep re-queues once the lease (OUTBOUND_EMAIL_LEASE_SECONDS)
has run out. The row is marked sent the moment the server accepts the message, before QUIT. SMTP cannot be
exactly-once: if a worker dies between the server's acceptance and that UPDATE, the lease expires and the mail is
sent again, with the same Message-ID, which mail clients show once. (tests/reliability/test_worker_killed.py)
"""
import smtplib
import socket
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboundEmail


class TemporaryEmailError(Exception):
    """The SMTP server or the network failed in a way worth retrying (4xx, disconnects, timeouts)."""


def email_domain():
    return settings.EMAIL_DOMAIN


def make_message_id(local_part):
    """A Message-ID (without angle brackets) in our domain."""
    return f"{local_part}@{email_domain()}"


def outbound_email_queue(*, to_email, subject, body_text, body_html="", user=None, from_email=None, reply_to="",
                         message_id=None, in_reply_to="", references="", auto_generated=False, topic=""):
    """Write an outbox row in the current transaction and enqueue its delivery once that transaction commits."""
    return outbound_emails_queue_many([dict(
        to_email=to_email, subject=subject, body_text=body_text, body_html=body_html, user=user,
        from_email=from_email, reply_to=reply_to, message_id=message_id, in_reply_to=in_reply_to,
        references=references, auto_generated=auto_generated, topic=topic)])[0]


def outbound_emails_queue_many(emails):
    """Write many outbox rows (dicts of outbound_email_queue's arguments) in one INSERT, and enqueue their delivery
    once the transaction commits."""
    rows = [OutboundEmail(
        user=e.get("user"), to_email=e["to_email"], from_email=e.get("from_email") or settings.DEFAULT_FROM_EMAIL,
        reply_to=e.get("reply_to", ""), subject=e["subject"][:300], body_text=e["body_text"],
        body_html=e.get("body_html", ""),
        message_id=e.get("message_id") or make_message_id(f"out-{uuid.uuid4().hex}"),
        in_reply_to=e.get("in_reply_to", ""), references=e.get("references", ""),
        auto_generated=e.get("auto_generated", False), topic=e.get("topic", "")) for e in emails]
    OutboundEmail.objects.bulk_create(rows)
    transaction.on_commit(lambda: _enqueue([row.pk for row in rows]))
    return rows


BATCH = 100  # outbox rows per delivery task when many are queued at once


def _enqueue(outbound_ids):
    """One task for a single row (retried on its own); batches of BATCH rows per task for many (each publish to the
    broker costs about a millisecond, which a scan alerting thousands would otherwise pay per email)."""
    # cycle: the Celery task <-> service pair (tasks call this module)
    from .tasks import outbound_email_send, outbound_emails_send

    ids = [str(outbound_id) for outbound_id in outbound_ids]
    if len(ids) == 1:
        outbound_email_send.delay(ids[0])
        return
    for start in range(0, len(ids), BATCH):
        outbound_emails_send.delay(ids[start:start + BATCH])


def _claim(outbound_id):
    now = timezone.now()
    return OutboundEmail.objects.filter(pk=outbound_id).filter(
        Q(status=OutboundEmail.Status.PENDING) | Q(status=OutboundEmail.Status.SENDING, locked_until__lt=now)
    ).update(status=OutboundEmail.Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now,
             locked_until=now + timedelta(seconds=settings.OUTBOUND_EMAIL_LEASE_SECONDS))


def _build(row, connection=None):
    headers = {"Message-ID": f"<{row.message_id}>"}
    if row.in_reply_to:
        headers["In-Reply-To"] = f"<{row.in_reply_to}>"
    if row.references:
        headers["References"] = " ".join(f"<{ref}>" for ref in row.references.split())
    if row.auto_generated:
        # Tells auto-responders not to answer, so two robots cannot loop.
        headers["Auto-Submitted"] = "auto-generated"
    message = EmailMultiAlternatives(
        subject=row.subject, body=row.body_text, from_email=row.from_email, to=[row.to_email],
        reply_to=[row.reply_to] if row.reply_to else None, headers=headers,
        connection=connection or get_connection(fail_silently=False),
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _smtp_code(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return min(codes) if codes else None
    return getattr(exc, "smtp_code", None)


def outbound_email_deliver(*, outbound_id):
    """Send one outbox row if it is still unsent; safe to call any number of times, from any number of workers.

    Returns "sent", "skipped" (already sent or being sent), or "failed" (permanent); raises TemporaryEmailError
    when a retry may succeed.

    The row is marked sent as soon as the server has accepted the message (its 250 to the data), while the
    connection is still open, and only then is QUIT sent: a worker killed while a server is slow to answer QUIT
    must not leave an accepted message to be sent a second time. Every write after the claim is conditional on
    still holding it (status sending, this attempt's number), so a worker whose lease ran out never puts back to
    pending a row that another worker has sent meanwhile.
    """
    if not _claim(outbound_id):
        return "skipped"
    row = OutboundEmail.objects.get(pk=outbound_id)
    held = OutboundEmail.objects.filter(pk=row.pk, status=OutboundEmail.Status.SENDING, attempts=row.attempts)
    connection = get_connection(fail_silently=False)
    try:
        try:
            message = _build(row, connection)
            message.message()  # rendered once here: a header it refuses fails now, not inside the SMTP exchange
        except ValueError as exc:  # BadHeaderError (a line break in a header) and the like: the content, for good
            held.update(status=OutboundEmail.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000],
                        locked_until=None)
            return "failed"
        try:
            connection.open()
            message.send()  # an open connection is left open: QUIT comes after the UPDATE below
        except (smtplib.SMTPException, OSError, socket.timeout) as exc:
            code = _smtp_code(exc)
            error = f"{type(exc).__name__}: {exc}"[:2000]
            permanent = code is not None and 500 <= code < 600
            exhausted = row.attempts >= settings.OUTBOUND_EMAIL_MAX_ATTEMPTS
            status = OutboundEmail.Status.FAILED if permanent or exhausted else OutboundEmail.Status.PENDING
            held.update(status=status, last_error=error, locked_until=None)
            if status == OutboundEmail.Status.FAILED:
                return "failed"
            raise TemporaryEmailError(error) from exc
        held.update(status=OutboundEmail.Status.SENT, sent_at=timezone.now(), locked_until=None, last_error="")
        return "sent"
    finally:
        _close_quietly(connection)


def _close_quietly(connection):
    try:
        connection.close()
    except (smtplib.SMTPException, OSError):
        pass  # the server has already accepted or refused the message; a failed QUIT changes neither


def outbound_emails_sweep(*, older_than_seconds, limit=500):
    """Re-enqueue rows left unsent: a lost task (worker crash, broker restart) or an expired sending lease."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=older_than_seconds)
    due = list(
        OutboundEmail.objects.filter(
            Q(status=OutboundEmail.Status.PENDING, created_at__lt=cutoff)
            & (Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=cutoff))
            | Q(status=OutboundEmail.Status.SENDING, locked_until__lt=now)
        ).order_by("created_at").values_list("pk", flat=True)[:limit]
    )
    _enqueue(due)
    return len(due)


def outbound_email_retry(*, ids):
    """Queue failed rows again (an admin fixed the address or the server); sent rows are left alone."""
    ids = list(OutboundEmail.objects.filter(pk__in=ids, status=OutboundEmail.Status.FAILED).values_list("pk",
                                                                                                          flat=True))
    OutboundEmail.objects.filter(pk__in=ids).update(status=OutboundEmail.Status.PENDING, attempts=0, last_error="")
    transaction.on_commit(lambda: _enqueue(ids))
    return len(ids)
