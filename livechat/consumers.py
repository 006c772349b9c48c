"""Chat sockets. Protocol adapters: they validate each frame, call a service, and pass on the frames the
services push after commit. The contract is in docs/api.md.

/ws/chat/<id>/ (the customer: session login, or ?token= for visitors)
  in:  message {body, client_msg_id}, typing, resume {after_seq}, leave_message {body}, close, csat {score, comment},
       bot_feedback {helpful}
  out: message (bot messages with meta {articles, ask_helpful}), bot, queue {position, eta_seconds, low, high, guess,
       seats, offer_message}, assigned {agent}, typing, closed, left_message
       {ticket}, rated, error {code, detail}
/ws/agent/ (agents)
  in:  presence {presence}, message {conversation, body, client_msg_id}, typing {conversation}, resume
       {conversation, after_seq}, pick {conversation}, transfer {conversation, to_agent | to_language},
       close {conversation}, to_ticket {conversation}, read {conversation, seq}, tickets, ping
  out: snapshot {presence, languages, queues, chats}, queues, chat_assigned, chat_released, message
       {conversation, ...}, typing, closed, ticket_created, presence, read {conversation, seq},
       tickets {counts, assigned, breaching, replied}, notification {id, kind, title, body, url, unread}, pong, error
"""
import collections
import json
import logging
import re
import time
import uuid
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ValidationError
from redis.exceptions import RedisError

from support.asyncdb import db
from support.events import user_group
from support.languages import LANGUAGE_CODES
from support.models import AgentProfile, Presence
from support.roles import is_agent
from support.services import DomainError
from support.twofactor import session_verified
from verification.selectors import conversation_code

from . import events, selectors, services
from .models import Conversation, ConversationStatus, SenderKind

logger = logging.getLogger(__name__)



_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value):
    """Does a frame hold text no column can store: NUL, or a lone surrogate (JSON's "\\ud800" escapes)? Such a
    frame is refused with an error frame, not stored half-way or answered with internal_error."""
    if isinstance(value, str):
        return bool(_UNSTORABLE.search(value))
    if isinstance(value, dict):
        return any(_unstorable(key) or _unstorable(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    return False

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
    return {"type": "queue", "position": position, **estimate, "offer_message": offer}


class FrameConsumer(AsyncJsonWebsocketConsumer):
    """JSON frames in, a handler per type, an error frame for anything wrong; never a crash."""

    handlers = {}

    async def dispatch(self, message):
        """Channels' own dispatch first hops to its one synchronous thread to close stale database connections,
        for every frame in or out (measured: a fifth of the event loop's time under chat load). Every database call
        here goes through support.asyncdb.db, which does that around each call on its own threads, so the hop is
        skipped."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def _allowed(self):
        """Per-connection rate limit: at most LIVECHAT_FRAMES_PER_10S frames in any 10 seconds (a sliding
        window), so one socket cannot flood a chat or the database."""
        now = time.monotonic()
        window = getattr(self, "_recent", None)
        if window is None:
            window = self._recent = collections.deque()
        while window and now - window[0] > 10:
            window.popleft()
        if len(window) >= settings.LIVECHAT_FRAMES_PER_10S:
            return False, 10 - (now - window[0])
        window.append(now)
        return True, 0

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        allowed, retry_after = self._allowed()
        if not allowed:
            return await self.send_json({"type": "error", "code": "rate_limited",
                                         "detail": "Too many frames; slow down.", "retry_after": round(retry_after, 1)})
        try:
            content = json.loads(text_data or "")
        except (TypeError, ValueError, RecursionError):  # RecursionError: nested deeper than Python reads
            return await self.send_error("malformed", "Frames are JSON objects.")
        if not isinstance(content, dict):
            return await self.send_error("malformed", "Frames are JSON objects.")
        if _unstorable(content):
            return await self.send_error("invalid_text", "Text must not contain NUL characters or lone surrogates.")
        handler = self.handlers.get(content.get("type"))
        if handler is None:
            return await self.send_error("unknown_type", "Unknown frame type.")
        try:
            self.frame_check(content)
            await handler(self, content)
        except FrameError as exc:
            await self.send_error(exc.code, exc.detail)
        except DomainError as exc:
            await self.send_error(exc.code, exc.detail)
        except RedisError:
            # The channel layer is unreachable (Redis restarting). What the frame stored is in the database; the
            # frames it would have rung are not. Closing with "try again later" makes the page reconnect once the
            # layer is back, resume from its last seq and resend whatever it still holds as pending: nothing lost.
            logger.warning("channel layer unavailable during a %s frame; closing the socket", content.get("type"))
            await self.close(code=1013)
        except Exception:  # noqa: BLE001 - a bug must cost one frame, not the customer's connection
            logger.exception("chat frame %s failed", content.get("type"))
            await self.send_error("internal_error", "Something went wrong on our side; please try again.")

    def frame_check(self, content):
        """Refuse (FrameError) a frame this socket may not send at all, before its handler runs."""

    async def announce(self, message, created):
        """Ring a stored message's bell from this event loop (the service was told announce=False; it is committed
        when the call returns). A resend that was already stored rings nothing: the client has it, or replays it."""
        if created and not message.announced:
            group, frame = events.message_sends(message)
            await self.channel_layer.group_send(group, {"type": "frame", "frame": frame})

    async def send_error(self, code, detail):
        await self.send_json({"type": "error", "code": code, "detail": str(detail)})

    async def join(self, *groups):
        for group in groups:
            if group not in self.groups_joined:
                self.groups_joined.append(group)
                await self.channel_layer.group_add(group, self.channel_name)

    async def leave(self, group):
        if group in self.groups_joined:
            self.groups_joined.remove(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def disconnect(self, code):
        for group in list(getattr(self, "groups_joined", [])):
            await self.channel_layer.group_discard(group, self.channel_name)


def _after_seq(content):
    after = content.get("after_seq", 0)
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise FrameError("invalid_after_seq", "after_seq must be a whole number.")
    return after


async def _replay(consumer, chat, after, **extra):
    """Send every stored message of `chat` after `after`, in order, in pages."""
    while True:
        messages = await db(selectors.messages_after)(conversation=chat, after_seq=after)
        for message in messages:
            await consumer.send_json({**events.message_frame(message), **extra})
            after = message.seq
        if len(messages) < 200:
            return


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
        await self.join(events.chat_group(self.conversation.id), events.queue_group(self.conversation.language))
        await self.accept()
        # Where the chat stands, so a page that reconnects or reloads shows it at once.
        await self.send_json(await db(_state_frame)(self.conversation.id))

    def frame_check(self, content):
        # A customer's socket belongs to one chat: a frame naming another is refused, never quietly applied here.
        if "conversation" in content and str(content["conversation"]) != str(self.conversation.id):
            raise FrameError("not_your_chat", "This socket belongs to another chat.")

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
            raise FrameError("invalid_helpful", "helpful must be true or false.")
        await db(services.bot_feedback)(conversation_id=self.conversation.id, helpful=helpful)

    async def on_resume(self, content):
        await _replay(self, self.conversation, _after_seq(content))

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
            raise FrameError("invalid_body", "The message must be text within the length limit.")
        ticket = await db(services.conversation_leave_message)(
            conversation_id=self.conversation.id, body=body)
        await self.send_json({"type": "left_message", "ticket": ticket.ref})

    async def on_csat(self, content):
        comment = content.get("comment", "")
        if not isinstance(comment, str):
            raise FrameError("invalid_comment", "comment must be text.")
        await db(services.conversation_rate)(
            conversation_id=self.conversation.id, score=content.get("score"), comment=comment)
        await self.send_json({"type": "rated", "score": content.get("score")})

    handlers = {"message": on_message, "resume": on_resume, "typing": on_typing, "close": on_close,
                "leave_message": on_leave_message, "csat": on_csat, "bot_feedback": on_bot_feedback}

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


def _agent_snapshot(agent):
    profile = AgentProfile.objects.get(user=agent)
    chats = [events.agent_chat(c) for c in selectors.agent_chats(agent=agent)]
    return {"type": "snapshot", "presence": profile.presence, "languages": profile.languages,
            "queues": selectors.queue_overview(languages=profile.languages), "chats": chats}


def _tickets_frame(agent):
    """The agent's ticket worklist (tickets.selectors.agent_worklist), in their language."""
    from django.utils import translation

    from tickets.selectors import agent_worklist

    def item(ticket):
        return {"ref": ticket.ref, "subject": ticket.subject, "status": ticket.get_status_display(),
                "priority": ticket.get_priority_display(), "requester": ticket.requester.display_name,
                "awaiting_agent": ticket.awaiting_agent,
                "next_due": ticket.next_due.isoformat() if ticket.next_due else None}

    with translation.override(agent.language):
        worklist = agent_worklist(agent=agent)
        return {"type": "tickets", "counts": worklist["counts"],
                **{name: [item(t) for t in worklist[name]] for name in ("assigned", "breaching", "replied")}}


def _notification_frame(agent, notification_id):
    """A new notification of this agent, rendered in their language, with their unread count; None if it is gone."""
    from django.utils import translation

    from support.selectors import notification_list_for_user, notification_unread_count
    from support.serializers import NotificationOutputSerializer

    notification = notification_list_for_user(user=agent).filter(pk=notification_id).first()
    if notification is None:
        return None
    with translation.override(agent.language):
        return {"type": "notification", **NotificationOutputSerializer(notification).data,
                "unread": notification_unread_count(user=agent)}


def _agent_chat(agent, content):
    conversation_id = content.get("conversation")
    try:
        return selectors.conversation_get_for_agent(agent=agent, conversation_id=conversation_id)
    except (Conversation.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise FrameError("not_your_chat", "This chat is not one of your active chats.") from exc


def _conversation_id(content):
    try:
        return uuid.UUID(str(content.get("conversation")))
    except ValueError as exc:
        raise FrameError("invalid_conversation", "conversation must be a chat id.") from exc


class AgentConsumer(FrameConsumer):
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
        snapshot = await db(_agent_snapshot)(user)
        self.languages = snapshot["languages"]
        self.watching_tickets = False
        await self.join(events.agent_group(user.pk), user_group(user.pk),
                        *[events.queue_group(lang) for lang in self.languages],
                        *[events.chat_group(chat["conversation"]) for chat in snapshot["chats"]])
        await self.accept()
        await db(services.agent_seen)(agent=user)
        await self.send_json(snapshot)

    async def on_ping(self, content):
        await db(services.agent_seen)(agent=self.agent)
        await self.send_json({"type": "pong"})
        if self.watching_tickets:  # SLA time passes without any event: the heartbeat refreshes the worklist
            await self.send_tickets()

    async def on_tickets(self, content):
        """The workspace wants the ticket worklist now and whenever it may have changed."""
        self.watching_tickets = True
        await self.send_tickets()

    async def send_tickets(self):
        await self.send_json(await db(_tickets_frame)(self.agent))

    async def on_read(self, content):
        conversation = await db(_agent_chat)(self.agent, content)
        await db(services.conversation_mark_read)(
            conversation_id=conversation.id, agent=self.agent, seq=content.get("seq"))

    async def on_presence(self, content):
        presence = content.get("presence")
        if presence not in Presence.values:
            raise FrameError("invalid_presence", "presence is online, away or offline.")
        await db(services.agent_presence_set)(agent=self.agent, presence=presence)

    async def on_message(self, content):
        # Ownership is checked by the service under the chat's row lock: no separate read first.
        conversation_id = _conversation_id(content)
        body, client_msg_id = parse_body(content)
        await self.announce(*await db(services.message_post)(
            conversation_id=conversation_id, sender_kind=SenderKind.AGENT, body=body, sender=self.agent,
            client_msg_id=client_msg_id, announce=False))

    async def on_typing(self, content):
        conversation = await db(_agent_chat)(self.agent, content)
        await self.channel_layer.group_send(events.chat_group(conversation.id), {
            "type": "frame", "from": self.channel_name,
            "frame": {"type": "typing", "sender": "agent", "conversation": str(conversation.id)}})

    async def on_resume(self, content):
        conversation = await db(_agent_chat)(self.agent, content)
        await _replay(self, conversation, _after_seq(content), conversation=str(conversation.id))

    async def on_pick(self, content):
        await db(services.conversation_pick)(
            conversation_id=_conversation_id(content), agent=self.agent)

    async def on_transfer(self, content):
        conversation = await db(_agent_chat)(self.agent, content)
        to_language, to_agent_email = content.get("to_language"), content.get("to_agent")
        if to_language is not None:
            if to_language not in LANGUAGE_CODES:
                raise FrameError("invalid_language", "Unknown language.")
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

    handlers = {"ping": on_ping, "presence": on_presence, "message": on_message, "typing": on_typing,
                "resume": on_resume, "pick": on_pick, "transfer": on_transfer, "close": on_close,
                "to_ticket": on_to_ticket, "read": on_read, "tickets": on_tickets}

    async def frame(self, event):
        if event.get("from") == self.channel_name:
            return
        frame = event["frame"]
        if frame["type"] == "queue_moved":
            overview = await db(selectors.queue_overview)(languages=self.languages)
            return await self.send_json({"type": "queues", "queues": overview})
        if frame["type"] == "notification":
            # Assignments, customer replies and SLA alerts all notify the agent: the one doorbell for the worklist.
            shown = await db(_notification_frame)(self.agent, frame["notification"])
            if shown is not None:
                await self.send_json(shown)
            if self.watching_tickets:
                await self.send_tickets()
            return
        if frame["type"] == "chat_assigned":
            await self.join(events.chat_group(frame["conversation"]))
        elif frame["type"] in ("chat_released", "closed"):
            await self.leave(events.chat_group(frame["conversation"]))
        await self.send_json(frame)


def _agent_by_email(email):
    from support.models import User

    user = User.objects.filter(email__iexact=str(email or ""), is_active=True).first()
    if user is None or not is_agent(user):
        raise FrameError("unknown_agent", "No agent with this email.")
    return user
