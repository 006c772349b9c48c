"""Machine translation of short texts, such as chat messages between a customer and an agent who write different
languages (issue #25): one small interface, pluggable providers, off unless the deployment chooses a provider.

    translate(text, *, source, target) -> Translation     (never raises for a provider's failure)
    mt_enabled() -> bool

`source` and `target` are our language codes (support.languages: en, zh-hans, es, ru, ja, ko). The Translation's
`state` says what happened: "ok" (`text` is the translation), "same" (the languages are the same: `text` is the
original, no provider was asked), "off" (MT_PROVIDER is empty: `text` is None), "failed" (`text` is None and
`error_code` one of errors.ERROR_CODES: the provider erred, was not in time within MT_TIMEOUT, answered in another
shape, or the text was empty or over MT_MAX_CHARS). A caller shows the original, marked untranslated, unless the
state is "ok" (or "same").

Translations are cached in Django's cache (Redis) for MT_CACHE_SECONDS under a hash of provider, languages and text
(the text itself is not in the key); failures are not cached, so the next message asks again. Failures are logged
with their reason and the text's length, never the text (it is the customer's).

Adding a provider: write a class whose instances (made with no arguments, reading their settings) have

    translate(text: str, source: str, target: str) -> str     (our language codes in; the translation out)

raising errors.TranslationUnavailable(code, reason) when it cannot translate now (anything else it raises counts as
"provider_error"), and either register it under a name in PROVIDERS (`register_provider("deepl", DeepLProvider)`,
in an AppConfig.ready() outside support/ or here) and set MT_PROVIDER to that name, or set MT_PROVIDER to its dotted
path. libretranslate.LibreTranslateProvider is the model to follow (one deadline for the whole call, a size cap).
"""
import hashlib
import logging
import traceback
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from support.languages import normalize_language

from . import errors
from .errors import ERROR_CODES, TranslationUnavailable
from .libretranslate import LibreTranslateProvider

logger = logging.getLogger(__name__)

OK, FAILED, SAME, OFF = "ok", "failed", "same", "off"
STATES = (OK, FAILED, SAME, OFF)
CACHE_PREFIX = "machine-translation:v1:"
CALLER_ERRORS = (errors.EMPTY, errors.TOO_LONG, errors.UNSUPPORTED_LANGUAGE)

# Providers by the name MT_PROVIDER gives (a dotted path to a class works too).
PROVIDERS = {"libretranslate": LibreTranslateProvider}


@dataclass(frozen=True)
class Translation:
    text: str | None  # the translation ("ok"), the original ("same"), else None
    source: str
    target: str
    state: str  # one of STATES
    provider: str = ""  # the MT_PROVIDER that was asked ("ok", "failed"); "" for "same" and "off"
    error_code: str = ""  # for "failed": one of errors.ERROR_CODES

    @property
    def ok(self):
        return self.state == OK


def register_provider(name, provider_class):
    """Make `provider_class` the provider MT_PROVIDER=`name` selects."""
    PROVIDERS[name] = provider_class


def mt_enabled():
    """Whether the deployment chose a translation provider (MT_PROVIDER)."""
    return bool(provider_name())


def provider_name():
    return (settings.MT_PROVIDER or "").strip()


def cache_key(*, provider, source, target, text):
    """A hash, so that no customer text shows in Redis's key listings."""
    raw = "\x00".join((provider, source, target, text))
    return CACHE_PREFIX + hashlib.sha256(raw.encode()).hexdigest()


def translate(text, *, source, target):
    """`text` written in our language `source`, in our language `target`, as a Translation (see the module's
    docstring). Bounded by the provider's deadline (MT_TIMEOUT) unless it is cached."""
    source_code, target_code = normalize_language(source), normalize_language(target)
    name = provider_name()
    if source_code is not None and source_code == target_code:
        return Translation(text, source_code, target_code, SAME)
    if not name:
        return Translation(None, source_code or str(source), target_code or str(target), OFF)
    if source_code is None or target_code is None:
        return _failed(text, str(source), str(target), name, errors.UNSUPPORTED_LANGUAGE,
                       "not one of our language codes")
    if not isinstance(text, str) or not text.strip():
        return _failed(text, source_code, target_code, name, errors.EMPTY, "nothing to translate")
    if len(text) > settings.MT_MAX_CHARS:
        return _failed(text, source_code, target_code, name, errors.TOO_LONG, "over MT_MAX_CHARS")
    key = cache_key(provider=name, source=source_code, target=target_code, text=text)
    cached = _cache_get(key)
    if isinstance(cached, str):
        return Translation(cached, source_code, target_code, OK, name)
    provider_class = _provider_class(name)
    if provider_class is None:
        return _failed(text, source_code, target_code, name, errors.NOT_CONFIGURED, "MT_PROVIDER names no provider")
    try:
        translated = provider_class().translate(text, source_code, target_code)
    except TranslationUnavailable as exc:
        return _failed(text, source_code, target_code, name, exc.code, exc.reason)
    except Exception as exc:  # a plugged-in provider's bug: where it happened, not its message (it may hold the text)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return _failed(text, source_code, target_code, name, errors.PROVIDER_ERROR,
                       f"{type(exc).__name__} at {where.filename}:{where.lineno}")
    if not isinstance(translated, str) or not translated.strip():
        return _failed(text, source_code, target_code, name, errors.BAD_ANSWER, "the provider gave no text")
    _cache_set(key, translated)
    return Translation(translated, source_code, target_code, OK, name)


def _provider_class(name):
    if name in PROVIDERS:
        return PROVIDERS[name]
    try:
        return import_string(name) if "." in name else None
    except ImportError:
        return None


def _failed(text, source, target, provider, code, reason):
    length = len(text) if isinstance(text, str) else 0
    # What the caller asked for (no text, too long, an unknown language) is not the provider's trouble.
    level = logging.INFO if code in CALLER_ERRORS else logging.WARNING
    logger.log(level, "machine translation failed: %s (provider %r, %s -> %s, %d characters): %s",
                   code, provider, source, target, length, reason)
    return Translation(None, source, target, FAILED, provider, code)


def _cache_get(key):
    try:
        return cache.get(key)
    except Exception:  # the cache is a saving, not a dependency: a Redis hiccup means asking the provider
        logger.warning("machine translation cache unavailable", exc_info=True)
        return None


def _cache_set(key, translated):
    try:
        cache.set(key, translated, settings.MT_CACHE_SECONDS)
    except Exception:
        logger.warning("machine translation cache unavailable", exc_info=True)


__all__ = ["OK", "FAILED", "SAME", "OFF", "STATES", "ERROR_CODES", "PROVIDERS", "Translation",
           "TranslationUnavailable", "LibreTranslateProvider", "cache_key", "mt_enabled", "provider_name",
           "register_provider", "translate"]
