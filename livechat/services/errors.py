"""The domain errors of live chat, and the one ownership rule every agent action checks."""
from django.utils.translation import gettext_lazy as _

from support.services import DomainError

from ..models import ConversationStatus


class ChatClosed(DomainError):
    code = "chat_closed"


class ChatNotAvailable(DomainError):
    code = "chat_not_available"


class RatingRefused(DomainError):
    code = "rating_refused"


class TranscriptRefused(DomainError):
    code = "transcript_refused"


def agent_owns_check(conversation, agent):
    """Under the chat's row lock: agents act only on their own active chats (reading is open to every agent)."""
    if conversation.status != ConversationStatus.ACTIVE or agent is None or conversation.agent_id != agent.pk:
        raise ChatNotAvailable(_("This chat is not one of your active chats."), code="not_your_chat")
