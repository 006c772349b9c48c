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
