"""Attachments read for secrets (support.secretscan) before anyone but their sender is shown them, whatever their kind.

Every ticket attachment (web form, API, email) and every file sent in a chat whose contents can hold text is read in
a Celery task after the upload commits (tickets.tasks.attachment_scan, livechat.tasks.chat_attachment_scan), by the
reader for its type, recognised by content at upload (support.uploads):

- pictures (png, jpeg, gif, webp): OCR, support.screenshots;
- text (.txt, .log): decoded as UTF-8 (a byte order mark names UTF-16 or UTF-32), else as charset-normalizer
  detects, else as Latin-1, so that no byte sequence stops the scan; at most READ_TEXT_BYTES are read;
- PDF: the text of at most PDF_MAX_PAGES pages (and READ_TEXT_BYTES of text), extracted by pypdf in a process of
  its own (support/pdftext.py) with its memory, CPU time and wall time capped, so a hostile file cannot crash or
  hang the worker; a PDF that no empty password opens is encrypted;
- ZIP: the members that are text (sniffed by content: no NUL, not a known binary type; any name), one level deep
  (an archive inside is not opened, nor are pictures or PDFs inside read), together at most READ_TEXT_BYTES,
  decompressed by streaming with that cap (declared sizes are never trusted alone); at most ZIP_MAX_MEMBERS
  entries (counted from the bytes before the archive is parsed), and entries whose compressed data overlap (the
  "better zip bomb") make it unreadable; encrypted members cannot be read and are said so.

Outcomes, in scan_state (support.models.ScanState) with the kinds found in secret_kinds and, for a file that could
not be read or not in full, the reason in scan_problem (PROBLEMS):

- clean: served as sent.
- secret: people are served a copy without it. A picture becomes a blurred copy (support.screenshots); a text a
  masked copy, each secret replaced by secretscan's marker ([recovery phrase hidden], ...), in UTF-8, the part that
  was not read (past READ_TEXT_BYTES) left out and said so at its end.
- withheld: a PDF or a ZIP with a secret. Neither can be masked safely (a PDF's text is drawn, not stored as
  written; an archive's members would have to be rebuilt), so the file is served to nobody: its download is
  refused with the reason (AttachmentWithheld: a 403 page, or the API's error with code attachment_withheld), and
  agents see that it was withheld and which kinds were found, never the secret.
- failed: could not be read (a picture after its retries; a file that is damaged, encrypted, too large to read in
  full, or holds too many files). Like a picture that cannot be read it is shown, and agents are told it was not
  checked, and why.

In every secret outcome the file as sent is deleted, unless SCREENSHOT_KEEP_ORIGINALS keeps it as `original`, served
to desk admins alone (original_response). Until its scan finishes a file is served to its sender alone (the apps'
selectors), never cached. What was read is never stored or logged: only the kinds and the reason.

Claims: a scan is claimed with a conditional UPDATE (pending and unclaimed, or claimed longer ago than the lease: a
killed worker); every outcome is written only under that same claim, so a task delivered twice scans once.
"""
import codecs
import io
import logging
import os
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass
from datetime import timedelta

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .charsets import decode_undeclared
from .models import ScanState
from .screenshots import ScreenshotScan, ScreenshotScanError, screenshot_scan
from .secretscan import KIND_LABELS, secrets_find, secrets_mask
from .services import DomainError
from .uploads import BINARY_TYPES, INLINE_TYPES, make_thumbnail, stored_file_response

logger = logging.getLogger(__name__)

READ_TEXT_BYTES = 2 * 1024 * 1024  # text read per file: a text file's bytes, a PDF's characters, a ZIP's members
PDF_MAX_PAGES = 100
PDF_TIMEOUT_SECONDS = 60
PDF_MEMORY_BYTES = 1024 * 1024 * 1024
ZIP_MAX_MEMBERS = 1000
SNIFF_BYTES = 8192  # the head of a ZIP member that tells text from binary
# A worker's claim on a scan: longer than a scan can take (a picture: two readings, twice, each at most
# screenshots.OCR_TIMEOUT_SECONDS, 60 s; a PDF: at most PDF_TIMEOUT_SECONDS; a text or a ZIP: seconds).
SCAN_LEASE_SECONDS = 600

IMAGE_TYPES = frozenset(mime for mime, (kind, _extensions) in BINARY_TYPES.items() if kind == "image")
TEXT_TYPE, PDF_TYPE, ZIP_TYPE = "text/plain", "application/pdf", "application/zip"

# Why a file could not be read, or not in full (scan_problem), and what agents are told.
ENCRYPTED, TOO_LARGE, TOO_MANY_FILES, UNREADABLE = "encrypted", "too_large", "too_many_files", "unreadable"
PROBLEMS = {
    ENCRYPTED: gettext_lazy("This file could not be checked for secrets: it is encrypted."),
    TOO_MANY_FILES: gettext_lazy("This file could not be checked for secrets: the archive holds too many files."),
    UNREADABLE: gettext_lazy("This file could not be checked for secrets: it is damaged or could not be read in "
                             "time."),
    TOO_LARGE: gettext_lazy("This file was checked for secrets only in part: it is too large to read in full."),
}
# Where several apply, the one named: the graver first.
_PROBLEM_ORDER = (ENCRYPTED, UNREADABLE, TOO_MANY_FILES, TOO_LARGE)
# Ends a masked copy of a text longer than what was read (in English, like secretscan's markers).
NOT_READ_MARKER = "\n[the rest of this file was not checked for secrets and is not shown]\n"


class AttachmentWithheld(DomainError):
    """A secret was found in a file that cannot be masked (PDF, ZIP): it is served to nobody."""

    code = "attachment_withheld"


@dataclass(frozen=True)
class FileScan:
    kinds: tuple = ()     # the kinds of secrets found (support.secretscan), each once
    masked: bytes = b""   # a text with a secret: the copy people are served, UTF-8
    problem: str = ""     # why it was not read, or not in full (PROBLEMS); "" when it was

    @property
    def found(self):
        return bool(self.kinds)


def scan_needed(content_type):
    """Is a file of this type (as support.uploads recognised it) read for secrets? Pictures, text, PDF and ZIP."""
    return content_type in IMAGE_TYPES or content_type in (TEXT_TYPE, PDF_TYPE, ZIP_TYPE)


# --- readers ------------------------------------------------------------------------------------------------------


def _kinds(text):
    return tuple(dict.fromkeys(kind for _start, _end, kind in secrets_find(text)))


def _problem(problems):
    return next((problem for problem in _PROBLEM_ORDER if problem in problems), "")


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def text_decode(data, *, complete=True):
    """Bytes of a text as str: the encoding its byte order mark names, else UTF-8, else the most plausible reading in
    our languages' charsets (support.charsets; never fails). With complete=False the bytes were cut at a limit: a character cut in two there is
    dropped rather than read as garbage."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        try:
            return _decoded(data, "utf-8", complete)
        except UnicodeDecodeError:
            # Legacy 8-bit text (a GB18030 or KOI8-R log): the same reading mail bodies get (support.charsets).
            return decode_undeclared(data).text
    try:
        return _decoded(data, encoding, complete)
    except (UnicodeDecodeError, LookupError):
        return data.decode("latin-1")


def _decoded(data, encoding, complete):
    return codecs.getincrementaldecoder(encoding)().decode(data, final=complete)


def text_scan(data):
    """A text file's bytes (READ_TEXT_BYTES of them, and one more if there are more): the kinds found and, if any,
    the masked copy (only the part that was read)."""
    complete = len(data) <= READ_TEXT_BYTES
    masked = secrets_mask(text_decode(data[:READ_TEXT_BYTES], complete=complete))
    problem = "" if complete else TOO_LARGE
    if not masked.found:
        return FileScan(problem=problem)
    copy = masked.text if complete else masked.text + NOT_READ_MARKER
    return FileScan(masked.kinds, copy.encode("utf-8"), problem)


PDFTEXT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pdftext.py")


def pdf_scan(data):
    """A PDF's bytes: the kinds found in the text of its first PDF_MAX_PAGES pages, read in a capped process."""
    command = [sys.executable, "-I", PDFTEXT, str(PDF_MAX_PAGES), str(READ_TEXT_BYTES), str(PDF_MEMORY_BYTES),
               str(PDF_TIMEOUT_SECONDS)]
    try:
        done = subprocess.run(command, input=data, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False,
                              timeout=PDF_TIMEOUT_SECONDS, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")})
    except subprocess.TimeoutExpired:
        return FileScan(problem=UNREADABLE)
    if done.returncode == 4:
        return FileScan(problem=ENCRYPTED)
    if done.returncode not in (0, 3):  # 5: not a PDF we can read; anything else: the parser died
        return FileScan(problem=UNREADABLE)
    kinds = _kinds(done.stdout.decode("utf-8", "replace"))
    return FileScan(kinds, problem=TOO_LARGE if done.returncode == 3 else "")


_CENTRAL_ENTRY = b"PK\x01\x02"  # starts every entry of a ZIP's central directory (zipfile insists on it)


# What the standard library raises on a hostile or damaged archive or member: a broken directory or header
# (BadZipFile, EOFError, ValueError, OSError), damaged compressed data (zlib.error), a compression method or feature it
# does not implement (NotImplementedError), a member it cannot decrypt or name (RuntimeError, LookupError). Each
# makes that part unreadable, never clean.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)
_MEMBER_ERRORS = (*_ZIP_ERRORS, RuntimeError, LookupError)


def zip_scan(data):
    """A ZIP's bytes: the kinds found in its text members and, if it could not be read in full, why."""
    # Each entry costs memory when the directory is parsed; count them first (their signature, an upper bound).
    if data.count(_CENTRAL_ENTRY) > ZIP_MAX_MEMBERS:
        return FileScan(problem=TOO_MANY_FILES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [member for member in archive.infolist() if not member.is_dir()]
    except _ZIP_ERRORS:
        return FileScan(problem=UNREADABLE)
    if _overlapping(members, len(data)):
        return FileScan(problem=UNREADABLE)
    kinds, problems, budget = {}, set(), READ_TEXT_BYTES
    with archive:
        for member in members:
            if member.flag_bits & 0x1:
                problems.add(ENCRYPTED)
                continue
            try:
                read, complete = _member_text(archive, member, budget)
            except _MEMBER_ERRORS:
                problems.add(UNREADABLE)
                continue
            if read is None:  # not text
                continue
            budget -= len(read)
            kinds.update(dict.fromkeys(_kinds(text_decode(read, complete=complete))))
            if not complete:
                problems.add(TOO_LARGE)
                break
    return FileScan(tuple(kinds), problem=_problem(problems))


def _overlapping(members, size):
    """Do members' data overlap, or run past the end? Each member's local header (30 bytes at least) and data must
    end before the next one starts: entries sharing data (the "better zip bomb") would have us inflate the same
    bytes again and again, and the work would no longer be bounded by the file's size."""
    spans = sorted((member.header_offset, member.compress_size) for member in members)
    ends = [offset + 30 + length for offset, length in spans]
    return any(end > following for end, (following, _length) in zip(ends, spans[1:])) or bool(
        ends and ends[-1] > size)


def _member_text(archive, member, budget):
    """(bytes, complete) of a text member, at most `budget` bytes read by streaming; (None, True) if it is not
    text."""
    with archive.open(member) as stream:
        head = stream.read(SNIFF_BYTES)
        if not _looks_like_text(head):
            return None, True
        chunks, size = [head], len(head)
        while size <= budget:
            chunk = stream.read(min(64 * 1024, budget + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    read = b"".join(chunks)
    return read[:budget], size <= budget


def _looks_like_text(head):
    if not head:
        return False
    if any(head.startswith(bom) for bom, _name in _BOMS):
        return True
    return b"\x00" not in head and filetype.guess(head) is None


READERS = {TEXT_TYPE: lambda handle: text_scan(handle.read(READ_TEXT_BYTES + 1)),
           PDF_TYPE: lambda handle: pdf_scan(handle.read()),
           ZIP_TYPE: lambda handle: zip_scan(handle.read())}


def file_read(handle, *, content_type, languages):
    """Read an open file of this type for secrets with the reader for its kind: a ScreenshotScan for a picture,
    a FileScan otherwise. Raises ScreenshotScanError when OCR could not run (retried)."""
    if content_type in IMAGE_TYPES:
        return screenshot_scan(handle.read(), languages=languages)
    reader = READERS.get(content_type)
    return reader(handle) if reader else FileScan(problem=UNREADABLE)  # not a type we read: never "clean"


# --- attachments --------------------------------------------------------------------------------------------------
# Ticket and chat attachments carry the same fields (support.models.ScannedImage); each app's service loads the
# conversation's language and calls these, and its task owns the retries.


def file_scan(*, model, attachment_id, languages, last_attempt=True, thumbnail_field=None, result=None):
    """Scan one pending attachment of `model` with the reader for its type and record the outcome (see the module's
    docstring): clean; secret (`file`, and the thumbnail if there is one, become the blurred or masked copy);
    withheld; or failed (a file that could not be read; a picture on the last attempt). Returns the state recorded,
    or None when there was nothing to do (finished already, another worker's claim, gone), so a task delivered
    twice scans once. Raises ScreenshotScanError for a retry before the last attempt (OCR did not run, storage
    could not be read).

    `result`, a ScreenshotScan or FileScan read elsewhere (another scanner's verdict; tests about something other
    than reading), is recorded instead of reading the file: the same claim, the same writes."""
    now = timezone.now()
    claimed = (model.objects.filter(pk=attachment_id, scan_state=ScanState.PENDING)
               .filter(Q(scan_claimed_at__isnull=True)
                       | Q(scan_claimed_at__lt=now - timedelta(seconds=SCAN_LEASE_SECONDS)))
               .update(scan_claimed_at=now))
    if not claimed:
        return None
    mine = model.objects.filter(pk=attachment_id, scan_state=ScanState.PENDING, scan_claimed_at=now)
    attachment = mine.first()
    if attachment is None:  # deleted meanwhile
        return None
    try:
        if result is None:
            with attachment.file.open("rb") as handle:
                result = file_read(handle, content_type=attachment.content_type, languages=languages)
    except (ScreenshotScanError, OSError) as exc:
        logger.warning("secret scan of %s %s failed%s: %s", model._meta.label, attachment_id,
                       "" if last_attempt else " (will retry)", exc)
        if not last_attempt:
            mine.update(scan_claimed_at=None)
            raise ScreenshotScanError(str(exc)) from exc
        return ScanState.FAILED if mine.update(scan_state=ScanState.FAILED, scan_claimed_at=None) else None
    problem = getattr(result, "problem", "")
    if not result.found:
        state = ScanState.FAILED if problem else ScanState.CLEAN
        if problem:
            logger.info("file %s %s could not be read in full: %s", model._meta.label, attachment_id, problem)
        return state if mine.update(scan_state=state, scan_problem=problem, scan_claimed_at=None) else None
    logger.info("file %s %s: secret found (%s)", model._meta.label, attachment_id, ", ".join(result.kinds))
    if isinstance(result, ScreenshotScan):
        copy = (result.blurred, "blurred.png", "image/png")
    elif result.masked:
        copy = (result.masked, "masked.txt", attachment.content_type)
    else:
        copy = None  # nothing can be served in its place
    return _record_secret(attachment, mine, result.kinds, copy, problem, thumbnail_field)


def _record_secret(attachment, mine, kinds, copy, problem, thumbnail_field):
    """Store the copy people are served (and its thumbnail) under new names, or none for a withheld file; point the
    row at it under the claim, then delete what it replaces after commit: the file as sent too, unless the policy
    keeps it as `original`."""
    storage = attachment.file.storage
    keep = settings.SCREENSHOT_KEEP_ORIGINALS
    old = [attachment.file.name]
    changes = {"secret_kinds": list(kinds), "scan_problem": problem, "scan_claimed_at": None,
               "original": old[0] if keep else ""}
    new = []
    if copy is None:
        changes.update(scan_state=ScanState.WITHHELD, file="")
    else:
        content, name, content_type = copy
        attachment.file.save(name, ContentFile(content), save=False)  # a new name, by upload_to
        changes.update(scan_state=ScanState.SECRET, file=attachment.file.name, content_type=content_type,
                       size=len(content))
        new.append(attachment.file.name)
    thumbnail = getattr(attachment, thumbnail_field) if thumbnail_field else None
    if thumbnail:
        old.append(thumbnail.name)
        if copy is None:
            changes[thumbnail_field] = ""
        else:
            thumbnail.save("thumb.png", ContentFile(make_thumbnail(io.BytesIO(copy[0]))), save=False)
            changes[thumbnail_field] = thumbnail.name
            new.append(thumbnail.name)
    gone = old[1:] if keep else old  # the file as sent stays only as `original`
    with transaction.atomic():
        updated = mine.update(**changes)
        if updated:
            transaction.on_commit(lambda: _delete(storage, gone))
    if not updated:  # someone else finished it meanwhile: our copies are not referenced
        _delete(storage, new)
        return None
    return changes["scan_state"]


def _delete(storage, names):
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not delete %s", name)


def file_scans_lost(queryset, *, limit=500):
    """Ids of the pending scans in `queryset` (the caller limits it to those sent a while ago) that no worker holds:
    never claimed (their task was lost), or claimed longer ago than the lease (the worker died)."""
    expired = timezone.now() - timedelta(seconds=SCAN_LEASE_SECONDS)
    return list(queryset.filter(scan_state=ScanState.PENDING)
                .filter(Q(scan_claimed_at__isnull=True) | Q(scan_claimed_at__lt=expired))
                .values_list("pk", flat=True)[:limit])


# --- serving ------------------------------------------------------------------------------------------------------


def withheld_reason(attachment):
    """Why a file is served to nobody, for people: the kinds found, never the secret."""
    kinds = ", ".join(str(KIND_LABELS.get(kind, kind)) for kind in attachment.secret_kinds)
    return _("%(name)s is withheld: a secret was found in it (%(kinds)s). For the safety of the customer's funds "
             "it is not shown to anyone.") % {"name": attachment.filename, "kinds": kinds}


def scanned_file_response(attachment, field=None, *, content_type=None):
    """An attachment's file (or `field`, e.g. its thumbnail) after the caller's permission check, under the name it
    is served as. Before its scan a file (shown to its sender alone) may still be replaced by a copy, so it is not
    cached. Raises AttachmentWithheld for a file with a secret that no copy can stand in for."""
    if attachment.scan_state == ScanState.WITHHELD:
        raise AttachmentWithheld(withheld_reason(attachment))
    return stored_file_response(field or attachment.file, content_type=content_type or attachment.content_type,
                                filename=attachment.served_filename,
                                **({"cache": "private, no-store"} if attachment.scan_pending else {}))


def withheld_page(request, exc):
    """The page a browser gets for a withheld file: 403, with the reason."""
    return render(request, "403.html", {"reason": exc.detail}, status=403)


def original_response(attachment):
    """The file as sent, after the caller checked the reader is a desk admin: typed by its content (the row's type
    is the copy's), inline only for a picture, and never kept in a browser's cache."""
    if not attachment.original:
        raise Http404
    try:
        with attachment.original.open("rb") as handle:
            content_type = filetype.guess_mime(handle.read(261))
    except OSError as exc:
        raise Http404 from exc
    if content_type not in INLINE_TYPES:
        content_type = "application/octet-stream"
    return stored_file_response(attachment.original, content_type=content_type, filename=attachment.filename,
                                cache="private, no-store")
