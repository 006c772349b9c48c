"""Inbound email: parse what mail servers hand us, match it to a ticket, and file it as a reply or a new request.

Entry points: `python manage.py ingest_email < message.eml` (a mail server's pipe) and the IMAP poller task.
Both call `inbound_email_ingest(raw=...)`, which never raises for bad mail: every mail ends as an InboundEmail row
(accepted, ignored or rejected, with the reason) and its raw bytes are kept.
"""
import hashlib
import html as html_lib
import mimetypes
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import getaddresses

import nh3
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, IntegrityError, transaction

from support.charsets import Reading, decode_undeclared
from support.languages import guess_language
from support.models import OutboundEmail
from support.secretscan import secrets_mask
from support.services import DomainError, customer_for_email
from support.uploads import AttachmentRejected, check_upload

from . import mailaddr, services
from .models import Channel, Identity, InboundEmail, Ticket

# Charsets mail clients declare, decoded with the superset codec that real mail needs.
CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
    "big5": "cp950", "x-big5": "cp950", "big5-hkscs": "big5hkscs",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949",
    "us-ascii": "utf-8", "ascii": "utf-8", "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
}
AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
ROBOT_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|bounces?|no-?reply|do-?not-?reply)(\+.*)?@",
                           re.IGNORECASE)


@dataclass
class ParsedMail:
    message_id: str
    from_name: str
    from_email: str
    subject: str
    recipients: list
    thread_ids: list
    text: str
    attachments: list = field(default_factory=list)  # (filename, bytes)
    robot_reason: str = ""
    masked_text: str = ""  # the text with its secrets masked (set when the mail is scanned)
    sender_problem: str = ""  # why From cannot be trusted to name the sender ("" when it can)
    notes: list = field(default_factory=list)  # how text without a declared charset was read (for the record)


# --- decoding ------------------------------------------------------------------------------------------------

# Labels that declare no charset for 8-bit text: such text is read by detection (tickets.charsets).
UNDECLARED = {"", "us-ascii", "ascii"}
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-z0-9_.:-]{1,40})""", re.IGNORECASE)


@dataclass
class Undeclared:
    """What one mail's text without a declared charset was read as: notes for the record, and the charset its body
    was found in, in which its raw 8-bit headers are read too (one client wrote them all; the body says more)."""
    notes: list = field(default_factory=list)
    body_codec: str = ""


def decode_bytes(payload, charset):
    """Decode a body part in its declared charset, tolerating the mislabels real mail carries; without one (or
    us-ascii over 8-bit bytes), in the charset detected for it."""
    if (charset or "").strip().strip('"').lower() in UNDECLARED:
        return decode_undeclared(payload).text
    declared = (charset or "utf-8").strip().strip('"').lower()
    fallbacks = {"cp950": ["big5hkscs"], "iso2022_jp_ext": ["iso2022_jp_2"]}
    primary = CHARSET_ALIASES.get(declared, declared)
    for candidate in (primary, *fallbacks.get(primary, []), declared, "utf-8"):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    try:
        return payload.decode(CHARSET_ALIASES.get(declared, declared), errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


def _raw_header(message, name, undeclared=None):
    """A header's value as it came, unfolded, encoded words still encoded; None when the mail has no such header.
    Unencoded 8-bit bytes arrive as surrogate escapes: they are read as UTF-8 (what senders use in practice) when
    they are UTF-8, else in the body's detected charset if they fit it, else in the one detected for them."""
    raw = next((value for key, value in message.raw_items() if key.lower() == name.lower()), None)
    if raw is None:
        return None
    reading = decode_undeclared(str(raw).encode("utf-8", "surrogateescape"),
                                hint=undeclared.body_codec if undeclared else "")
    if reading.note and undeclared is not None:
        undeclared.notes.append(f"{name} without a charset {reading.note}")
    return re.sub(r"\r?\n(?=[ \t])", "", reading.text)


def _header(message, name, undeclared=None):
    """A header's text, decoding RFC 2047 words with the same charset fallbacks as bodies (the standard decoder
    turns a GBK word labelled gb2312 into replacement characters or unencodable surrogates)."""
    raw = _raw_header(message, name, undeclared)
    return "" if raw is None else _decode_words(raw)


def _text_part(payload, charset, content_type, undeclared):
    """A text part's text: in its declared charset; without one, in the charset an HTML part's <meta> names if that
    reads it, else as tickets.charsets reads it (noted in `undeclared`)."""
    declared = (charset or "").strip().strip('"').lower()
    if declared not in UNDECLARED:
        return decode_bytes(payload, charset)
    reading = decode_undeclared(payload)
    if not reading.note:  # ASCII or UTF-8, as presumed
        return reading.text
    meta = _META_CHARSET.search(payload[:4096]) if content_type == "text/html" else None
    if meta:
        label = meta.group(1).decode("ascii").lower()
        try:
            reading = Reading(payload.decode(CHARSET_ALIASES.get(label, label)), CHARSET_ALIASES.get(label, label),
                              f"read as {label} (its <meta>)")
        except (LookupError, UnicodeDecodeError):
            pass
    undeclared.body_codec = undeclared.body_codec or reading.charset
    what = f"declared {declared} over 8-bit text," if declared else "without a charset"
    undeclared.notes.append(f"{content_type} {what} {reading.note}")
    return reading.text


def _decode_words(raw):
    """Text with its RFC 2047 encoded words decoded (see _header)."""
    try:
        pieces = decode_header(raw)
    except Exception:  # a header we cannot split into words is kept as it came
        pieces = [(raw, None)]
    try:
        # make_header puts back the spaces decode_header drops between plain text and encoded words.
        mapped = [(chunk, CHARSET_ALIASES.get(charset.lower(), charset) if charset else None)
                  for chunk, charset in pieces]
        if all(isinstance(chunk, bytes) for chunk, _cs in mapped) and any(cs for _c, cs in mapped) and all(
                not cs or _decodes(chunk, cs) for chunk, cs in mapped):
            return _tidy(str(make_header(mapped)))
    except (LookupError, UnicodeError, ValueError):
        pass
    # decode_header returns the plain stretches between encoded words as raw-unicode-escape bytes.
    text = "".join(
        chunk if isinstance(chunk, str)
        else chunk.decode("raw-unicode-escape") if charset is None else decode_bytes(chunk, charset)
        for chunk, charset in pieces)
    return _tidy(text)


def _decodes(chunk, charset):
    try:
        chunk.decode(charset)
        return True
    except (LookupError, UnicodeDecodeError):
        return False


# Control characters no text of ours holds: NUL (which Postgres cannot store in text) and the other C0 and DEL,
# except tab and line breaks.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _printable(text):
    """Text as it can be stored: no lone surrogates, no control characters (a mail's NUL is dropped, not fatal)."""
    return _CONTROL.sub("", text.encode("utf-8", errors="replace").decode("utf-8"))


def _tidy(text):
    return re.sub(r"\s+", " ", _printable(text)).strip()


_QUOTE_OPEN, _QUOTE_CLOSE = "\u27e6quote\u27e7", "\u27e6/quote\u27e7"


def html_to_text(source):
    """Visible text of an HTML mail, scripts and styles removed, entities decoded. Quoted blocks are kept as "> "
    lines, as a plain-text client writes them: whether they are history to cut (a reply) or the content itself (a
    customer forwarding a suspicious mail) is decided when the mail is filed (strip_quotes), not here; and each
    <blockquote> is its own block, so the customer's words between two quotes stay."""
    source = re.sub(r"(?i)<blockquote\b[^>]*>", f"\n{_QUOTE_OPEN}\n", source)
    source = re.sub(r"(?i)</blockquote\s*>", f"\n{_QUOTE_CLOSE}\n", source)
    source = re.sub(r"(?i)<br\s*/?>", "\n", source)
    source = re.sub(r"(?i)</(p|div|li|tr|h[1-6]|table)>", "\n", source)
    text = html_lib.unescape(nh3.clean(source, tags=set(), clean_content_tags={"script", "style", "head", "title"}))
    lines, depth = [], 0
    for line in text.replace("\r", "").split("\n"):
        line = line.strip()
        if line == _QUOTE_OPEN:
            depth += 1
        elif line == _QUOTE_CLOSE:
            depth = max(depth - 1, 0)
        else:
            lines.append(f"{'> ' * depth}{line}".rstrip() if line else ("> " * depth).rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- quotes and signatures -----------------------------------------------------------------------------------

_ATTRIBUTION = [
    re.compile(r"^(on|am|le|el|il|em)\b.{0,200}(wrote|schrieb|a écrit|escribió|ha scritto|escreveu)\s*:\s*$", re.I),
    re.compile(r".{0,200}(wrote|escribió|пишет|написал\(а\)|写道|寫道|님이 작성)\s*[:：]\s*$", re.I),
    re.compile(r"^-{2,}\s*(original message|mensaje original|исходное сообщение|原始邮件|元のメッセージ)\s*-{2,}", re.I),
    re.compile(r"^_{10,}\s*$"),
]
_OUTLOOK_FROM = re.compile(r"^\*?(from|de|от|发件人|寄件者|差出人|보낸 사람)\s*[:：]", re.I)
_OUTLOOK_NEXT = re.compile(r"^\*?(sent|date|enviado|fecha|отправлено|дата|发送时间|日期|送信日時|보낸 날짜|to|para)\s*[:：]",
                           re.I)
_SIGNATURE = re.compile(
    r"^(--\s?|sent from my \w+.*|get outlook for .*|sent from outlook.*|enviado desde mi .*|отправлено с .*|"
    r"从我的.*发送|iphoneから送信|.*에서 보냄)$", re.I)


def strip_quotes(text):
    """The new part of a reply: cut at the quoted history (attribution lines, Outlook headers, > blocks) and at
    the signature. Falls back to the whole text if nothing would be left."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    stripped = [line.strip() for line in lines]
    # From the end, once: the next non-blank line after each line, and whether everything from a line on is quoted
    # or blank (so a long mail is read in linear time, not once per line).
    following_of, quoted_from = [""] * (len(lines) + 1), [True] * (len(lines) + 1)
    for index in range(len(lines) - 1, -1, -1):
        following_of[index] = stripped[index + 1] if index + 1 < len(lines) and stripped[index + 1] \
            else following_of[index + 1]
        quoted_from[index] = quoted_from[index + 1] and (not stripped[index] or stripped[index].startswith(">"))
    cut = len(lines)
    for index, raw in enumerate(lines):
        line = stripped[index]
        following = following_of[index]
        joined = f"{line} {stripped[index + 1]}" if index + 1 < len(lines) else line
        if any(p.match(line) for p in _ATTRIBUTION) and (following.startswith(">") or p_any_strong(line)):
            cut = index
            break
        if line.lower().startswith("on ") and re.search(r"wrote:\s*$", joined, re.I) and following:
            cut = index
            break
        if line.endswith((":", "：")) and following.startswith(">") and ("@" in line or re.search(r"\d", line)):
            cut = index
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(l) for l in stripped[index + 1:index + 4]):
            cut = index
            break
        if line.startswith(">") and quoted_from[index]:
            cut = index
            break
        if _SIGNATURE.match(raw.rstrip("\n")) or raw == "-- ":
            cut = index
            break
    kept = "\n".join(lines[:cut]).strip()
    return kept or text.strip()


def p_any_strong(line):
    """Attribution patterns that are specific enough on their own (no quoted block needed after them)."""
    return bool(_ATTRIBUTION[0].match(line) or _ATTRIBUTION[2].match(line) or _ATTRIBUTION[3].match(line)
                or re.search(r"(写道|寫道|님이 작성|escribió|пишет)\s*[:：]\s*$", line))


# --- parsing -------------------------------------------------------------------------------------------------


# "Automatic reply:" as Outlook and Exchange write it in our six languages (and the common English variants).
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(automatic reply|auto(matic)?[- ]?reply|out of (the )?office|respuesta automática|автоматический ответ|"
    r"自动答复|自動回覆|自動応答|자동 회신)\s*[:：]", re.IGNORECASE)


def _own_address(address):
    """Is this one of the desk's own addresses (what it sends from, or a reply address at its reply domain)?"""
    own = {getaddresses([value])[0][1].lower() for value in (settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL)}
    local, _at, domain = (address or "").lower().rpartition("@")
    reply_local = settings.EMAIL_REPLY_LOCALPART.lower()
    return address.lower() in own or (domain == settings.EMAIL_REPLY_DOMAIN.lower()
                                      and (local == reply_local or local.startswith(reply_local + "+")))


def _robot_reason(message, from_email):
    if from_email and _own_address(from_email):
        return f"mail from the desk's own address {from_email} (a loop)"
    if any(part.get_content_type() in ("message/delivery-status", "message/global-delivery-status")
           for part in message.walk()):
        return "delivery report"  # wherever it sits: some servers wrap it in multipart/mixed, not /report
    if _raw_header(message, "X-Auto-Response-Suppress") is not None and _AUTO_REPLY_SUBJECT.match(
            _header(message, "Subject")):
        return "automatic reply (Exchange)"
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(message, "Precedence").lower()
    if precedence in AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autogenerated"):
        if _header(message, name):
            return f"{name} header"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    if ROBOT_SENDERS.match(from_email or ""):
        return f"automatic sender {from_email}"
    return ""


def _body_and_attachments(message, undeclared=None):
    """(text, [(filename, bytes)]). Text parts that are not attachments make the text (plain preferred to HTML);
    every other leaf part is an attachment, named by its type when the sender gave it no name, so no file is lost
    without a trace (one the upload checks refuse is listed on the ticket with the reason). How text without a
    declared charset was read goes to `undeclared`."""
    undeclared = undeclared if undeclared is not None else Undeclared()
    plain, html, attachments = [], [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = _decode_words(part.get_filename() or "") or None  # an encoded-word name, decoded
        inline_image = content_type.startswith("image/") and part.get("Content-ID")
        if content_type in ("text/plain", "text/html") and not (filename or disposition == "attachment"):
            payload = part.get_payload(decode=True) or b""
            text = _text_part(payload, part.get_content_charset(), content_type, undeclared)
            (plain if content_type == "text/plain" else html).append(text)
            continue
        payload = part.get_payload(decode=True) or b""
        if not payload and not filename and not inline_image:
            continue  # an empty part (a client's placeholder) carries nothing to keep
        extension = mimetypes.guess_extension(content_type) or ".bin"
        attachments.append((filename or f"attachment-{len(attachments) + 1}{extension}", payload))
    if plain:
        body = "\n".join(plain)
    else:
        body = "\n".join(html_to_text(h) for h in html)
    return _printable(body), attachments


class AmbiguousSender(ValueError):
    """From does not name exactly one mailbox in a way both readings of it agree on."""


def _sender(message):
    """(display name, address) of From. The address is read from the header's structure before any encoded word is
    decoded, so a display name that decodes to someone else's address (=?utf-8?b?...?= <mallory@...>) or holds a
    comma (García, María) cannot change whose mail it is. Two parsers must agree on exactly one mailbox (a From
    such as "alice@x <mallory@y>" reads as either): otherwise AmbiguousSender. ("", "") without a From."""
    raw = _raw_header(message, "From")
    if raw is None or not raw.strip():
        return "", ""
    pairs = [(name, address) for name, address in getaddresses([raw]) if address]
    try:
        structured = [(a.display_name, a.addr_spec) for a in policy.default.header_factory("From", raw).addresses]
    except Exception:  # the structured parser gave up: only the lenient one has an opinion, which is not enough
        structured = []
    if len(pairs) != 1 or len(structured) != 1 or pairs[0][1].strip().lower() != structured[0][1].strip().lower():
        raise AmbiguousSender(f"From names {max(len(pairs), len(structured))} addresses, or reads two ways")
    encoded_name, address = pairs[0]
    address = address.strip().lower()
    name = _decode_words(encoded_name)
    if "@" in name and address not in name.lower():
        name = ""  # a display name that shows another address is not shown at all
    return name, address


def _valid_address(address):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if len(address) > 254:
        return False
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def parse_mail(raw):
    # compat32 reads the MIME structure as mail clients write it: policy.default cuts an unquoted boundary at its
    # first "=" (Outlook's boundary=----=_NextPart_...), and the whole mail would read as one empty part. Headers
    # are decoded here (_header, _sender), with charset fallbacks the standard decoder lacks.
    message = BytesParser(policy=policy.compat32).parsebytes(raw)
    undeclared = Undeclared()
    body, attachments = _body_and_attachments(message, undeclared)  # first: its charset is the headers' hint
    try:
        from_name, from_email = _sender(message)
        sender_problem = "" if not from_email or _valid_address(from_email) else "sender address is not valid"
    except AmbiguousSender as exc:
        from_name, from_email, sender_problem = "", "", f"ambiguous sender: {exc}"
    recipients = [addr for _n, addr in getaddresses(
        [_header(message, h) for h in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")]) if addr]
    thread_ids = re.findall(r"<([^<>\s]+)>", f"{_header(message, 'In-Reply-To')} {_header(message, 'References')}")
    message_id = _header(message, "Message-ID").strip("<> ")
    if not message_id:
        message_id = f"sha256-{hashlib.sha256(raw).hexdigest()}@inbound.invalid"
    elif len(message_id) > 255:  # cut, two different mails could share the first 255 characters: hashed instead
        message_id = f"sha256-{hashlib.sha256(message_id.encode()).hexdigest()}@long-message-id.invalid"
    return ParsedMail(
        message_id=message_id[:255], from_name=from_name[:150], from_email="" if sender_problem else from_email,
        subject=_header(message, "Subject", undeclared)[:200], recipients=recipients, thread_ids=thread_ids,
        text=body, attachments=attachments, robot_reason=_robot_reason(message, from_email),
        sender_problem=sender_problem, notes=undeclared.notes,
    )


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
    import imaplib

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
