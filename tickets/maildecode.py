"""Decoding mail as real clients write it: body parts in their declared charset with the superset codecs and
fallbacks mislabelled mail needs (or, without a declared one, the charset detected for them), headers with their
RFC 2047 words, text cleaned of what cannot be stored, and HTML mail turned into text."""
import html as html_lib
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header

import nh3

from support.charsets import Reading, decode_undeclared

# Charsets mail clients declare, decoded with the superset codec that real mail needs.
CHARSET_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
    "big5": "cp950", "x-big5": "cp950", "big5-hkscs": "big5hkscs",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949",
    "us-ascii": "utf-8", "ascii": "utf-8", "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
}

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


def raw_header(message, name, undeclared=None):
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


def header_text(message, name, undeclared=None):
    """A header's text, decoding RFC 2047 words with the same charset fallbacks as bodies (the standard decoder
    turns a GBK word labelled gb2312 into replacement characters or unencodable surrogates)."""
    raw = raw_header(message, name, undeclared)
    return "" if raw is None else decode_words(raw)


def decode_text_part(payload, charset, content_type, undeclared):
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


def decode_words(raw):
    """Text with its RFC 2047 encoded words decoded (see header_text)."""
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


def printable(text):
    """Text as it can be stored: no lone surrogates, no control characters (a mail's NUL is dropped, not fatal)."""
    return _CONTROL.sub("", text.encode("utf-8", errors="replace").decode("utf-8"))


def _tidy(text):
    return re.sub(r"\s+", " ", printable(text)).strip()


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
