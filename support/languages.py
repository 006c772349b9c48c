"""The six languages of the desk and helpers to validate and normalise language codes."""
from django.conf import settings

LANGUAGE_CODES = ("en", "zh-hans", "es", "ru", "ja", "ko")

# Codes people and browsers send for the same language, mapped to ours.
_ALIASES = {
    "zh": "zh-hans",
    "zh-cn": "zh-hans",
    "zh-sg": "zh-hans",
    "zh_hans": "zh-hans",
    "zh-hans-cn": "zh-hans",
}


def language_choices():
    return [(code, name) for code, name in settings.LANGUAGES]


def normalize_language(code):
    """Return our code for `code` (case-insensitive, common aliases accepted), or None if we do not serve it."""
    if not code:
        return None
    value = str(code).strip().lower().replace("_", "-")
    value = _ALIASES.get(value, value)
    return value if value in LANGUAGE_CODES else None


def parse_language_list(raw):
    """Parse "en,ja" (or a list) into a de-duplicated list of our codes; raise ValueError naming any unknown one."""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    result, unknown = [], []
    for item in items:
        if not str(item).strip():
            continue
        code = normalize_language(item)
        if code is None:
            unknown.append(str(item).strip())
        elif code not in result:
            result.append(code)
    if unknown:
        raise ValueError(f"unknown language(s): {', '.join(unknown)}; use any of {', '.join(LANGUAGE_CODES)}")
    return result


GUESS_SAMPLE = 5000


def guess_language(text, default="en"):
    """A cheap guess from the script a text is written in (for mail from people we do not know yet).

    Hangul -> ko, kana -> ja, other Han -> zh-hans, Cyrillic -> ru, Spanish letters or words -> es.
    """
    text = (text or "")[:GUESS_SAMPLE]  # the beginning tells the script; a 3 MB mail need not be read to the end
    counts = {"ko": 0, "ja": 0, "zh": 0, "ru": 0}
    for ch in text:
        code = ord(ch)
        if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF:
            counts["ko"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["ja"] += 1
        elif 0x4E00 <= code <= 0x9FFF:
            counts["zh"] += 1
        elif 0x0400 <= code <= 0x04FF:
            counts["ru"] += 1
    if counts["ko"]:
        return "ko"
    if counts["ja"]:
        return "ja"
    if counts["zh"]:
        return "zh-hans"
    if counts["ru"]:
        return "ru"
    lowered = f" {(text or '').lower()} "
    if any(ch in lowered for ch in "ñ¿¡") or any(w in lowered for w in (" hola ", " gracias ", " mi ", " no puedo ",
                                                                        " por favor ", " cuenta ")):
        return "es"
    return default
