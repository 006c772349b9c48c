"""The bot's decision for one customer message: text and context in, a decision out. It never touches a chat:
livechat carries the decision out, and `POST /api/v1/bot/ask` returns it, so what the evaluation measures is what
customers get.

Before anything else, a message about an open incident (incidents.selectors.incident_matching) gets the incident's
notice first, whatever the bot then does: during an outage most questions are the same one, and its answer is the
notice.

Order: a request for a person, a human-only topic or frustration hands over at once; a greeting or thanks gets a
friendly reply; anything else is a question for the help center (the same search service as the help-center page),
answered above the confidence threshold, offered as two or three articles in the middle band, and handed over
below it or after too many unhelpful answers in a row.

The answer source sits behind one small interface (`AnswerSource.find(text, language) -> [Candidate]`): the
default searches the help center offline; a language-model backend could implement the same method later.
"""
from dataclasses import dataclass, field

from helpcenter.search import article_search
from incidents.selectors import incident_matching

from . import selectors
from .intents import is_short, matching
from .language import detect_language
from .models import BotSettings, Intent


@dataclass
class Candidate:
    article_id: int
    key: str
    title: str
    summary: str
    url: str
    score: float
    confidence: float


@dataclass
class IncidentNotice:
    id: int
    title: str
    notice: str


@dataclass
class Decision:
    language: str
    action: str  # answer, suggest, handover, greeting, thanks
    intent: str  # question, human, greeting, thanks, negative, human_only
    confidence: float
    reason: str = ""  # for a handover: requested, human_only, negative, low_confidence, unhelpful
    articles: list = field(default_factory=list)
    topic: str = ""  # the human-only topic, when that was the reason
    incident: IncidentNotice | None = None  # an open incident the message is about: its notice comes first

    @property
    def handover(self):
        return self.action == "handover"


class HelpCenterSource:
    """The default answer source: the help center's own search, offline."""

    def find(self, text, language):
        result = article_search(text, language, limit=3)
        hits = result.hits
        candidates = []
        for index, hit in enumerate(hits):
            shown = hit.article.display_language(result.language)
            # Confidence: how much of the question the article covers, discounted when the runner-up is close
            # (an ambiguous question), and when the answer is only in English.
            runner_up = hits[index + 1].score / hit.score if index + 1 < len(hits) and hit.score else 0.0
            confidence = hit.confidence * (1 - 0.5 * runner_up) * (0.8 if result.fallback else 1.0)
            candidates.append(Candidate(
                article_id=hit.article.pk, key=hit.article.key, title=hit.article.text(shown, "title"),
                summary=hit.article.text(shown, "summary"), url=_article_url(hit.article, language),
                score=hit.score, confidence=round(confidence, 3)))
        return candidates


def _article_url(article, language):
    from django.urls import reverse
    from django.utils import translation

    with translation.override(language):
        return reverse("helpcenter:article", args=[article.pk])


SOURCE = HelpCenterSource()


def bot_decide(*, text, language_hint="en", unhelpful_streak=0, source=None):
    """Decide what to do with one customer message (see the module docstring)."""
    language = detect_language(text, fallback=language_hint)
    decision = _decide(text, language, unhelpful_streak, source)
    incident = incident_matching(text)
    if incident is not None:
        decision.incident = IncidentNotice(incident.id, incident.title(language), incident.notice(language))
    return decision


def incident_text(decision):
    """The incident's notice as the bot says it (before its answer)."""
    if decision.incident is None:
        return ""
    return f"{decision.incident.title}\n{decision.incident.notice}"


def _decide(text, language, unhelpful_streak, source):
    config = BotSettings.current()
    phrases = selectors.intent_phrases(language)
    if matching(text, phrases[Intent.HUMAN]):
        return Decision(language, "handover", Intent.HUMAN, 1.0, reason="requested")
    topic = selectors.human_only_topic(text)
    if topic:
        return Decision(language, "handover", "human_only", 1.0, reason="human_only", topic=topic)
    if matching(text, phrases[Intent.NEGATIVE]):
        return Decision(language, "handover", Intent.NEGATIVE, 1.0, reason="negative")
    for intent in (Intent.THANKS, Intent.GREETING):
        found = matching(text, phrases[intent])
        if found and is_short(text, found):
            return Decision(language, str(intent), str(intent), 1.0)
    if unhelpful_streak >= config.unhelpful_limit:
        return Decision(language, "handover", "question", 0.0, reason="unhelpful")
    candidates = (source or SOURCE).find(text, language)
    confidence = candidates[0].confidence if candidates else 0.0
    if confidence >= config.answer_threshold:
        return Decision(language, "answer", "question", confidence, articles=candidates[:1])
    if confidence >= config.suggest_threshold:
        return Decision(language, "suggest", "question", confidence, articles=candidates[:3])
    return Decision(language, "handover", "question", confidence, reason="low_confidence", articles=candidates[:3])


def reply_text(decision, *, with_links=True):
    """What the bot says for a decision, in its language (texts from the admin). Chats show the articles as
    links of their own (with_links=False); plain-text front ends get the URLs in the text."""
    if with_links and decision.incident is not None:  # plain-text front ends get the notice in the same text
        return f"{incident_text(decision)}\n\n{reply_text(_without_incident(decision), with_links=True)}"
    lang = decision.language
    if decision.action == "answer":
        article = decision.articles[0]
        # In chats the article link and "did this answer your question?" come after the text, with buttons.
        parts = [selectors.bot_text("answer_intro", lang), article.summary if not with_links else
                 f"{article.title}\n{article.summary}\n{article.url}",
                 selectors.bot_text("ask_helpful", lang) if with_links else ""]
        return "\n\n".join(part.strip() for part in parts if part and part.strip())
    if decision.action == "suggest":
        listed = "\n".join(f"- {a.title} {a.url}" for a in decision.articles) if with_links else ""
        return f"{selectors.bot_text('suggest_intro', lang)}\n{listed}".strip()
    if decision.action == "greeting":
        return selectors.bot_text("greeting", lang)
    if decision.action == "thanks":
        return selectors.bot_text("thanks_reply", lang)
    if decision.reason == "human_only":
        return selectors.bot_text("human_only", lang)
    return selectors.bot_text("handover", lang)


def _without_incident(decision):
    from dataclasses import replace

    return replace(decision, incident=None)
