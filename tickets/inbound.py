"""Inbound email: parse what mail servers hand us, match it to a ticket, and file it as a reply or a new request.

Entry points: `python manage.py ingest_email < message.eml` (a mail server's pipe) and the IMAP poller task.
Both call `inbound_email_ingest(raw=...)`, which never raises for bad mail: every mail ends as an InboundEmail row
(accepted, ignored or rejected, with the reason) and its raw bytes are kept.

This module files mail and polls IMAP; reading a mail is in the modules below it, whose public names callers
import from here too:

    maildecode  charsets, header words, HTML to text
    mailquotes  where a reply's new words end (quoted history, signatures)
    mailparse   one raw mail into a ParsedMail, and whether a robot sent it
"""
import hashlib
import imaplib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, IntegrityError, transaction

from support.languages import guess_language
from support.models import OutboundEmail
from support.secretscan import secrets_mask
from support.services import DomainError, customer_for_email
from support.uploads import AttachmentRejected, check_upload

from . import mailaddr, services
from .maildecode import CHARSET_ALIASES, UNDECLARED, Undeclared, decode_bytes, html_to_text
from .mailparse import AUTO_PRECEDENCE, ROBOT_SENDERS, AmbiguousSender, ParsedMail, parse_mail
from .mailquotes import p_any_strong, strip_quotes
from .models import Channel, Identity, InboundEmail, Ticket

__all__ = [
    "AUTO_PRECEDENCE", "CHARSET_ALIASES", "ROBOT_SENDERS", "UNDECLARED", "AmbiguousSender", "IngestResult",
    "ParsedMail", "Undeclared", "decode_bytes", "html_to_text", "inbound_email_ingest", "inbound_imap_poll",
    "p_any_strong", "parse_mail", "strip_quotes",
]


# --- the service ---------------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    record: InboundEmail
    duplicate: bool = False


def _store(record, raw, *, keep_raw=True):
    """Save the record with the raw mail beside it, unless the mail held a secret (support.secretscan): then only
    the masked text filed from it is kept, and the record says why the raw mail is missing."""
    if keep_raw:
        record.raw.save(f"{record.id.hex}.eml", ContentFile(raw), save=False)
    else:
        record.reason = (record.reason + "; " if record.reason else "") + "raw mail not kept: it held a secret"
    record.save()
    return record


def _raw_is_clean(raw):
    """For a mail that could not be read as one (too large, unparseable): may its raw bytes be kept? Only if the
    secret scan finds nothing in them read as text (what a person typed in a plain part is readable there)."""
    return not secrets_mask(raw.decode("utf-8", errors="replace")).kinds


def _reject(raw, *, message_id, reason, from_email="", subject="", keep_raw=True):
    with transaction.atomic():
        existing = InboundEmail.objects.filter(message_id=message_id).first()
        if existing:
            return IngestResult(existing, duplicate=True)
        record = InboundEmail(message_id=message_id, from_email=from_email[:254], subject=subject[:300],
                              status=InboundEmail.Status.REJECTED, reason=reason[:300], size=len(raw))
        return IngestResult(_store(record, raw, keep_raw=keep_raw))


def _match_ticket(mail):
    """(ticket, note): the ticket a mail replies to, by signed reply address first, then by our thread ids. An
    expired or forged reference opens nothing: the mail becomes a new request, and the note says why."""
    problems = []
    for address in mail.recipients:
        number, problem = mailaddr.check_address(address)
        if number is not None:
            return Ticket.objects.filter(number=number).select_related("requester").first(), ""
        if problem:
            problems.append(problem)
    for thread_id in reversed(mail.thread_ids):
        number, problem = mailaddr.check_message_id(thread_id)
        if number is not None:
            return Ticket.objects.filter(number=number).select_related("requester").first(), ""
        if problem:
            problems.append(problem)
    if mailaddr.FORGED in problems:
        return None, "reply address with an invalid token; filed as a new request"
    if mailaddr.EXPIRED in problems:
        return None, (f"reply address expired (older than {settings.EMAIL_REPLY_ADDRESS_DAYS} days); "
                      "filed as a new request")
    return None, ""


def _checked_files(attachments):
    accepted, refused = [], []
    for name, payload in attachments[: settings.TICKET_ATTACHMENT_MAX_FILES]:
        upload = SimpleUploadedFile(name, payload)
        try:
            check_upload(upload)
        except AttachmentRejected as exc:
            refused.append(f"{name}: {exc.detail}")
        else:
            upload.seek(0)
            accepted.append(upload)
    for name, _payload in attachments[settings.TICKET_ATTACHMENT_MAX_FILES:]:
        refused.append(f"{name}: too many attachments")
    return accepted, refused


def _requester_for(mail):
    return customer_for_email(email=mail.from_email, name=mail.from_name,
                              language=guess_language(f"{mail.subject}\n{mail.text}"))


def inbound_email_ingest(*, raw):
    """Store one raw mail and file it: a reply on its ticket, or a new ticket. Same Message-ID twice: stored once."""
    if len(raw) > settings.INBOUND_EMAIL_MAX_BYTES:
        digest = hashlib.sha256(raw).hexdigest()
        return _reject(raw, message_id=f"oversized-{digest}@inbound.invalid",
                       reason=f"message too large ({len(raw)} bytes, limit {settings.INBOUND_EMAIL_MAX_BYTES})",
                       keep_raw=_raw_is_clean(raw))
    try:
        mail = parse_mail(raw)
    except Exception as exc:  # the parser is lenient; anything it still chokes on is kept as rejected
        return _reject(raw, message_id=f"sha256-{hashlib.sha256(raw).hexdigest()}@inbound.invalid",
                       reason=f"unparseable: {type(exc).__name__}", keep_raw=_raw_is_clean(raw))
    if InboundEmail.objects.filter(message_id=mail.message_id).exists():
        return IngestResult(InboundEmail.objects.get(message_id=mail.message_id), duplicate=True)
    if not mail.robot_reason and OutboundEmail.objects.filter(message_id=mail.message_id).exists():
        mail.robot_reason = "the desk's own mail came back (its Message-ID is one we sent)"
    # One scan of the whole text decides whether the raw mail may be kept, and gives the masked text a long mail
    # attaches (the message itself is masked again, at its filed length, by the ticket service).
    scanned, subject = secrets_mask(mail.text), secrets_mask(mail.subject)
    keep_raw = not (scanned.kinds or subject.kinds)
    mail.subject, mail.masked_text = subject.text, scanned.text
    if not mail.from_email or "@" not in mail.from_email:
        return _reject(raw, message_id=mail.message_id, reason=mail.sender_problem or "no valid sender address",
                       subject=mail.subject, keep_raw=keep_raw)
    if mail.robot_reason:
        with transaction.atomic():
            record = InboundEmail(message_id=mail.message_id, from_email=mail.from_email[:254],
                                  subject=mail.subject, status=InboundEmail.Status.IGNORED,
                                  reason=f"automatic mail ({mail.robot_reason})", size=len(raw))
            return IngestResult(_store(record, raw, keep_raw=keep_raw))
    try:
        with transaction.atomic():
            record = InboundEmail.objects.create(message_id=mail.message_id, from_email=mail.from_email[:254],
                                                 subject=mail.subject, status=InboundEmail.Status.ACCEPTED,
                                                 size=len(raw))
            _file_mail(record, mail)
            return IngestResult(_store(record, raw, keep_raw=keep_raw))
    except IntegrityError:
        # Another process stored the same Message-ID a moment ago.
        existing = InboundEmail.objects.filter(message_id=mail.message_id).first()
        if existing is not None:
            return IngestResult(existing, duplicate=True)
        raise
    except DomainError as exc:
        return _reject(raw, message_id=mail.message_id, reason=f"{exc.code}: {exc.detail}",
                       from_email=mail.from_email, subject=mail.subject, keep_raw=keep_raw)
    except DataError as exc:
        # Something in the mail the database refuses (a value too long, a character it cannot store): a content
        # problem, permanent. Kept as rejected with the reason; never "try again later" (the mail server would retry
        # it forever, and an IMAP poll would never get past it).
        return _reject(raw, message_id=mail.message_id, reason=f"could not be stored: {str(exc).splitlines()[0]}",
                       from_email=mail.from_email, subject=mail.subject, keep_raw=keep_raw)


def _file_mail(record, mail):
    ticket, note = _match_ticket(mail)
    if ticket is not None and ticket.requester.email.lower() != mail.from_email:
        # Not the requester: a new request of their own, with only their new words (the quoted history may hold
        # the requester's details).
        note = "reply from an address that is not the requester; filed as a new request"
        ticket = None
        body = strip_quotes(mail.text)
    else:
        body = strip_quotes(mail.text) if ticket is not None else mail.text.strip()
    attachments = mail.attachments
    if len(body) > services.MAX_BODY - 500:
        # Longer than a message may be: the beginning is the message, the whole text (secrets masked, as in any
        # message) goes with it as a file.
        full = mail.masked_text or secrets_mask(mail.text).text
        attachments = [("message-full-text.txt", full.encode("utf-8")), *attachments]
        body = body[:services.MAX_BODY - 500].rstrip() + "\n\n[message shortened: the whole text is attached]"
        note = "; ".join(filter(None, [note, "text longer than a message: shortened, whole text attached"]))
    files, refused = _checked_files(attachments)
    if refused:
        body = (body + "\n\n" + "\n".join(f"[attachment refused: {line}]" for line in refused)).strip()
    if not body:
        body = "(no text)"
    if ticket is not None:
        message = services.ticket_reply(ticket=ticket, author=ticket.requester, body=body, attachments=files,
                                        channel=Channel.EMAIL, email_message_id=mail.message_id)
    else:
        requester = _requester_for(mail)
        # Named by the From address only: the account holding it sees the ticket once it has proven the address.
        created = services.ticket_create(requester=requester, subject=mail.subject or "(no subject)", body=body,
                                         channel=Channel.EMAIL, attachments=files, email_message_id=mail.message_id,
                                         identity=Identity.ADDRESS,
                                         language=guess_language(f"{mail.subject}\n{mail.text}",
                                                                 default=requester.language))
        message = created.messages.get()
    record.ticket_id = message.ticket_id
    record.ticket_message = message
    record.reason = "; ".join(filter(None, [note, *(f"attachment refused: {r}" for r in refused),
                                            *mail.notes]))[:300]


# --- IMAP ----------------------------------------------------------------------------------------------------


def inbound_imap_poll(*, host, port, user, password, folder="INBOX", use_ssl=True, limit=100):
    """Fetch unseen mail from an IMAP mailbox and ingest it. A message is flagged \\Seen only after it is stored,
    so a crash or a database outage leaves it unseen for the next poll (and the Message-ID makes a repeat harmless).
    Returns how many messages were stored."""
    client_class = imaplib.IMAP4_SSL if use_ssl else imaplib.IMAP4
    client = client_class(host, port, timeout=30)
    stored = 0
    try:
        client.login(user, password)
        client.select(folder)
        _typ, data = client.uid("SEARCH", None, "UNSEEN")
        for uid in (data[0] or b"").split()[:limit]:
            _typ, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
            if raw is None:
                continue
            inbound_email_ingest(raw=raw)
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            stored += 1
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return stored
