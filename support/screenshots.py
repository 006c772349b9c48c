"""Screenshots people attach, read with OCR for the secrets of support.secretscan, and blurred where one shows.

Customers photograph the page where their wallet shows a recovery phrase as readily as they paste the words. Every
image attached to a ticket or a chat is read by Debian's Tesseract in a Celery task (tickets.tasks, livechat.tasks),
with the conversation's language pack and English; where secretscan finds a secret in what was read, the picture
people see becomes a blurred copy and the attachment is flagged with the kinds found. What Tesseract read is never
stored or logged: only the kinds are.

How the words are put back together (secretscan needs the text as it was written):

- Tesseract's TSV output gives every word with its box. Chinese and Japanese are written without spaces, and
  Tesseract cuts them into pieces of a character or two; two CJK pieces are joined without a space when the gap
  between their boxes is narrower than CJK_GAP of the line's height (a character cell), and with a space when it
  is wider, as between the cells of a wallet's grid of phrase words. So "请按顺序抄写" stays one run (not six
  one-character words of the Chinese list) while a grid of 12 characters becomes 12 words, and a Japanese phrase
  word read as "あつ め る" is "あつめる" again.
- Specks are dropped and numbering restored: a lone Latin letter or sign (a box's border, "e" for a "6") would cut
  a run of phrase words in two, and "i0" is the "10" in front of a phrase word.
- Long codes are where OCR misreads: 0/O, 1/l/I, 5/S. A long token that is hex but for a few such letters is read
  as the hex it shows, and a long lower-case code with one or two stray capitals (an address read with an O for a
  0) as lower case, so that a transaction hash or an address is not taken for an API secret by its "mixed case"
  shape. Hex that Tesseract cut into pieces (on a line, or wrapped) is joined again.
- A picture's layout is lost in reading (a table's labels may come out as a column of their own), so a 64-hex code
  counts as a transaction hash when transaction words appear anywhere in the picture and key words nowhere; and a
  code of an address's length on a line that names an address (and no API key) is an address OCR misread.

Two readings: the conversation's pack with English on the grey image (inverted first if it is a dark-mode
screenshot), and for Chinese and Japanese the pack alone on a black-and-white image as well, for phrases only
(English competes with CJK on single characters in boxes, and the boxes' light borders confuse it). What either
reading finds counts.

Blurring: the lines where a secret was read are blurred across the whole width (so numbering and a misread
neighbour in the same grid row go too), then the blurred copy is read again the same way; if anything is still
found there, the whole picture is blurred instead. So the copy people see has passed the same check as the upload.

Limits: an image over MAX_OCR_PIXELS is scaled down before reading (a scrolling capture of 20,000 pixels still
reads); small images are scaled up (Tesseract wants text taller than screen text at 1x); each Tesseract run is
killed after OCR_TIMEOUT_SECONDS. Only the first frame of an animated image is read.
"""
import csv
import io
import logging
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import timedelta

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

from .models import ScanState
# secretscan's words for transactions and keys: both readers of a text agree on what a hash is.
from .secretscan import API_SECRET, KEY_WORDS, PRIVATE_KEY, RECOVERY_PHRASE, TX_WORDS, secrets_find
from .uploads import INLINE_TYPES, MAX_IMAGE_PIXELS, make_thumbnail, stored_file_response

logger = logging.getLogger(__name__)

TESSERACT = "tesseract"  # Debian's tesseract-ocr, on the PATH
# Our language codes -> Tesseract's language packs (Debian: tesseract-ocr-eng, -chi-sim, -spa, -rus, -jpn, -kor).
TESSERACT_PACKS = {"en": "eng", "zh-hans": "chi_sim", "es": "spa", "ru": "rus", "ja": "jpn", "ko": "kor"}
CJK_PACKS = ("chi_sim", "jpn")
OCR_TIMEOUT_SECONDS = 60
MAX_OCR_PIXELS = 12_000_000  # read at most this many pixels (larger images are scaled down first)
UPSCALE_BELOW_WIDTH = 1000   # narrower images are read at twice their size
CJK_GAP = 0.75               # CJK pieces closer than this many line heights are one run of text
BLACK_WHITE_THRESHOLD = 180  # grey level above which a pixel is background in the black-and-white reading
# A worker's claim on a scan: longer than a scan can take (two readings, twice, each at most OCR_TIMEOUT_SECONDS).
SCAN_LEASE_SECONDS = 600


class ScreenshotScanError(Exception):
    """Tesseract is missing, failed or ran out of time, or the image cannot be read. Never carries OCR text."""


@dataclass(frozen=True)
class ScreenshotScan:
    kinds: tuple          # the kinds of secrets found (support.secretscan), each once
    blurred: bytes = b""  # a PNG of the picture with the secrets blurred, when any was found

    @property
    def found(self):
        return bool(self.kinds)


@dataclass
class _Word:
    text: str
    box: tuple  # (left, top, right, bottom) in the original image's pixels
    line: int   # index of the line it was read on
    start: int = 0
    end: int = 0


def tesseract_missing():
    """What this machine lacks to read pictures: [] when Tesseract runs with all six packs, ["tesseract"] when it
    cannot run, else the packs it lacks (["jpn", "kor"])."""
    try:
        listed = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ["tesseract"]
    if listed.returncode != 0:
        return ["tesseract"]
    return sorted(set(TESSERACT_PACKS.values()) - set(listed.stdout.split()))


def tesseract_packages(missing):
    """The Debian packages that give what tesseract_missing() reported."""
    packs = sorted(TESSERACT_PACKS.values()) if missing == ["tesseract"] else missing
    names = [f"tesseract-ocr-{pack.replace('_', '-')}" for pack in packs]
    return (["tesseract-ocr"] if missing == ["tesseract"] else []) + names


def ocr_packs(languages):
    """The Tesseract packs for the conversation's languages, English always among them: ("chi_sim", "eng")."""
    packs = [TESSERACT_PACKS[code] for code in languages if code in TESSERACT_PACKS]
    return tuple(dict.fromkeys([*packs, "eng"]))


def screenshot_scan(source, *, languages):
    """Read an image (bytes or a path) for secrets in the given conversation languages (our codes: "ja", ...).
    Returns the kinds found and, if any, a blurred PNG; raises ScreenshotScanError if it cannot be read."""
    image = _open(source)
    packs = ocr_packs(languages)
    kinds, boxes = _read(image, packs)
    if not kinds:
        return ScreenshotScan(())
    blurred = _blur_lines(image, boxes)
    if _read(blurred, packs)[0]:  # still legible somewhere: nothing of the picture is shown
        blurred = _blur_all(image)
    out = io.BytesIO()
    blurred.save(out, format="PNG", optimize=True)
    return ScreenshotScan(kinds, out.getvalue())


def _open(source):
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ScreenshotScanError("the image has too many pixels")
            image.seek(0)
            return ImageOps.exif_transpose(image.convert("RGB"))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as exc:
        raise ScreenshotScanError(f"the image cannot be read ({type(exc).__name__})") from exc


def _read(image, packs):
    """(kinds, boxes of the lines holding a secret) from every reading of the image."""
    grey = _dark_on_light(image.convert("L"))
    scale = 2.0 if grey.width < UPSCALE_BELOW_WIDTH else 1.0
    pixels = grey.width * grey.height * scale * scale
    if pixels > MAX_OCR_PIXELS:
        scale *= (MAX_OCR_PIXELS / pixels) ** 0.5
    if scale != 1.0:
        grey = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
                           Image.Resampling.LANCZOS)
    readings = [(grey, "+".join(packs), False)]
    cjk = [pack for pack in packs if pack in CJK_PACKS]
    if cjk:
        readings.append((grey.point(lambda v: 255 if v > BLACK_WHITE_THRESHOLD else 0), "+".join(cjk), True))
    texts = []
    for picture, language, phrases_only in readings:
        words, lines = _words(_tesseract(picture, language), scale)
        if phrases_only:
            # This reading is there for CJK phrase words; what it makes of Latin text (misread numbering, "e" for
            # "6", between two phrase words) is left out, and so are its finds other than phrases.
            words = [word for word in words if _CJK.search(word.text) or word.text.isdigit()]
        texts.append((_joined(words), words, lines, phrases_only))
    # A screenshot's layout is lost in reading (a table's labels may come out as a column of their own), so for a
    # 64-hex code "next to" transaction words means anywhere in the picture, as long as it never speaks of keys.
    everything = "\n".join(text for text, *_rest in texts)
    hashes = TX_WORDS.search(everything) is not None and KEY_WORDS.search(everything) is None
    kinds, boxes = [], []
    for text, words, lines, phrases_only in texts:
        for start, end, kind in secrets_find(text):
            if ((phrases_only and kind != RECOVERY_PHRASE)
                    or (kind == API_SECRET and _misread_address(text, start, end))
                    or (kind == PRIVATE_KEY and hashes and _HEX64.fullmatch(text[start:end]))):
                continue
            if kind not in kinds:
                kinds.append(kind)
            boxes.extend(lines[w.line] for w in words if w.start < end and start < w.end)
    return tuple(kinds), boxes


def _dark_on_light(grey):
    """A dark-mode screenshot (light text on a dark ground) inverted, as Tesseract reads dark text on light best."""
    histogram = grey.histogram()
    return ImageOps.invert(grey) if sum(histogram[:128]) > sum(histogram[128:]) else grey


# Words for an address on the token's line: a code of an address's length there is an address OCR misread (a
# legacy address read with an I for its leading 1 no longer has the Base58 shape secretscan knows), unless the line
# also speaks of API keys.
_ADDRESS_WORDS = re.compile(r"address|addr|地址|アドレス|주소|адрес|direcci[oó]n|wallet|钱包|ウォレット|지갑|кошел", re.I)
_API_WORDS = re.compile(r"secret|api|key|密钥|秘钥|シークレット|キー|시크릿|키|секрет|ключ|clave", re.I)
_HEX64 = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")


def _misread_address(text, start, end):
    line_end = text.find("\n", end)
    line = text[text.rfind("\n", 0, start) + 1:len(text) if line_end < 0 else line_end]
    return 25 <= end - start <= 44 and _ADDRESS_WORDS.search(line) is not None and _API_WORDS.search(line) is None


def _tesseract(picture, language):
    """Tesseract's TSV for one image, given on stdin (no copy of the picture is written to disk)."""
    data = io.BytesIO()
    picture.save(data, format="PNG")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1"}  # one core per worker
    if os.environ.get("TESSDATA_PREFIX"):
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    try:
        result = subprocess.run([TESSERACT, "stdin", "stdout", "-l", language, "--psm", "3", "tsv"],
                                input=data.getvalue(), capture_output=True, timeout=OCR_TIMEOUT_SECONDS, env=env)
    except FileNotFoundError as exc:
        raise ScreenshotScanError(f"{TESSERACT} is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise ScreenshotScanError(f"tesseract took longer than {OCR_TIMEOUT_SECONDS} s") from exc
    if result.returncode != 0:
        raise ScreenshotScanError(f"tesseract -l {language} exited with {result.returncode}")
    return result.stdout.decode("utf-8", "replace")


def _words(tsv, scale):
    """The words Tesseract read, in reading order, with their boxes in the original image's pixels; and the box
    of each line."""
    words, lines, index = [], [], {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        left, top = int(row["left"]) / scale, int(row["top"]) / scale
        box = (left, top, left + int(row["width"]) / scale, top + int(row["height"]) / scale)
        key = (row["page_num"], row["block_num"], row["par_num"], row["line_num"])
        if key not in index:
            index[key] = len(lines)
            lines.append(box)
        line = index[key]
        lines[line] = (min(lines[line][0], box[0]), min(lines[line][1], box[1]),
                       max(lines[line][2], box[2]), max(lines[line][3], box[3]))
        text = _ocr_token(text)
        if text:
            words.append(_Word(text, box, line))
    return words, lines


_CJK = re.compile(r"[\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_HEX = re.compile(r"[0-9a-fA-F]+")
_LONG_CODE = re.compile(r"[0-9A-Za-z|]{16,}")
# What OCR reads for the digits of a code, mapped back.
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "Q": "0", "D": "0", "l": "1", "I": "1", "i": "1", "|": "1",
                           "S": "5", "s": "5", "Z": "2", "z": "2", "B": "8", "G": "6", "g": "9", "q": "9"})


def _ocr_token(text):
    """A word as it was shown rather than as OCR misread it (see the module's docstring), or None for specks:
    numbering read with letters ("i0" for "10") is numbering again, and a lone letter or sign that is not CJK (a
    box's border, "e" for "6") is left out, so that it does not cut a run of phrase words in two."""
    if len(text) <= 3 and any(c.isdigit() for c in text):
        mapped = text.translate(_AS_DIGIT)
        return mapped if re.fullmatch(r"[\d.,:()#-]+", mapped) else text
    if len(text) == 1 and not text.isdigit() and not _CJK.match(text):
        return None
    if not _LONG_CODE.fullmatch(text):
        return text
    hexish = sum(c in "0123456789abcdefABCDEF" for c in text)
    if hexish >= 0.85 * len(text):
        mapped = text.translate(_AS_DIGIT)
        if _HEX.fullmatch(mapped):
            return mapped.lower()
    capitals = [c for c in text if c.isupper()]
    if len(text) >= 24 and 0 < len(capitals) <= 2 and any(c.islower() for c in text):
        return "".join(c.translate(_AS_DIGIT).lower() if c.isupper() else c for c in text)
    return text


def _long_hex(word):
    return len(word.text) >= 8 and _HEX.fullmatch(word.text) is not None


def _joined(words):
    """The text as written: words on a line joined by spaces (CJK pieces of one run without), lines by newlines,
    hex cut into pieces joined back. Sets each word's span in it."""
    parts, position, previous = [], 0, None
    for word in words:
        if previous is None:
            separator = ""
        elif _long_hex(previous) and _long_hex(word):
            separator = ""
        elif word.line != previous.line:
            separator = "\n"
        elif _CJK.match(previous.text[-1]) and _CJK.match(word.text[0]):
            height = max(previous.box[3] - previous.box[1], word.box[3] - word.box[1], 1)
            separator = "" if word.box[0] - previous.box[2] < CJK_GAP * height else " "
        else:
            separator = " "
        position += len(separator)
        word.start, word.end = position, position + len(word.text)
        parts.append(separator + word.text)
        position = word.end
        previous = word
    return "".join(parts)


def _blur_lines(image, boxes):
    """The image with each of these lines blurred beyond reading, across the whole width."""
    blurred = image.copy()
    for _left, top, _right, bottom in boxes:
        height = max(bottom - top, 8)
        pad = height * 0.6
        band = (0, max(0, int(top - pad)), image.width, min(image.height, int(bottom + pad + 1)))
        blurred.paste(_unreadable(image.crop(band), height), band[:2])
    return blurred


def _blur_all(image):
    return _unreadable(image, max(24, min(image.size) / 25))


def _unreadable(region, text_height):
    """A region made into coarse blocks about the size of its text, then blurred: shapes stay, letters do not."""
    block = max(4, int(text_height / 2))
    small = region.resize((max(1, region.width // block), max(1, region.height // block)), Image.Resampling.BILINEAR)
    return small.resize(region.size, Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(block))


# --- attachments --------------------------------------------------------------------------------------------------
# Ticket and chat attachments carry the same fields (support.models.ScannedImage); each app's service loads the
# conversation's language and calls these, and its task owns the retries.


def image_scan(*, model, attachment_id, languages, last_attempt=True, thumbnail_field=None, result=None):
    """Scan one pending image attachment of `model` and record the outcome: clean; secret (`file`, and the
    thumbnail if there is one, become the blurred copy; the picture as sent is kept in `original` if
    SCREENSHOT_KEEP_ORIGINALS, else deleted); or failed, on the last attempt. Returns the state recorded, or None
    when there was nothing to do (finished already, another worker's claim, gone), so a task delivered twice scans
    once. Raises ScreenshotScanError for a retry before the last attempt.

    `result`, a ScreenshotScan read elsewhere (another scanner's verdict; tests about something other than OCR), is
    recorded instead of reading the picture: the same claim, the same writes.

    Claimed with a conditional UPDATE (pending and unclaimed, or claimed longer ago than the lease: a killed
    worker); every outcome is written only under that same claim."""
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
                result = screenshot_scan(handle.read(), languages=languages)
    except (ScreenshotScanError, OSError) as exc:
        logger.warning("screenshot scan of %s %s failed%s: %s", model._meta.label, attachment_id,
                       "" if last_attempt else " (will retry)", exc)
        if not last_attempt:
            mine.update(scan_claimed_at=None)
            raise ScreenshotScanError(str(exc)) from exc
        return ScanState.FAILED if mine.update(scan_state=ScanState.FAILED, scan_claimed_at=None) else None
    if not result.found:
        return ScanState.CLEAN if mine.update(scan_state=ScanState.CLEAN, scan_claimed_at=None) else None
    logger.info("screenshot %s %s: secret found (%s)", model._meta.label, attachment_id, ", ".join(result.kinds))
    return _replace_with_blurred(attachment, mine, result, thumbnail_field)


def _replace_with_blurred(attachment, mine, result, thumbnail_field):
    """Store the blurred copy (and its thumbnail) under new names, point the row at them under the claim, then
    delete what they replace after commit: the picture as sent too, unless the policy keeps it as `original`."""
    storage = attachment.file.storage
    keep = settings.SCREENSHOT_KEEP_ORIGINALS
    old = [attachment.file.name]
    attachment.file.save("blurred.png", ContentFile(result.blurred), save=False)  # a new name, by upload_to
    changes = {"scan_state": ScanState.SECRET, "secret_kinds": list(result.kinds), "scan_claimed_at": None,
               "file": attachment.file.name, "content_type": "image/png", "size": len(result.blurred),
               "original": old[0] if keep else ""}
    new = [attachment.file.name]
    thumbnail = getattr(attachment, thumbnail_field) if thumbnail_field else None
    if thumbnail:
        old.append(thumbnail.name)
        thumbnail.save("thumb.png", ContentFile(make_thumbnail(io.BytesIO(result.blurred))), save=False)
        changes[thumbnail_field] = thumbnail.name
        new.append(thumbnail.name)
    gone = old[1:] if keep else old  # the original stays only as `original`
    with transaction.atomic():
        updated = mine.update(**changes)
        if updated:
            transaction.on_commit(lambda: _delete(storage, gone))
    if not updated:  # someone else finished it meanwhile: our copies are not referenced
        _delete(storage, new)
        return None
    return ScanState.SECRET


def _delete(storage, names):
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not delete %s", name)


def image_scans_lost(queryset, *, limit=500):
    """Ids of the pending scans in `queryset` (the caller limits it to those sent a while ago) that no worker holds:
    never claimed (their task was lost), or claimed longer ago than the lease (the worker died)."""
    expired = timezone.now() - timedelta(seconds=SCAN_LEASE_SECONDS)
    return list(queryset.filter(scan_state=ScanState.PENDING)
                .filter(Q(scan_claimed_at__isnull=True) | Q(scan_claimed_at__lt=expired))
                .values_list("pk", flat=True)[:limit])


def scanned_file_response(attachment, field=None, *, content_type=None):
    """An attachment's file (or `field`, e.g. its thumbnail) after the caller's permission check, under the name it
    is served as. Before its scan a picture (shown to its sender alone) may still be replaced by a blurred copy,
    so it is not cached."""
    return stored_file_response(field or attachment.file, content_type=content_type or attachment.content_type,
                                filename=attachment.served_filename,
                                **({"cache": "private, no-store"} if attachment.scan_pending else {}))


def original_response(attachment):
    """The picture as sent, after the caller checked the reader is a desk admin: typed by its content (the row's
    type is the blurred copy's), and never kept in a browser's cache."""
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
