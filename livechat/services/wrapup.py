"""Wrap-up: an ended chat stays in its agent's console until they say how it went (a disposition, the topic, tags,
an internal note); the customer's rating joins it when it arrives. Then it moves to the agent's and the customer's
history. A chat nobody wraps up within LIVECHAT_WRAP_UP_MINUTES is wrapped up by the system, as it was."""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.services import DomainError

from .. import events
from ..models import Conversation, ConversationStatus, Disposition
from .errors import ChatNotAvailable

WRAP_UP_TAGS_MAX = 10
WRAP_UP_TAG_MAX_CHARS = 50
WRAP_UP_NOTE_MAX_CHARS = 4000
WRAP_UP_TOPIC_MAX_CHARS = 200


class WrapUpRefused(DomainError):
    code = "wrap_up_refused"


def wrap_up_tags_clean(tags):
    """Tags as typed (a list, or one comma-separated text): trimmed, lower case, each once, in the order given.
    Refused (with the field) when there are too many or one is too long."""
    if isinstance(tags, str):
        tags = tags.replace("，", ",").replace("、", ",").split(",")  # CJK commas as well
    if not isinstance(tags, (list, tuple)) or not all(isinstance(tag, str) for tag in tags):
        raise WrapUpRefused(_("Tags are a list of words."), code="invalid_tags", field="tags")
    cleaned = list(dict.fromkeys(" ".join(tag.split()).lower() for tag in tags if tag.strip()))
    if len(cleaned) > WRAP_UP_TAGS_MAX:
        raise WrapUpRefused(_("At most %(count)d tags.") % {"count": WRAP_UP_TAGS_MAX}, code="invalid_tags",
                            field="tags")
    if any(len(tag) > WRAP_UP_TAG_MAX_CHARS for tag in cleaned):
        raise WrapUpRefused(_("A tag has at most %(count)d characters.") % {"count": WRAP_UP_TAG_MAX_CHARS},
                            code="invalid_tags", field="tags")
    return cleaned


def _text(value, *, field, limit, message):
    if value is None:
        return None
    if not isinstance(value, str):
        raise WrapUpRefused(message, code=f"invalid_{field}", field=field)
    value = value.strip()
    if len(value) > limit:
        raise WrapUpRefused(message, code=f"invalid_{field}", field=field)
    return value


def conversation_wrap_up(*, conversation_id, agent, disposition, topic=None, tags=(), note=""):
    """The agent who had the chat records how it ended; the chat leaves their console (every tab) for the history.
    Only an ended chat of this agent that is not wrapped up yet; `topic` None keeps the chat's topic."""
    if disposition not in Disposition.values:
        raise WrapUpRefused(_("Choose how the chat ended."), code="invalid_disposition", field="disposition")
    topic = _text(topic, field="topic", limit=WRAP_UP_TOPIC_MAX_CHARS,
                  message=_("The topic has at most %(count)d characters.") % {"count": WRAP_UP_TOPIC_MAX_CHARS})
    note = _text(note or "", field="note", limit=WRAP_UP_NOTE_MAX_CHARS,
                 message=_("The note has at most %(count)d characters.") % {"count": WRAP_UP_NOTE_MAX_CHARS})
    tags = wrap_up_tags_clean(tags)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status != ConversationStatus.CLOSED or agent is None or conversation.agent_id != agent.pk:
            raise ChatNotAvailable(_("Only the agent of an ended chat wraps it up."), code="not_your_chat")
        if conversation.wrapped_up_at is not None:
            raise WrapUpRefused(_("This chat is already wrapped up."), code="already_wrapped_up")
        conversation.wrapped_up_at, conversation.wrapped_up_by = timezone.now(), "agent"
        conversation.disposition, conversation.tags, conversation.wrap_note = disposition, tags, note
        fields = ["wrapped_up_at", "wrapped_up_by", "disposition", "tags", "wrap_note"]
        if topic is not None:
            conversation.topic = topic
            fields.append("topic")
        conversation.save(update_fields=fields)
        transaction.on_commit(lambda: events.chat_wrapped_up(conversation))
    return conversation


def conversations_wrap_up_stale(*, now=None):
    """Beat: ended chats their agent has not wrapped up within LIVECHAT_WRAP_UP_MINUTES are wrapped up by the
    system (no disposition), so a console does not fill with chats of a shift that is over. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.LIVECHAT_WRAP_UP_MINUTES)
    stale = Conversation.objects.filter(status=ConversationStatus.CLOSED, wrapped_up_at__isnull=True,
                                        agent__isnull=False, closed_at__lt=cutoff)
    done = 0
    for conversation_id in list(stale.values_list("id", flat=True)[:500]):
        with transaction.atomic():
            conversation = (Conversation.objects.select_for_update(skip_locked=True)
                            .filter(pk=conversation_id, wrapped_up_at__isnull=True).first())
            if conversation is None:
                continue
            conversation.wrapped_up_at, conversation.wrapped_up_by = now, "system"
            conversation.save(update_fields=["wrapped_up_at", "wrapped_up_by"])
            transaction.on_commit(lambda chat=conversation: events.chat_wrapped_up(chat))
            done += 1
    return done
