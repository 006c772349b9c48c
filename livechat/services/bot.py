"""The bot stage of a chat. livechat hands the chatbot the customer's message (and how the conversation went) and
carries out its decision: an answer, a few articles, a greeting, or a handover to the queue of the customer's
language with a card for the agent, so nobody asks again what the customer already said."""
from django.db import transaction
from django.utils import timezone

from chatbot.engine import bot_decide, incident_text, reply_text
from chatbot.models import BotSettings
from chatbot.selectors import bot_text
from chatbot.services import missing_answer_record

from .. import selectors
from ..models import Conversation, ConversationStatus, SenderKind
from .messages import message_append_locked
from .queue import conversation_enqueue_locked, queue_changed

# Languages written in the Latin script: in a chat in another script, a line in one of them says little about what
# the customer reads best ("agent please", "KYC stuck", "USDT" in a Japanese chat).
LATIN_SCRIPT = {"en", "es"}


def _follow_language(conversation, written):
    """The bot answers in the language the customer writes (`written`), and the queue follows it, except for a
    Latin-script line in a chat whose customer chose Korean, Japanese, Chinese or Russian: that chat stays in its
    language, with `written` added to also_speaks (an overflow rule may still offer it to those agents). Moving it
    left it waiting in the English queue while a Japanese agent had a free seat (issue #23, the "lost wake-up")."""
    if written == conversation.language:
        return
    if written in LATIN_SCRIPT and conversation.language not in LATIN_SCRIPT:
        if written not in conversation.also_speaks:
            conversation.also_speaks = [*conversation.also_speaks, written]
        return
    conversation.language = written
    conversation.also_speaks = [lang for lang in conversation.also_speaks if lang != written]


def _card(conversation):
    card = dict(conversation.handover or {})
    card.setdefault("questions", [])
    card.setdefault("offered", [])
    return card


def bot_greet(conversation):
    """The bot's first words in a new chat (the caller holds the chat's row lock)."""
    message_append_locked(conversation, sender_kind=SenderKind.BOT, body=bot_text("greeting", conversation.language))


def bot_reply(*, conversation_id, text):
    """Answer one customer message while the chat is with the bot. Runs after the message is stored; does
    nothing once the chat has left the bot stage (an agent or a handover got there first)."""
    # Decided outside the lock: the search takes milliseconds and must not hold the chat row.
    snapshot = Conversation.objects.get(pk=conversation_id)
    if snapshot.status != ConversationStatus.BOT:
        return None
    card = _card(snapshot)
    # A new question while the last answer still waits for "did this help?" counts as unhelpful (a rephrase).
    streak = snapshot.bot_unhelpful + (1 if card.get("awaiting_feedback") else 0)
    decision = bot_decide(text=text, language_hint=snapshot.language, unhelpful_streak=streak)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status != ConversationStatus.BOT:
            return None
        card = _card(conversation)
        if card.get("awaiting_feedback") and card["offered"]:
            card["offered"][-1]["helpful"] = False
        card["awaiting_feedback"] = False
        conversation.bot_unhelpful = streak
        _follow_language(conversation, decision.language)
        if decision.intent == "question":
            card["questions"].append(text[:500])
        card.update({"language": decision.language, "intent": str(decision.intent),
                     "confidence": round(decision.confidence, 3)})
        meta = {}
        if decision.action in ("answer", "suggest"):
            meta = {"articles": [{"id": a.article_id, "title": a.title, "url": a.url} for a in decision.articles],
                    "ask_helpful": True, "question": bot_text("ask_helpful", decision.language)}
            card["offered"].append({"articles": [a.title for a in decision.articles], "helpful": None})
            card["awaiting_feedback"] = True
        conversation.handover = card
        conversation.save(update_fields=["language", "also_speaks", "bot_unhelpful", "handover"])
        if decision.incident is not None:  # a known incident: its notice before anything else
            message_append_locked(conversation, sender_kind=SenderKind.BOT, body=incident_text(decision),
                    meta={"incident": decision.incident.id})
        if decision.handover:
            _hand_over(conversation, reason=decision.reason, topic=decision.topic, reply=reply_text(decision))
        else:
            # The articles travel as links in meta; the text itself stays readable without raw URLs.
            message_append_locked(conversation, sender_kind=SenderKind.BOT, body=reply_text(decision, with_links=False), meta=meta)
    return decision


def bot_feedback(*, conversation_id, helpful):
    """The customer answered "did this answer your question?". Two unhelpful answers in a row (configurable)
    hand the chat over."""
    limit = BotSettings.current().unhelpful_limit
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        card = _card(conversation)
        if conversation.status != ConversationStatus.BOT or not card.get("awaiting_feedback"):
            return conversation
        card["offered"][-1]["helpful"] = bool(helpful)
        card["awaiting_feedback"] = False
        conversation.bot_unhelpful = 0 if helpful else conversation.bot_unhelpful + 1
        conversation.handover = card
        conversation.save(update_fields=["bot_unhelpful", "handover"])
        if helpful:
            message_append_locked(conversation, sender_kind=SenderKind.BOT, body=bot_text("thanks_reply", conversation.language))
        elif conversation.bot_unhelpful >= limit:
            _hand_over(conversation, reason="unhelpful", reply=bot_text("handover", conversation.language))
        else:
            message_append_locked(conversation, sender_kind=SenderKind.BOT, body=bot_text("rephrase", conversation.language))
    return conversation


def _hand_over(conversation, *, reason, reply, topic=""):
    """Under the chat's lock: tell the customer, fill in the agent's card, and queue the chat in its language."""
    now = timezone.now()
    customer = conversation.customer
    card = _card(conversation)
    card.update({"reason": reason, "topic": topic, "at": now.isoformat(), "language": conversation.language,
                 "account": customer.email if customer else "", "registered": customer is not None})
    card.pop("awaiting_feedback", None)
    conversation.handover = card
    # Content gaps: what the customer asked before the bot gave up, for help-center editors.
    for question in dict.fromkeys(card["questions"][-3:]):
        missing_answer_record(language=conversation.language, question=question)
    conversation_enqueue_locked(conversation, now=now, also_save=["handover"])
    message_append_locked(conversation, sender_kind=SenderKind.BOT, body=reply)
    estimate = selectors.queue_estimate(language=conversation.language,
                                        position=selectors.queue_position(conversation=conversation))
    if estimate["eta_seconds"] is None:
        # Honest: nobody for this language is online right now; the widget offers to leave a message.
        message_append_locked(conversation, sender_kind=SenderKind.BOT, body=bot_text("no_agents", conversation.language))
    elif estimate["eta_seconds"] > 60:
        # Someone is, but not at once: say how long, as a range (the panel keeps it up to date).
        position = selectors.queue_position(conversation=conversation)
        text = bot_text("queued", conversation.language)
        for key, value in (("position", position), ("low", max(1, round(estimate["low"] / 60))),
                           ("high", max(1, round(estimate["high"] / 60)))):
            text = text.replace("{" + key + "}", str(value))
        message_append_locked(conversation, sender_kind=SenderKind.BOT, body=text)
    language = conversation.language
    transaction.on_commit(lambda: queue_changed(language))
