"""The translator's view of articles: each language's state (ok, missing, needs update) as database conditions for
the admin's filters and counts, and for one article the English source beside each translation, with a diff of what
changed in English since that language was last translated (against ArticleSourceSnapshot)."""
import re
from datetime import datetime
from difflib import SequenceMatcher

from django.conf import settings
from django.db.models import Count, DateTimeField, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import LessThan
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from support.languages import LANGUAGE_CODES
from support.markdown import render_markdown

from .models import field_suffix
from .services import TRANSLATED_FIELDS

SOURCE = "en"
TRANSLATIONS = tuple(lang for lang in LANGUAGE_CODES if lang != SOURCE)
FIELDS = TRANSLATED_FIELDS  # what "needs update" compares and snapshots keep: title, summary, body
OK, MISSING, STALE = "ok", "missing", "stale"


def language_name(lang):
    """The language's name in the reader's language (settings.LANGUAGES are translated names)."""
    return str(dict(settings.LANGUAGES).get(lang, lang))


# --- States, in the database -------------------------------------------------------------------------------------

def missing_condition(lang):
    """No title or no body in `lang` (Article.has_language is false): the same rule, in SQL."""
    suffix = field_suffix(lang)
    return (Q(**{f"title_{suffix}__isnull": True}) | Q(**{f"title_{suffix}": ""})
            | Q(**{f"body_{suffix}__isnull": True}) | Q(**{f"body_{suffix}": ""}))


def _edited_at(lang):
    # translated_at is {lang: ISO timestamp}; compared as timestamps, not strings ("…05+00:00" vs "…05.1+00:00").
    return Cast(KT(f"translated_at__{lang}"), DateTimeField())


def stale_condition(lang):
    """Present in `lang` but last edited before the English source (Article.needs_update), in SQL."""
    return ~missing_condition(lang) & Q(LessThan(_edited_at(lang), _edited_at(SOURCE)))


def state_condition(lang, state):
    return stale_condition(lang) if state == STALE else missing_condition(lang)


def translation_counts(queryset):
    """{lang: {"stale": n, "missing": n}} for every translated language, counted in one query over `queryset`."""
    aggregates = {}
    for lang in TRANSLATIONS:
        suffix = field_suffix(lang)
        for state in (STALE, MISSING):
            aggregates[f"{state}_{suffix}"] = Count("pk", filter=state_condition(lang, state))
    row = queryset.order_by().aggregate(**aggregates)
    return {lang: {state: row[f"{state}_{field_suffix(lang)}"] for state in (STALE, MISSING)} for lang in TRANSLATIONS}


def language_state(article, lang):
    if not article.has_language(lang):
        return MISSING
    return STALE if article.needs_update(lang) else OK


def state_label(state):
    return {OK: pgettext("translation state", "up to date"), STALE: pgettext("translation state", "needs update"),
            MISSING: pgettext("translation state", "missing")}[state]


def state_badge(lang, state):
    """A language's state as a badge: colour and words (a ✓ for ok, with the words for screen readers)."""
    if state == OK:
        return format_html('<span class="hc-badge hc-badge--ok" title="{label}">{lang} ✓'
                           '<span class="visually-hidden"> {label}</span></span>', lang=lang, label=state_label(OK))
    label = state_label(state)
    return format_html('<span class="hc-badge hc-badge--{state}">{lang} · {label}</span>',
                       state=state, lang=lang, label=label)


# --- The diff -----------------------------------------------------------------------------------------------------

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")
_KEEP = 100  # characters of unchanged text kept on each side of a change


def diff_segments(old, new):
    """[(op, text)], op one of "equal", "delete", "insert": lines matched first, then words inside changed lines."""
    old_lines, new_lines = (old or "").splitlines(keepends=True), (new or "").splitlines(keepends=True)
    segments = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if tag == "equal":
            segments.append(("equal", before))
        elif tag == "delete":
            segments.append(("delete", before))
        elif tag == "insert":
            segments.append(("insert", after))
        else:
            segments.extend(_word_segments(before, after))
    merged = []
    for op, text in segments:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif text:
            merged.append((op, text))
    return merged


def _word_segments(before, after):
    a, b = _WORDS.findall(before), _WORDS.findall(after)
    # Spaces are everywhere: never anchor a match on them, or "a b" vs "c d" becomes four tiny changes.
    matcher = SequenceMatcher(lambda token: token.isspace(), a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            yield "equal", "".join(a[i1:i2])
        if tag in ("delete", "replace"):
            yield "delete", "".join(a[i1:i2])
        if tag in ("insert", "replace"):
            yield "insert", "".join(b[j1:j2])


def _shorten(text, head, tail, here):
    """Long unchanged text keeps `head`/`tail` characters (cut at a space) around an ellipsis."""
    if len(text) <= head + tail + 40:
        return format_html("{}", text)
    start = text[:head].rsplit(" ", 1)[0] if head else ""
    end = text[len(text) - tail:].split(" ", 1)[-1] if tail else ""
    return format_html('{}<span class="hc-diff-gap">…<span class="visually-hidden" lang="{}">{}</span></span>{}',
                       start, here, _("(unchanged text left out)"), end)


def diff_html(old, new):
    """What changed from `old` to `new` as HTML (marked as English): <del> and <ins> with words for screen readers
    in the reader's language; every piece of text is escaped (bodies are untrusted). Empty when nothing changed."""
    segments = diff_segments(old, new)
    if all(op == "equal" for op, _text in segments):
        return ""
    here = get_language() or settings.LANGUAGE_CODE  # the words for screen readers are in the reader's language
    parts = []
    for index, (op, text) in enumerate(segments):
        if op == "equal":
            first, last = index == 0, index == len(segments) - 1
            parts.append(_shorten(text, 0 if first else _KEEP, 0 if last else _KEEP, here))
        elif op == "delete":
            parts.append(format_html('<del><span class="visually-hidden" lang="{}">{} </span>{}</del>',
                                     here, pgettext("diff", "Removed:"), text))
        else:
            parts.append(format_html('<ins><span class="visually-hidden" lang="{}">{} </span>{}</ins>',
                                     here, pgettext("diff", "Added:"), text))
    return format_html('<div class="hc-diff" lang="en">{}</div>', mark_safe("".join(parts)))  # each part built escaped


# --- One article, for the change form ----------------------------------------------------------------------------

def _moment(value):
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def article_translator_view(article):
    """What the change form shows a translator, read with one query (the snapshots): per language its state, when
    it was last edited and, for an out-of-date one, the diff of the English source since; and per field the English
    text to show beside each translation."""
    snapshots = {s.language: s for s in article.source_snapshots.all()}
    dates = article.translated_at or {}
    source = {field: article.text(SOURCE, field) for field in FIELDS}
    languages = []
    for lang in LANGUAGE_CODES:
        state = "source" if lang == SOURCE else language_state(article, lang)
        row = {"code": lang, "suffix": field_suffix(lang), "name": language_name(lang), "state": state,
               "badge": state_badge(lang, state) if lang != SOURCE else "", "edited_at": _moment(dates.get(lang)),
               "known": lang in snapshots, "diffs": {}, "changed": []}
        if state == STALE and row["known"]:
            snapshot = snapshots[lang]
            row["diffs"] = {field: diff_html(getattr(snapshot, field), source[field]) for field in FIELDS}
            row["changed"] = [(_field_label(field), row["diffs"][field]) for field in FIELDS if row["diffs"][field]]
        languages.append(row)
    stale = [row for row in languages if row["state"] == STALE]
    return {
        "languages": languages,
        "fields": [(field, _field_label(field)) for field in FIELDS],
        "source": {**source, "body_html": mark_safe(render_markdown(source["body"]))},  # sanitised
        # Per out-of-date language and field: the diff shown under the English source beside that field.
        "diffs": [{"lang": row, "field": field, "html": row["diffs"].get(field, "")}
                  for row in stale for field in FIELDS],
        # For the script that moves the English source beside the fields and marks out-of-date tabs.
        "script": {"languages": [field_suffix(lang) for lang in TRANSLATIONS], "fields": list(FIELDS),
                   "stale": [row["suffix"] for row in stale], "marker": state_label(STALE),
                   "markerTitle": _("The English text changed after this translation was last edited.")},
    }


def _field_label(field):
    return {"title": _("Title"), "summary": _("Summary"), "body": _("Body")}[field]

