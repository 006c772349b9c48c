"""The customer's chat socket, /ws/chat/<id>/ (session login or ?token= for visitors). A protocol adapter: it
validates each frame, calls a service, and passes on the frames the services push after commit.

Client -> server: message {body, client_msg_id}, typing, resume {after_seq}, close.
Server -> client: message, queue {position, eta_seconds, low, high, guess}, assigned, typing, closed,
error {code, detail}.
"""
import json
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ValidationError

from . import events, selectors, services
from .models import Conversation, ConversationStatus, SenderKind
from .tokens import visitor_token_conversation


class FrameError(Exception):
    def __init__(self, code, detail):
        super().__init__(detail)
        self.code, self.detail = code, detail


def parse_body(content):
    body = content.get("body")
    if not isinstance(body, str) or not body.strip():
        raise FrameError("invalid_body", "A message needs a non-empty text body.")
    if len(body) > settings.LIVECHAT_MESSAGE_MAX_CHARS:
        raise FrameError("body_too_long", f"Messages are limited to {settings.LIVECHAT_MESSAGE_MAX_CHARS} characters.")
    client_msg_id = content.get("client_msg_id", "")
    if not isinstance(client_msg_id, str) or len(client_msg_id) > 64:
        raise FrameError("invalid_client_msg_id", "client_msg_id must be a string of at most 64 characters.")
    return body.strip(), client_msg_id


def _open_chat(scope, conversation_id):
    """The chat if this socket's user or token may join it as its customer; None otherwise."""
    token = parse_qs(scope.get("query_string", b"").decode()).get("token", [""])[0]
    try:
        if token and visitor_token_conversation(token) == str(conversation_id):
            return Conversation.objects.get(pk=conversation_id)
        user = scope.get("user")
        if user is not None and user.is_authenticated:
            conversation = Conversation.objects.get(pk=conversation_id)
            if conversation.customer_id == user.pk:
                return conversation
    except (Conversation.DoesNotExist, ValidationError):
        return None
    return None


def _queue_frame(conversation_id):
    conversation = Conversation.objects.get(pk=conversation_id)
    position = selectors.queue_position(conversation=conversation)
    estimate = selectors.queue_estimate(language=conversation.language, position=position)
    return {"type": "queue", "position": position, **estimate}


class CustomerChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        self.conversation = await database_sync_to_async(_open_chat)(self.scope, conversation_id)
        if self.conversation is None:
            await self.close(code=4404)  # the same answer for a missing chat and someone else's
            return
        self.groups_joined = [events.chat_group(self.conversation.id), events.queue_group(self.conversation.language)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        if self.conversation.status == ConversationStatus.QUEUED:
            await self.send_json(await database_sync_to_async(_queue_frame)(self.conversation.id))

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = json.loads(text_data or "")
        except (TypeError, ValueError):
            return await self.send_error("malformed", "Frames are JSON objects.")
        if not isinstance(content, dict):
            return await self.send_error("malformed", "Frames are JSON objects.")
        handler = self.handlers.get(content.get("type"))
        if handler is None:
            return await self.send_error("unknown_type", "Unknown frame type.")
        try:
            await handler(self, content)
        except FrameError as exc:
            await self.send_error(exc.code, exc.detail)
        except services.ChatClosed as exc:
            await self.send_error(exc.code, exc.detail)

    async def send_error(self, code, detail):
        await self.send_json({"type": "error", "code": code, "detail": detail})

    async def on_message(self, content):
        body, client_msg_id = parse_body(content)
        user = self.scope.get("user")
        await database_sync_to_async(services.message_post)(
            conversation_id=self.conversation.id, sender_kind=SenderKind.CUSTOMER, body=body,
            sender=user if user is not None and user.is_authenticated else None, client_msg_id=client_msg_id)

    async def on_resume(self, content):
        after = content.get("after_seq", 0)
        if not isinstance(after, int) or after < 0:
            raise FrameError("invalid_after_seq", "after_seq must be a whole number.")
        while True:
            messages = await database_sync_to_async(selectors.messages_after)(
                conversation=self.conversation, after_seq=after)
            for message in messages:
                await self.send_json(events.message_frame(message))
                after = message.seq
            if len(messages) < 200:
                break

    async def on_typing(self, content):
        await self.channel_layer.group_send(events.chat_group(self.conversation.id), {
            "type": "frame", "frame": {"type": "typing", "sender": "customer"}, "from": self.channel_name})

    async def on_close(self, content):
        await database_sync_to_async(services.conversation_close)(conversation_id=self.conversation.id,
                                                                   by="customer")

    handlers = {"message": on_message, "resume": on_resume, "typing": on_typing, "close": on_close}

    async def frame(self, event):
        """A frame pushed by a service (after commit) or by the other side; queue moves are made personal here."""
        if event.get("from") == self.channel_name:
            return  # one's own typing indicator
        frame = event["frame"]
        if frame["type"] == "queue_moved":
            frame = await database_sync_to_async(_queue_frame)(self.conversation.id)
            if frame["position"] is None:
                return
        elif "conversation" in frame and frame["conversation"] != str(self.conversation.id):
            return
        await self.send_json({k: v for k, v in frame.items() if k != "conversation"})
