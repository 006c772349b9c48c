"""A chat's presence socket, /ws/agent/chats/<id>/: which staff have the chat open and who is typing in it
(support.presence.PresenceConsumer), for the console of the agent who has the chat and for the chat's page
(/agent/chats/<id>/) where others follow it: a supervisor, the previous agent after a transfer. With `?follow=1` (the
chat's page) the socket also says when a message is stored in the chat (`chat_message`, no text: the page reloads
to read it, through its audited view). Staff only; the contract is in docs/api.md."""
from django.utils.translation import gettext_lazy as _

from support.asyncdb import db
from support.presence import PresenceConsumer, PresenceRefused
from support.roles import is_agent
from support.twofactor import session_verified

from .. import events, selectors
from ..models import Conversation

PRESENCE_FRAMES = ("viewing", "replying", "left")


def presence_group(conversation_id):
    """The chat's presence group: apart from the chat's own group (events.chat_group), which its customer hears."""
    return f"presence.chat.{conversation_id}"


def chat_for_socket(user, session, conversation_id):
    """(topic, group, chat id) for a staff socket; PresenceRefused for a customer (their own chat included), a
    visitor or a staff session without its second factor (permission_denied), and for a chat that does not exist
    (not_found)."""
    if user is None or not user.is_authenticated or not is_agent(user) or not session_verified(user, session):
        raise PresenceRefused("permission_denied", _("Only staff can follow a chat."), 4403)
    try:
        chat = selectors.conversation_get_for_user(user=user, conversation_id=conversation_id)
    except Conversation.DoesNotExist as exc:
        raise PresenceRefused("not_found", _("No such chat."), 4404) from exc
    return f"chat:{chat.id}", presence_group(chat.id), chat.id


class ChatPresenceConsumer(PresenceConsumer):
    chat_group = None

    async def topic_open(self):
        topic, group, chat_id = await db(chat_for_socket)(self.scope.get("user"), self.scope.get("session"),
                                                          self.scope["url_route"]["kwargs"]["conversation_id"])
        if b"follow=1" in self.scope.get("query_string", b"").split(b"&"):
            self.chat_group = events.chat_group(chat_id)
            await self.channel_layer.group_add(self.chat_group, self.channel_name)
        return topic, group

    async def frame(self, event):
        frame = event["frame"]
        if frame["type"] in PRESENCE_FRAMES:
            return await super().frame(event)
        if frame["type"] == "message" and self.chat_group:  # the chat's own doorbell: that there is news, no text
            await self.send_json({"type": "chat_message", "conversation": frame.get("conversation"),
                                  "seq": frame.get("seq"), "sender": frame.get("sender")})

    async def disconnect(self, code):
        await super().disconnect(code)
        if self.chat_group:
            await self.channel_layer.group_discard(self.chat_group, self.channel_name)
