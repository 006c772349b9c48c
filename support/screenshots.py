"""Screenshots people attach, read with OCR for the secrets of support.secretscan, and blurred where one shows.

Customers photograph the page where their wallet shows a recovery phrase as readily as they paste the words. Every
image attached to a ticket or a chat is read by Debian's Tesseract in a Celery task (tickets.tasks, livechat.tasks),
with the conversation's language pack and English; where secretscan finds a secret in what was read, the picture
people see becomes a blurred copy and the attachment is flagged with the kinds found (support.filescan claims the
scan, picks this reader for pictures and records the outcome). What Tesseract read is never stored or logged: only
the kinds are.

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

from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

# secretscan's words for transactions and keys: both readers of a text agree on what a hash is.
from .secretscan import API_SECRET, KEY_WORDS, PRIVATE_KEY, RECOVERY_PHRASE, TX_WORDS, secrets_find
from .uploads import MAX_IMAGE_PIXELS

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
