"""The agent's chat protocol: presence, their chats' messages, typing and replay, pick, transfer, close, to a
ticket, read marks, and the queue and assignment frames. The agent's socket, /ws/agent/, is the desk's
(desk.consumers.DeskConsumer), which adds the workspace's frames (ticket worklist, notifications) to this class."""
import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from support.asyncdb import db
from support.languages import LANGUAGE_CODES
from support.models import AgentProfile, Presence, User
from support.roles import is_agent
from support.twofactor import session_verified

from .. import events, selectors, services
from ..models import Conversation, ConversationStatus
from .frames import FrameConsumer, FrameError, after_seq, parse_body, replay, socket_language_activate


def _agent_snapshot(agent):
    profile = AgentProfile.objects.get(user=agent)
    chats = [events.agent_chat(c) for c in selectors.agent_chats(agent=agent)]
    return {"type": "snapshot", "presence": profile.presence, "languages": profile.languages,
            "queues": selectors.queue_overview(languages=profile.languages), "chats": chats,
            "history": _agent_history(agent)}


def _agent_history(agent):
    return [events.history_item(c) for c in selectors.agent_history(agent=agent)]


def _agent_chat(agent, content, *, ended=False):
    """The chat a frame names, if it is in this agent's console; an ended one (waiting for the wrap-up) only where
    `ended` allows it (reading and replay), else the frame is refused as for a chat that has ended."""
    conversation_id = content.get("conversation")
    try:
        conversation = selectors.conversation_get_for_agent(agent=agent, conversation_id=conversation_id)
    except (Conversation.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise FrameError("not_your_chat", _("This chat is not one of your active chats.")) from exc
    if conversation.status == ConversationStatus.CLOSED and not ended:
        raise FrameError("chat_closed", _("This chat has ended."))
    return conversation


def _conversation_id(content):
    try:
        return uuid.UUID(str(content.get("conversation")))
    except ValueError as exc:
        raise FrameError("invalid_conversation", _("conversation must be a chat id.")) from exc


class AgentChatConsumer(FrameConsumer):
    """An agent's chats over one socket. Subclasses add frames with extra_groups(), handlers and frame()."""

    def extra_groups(self):
        """Groups beside the agent's chats and queues that this socket listens to."""
        return []

    async def connect(self):
        self.groups_joined = []
        user = self.scope.get("user")
        if (user is None or not user.is_authenticated or not await db(is_agent)(user)
                or not await db(session_verified)(user, self.scope.get("session"))):
            # Not an agent, or a staff session that has not passed its second factor (support.twofactor).
            await self.accept()
            await self.close(code=4403)
            return
        self.agent = user
        self.language = socket_language_activate(self.scope, user.language)
        snapshot = await db(_agent_snapshot)(user)
        self.languages = snapshot["languages"]
        await self.join(events.agent_group(user.pk), *self.extra_groups(),
                        *[events.queue_group(lang) for lang in self.languages],
                        *[events.chat_group(chat["conversation"]) for chat in snapshot["chats"]])
        await self.accept()
        await db(services.agent_seen)(agent=user)
        await self.send_json(snapshot)

    async def on_ping(self, content):
        await db(services.agent_seen)(agent=self.agent)
        await self.send_json({"type": "pong"})

    async def on_read(self, content):
        conversation = await db(_agent_chat)(self.agent, content, ended=True)
        await db(services.conversation_mark_read)(
            conversation_id=conversation.id, agent=self.agent, seq=content.get("seq"))

    async def on_presence(self, content):
        presence = content.get("presence")
        if presence not in Presence.values:
            raise FrameError("invalid_presence", _("presence is online, away or offline."))
        await db(services.agent_presence_set)(agent=self.agent, presence=presence)

    async def on_message(self, content):
        # Ownership is checked by the service under the chat's row lock: no separate read first.
        conversation_id = _conversation_id(content)
        body, client_msg_id = parse_body(content)
        language = content.get("language") or ""
        if language not in ("", *LANGUAGE_CODES):
            raise FrameError("invalid_language", _("language must be one of the desk's languages."))
        await self.announce(*await db(services.agent_message_post)(
            conversation_id=conversation_id, agent=self.agent, body=body, client_msg_id=client_msg_id,
            language=language, announce=False))

    async def on_typing(self, content):
        conversation = await db(_agent_chat)(self.agent, content)
        await self.channel_layer.group_send(events.chat_group(conversation.id), {
            "type": "frame", "from": self.channel_name,
            "frame": {"type": "typing", "sender": "agent", "conversation": str(conversation.id)}})

    async def on_resume(self, content):
        conversation = await db(_agent_chat)(self.agent, content, ended=True)
        await replay(self, conversation, after_seq(content), conversation=str(conversation.id))

    async def on_pick(self, content):
        await db(services.conversation_pick)(
            conversation_id=_conversation_id(content), agent=self.agent)

    async def on_transfer(self, content):
        conversation = await db(_agent_chat)(self.agent, content)
        to_language, to_agent_email = content.get("to_language"), content.get("to_agent")
        if to_language is not None:
            if to_language not in LANGUAGE_CODES:
                raise FrameError("invalid_language", _("Unknown language."))
            await db(services.conversation_transfer)(
                conversation_id=conversation.id, by=self.agent, to_language=to_language)
            return
        to_agent = await db(_agent_by_email)(to_agent_email)
        await db(services.conversation_transfer)(
            conversation_id=conversation.id, by=self.agent, to_agent=to_agent)

    async def on_close(self, content):
        conversation = await db(_agent_chat)(self.agent, content)
        await db(services.conversation_close)(conversation_id=conversation.id, by="agent",
                                                                   actor=self.agent)

    async def on_to_ticket(self, content):
        conversation = await db(_agent_chat)(self.agent, content)
        ticket = await db(services.conversation_leave_message)(
            conversation_id=conversation.id, by="agent", actor=self.agent)
        await self.send_json({"type": "ticket_created", "conversation": str(conversation.id), "ticket": ticket.ref})

    async def on_wrap_up(self, content):
        await db(services.conversation_wrap_up)(
            conversation_id=_conversation_id(content), agent=self.agent, disposition=content.get("disposition"),
            topic=content.get("topic"), tags=content.get("tags", []), note=content.get("note", ""))

    async def on_history(self, content):
        await self.send_json({"type": "history", "chats": await db(_agent_history)(self.agent)})

    async def on_translate(self, content):
        """Translate one message of the chat again (after the provider failed): the chat's pages hear the result."""
        conversation = await db(_agent_chat)(self.agent, content, ended=True)
        seq = content.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
            raise FrameError("invalid_seq", _("seq must be a message number."))
        if await db(services.message_translate)(conversation_id=conversation.id, seq=seq) is None:
            raise FrameError("not_translatable", _("This message cannot be translated."))

    handlers = {"ping": on_ping, "presence": on_presence, "message": on_message, "typing": on_typing,
                "resume": on_resume, "pick": on_pick, "transfer": on_transfer, "close": on_close,
                "to_ticket": on_to_ticket, "read": on_read, "wrap_up": on_wrap_up, "history": on_history,
                "translate": on_translate}

    async def frame(self, event):
        if event.get("from") == self.channel_name:
            return
        frame = event["frame"]
        if frame["type"] == "queue_moved":
            overview = await db(selectors.queue_overview)(languages=self.languages)
            return await self.send_json({"type": "queues", "queues": overview})
        if frame["type"] == "chat_assigned":
            await self.join(events.chat_group(frame["conversation"]))
        elif frame["type"] in ("chat_released", "closed"):
            await self.leave(events.chat_group(frame["conversation"]))
        await self.send_json(frame)


def _agent_by_email(email):
    user = User.objects.filter(email__iexact=str(email or ""), is_active=True).first()
    if user is None or not is_agent(user):
        raise FrameError("unknown_agent", _("No agent with this email."))
    return user
