"""The charset of text that declares none (issue #22): a mail part, a text file a customer attaches. Older Chinese,
Korean, Russian and Japanese mail clients and tools send 8-bit text in GB18030, EUC-KR, KOI8-R or Shift_JIS without
saying so, and read as UTF-8 it is lost.

charset-normalizer alone misreads the short texts customers write (a one-line KOI8-R or Shift_JIS mail), so each
charset our six languages are written in reads a sample, and the reading that is most plausible text in that
charset's language wins. Plausible means: the script of that language (Han for GB18030 and Big5, Hangul for EUC-KR,
kana and Han for Shift_JIS and EUC-JP, Cyrillic for KOI8-R and windows-1251, Latin for windows-1252); the frequent
part of the charset's repertoire rather than its rare tail (GB2312 level 1, Big5's frequent hanzi, the Hangul of
KS X 1001, JIS level 1: a wrong reading of a legacy charset lands in another one's rare tail or foreign rows); and
the shapes real text has (Russian is mostly lower case where KOI8-R read as windows-1251 is mostly upper case,
Spanish accents sit inside ASCII words, Chinese and Japanese put no spaces between characters, a CJK character is
rarely alone between ASCII letters). charset-normalizer's frequency tables add a bonus for a language's commonest
characters (what tells Korean from the Chinese its EUC-KR bytes also spell), and when no candidate reads as
plausible text (a charset outside our languages), charset-normalizer's own choice is taken.

Linear in the part's size: only a sample from the first 8-bit byte on is scored, then one codec reads the part.
"""
import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes
from charset_normalizer.constant import FREQUENCIES

SAMPLE_BYTES = 64 * 1024
# A best reading scoring below this is no text of our languages: charset-normalizer's choice is taken instead.
PLAUSIBLE = 0.5

_EIGHT_BIT = re.compile(rb"[\x80-\xff]")
_ASCII = re.compile(r"[\x00-\x7f]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3041-\u30ff]")
_HALFWIDTH_KANA = re.compile(r"[\uff61-\uff9f]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_JAMO = re.compile(r"[\u1100-\u11ff\u3131-\u318e]")
_BOPOMOFO = re.compile(r"[\u3105-\u312f]")
_CJK_PUNCT = re.compile(r"[\u3000-\u303f\uff01-\uff5e\uffe0-\uffe6]")
_PUNCT = re.compile(r"[\u00a0\u00a9\u00aa\u00ab\u00ae\u00b0\u00b7\u00ba\u00bb\u2010-\u2015\u2018-\u201f\u2022\u2026"
                    r"\u2030\u20ac\u2116\u2122]")
_BAD = re.compile(r"[\x80-\x9f\ue000-\uf8ff\ufffd]")  # C1 controls, private use, undecodable bytes
_CJK = r"[\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3]"
# A CJK character with no other non-ASCII character beside it and an ASCII letter or digit on one side ("don痴t":
# cp1252's apostrophe read as Shift_JIS) is rare in real CJK text.
_LONE_CJK = re.compile(rf"(?<=[A-Za-z0-9]){_CJK}(?![^\x00-\x7f])|(?<![^\x00-\x7f])(?<![A-Za-z0-9]){_CJK}"
                       rf"(?=[A-Za-z0-9])")
# Katakana alone between other characters, and a small kana after no kana, are rare in Japanese (and the mark of Big5
# or GB text read as EUC-JP, whose kana rows hold those charsets' commonest characters).
_ODD_KANA = re.compile(r"(?<![\u30a1-\u30ff])[\u30a1-\u30f4\u30f7-\u30fa](?![\u30a1-\u30ff])"
                       r"|(?<![\u3041-\u30ff])[ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮ]")
_HAN_SPACE_HAN = re.compile(r"[\u3041-\u30ff\u3400-\u9fff] (?=[\u3041-\u30ff\u3400-\u9fff])")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_RU_LETTER = re.compile("[а-яёА-ЯЁ]")
_RU_RARE = re.compile("[фщъэюжцшхйФЩЪЭЮЖЦШХЙ]")  # together about 6% of Russian letters
_UPPER_AFTER_LOWER = re.compile("(?<=[а-яё])[А-ЯЁ]")
_CYRILLIC_GLUED = re.compile(r"(?<=[A-Za-z])[\u0400-\u04ff]|[\u0400-\u04ff](?=[A-Za-z])")
_LATIN = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
_LATIN_LETTER = re.compile(f"[{_LATIN}]")
_SPANISH_LETTER, _SPANISH_MARK = re.compile("[áéíóúüñÁÉÍÓÚÜÑ]"), re.compile("[¿¡]")
_LATIN_RUN = re.compile(f"(?<=[{_LATIN}])[{_LATIN}]|[{_LATIN}](?=[{_LATIN}])")


def _chars(name, limit=None):
    return "".join(FREQUENCIES[name][:limit])


# charset-normalizer's commonest characters of each language, as a character class: its kanji and hanzi lists, the
# first 40 of its kana lists (which hold nearly every kana), Russian's first 10 letters (about 60% of a text's).
_FREQUENT = {language: re.compile("[" + re.escape(chars) + "]") for language, chars in {
    "zh": _chars("Chinese"), "ko": _chars("Korean"),
    "ja": _chars("Japanese") + _chars("Japanese\u2014", 40) + _chars("Japanese\u2014\u2014", 40),
    "ru": _chars("Russian", 10) + _chars("Russian", 10).upper()}.items()}


def _count(pattern, text):
    return sum(1 for _match in pattern.finditer(text))


def _bytes_in(data, low, high):
    """How many bytes of data lie in low..high (in C, not a loop)."""
    return len(data) - len(data.translate(None, bytes(range(low, high + 1))))


def _tiers(han, codec, first_lead, last_lead):
    """Weight of Han characters by where the charset's base set keeps them: its frequent rows (lead bytes
    first_lead..last_lead) 1, its other rows 0.7, outside the base set (an extension's rare tail) 0.3. Every Han
    character of these sets takes two bytes, so the lead bytes are every other byte."""
    leads = han.encode(codec, "ignore")[0::2]
    common = _bytes_in(leads, first_lead, last_lead)
    return common + 0.7 * (len(leads) - common) + 0.3 * (len(han) - len(leads))


def _cjk(text, rest, language, han_weight):
    """Shared by the Chinese, Japanese and Korean readings: punctuation, the lone-character and spacing shapes, the
    language's commonest characters."""
    weight = han_weight + _count(_CJK_PUNCT, rest) + 0.8 * _count(_PUNCT, rest)
    weight += 0.3 * _count(_FREQUENT[language], rest) - 0.7 * _count(_LONE_CJK, text)
    if language != "ko":  # Korean puts spaces between words; Chinese and Japanese do not
        weight -= 0.5 * _count(_HAN_SPACE_HAN, text)
    return weight


def _score_gb(text, rest):
    han = "".join(_HAN.findall(rest))
    return _cjk(text, rest, "zh", _tiers(han, "gb2312", 0xB0, 0xD7))


def _score_big5(text, rest):
    han = "".join(_HAN.findall(rest))
    return _cjk(text, rest, "zh", _tiers(han, "big5", 0xA4, 0xC6)) + 0.3 * _count(_BOPOMOFO, rest)


def _score_japanese(text, rest):
    han = "".join(_HAN.findall(rest))
    return (_cjk(text, rest, "ja", _tiers(han, "shift_jis", 0x88, 0x97)) + _count(_KANA, rest)
            - 0.7 * _count(_ODD_KANA, text) + 0.3 * _count(_HALFWIDTH_KANA, rest))


def _score_korean(text, rest):
    hangul = "".join(_HANGUL.findall(rest))
    in_ks_x_1001 = _bytes_in(hangul.encode("cp949", "ignore")[1::2], 0xA1, 0xFE)  # beyond it, trail bytes are lower
    weight = in_ks_x_1001 + 0.3 * (len(hangul) - in_ks_x_1001) + 0.3 * _count(_HAN, rest) + 0.5 * _count(_JAMO, rest)
    return _cjk(text, rest, "ko", weight)


def _score_russian(text, rest):
    """Every Russian letter counts, its commonest ones more and its rarest less; a capital after a small letter is the
    mark of the wrong one of KOI8-R and windows-1251 (each reads the other's small letters as capitals, and its
    commonest letters as rare ones)."""
    letters = _count(_RU_LETTER, rest)
    return (letters + 0.3 * _count(_FREQUENT["ru"], rest) - 0.5 * _count(_RU_RARE, rest)
            - 0.9 * _count(_UPPER_AFTER_LOWER, text) + 0.3 * (_count(_CYRILLIC, rest) - letters)
            - 0.9 * _count(_CYRILLIC_GLUED, text) + 0.8 * _count(_PUNCT, rest))


def _score_latin(text, rest):
    """Spanish letters count fully, other Latin-1 letters less; either loses its weight beside another non-ASCII
    letter (a legacy CJK or Cyrillic text read as windows-1252 is all such letters)."""
    spanish = _count(_SPANISH_LETTER, rest)
    return (spanish + 0.7 * (_count(_LATIN_LETTER, rest) - spanish) + _count(_SPANISH_MARK, rest)
            + 0.8 * _count(_PUNCT, rest) - 0.7 * _count(_LATIN_RUN, text))


def _score_utf8(text, rest):
    """Valid UTF-8 rarely happens by chance: every decoded character counts (the bad ones are taken off below)."""
    return len(rest)


# (the name the note gives, the codec that reads it, its scorer), in the order that wins a tie.
CANDIDATES = (
    ("utf-8", "utf-8", _score_utf8),
    # Korean before Chinese: EUC-KR's Hangul are GB2312's commonest hanzi, byte for byte, but Chinese text read as
    # EUC-KR is rarely Hangul only (half its commonest hanzi are hanja there).
    ("euc-kr", "cp949", _score_korean),
    ("gb18030", "gb18030", _score_gb),
    ("shift_jis", "cp932", _score_japanese),
    ("euc-jp", "euc_jp", _score_japanese),
    ("big5", "cp950", _score_big5),
    ("windows-1252", "cp1252", _score_latin),
    ("windows-1251", "cp1251", _score_russian),
    ("koi8-r", "koi8_r", _score_russian),
)


_NAMES = {codec: name for name, codec, _scorer in CANDIDATES}


def charset_scores(sample):
    """[(score, name, codec)] for a sample of 8-bit text, best first: per non-ASCII character read, the weight its
    charset's language gives it (about 1 for plausible text, up to 1.3 with the language's commonest characters),
    minus 3 for each undecodable byte, control or private-use character."""
    scores = []
    for name, codec, scorer in CANDIDATES:
        # An incremental decoder leaves a character the sample's end cuts in two undecoded instead of failing.
        text = codecs.getincrementaldecoder(codec)(errors="replace").decode(sample, final=False)
        rest = _ASCII.sub("", text)
        weight = scorer(text, rest) - 3 * _count(_BAD, rest)
        scores.append((weight / max(len(rest), 1), name, codec))
    scores.sort(key=lambda item: -item[0])  # stable: a tie goes to the earlier candidate
    return scores


@dataclass(frozen=True)
class Reading:
    text: str
    charset: str  # the codec that read it
    note: str = ""  # how the charset was chosen ("" when the part was ASCII or valid UTF-8, as presumed)


def decode_undeclared(payload, *, hint=""):
    """Read the bytes of a part that declares no charset: ASCII and valid UTF-8 as UTF-8, 7-bit ISO-2022-JP by its
    escape sequences, else in `hint` (a codec: the charset found for the same mail's body) if it reads them, else in
    the most plausible of CANDIDATES (see the module's docstring)."""
    first = _EIGHT_BIT.search(payload)
    if first is None:
        if b"\x1b$" in payload:  # ISO-2022-JP shifts into JIS X 0208 with ESC $ B (or ESC $ @)
            try:
                return Reading(payload.decode("iso2022_jp_ext"), "iso2022_jp_ext",
                               "read as iso-2022-jp (its escape sequences)")
            except UnicodeDecodeError:
                pass
        return Reading(payload.decode("utf-8", "replace"), "utf-8")
    try:
        return Reading(payload.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if hint:
        try:
            return Reading(payload.decode(hint), hint, f"read as {_NAMES.get(hint, hint)} (the body's charset)")
        except (LookupError, UnicodeDecodeError):
            pass
    # The ASCII before the first 8-bit byte reads the same in every candidate (no multi-byte character can start
    # before it), so the sample starts just before it, wherever in the part that is.
    sample = payload[max(first.start() - 64, 0):first.start() + SAMPLE_BYTES]
    scores = charset_scores(sample)
    (best, name, codec), runner_up = scores[0], scores[1][1]
    how = f"detected, over {runner_up}"
    if best < PLAUSIBLE:
        match = from_bytes(sample).best()
        if match is not None:
            name = codec = match.encoding
            how = "charset-normalizer's choice: no charset of our languages read as plausible text"
    try:
        text = payload.decode(codec)
    except UnicodeDecodeError:
        text = payload.decode(codec, "replace")
        how += "; bytes it could not read replaced"
    return Reading(text, codec, f"read as {name} ({how})")
