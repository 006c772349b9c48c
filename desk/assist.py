"""Cross-language agent assist (issue #25): for the customer's latest message, the help articles and macros that best
answer it, shown to the agent in the agent's language and ready to send in the customer's language with one click.

Articles are the help center's own hybrid search (helpcenter.search.article_search: full text and meaning fused,
published only) run on the customer's words in the customer's language, so what the agent is offered is what the
customer would have found. Macros are ranked by meaning, and only those both encoders of support.embeddings find
close are offered: the multilingual Universal Sentence Encoder ("use": symmetric, made for cross-lingual similarity;
about 2 ms a text) ranks them by the cosine of the customer's text and the macro's name and text (in the customer's
language, else English, or its English source, the better), at least MACRO_MIN_SCORE; and multilingual-e5 (the
search's model) must find the text clearly closer to the macro than typical customers' questions are (MACRO_MIN_Z
standard deviations above that macro's mean, over the demo help center's 1,145 sample questions whose vectors ship
with it) where the macro is written in the customer's language. e5 alone cannot rank replies against questions
(every pair scores 0.78-0.92), and USE alone also takes "how long does identity verification take?" for "send us the
transaction ID". Measured on 48 customer messages in six languages against the demo macros (five on-topic kinds,
three off-topic): the right macro first for 28 of 30; at these two thresholds precision 0.79 and recall 0.90,
against 0.61 and 0.90 for USE alone (tests/desk/test_assist.py holds the set and floors under these figures).

Macro vectors are kept in the process, keyed by macro id and language with a hash of the embedded text, so an edited
macro is embedded again on its next use and an unchanged one never is.

A translation that is missing is never papered over: the customer side of a suggestion says `available: false`
with an empty text, and the agent's side falls back to English, flagged.
"""
import hashlib
import threading

import numpy as np
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from helpcenter.demo import VECTORS as DEMO_VECTORS
from helpcenter.demo import load_articles
from helpcenter.search import article_search
from helpcenter.semantic import model_name
from livechat.models import ChatMessage, SenderKind
from livechat.selectors import agent_code_key as chat_code_key
from livechat.selectors import agent_display_name
from support import embeddings
from support.languages import LANGUAGE_CODES
from tickets.macros import macro_fill
from tickets.models import Macro, Message
from tickets.selectors import agent_code_key as ticket_code_key
from verification.selectors import conversation_code

MACRO_MODEL = "use"
MACRO_MIN_SCORE = 0.2  # USE cosine
MACRO_MIN_Z = 1.0  # e5: standard deviations above the macro's mean cosine with typical customers' questions
MAX_TEXT = 2000  # what is read of a customer's message (the embeddings read this much anyway)


def _suffix(lang):
    return lang.replace("-", "_")


def _language(lang):
    return lang if lang in LANGUAGE_CODES else "en"


# --- the customer's latest message -------------------------------------------------------------------------------

def chat_latest_customer_text(*, conversation):
    """The text of the customer's latest message in a chat ('' when they have written none). One query."""
    return (ChatMessage.objects.filter(conversation=conversation, sender_kind=SenderKind.CUSTOMER)
            .exclude(body="").order_by("-seq").values_list("body", flat=True).first() or "")


def ticket_latest_customer_text(*, ticket):
    """The text of the requester's latest public message on a ticket ('' when there is none). One query."""
    return (Message.objects.filter(ticket=ticket, author_id=ticket.requester_id, is_internal=False)
            .exclude(body="").order_by("-created_at", "-id").values_list("body", flat=True).first() or "")


# --- articles ------------------------------------------------------------------------------------------------------

def _article_path(article, lang):
    with translation.override(lang):
        return reverse("helpcenter:article", args=[article.pk])


def _article(article, customer_language, agent_language):
    shown = article.display_language(agent_language)
    customer = {"language": customer_language, "available": article.has_language(customer_language),
                "title": "", "summary": "", "url": "", "text": ""}
    if customer["available"]:
        title, summary = article.text(customer_language, "title"), article.text(customer_language, "summary")
        url = _article_path(article, customer_language)
        customer.update(title=title, summary=summary, url=url,
                        text="\n".join(part for part in (title, summary, f"{settings.SITE_URL}{url}") if part))
    return {"id": article.pk, "title": article.text(shown, "title"), "summary": article.text(shown, "summary"),
            "language": shown, "fallback": shown != agent_language, "url": _article_path(article, shown),
            "customer": customer}


# --- macros ------------------------------------------------------------------------------------------------------

def macro_text(macro, lang, field):
    """A macro's own text in a language ('' when it has none: no fallback)."""
    return getattr(macro, f"{field}_{_suffix(lang)}", "") or ""


def _macro_has(macro, lang):
    return bool(macro_text(macro, lang, "body").strip())


def _macro_read(macro, lang):
    """What a macro is embedded from: its name and its text without placeholders (they say nothing of the topic)."""
    return f"{macro_text(macro, lang, 'name')}. {macro_fill(macro_text(macro, lang, 'body'), {})}".strip()


class MacroVectors:
    """The process's vectors of macros, by (model, macro id, language), each with the hash of the text it was made
    from: an edited macro is embedded again on its next use, an unchanged one never is."""

    def __init__(self):
        self._vectors, self._lock = {}, threading.Lock()

    def matrix(self, model, keyed_texts):
        """One row per ((macro id, language), text), in order; the texts not embedded before in one batch."""
        keys = [(model, *key) for key, _text in keyed_texts]
        digests = [hashlib.sha256(text.encode()).hexdigest() for _key, text in keyed_texts]
        with self._lock:
            stored = [self._vectors.get(key) for key in keys]
        rows = [row[1] if row is not None and row[0] == digest else None for row, digest in zip(stored, digests)]
        missing = [i for i, row in enumerate(rows) if row is None]
        if missing:
            fresh = embeddings.encode(model, [keyed_texts[i][1] for i in missing])
            with self._lock:
                for i, vector in zip(missing, fresh):
                    rows[i] = vector
                    self._vectors[keys[i]] = (digests[i], vector)
        if not rows:
            return np.empty((0, embeddings.dim(model)), dtype=np.float32)
        return np.vstack(rows)

    def clear(self):
        with self._lock:
            self._vectors.clear()


MACRO_VECTORS = MacroVectors()
_BACKGROUND, _BACKGROUND_LOCK = {}, threading.Lock()


def _background(model):
    """Vectors of typical customers' questions (the demo help center's sample questions, 1,145 in six languages,
    whose vectors ship with it), or None when the shipped file does not hold them all (another model): they are
    never embedded during a request."""
    with _BACKGROUND_LOCK:
        if model not in _BACKGROUND:
            questions = [question for article in load_articles() for texts in article["translations"].values()
                         for question in texts.get("sample_questions", [])]
            shipped = embeddings.cache_load(DEMO_VECTORS, model, {"query": questions}) == len(questions)
            _BACKGROUND[model] = embeddings.encode_stored(model, questions, kind="query") if shipped else None
        return _BACKGROUND[model]


def macros_ranked(text, lang, macros, *, limit):
    """[(macro, score)] best first: the macros close in meaning to `text`. The score is the USE cosine of the text and
    the macro (the better of its text in `lang`, else English, and its English source), at least MACRO_MIN_SCORE;
    and where the macro is read in `lang`, e5 must find the text at least MACRO_MIN_Z standard deviations closer to
    it than typical customers' questions are (a macro close to everything is not close to this). e5's cosines across
    two languages are lower across the board, so a macro read in English for another language is judged by USE,
    which was made for that, alone."""
    macros = list(macros)
    if not macros or not text.strip():
        return []
    reads = [lang if _macro_has(m, lang) else "en" for m in macros]
    own = [((m.pk, read), _macro_read(m, read)) for m, read in zip(macros, reads)]
    english = [((m.pk, "en"), _macro_read(m, "en")) for m in macros]
    query = embeddings.encode_query(MACRO_MODEL, text)
    scores = np.maximum(MACRO_VECTORS.matrix(MACRO_MODEL, own) @ query,
                        MACRO_VECTORS.matrix(MACRO_MODEL, english) @ query)
    candidates = [i for i in np.argsort(-scores, kind="stable") if scores[i] >= MACRO_MIN_SCORE]
    same = [i for i in candidates if reads[i] == lang]
    background = _background(model_name()) if same else None
    if background is not None:
        vectors = MACRO_VECTORS.matrix(model_name(), [own[i] for i in same])
        typical = background @ vectors.T
        z = (vectors @ embeddings.encode_query(model_name(), text) - typical.mean(axis=0)) / typical.std(axis=0)
        refused = {i for i, z_score in zip(same, z) if z_score < MACRO_MIN_Z}
        candidates = [i for i in candidates if i not in refused]
    return [(macros[i], float(scores[i])) for i in candidates][:limit]


def _macro(macro, score, customer_language, agent_language, values):
    shown = agent_language if _macro_has(macro, agent_language) else "en"
    available = _macro_has(macro, customer_language)
    return {"id": macro.pk, "name": macro_text(macro, shown, "name") or macro_text(macro, "en", "name"),
            "body": macro_fill(macro_text(macro, shown, "body"), values), "language": shown,
            "fallback": shown != agent_language, "score": round(score, 3),
            "customer": {"language": customer_language, "available": available,
                         "name": macro_text(macro, customer_language, "name") if available else "",
                         "text": macro_fill(macro_text(macro, customer_language, "body"), values) if available
                         else ""}}


# --- the suggestions -----------------------------------------------------------------------------------------------

def assist_suggestions(*, text, customer_language, agent_language, values=None, articles=3, macros=3):
    """The best help articles and macros for the customer's `text`: each shown in `agent_language` (English where
    it has no such text, flagged `fallback`), with what would be sent in `customer_language` (`customer.available`
    false, and no text, where it has no such text). Macro placeholders are filled with `values` (customer_name,
    ticket_ref, agent_name, agent_code). Two to five queries, whatever the number of articles and macros."""
    text = (text or "").strip()[:MAX_TEXT]
    customer_language, agent_language = _language(customer_language), _language(agent_language)
    found_articles, found_macros = [], []
    if text:
        found_articles = [_article(hit.article, customer_language, agent_language)
                          for hit in article_search(text, customer_language, limit=articles).hits] if articles else []
        if macros:
            active = Macro.objects.filter(is_active=True).order_by("position", "id")
            found_macros = [_macro(macro, score, customer_language, agent_language, values or {})
                            for macro, score in macros_ranked(text, customer_language, active, limit=macros)]
    return {"text": text, "customer_language": customer_language, "agent_language": agent_language,
            "articles": found_articles, "macros": found_macros}


def chat_assist(*, conversation, agent, text=None):
    """Suggestions for a chat: for `text`, or else for the customer's latest message, in the chat's language, with
    the macros filled for this chat and agent (as livechat.selectors.conversation_context fills them)."""
    values = {"customer_name": conversation.customer_name,
              "agent_code": conversation_code(agent, chat_code_key(conversation.id)) or "",
              "agent_name": agent_display_name(agent),
              "ticket_ref": conversation.ticket.ref if conversation.ticket_id else ""}
    if text is None:
        text = chat_latest_customer_text(conversation=conversation)
    return assist_suggestions(text=text, customer_language=conversation.language,
                              agent_language=translation.get_language() or "en", values=values)


def ticket_assist(*, ticket, agent, text=None):
    """Suggestions for a ticket: for `text`, or else for the requester's latest public message, in the ticket's
    language, with the macros filled for this ticket and agent (as the agent's ticket page fills them)."""
    values = {"customer_name": ticket.requester.display_name, "ticket_ref": ticket.ref,
              "agent_name": agent.display_name, "agent_code": conversation_code(agent, ticket_code_key(ticket.ref)) or ""}
    if text is None:
        text = ticket_latest_customer_text(ticket=ticket)
    return assist_suggestions(text=text, customer_language=ticket.language,
                              agent_language=translation.get_language() or "en", values=values)
