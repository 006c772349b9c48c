"""The bot's decision for one customer message: text and context in, a decision out. It never touches a chat:
livechat carries the decision out, and `POST /api/v1/bot/ask` returns it, so what the evaluation measures is what
customers get.

Before anything else, a message about an open incident (incidents.selectors.incident_matching) gets the incident's
notice first, whatever the bot then does: during an outage most questions are the same one, and its answer is the
notice.

Order: two rules that are promises (a message that is only "a person, please", and human-only topics) hand over at
once; then the intent classifier (chatbot/classifier.py) reads the message: a wish for a person, a complaint or
frustration with the bot above the handover threshold hands over; a greeting, thanks or goodbye gets a friendly
reply; an off-topic message gets "I can help with your account and trading..." and how to reach a person; anything
else is a question for the help center (the same hybrid search as the help-center page), answered when the best
article is close enough in meaning, offered as two or three articles in the middle band, and handed over below it
or after too many unhelpful answers in a row. Every threshold is data in BotSettings, chosen on the dev split by
`manage.py chatbot_eval --calibrate`.

The answer source sits behind one small interface (`AnswerSource.find(text, language) -> [Candidate]`): the
default searches the help center offline; a language-model backend could implement the same method later.
"""
from dataclasses import dataclass, field, replace

from django.urls import reverse
from django.utils import translation

from helpcenter.search import article_search
from incidents.selectors import incident_matching

from . import selectors
from .classifier import classify
from .intents import is_short, matching
from .language import detect_language
from .models import HANDOVER_LABELS, SMALL_TALK_LABELS, BotSettings, Intent, Label


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
    action: str  # answer, suggest, handover, greeting, thanks, goodbye, out_of_scope
    intent: str  # question, human, complaint, negative, greeting, thanks, goodbye, out_of_scope, human_only
    confidence: float
    # for a handover: requested, complaint, negative (frustrated with the bot), human_only, low_confidence, unhelpful
    reason: str = ""
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
            if hit.similarity:
                # Semantic search ran: how close in meaning the question and the article are (the thresholds in
                # BotSettings are on this scale, chosen by `chatbot_eval --calibrate`).
                confidence = hit.similarity
            else:  # the article has no vector yet: the full-text coverage, discounted for a close runner-up
                runner_up = hits[index + 1].score / hit.score if index + 1 < len(hits) and hit.score else 0.0
                confidence = hit.confidence * (1 - 0.5 * runner_up) * (0.8 if result.fallback else 1.0)
            candidates.append(Candidate(
                article_id=hit.article.pk, key=hit.article.key, title=hit.article.text(shown, "title"),
                summary=hit.article.text(shown, "summary"), url=_article_url(hit.article, language),
                score=hit.score, confidence=round(confidence, 3)))
        return candidates


def _article_url(article, language):
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


# The classifier's handover labels and the reason a handover gives for each.
_HANDOVER_REASONS = {Label.HUMAN: "requested", Label.COMPLAINT: "complaint", Label.NEGATIVE: "negative"}


def _decide(text, language, unhelpful_streak, source):
    config = BotSettings.current()
    phrases = selectors.intent_phrases(language)
    # Rules first, where a rule is the product's promise: typing "agent" (or "转人工", "operadro") and little else
    # always reaches a person, and human-only topics never get a bot answer. A phrase inside a longer message
    # decides nothing: "someone posing as your staff" is a question, and the classifier tells them apart.
    found = matching(text, phrases[Intent.HUMAN])
    if found and is_short(text, found):
        return Decision(language, "handover", Intent.HUMAN, 1.0, reason="requested")
    topic = selectors.human_only_topic(text)
    if topic:
        return Decision(language, "handover", "human_only", 1.0, reason="human_only", topic=topic)
    for intent in (Intent.THANKS, Intent.GREETING):
        found = matching(text, phrases[intent])
        if found and is_short(text, found):
            return Decision(language, str(intent), str(intent), 1.0)
    prediction = classify(text, version=config.intent_version)
    wish = prediction.sum(HANDOVER_LABELS)
    candidates = (source or SOURCE).find(text, language)
    confidence = candidates[0].confidence if candidates else 0.0
    answerable = confidence >= config.answer_threshold
    # A wish for a person hands over, unless an article answers the message well and the wish is not certain:
    # "a text impersonating your staff came" reads a little like "staff, please" but is the anti-phishing question.
    if wish >= config.handover_threshold and (not answerable or wish >= config.handover_sure_threshold):
        label = max(HANDOVER_LABELS, key=lambda one: prediction.probabilities.get(str(one), 0.0))
        return Decision(language, "handover", str(label), round(wish, 3), reason=_HANDOVER_REASONS[label])
    if prediction.label in SMALL_TALK_LABELS and prediction.confidence >= config.small_talk_threshold:
        return Decision(language, prediction.label, prediction.label, round(prediction.confidence, 3))
    if unhelpful_streak >= config.unhelpful_limit:
        return Decision(language, "handover", "question", 0.0, reason="unhelpful")
    if (prediction.label == Label.OUT_OF_SCOPE and prediction.confidence >= config.out_of_scope_threshold
            and not answerable):
        # Not about the exchange: say what the bot can help with and how to reach a person, never a random article.
        return Decision(language, "out_of_scope", "out_of_scope", round(prediction.confidence, 3))
    if answerable:
        return Decision(language, "answer", "question", confidence, articles=candidates[:1])
    if confidence >= config.suggest_threshold or (prediction.label == Label.QUESTION and candidates):
        # Unsure which article, but sure it is a question: offer the likeliest; "did this help?" and the unhelpful
        # limit lead to a person if none does.
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
    if decision.action == "goodbye":
        return selectors.bot_text("goodbye_reply", lang)
    if decision.action == "out_of_scope":
        return selectors.bot_text("out_of_scope", lang)
    if decision.reason == "human_only":
        return selectors.bot_text("human_only", lang)
    return selectors.bot_text("handover", lang)


def _without_incident(decision):
    return replace(decision, incident=None)
