"""The customer's chat socket, /ws/chat/<id>/ (session login, or ?token= for visitors): one socket, one chat."""
from urllib.parse import parse_qs

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from support.asyncdb import db
from verification.selectors import conversation_code

from .. import events, selectors, services
from ..models import Conversation, ConversationStatus
from .frames import FrameConsumer, FrameError, after_seq, parse_body, replay, socket_language_activate


def _open_chat(scope, conversation_id):
    """The chat if this socket's user or token may join it as its customer (selectors.chat_viewer_role); None
    otherwise, the same for a missing chat and someone else's."""
    token = parse_qs(scope.get("query_string", b"").decode()).get("token", [""])[0]
    try:
        conversation, role = selectors.conversation_get_for_viewer(conversation_id=conversation_id,
                                                                   user=scope.get("user"), token=token)
    except Conversation.DoesNotExist:
        return None
    return conversation if role == selectors.CUSTOMER else None


def _queue_frame(conversation_id):
    conversation = Conversation.objects.get(pk=conversation_id)
    position = selectors.queue_position(conversation=conversation)
    estimate = selectors.queue_estimate(language=conversation.language, position=position)
    # Offer to leave a message when nobody serving the language is online or the wait is too long.
    offer = estimate["eta_seconds"] is None or estimate["eta_seconds"] > settings.LIVECHAT_OFFER_MESSAGE_AFTER_SECONDS
    frame = {"type": "queue", "position": position, **estimate, "offer_message": offer}
    overflow = services.pending_offer(conversation=conversation)
    if overflow is not None:  # an agent of another language offered, answered or not (the page shows which)
        frame.update(services.offer_frame(overflow))
    return frame


def _state_frame(conversation_id):
    conversation = Conversation.objects.select_related("agent__agent_profile").get(pk=conversation_id)
    if conversation.status == ConversationStatus.QUEUED:
        return _queue_frame(conversation_id)
    if conversation.status == ConversationStatus.ACTIVE:
        frame = events.assigned_frame(conversation_id, selectors.agent_display_name(conversation.agent),
                                      conversation_code(conversation.agent,
                                                        selectors.agent_code_key(conversation_id)))
        return {k: v for k, v in frame.items() if k != "conversation"}
    if conversation.status == ConversationStatus.CLOSED:
        return {"type": "closed", "by": conversation.closed_by}
    return {"type": "bot"}  # with the assistant


class CustomerChatConsumer(FrameConsumer):
    async def connect(self):
        self.groups_joined = []
        conversation_id = self.scope["url_route"]["kwargs"]["conversation_id"]
        self.conversation = await db(_open_chat)(self.scope, conversation_id)
        if self.conversation is None:
            # The same answer for a missing chat and someone else's. Accepted first: a close code sent before the
            # handshake completes never reaches a browser (it sees 1006 and would retry forever).
            await self.accept()
            await self.close(code=4404)
            return
        self.language = socket_language_activate(self.scope, self.conversation.language)
        await self.join(events.chat_group(self.conversation.id), events.queue_group(self.conversation.language))
        await self.accept()
        # Where the chat stands, so a page that reconnects or reloads shows it at once.
        await self.send_json(await db(_state_frame)(self.conversation.id))

    def frame_check(self, content):
        # A customer's socket belongs to one chat: a frame naming another is refused, never quietly applied here.
        if "conversation" in content and str(content["conversation"]) != str(self.conversation.id):
            raise FrameError("not_your_chat", _("This socket belongs to another chat."))

    async def on_message(self, content):
        body, client_msg_id = parse_body(content)
        user = self.scope.get("user")
        await self.announce(*await db(services.customer_message_post)(
            conversation_id=self.conversation.id, body=body,
            sender=user if user is not None and user.is_authenticated else None, client_msg_id=client_msg_id,
            announce=False))

    async def on_bot_feedback(self, content):
        helpful = content.get("helpful")
        if not isinstance(helpful, bool):
            raise FrameError("invalid_helpful", _("helpful must be true or false."))
        await db(services.bot_feedback)(conversation_id=self.conversation.id, helpful=helpful)

    async def on_resume(self, content):
        await replay(self, self.conversation, after_seq(content))

    async def on_typing(self, content):
        await self.channel_layer.group_send(events.chat_group(self.conversation.id), {
            "type": "frame", "from": self.channel_name,
            "frame": {"type": "typing", "sender": "customer", "conversation": str(self.conversation.id)}})

    async def on_close(self, content):
        await db(services.conversation_close)(conversation_id=self.conversation.id,
                                                                   by="customer")

    async def on_leave_message(self, content):
        body = content.get("body", "")
        if not isinstance(body, str) or len(body) > settings.LIVECHAT_MESSAGE_MAX_CHARS:
            raise FrameError("invalid_body", _("The message must be text within the length limit."))
        ticket = await db(services.conversation_leave_message)(
            conversation_id=self.conversation.id, body=body)
        await self.send_json({"type": "left_message", "ticket": ticket.ref})

    async def on_overflow_choice(self, content):
        accept = content.get("accept")
        if not isinstance(accept, bool):
            raise FrameError("invalid_accept", _("accept must be true or false."))
        offer = await db(services.overflow_choose)(conversation_id=self.conversation.id, accept=accept)
        await self.send_json({"type": "overflow_chosen", **services.offer_frame(offer)})
        if accept:  # what they wrote so far, translated for the agent they accepted (the agent's page hears it)
            await db(services.customer_messages_translate)(conversation_id=self.conversation.id)

    async def on_csat(self, content):
        comment = content.get("comment", "")
        if not isinstance(comment, str):
            raise FrameError("invalid_comment", _("comment must be text."))
        await db(services.conversation_rate)(
            conversation_id=self.conversation.id, score=content.get("score"), comment=comment)
        await self.send_json({"type": "rated", "score": content.get("score")})

    handlers = {"message": on_message, "resume": on_resume, "typing": on_typing, "close": on_close,
                "leave_message": on_leave_message, "csat": on_csat, "bot_feedback": on_bot_feedback,
                "overflow_choice": on_overflow_choice}

    async def frame(self, event):
        """A frame pushed by a service (after commit) or by the other side; queue moves are made personal here."""
        if event.get("from") == self.channel_name:
            return  # one's own typing indicator
        frame = event["frame"]
        if frame["type"] == "requeued":
            # Waiting again, maybe in another language's queue: follow it there and show the new place.
            old_group = events.queue_group(self.conversation.language)
            self.conversation.language = frame["language"]
            await self.leave(old_group)
            await self.join(events.queue_group(frame["language"]))
            frame = await db(_queue_frame)(self.conversation.id)
        elif frame["type"] == "queue_moved":
            frame = await db(_queue_frame)(self.conversation.id)
            if frame["position"] is None:
                return
        elif frame.get("conversation", str(self.conversation.id)) != str(self.conversation.id):
            return
        await self.send_json({k: v for k, v in frame.items() if k != "conversation"})
