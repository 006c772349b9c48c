"""Which of the six languages a customer writes in.

Scripts decide first (Hangul is Korean, kana is Japanese, other Han is Chinese, Cyrillic is Russian among our six),
when they make up a fair share of the letters, since customers mix in English crypto words ("USDT 没到账"). Latin
text goes to lingua, restricted to our six languages (its models ship inside the wheel: no downloads at run time).
Short or ambiguous text ("ok", "USDT", "2FA") keeps the conversation's or the user's language.
"""
import re
import threading

from lingua import Language, LanguageDetectorBuilder

from support.languages import LANGUAGE_CODES

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_detector = None
_lock = threading.Lock()

# Below this share of all letters a script does not decide (a CJK word inside an English sentence).
SCRIPT_SHARE = 0.3
# Lingua must be at least this sure, on text of at least this many letters, to override the fallback.
MIN_CONFIDENCE = 0.7
MIN_LETTERS = 6


def _script_counts(text):
    counts = {"ko": 0, "ja": 0, "han": 0, "ru": 0, "latin": 0}
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["ko"] += 1
        elif 0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF:
            counts["ja"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            counts["han"] += 1
        elif 0x0400 <= code <= 0x04FF:
            counts["ru"] += 1
        elif _LETTER.match(ch):
            counts["latin"] += 1
    return counts


def _lingua():
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = LanguageDetectorBuilder.from_languages(
                    Language.ENGLISH, Language.CHINESE, Language.SPANISH, Language.RUSSIAN, Language.JAPANESE,
                    Language.KOREAN).with_preloaded_language_models().build()
    return _detector


_LINGUA_CODES = {"ENGLISH": "en", "CHINESE": "zh-hans", "SPANISH": "es", "RUSSIAN": "ru", "JAPANESE": "ja",
                 "KOREAN": "ko"}


def detect_language(text, fallback="en"):
    """The language of `text` among the six, or `fallback` when the text is too short or ambiguous to tell."""
    fallback = fallback if fallback in LANGUAGE_CODES else "en"
    counts = _script_counts(text or "")
    letters = sum(counts.values())
    if not letters:
        return fallback
    if counts["ko"] / letters >= SCRIPT_SHARE:
        return "ko"
    if counts["ja"] / letters >= SCRIPT_SHARE or (counts["ja"] and counts["han"] + counts["ja"] >= letters * SCRIPT_SHARE):
        return "ja"
    if counts["han"] / letters >= SCRIPT_SHARE:
        # Han without kana: Chinese, unless the conversation is Japanese (kanji-only lines like "出金保留").
        return "ja" if fallback == "ja" else "zh-hans"
    if counts["ru"] / letters >= SCRIPT_SHARE:
        return "ru"
    if counts["latin"] < MIN_LETTERS:
        return fallback
    values = _lingua().compute_language_confidence_values(text)
    best = values[0] if values else None
    if best is None or best.value < MIN_CONFIDENCE:
        return fallback
    language = _LINGUA_CODES.get(best.language.name, fallback)
    # Latin script can only really be English or Spanish among ours.
    return language if language in ("en", "es") else fallback
