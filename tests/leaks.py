"""English left on a screen in another language: every phrase of our English catalogue whose translation in that
language differs from it is a leak when it shows there (a string someone forgot to translate, or rendered where the
viewer's language was not active: a thread, a task, a consumer). Placeholders split a message into the fixed
phrases around them. Brand names, codes and words the other languages write the same way are not phrases to look
for (their translation equals the English)."""
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DIRECTORIES = {"zh-hans": "zh_Hans", "es": "es", "ru": "ru", "ja": "ja", "ko": "ko"}
_PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd]|<[^>]*>|\n")
_EDGES = " .,:;!?…·()[]\"'“”‘’-–—/|%#*+=0123456789"
# Phrases that are also something else on a page: the name of the English language in the language menu is written
# in English on purpose (it is marked lang="en" there, see english_on_page), and these are product names and units.
ALLOWED = {"English", "Español", "Русский", "中文", "日本語", "한국어", "USDT", "KYC", "API", "CSAT", "SLA", "TOTP",
           "FAQ", "URL", "UID", "CSV", "2FA", "Telegram", "WhatsApp", "Email", "OK"}


@lru_cache(maxsize=None)
def phrases(language):
    """The English phrases that must not show on a screen in `language`, longest first."""
    po = polib.pofile(str(LOCALE_DIR / DIRECTORIES[language] / "LC_MESSAGES" / "django.po"))
    found = set()
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        pairs = ([(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
                 if entry.msgid_plural else [(entry.msgid, entry.msgstr)])
        for english, translated in pairs:
            if not translated or translated.strip() == english.strip():
                continue
            for fragment in _PLACEHOLDER.split(english):
                fragment = fragment.strip(_EDGES)
                # A phrase has a word of four letters or more (shorter ones, "min", "No", match too much), and is
                # several words or a capitalised one (a lone "from" or "user" is also part of addresses and data).
                if (re.search(r"[A-Za-z]{4}", fragment) and (" " in fragment or fragment[0].isupper())
                        and fragment not in ALLOWED and fragment not in translated):
                    found.add(fragment)
    return sorted(found, key=len, reverse=True)


@lru_cache(maxsize=None)
def _pattern(language):
    alternatives = "|".join(re.escape(phrase) for phrase in phrases(language))
    return re.compile(rf"(?<![A-Za-z])(?:{alternatives})(?![A-Za-z])")


@lru_cache(maxsize=None)
def raw_codes(language):
    """Stored codes of our models' choices ("open", "follow_up", "customer_left") whose label in `language` is not
    the code itself: shown as such, lower case, they are a code where a label belongs (a leak the catalogue's
    phrases miss, since "open" is not "Open")."""
    from django.apps import apps
    from django.utils import translation

    codes = set()
    with translation.override(language):
        for model in apps.get_models():
            if not model.__module__.split(".")[0] in APPS:
                continue
            for field in model._meta.get_fields():
                for value, label in getattr(field, "flatchoices", None) or []:
                    if (isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{3,}", value)
                            and str(label).strip().lower() != value):
                        codes.add(value)
    return frozenset(codes)


APPS = {"support", "tickets", "livechat", "helpcenter", "chatbot", "reports", "incidents", "verification", "desk"}


def english_leaks(text, language, *, codes=False):
    """The catalogue's English phrases found in `text` shown to someone reading `language` (none for English);
    with `codes`, also our choices' raw codes shown as words (raw_codes), except words our own translations in that
    language use (Russian writes "email" in its texts)."""
    if language == "en" or not text:
        return []
    found = set(_pattern(language).findall(text))
    if codes:
        suspects = raw_codes(language) - _translation_words(language)
        # A code in braces is a placeholder of a text being edited ("{high}" in a bot text), not a word shown.
        found.update(word for word in re.findall(r"(?<![\w@./{-])[a-z][a-z_]{3,}(?![\w@./}-])", text)
                     if word in suspects)
    return sorted(found)


@lru_cache(maxsize=None)
def _translation_words(language):
    po = polib.pofile(str(LOCALE_DIR / DIRECTORIES[language] / "LC_MESSAGES" / "django.po"))
    words = set()
    for entry in po:
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            words.update(re.findall(r"[a-z][a-z_]{3,}", text or ""))
    return frozenset(words)


def strings_in(value):
    """Every string inside a JSON-like value (a websocket frame, an API body), keys excluded."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


# What a person sees on a page: the text of the body and the attributes that are read out or shown (placeholders,
# titles, labels, alternative texts, button values), without scripts and styles, and without parts marked as being
# in another language (lang="en" on the language menu's "English") or as not to be translated (translate="no":
# codes, user content such as ticket subjects and messages). Hidden parts count: a dialog opens later.
PAGE_TEXT_JS = """() => {
  const lang = document.documentElement.lang;
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, template, noscript, [translate="no"]').forEach((e) => e.remove());
  body.querySelectorAll('[lang]').forEach((e) => { if (e.getAttribute('lang') !== lang) e.remove(); });
  const parts = [body.textContent];
  body.querySelectorAll('[placeholder], [title], [aria-label], [alt], input[type=submit], input[type=button]')
    .forEach((e) => ['placeholder', 'title', 'aria-label', 'alt', 'value'].forEach((name) => {
      if (e.hasAttribute(name) && (name !== 'value' || e.matches('input[type=submit], input[type=button]'))) {
        parts.push(e.getAttribute(name));
      }
    }));
  parts.push(document.title);
  return parts.join('\\n');
}"""


def english_on_page(page):
    """The English phrases a Playwright page shows in its own language (html lang)."""
    language = page.locator("html").get_attribute("lang")
    return english_leaks(page.evaluate(PAGE_TEXT_JS), language)


class _Text(HTMLParser):
    """The text a person sees or hears, as PAGE_TEXT_JS reads it in a browser: body text and the attributes read
    out or shown (button values too), without scripts and styles, and without parts marked as being in another
    language than the page's (<html lang>) or as not to be translated (translate="no": codes, stored data)."""

    SKIP = {"script", "style", "template", "noscript"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.parts, self.language, self.skipped = [], "", []  # skipped: the open elements left out, innermost last

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.language = attrs.get("lang") or ""
            return
        if self.skipped or tag in self.SKIP or attrs.get("translate") == "no" or attrs.get("lang", self.language) \
                != self.language:
            if tag not in self.VOID:
                self.skipped.append(tag)
            return
        for name in ("placeholder", "title", "aria-label", "alt"):
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.skipped:
            while self.skipped.pop() != tag:
                pass

    def handle_data(self, data):
        if not self.skipped:
            self.parts.append(data)


def visible_text(html):
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)
