"""Machine translation in chats (issue #25), through the deployment's provider (support.translate; off by default).

Who gets what: once a customer accepts an agent of another language (services.overflow), each of their messages is
translated into that language for the agent (the original is kept as the message; the translation beside it, in
meta["translation"]); and an agent who serves the chat with assist (Conversation.assisted) writes in their own
language, the customer reading the translation, marked as one, with the original a click away. Text the agent sends
already in the customer's language (a help article or a macro from agent assist) is not translated.

A translation is taken before the message is stored, within the provider's deadline (MT_TIMEOUT), and only of the
text as stored: secrets are masked before anything leaves for the provider. A provider that fails or is slow never
stops a message: it goes through untranslated, marked so ("failed"), and the agent may ask again
(message_translate). With the provider off nothing here reads the database: the chat's hot path is unchanged.
"""
from django.db import transaction

from support.models import AgentProfile
from support.translate import mt_enabled, translate

from .. import events
from ..models import ChatMessage, Conversation, SenderKind

OK, FAILED = "ok", "failed"
FILL_LIMIT = 20  # earlier customer messages translated when a customer accepts an agent of another language


def translation_meta(text, *, source, target):
    """What a message keeps of its translation: the target language, the source, the text, and whether it worked."""
    result = translate(text, source=source, target=target)
    done = result.state == "ok" and bool(result.text)
    return {"language": target, "source": source, "state": OK if done else FAILED,
            "text": result.text if done else ""}


def customer_translation(*, conversation_id):
    """(source, target) for a customer's message in this chat, or None: translated into the language of the agent
    they accepted, while the provider is on."""
    if not mt_enabled():
        return None
    chat = Conversation.objects.filter(pk=conversation_id).values("language", "overflow_to").first()
    if not chat or not chat["overflow_to"] or chat["overflow_to"] == chat["language"]:
        return None
    return chat["language"], chat["overflow_to"]


def agent_language(profile, conversation):
    """The language an agent writes in to a chat they serve with assist: the one the customer accepted, if it is
    theirs, else their first."""
    if conversation.overflow_to and conversation.overflow_to in profile.languages:
        return conversation.overflow_to
    return profile.languages[0] if profile.languages else conversation.overflow_to or "en"


def agent_translation(*, conversation_id, agent, language=None):
    """(source, target) for an agent's message in this chat, or None: translated into the customer's language when
    the agent serves the chat with assist and wrote in their own (`language`: what the text is in, when the agent's
    page knows, e.g. a help article already in the customer's language), while the provider is on."""
    if not mt_enabled():
        return None
    chat = Conversation.objects.filter(pk=conversation_id, agent=agent).only("language", "overflow_to",
                                                                             "assisted").first()
    if chat is None or not chat.assisted or language == chat.language:
        return None
    profile = AgentProfile.objects.filter(user=agent).only("languages").first()
    source = language or (agent_language(profile, chat) if profile else chat.overflow_to or "en")
    return (source, chat.language) if source != chat.language else None


def _meta_set(message_id, translation):
    """Under the message's row lock, so two translations of it at once do not lose other details."""
    message = ChatMessage.objects.select_for_update().only("meta").get(pk=message_id)
    message.meta = {**(message.meta or {}), "translation": translation}
    message.save(update_fields=["meta"])


def message_translate(*, conversation_id, seq, source=None, target=None):
    """Translate one stored message again (the agent asks after a failure): a customer's into the chat's accepted
    language, an agent's into the customer's. Returns the new translation, or None when there is nothing to
    translate. The chat's people hear it after commit (a "translated" frame with the message's number)."""
    message = (ChatMessage.objects.select_related("conversation").filter(conversation_id=conversation_id, seq=seq)
               .exclude(body="").first())
    if message is None or not mt_enabled():
        return None
    chat = message.conversation
    if message.sender_kind == SenderKind.CUSTOMER:
        pair = (chat.language, target or chat.overflow_to)
    elif message.sender_kind == SenderKind.AGENT:
        pair = (source or (message.meta.get("translation") or {}).get("source") or chat.overflow_to, chat.language)
    else:
        return None
    if not pair[0] or not pair[1] or pair[0] == pair[1]:
        return None
    translation = translation_meta(message.body, source=pair[0], target=pair[1])
    with transaction.atomic():
        _meta_set(message.pk, translation)
        transaction.on_commit(lambda: events.message_translated(conversation_id, seq, translation))
    return translation


def customer_messages_translate(*, conversation_id, limit=FILL_LIMIT):
    """When the customer accepts an agent of another language: their latest messages (up to `limit`) that have no
    translation into it yet get one, so the agent reads the whole question. One provider call per message; each
    is stored and announced as it comes, and a failure leaves that message marked untranslated."""
    if not mt_enabled():
        return 0
    chat = Conversation.objects.filter(pk=conversation_id).values("language", "overflow_to").first()
    if not chat or not chat["overflow_to"]:
        return 0
    messages = list(ChatMessage.objects.filter(conversation_id=conversation_id, sender_kind=SenderKind.CUSTOMER)
                    .exclude(body="").order_by("-seq").values("seq", "meta")[:limit])
    done = 0
    for message in reversed(messages):
        known = (message["meta"] or {}).get("translation") or {}
        if known.get("state") == OK and known.get("language") == chat["overflow_to"]:
            continue
        message_translate(conversation_id=conversation_id, seq=message["seq"], target=chat["overflow_to"])
        done += 1
    return done
