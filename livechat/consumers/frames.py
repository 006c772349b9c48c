"""The frame protocol every chat socket speaks: JSON frames in, a handler per type, an error frame for anything
wrong (never a crash), a per-socket rate limit, groups joined and left, and replay from a sequence number."""
import collections
import logging
import re
import time
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from support.asyncdb import db
from support.events import frame_object
from support.languages import normalize_language
from support.services import DomainError

from .. import events, selectors

logger = logging.getLogger("livechat.consumers")

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(value):
    """Does a frame hold text no column can store: NUL, or a lone surrogate (JSON's "\\ud800" escapes)? Such a
    frame is refused with an error frame, not stored half-way or answered with internal_error."""
    if isinstance(value, str):
        return bool(_UNSTORABLE.search(value))
    if isinstance(value, dict):
        return any(unstorable(key) or unstorable(item) for key, item in value.items())
    if isinstance(value, list):
        return any(unstorable(item) for item in value)
    return False


class FrameError(Exception):
    def __init__(self, code, detail):
        super().__init__(detail)
        self.code, self.detail = code, detail


def parse_body(content):
    body = content.get("body")
    if not isinstance(body, str) or not body.strip():
        raise FrameError("invalid_body", _("A message needs a non-empty text body."))
    if len(body) > settings.LIVECHAT_MESSAGE_MAX_CHARS:
        raise FrameError("body_too_long", _("Messages are limited to %(count)s characters.") % {"count": settings.LIVECHAT_MESSAGE_MAX_CHARS})
    client_msg_id = content.get("client_msg_id", "")
    if not isinstance(client_msg_id, str) or len(client_msg_id) > 64:
        raise FrameError("invalid_client_msg_id", _("client_msg_id must be a string of at most 64 characters."))
    return body.strip(), client_msg_id


def socket_language_activate(scope, fallback):
    """Speak the language of the page that opened the socket (`?lang=`, which the pages send), else `fallback` (the
    agent's preference, the chat's language), for the whole connection: error details and every label a frame
    carries. A consumer runs in a task of its own, so this holds for its handlers and the database calls they make
    (which run in copies of its context), and for nobody else's."""
    asked = parse_qs(scope.get("query_string", b"").decode()).get("lang", [""])[0]
    language = normalize_language(asked) or normalize_language(fallback) or settings.LANGUAGE_CODE
    translation.activate(language)
    return language


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
                                         "detail": str(_("Too many frames; slow down.")), "retry_after": round(retry_after, 1)})
        content = frame_object(text_data)
        if content is None:
            return await self.send_error("malformed", _("Frames are JSON objects."))
        if unstorable(content):
            return await self.send_error("invalid_text", _("Text must not contain NUL characters or lone surrogates."))
        handler = self.handlers.get(content.get("type"))
        if handler is None:
            return await self.send_error("unknown_type", _("Unknown frame type."))
        try:
            self.frame_check(content)
            await handler(self, content)
        except (FrameError, DomainError) as exc:
            # Which chat and which field it was about, when the frame named them (a form can show it in place).
            about = {"conversation": content["conversation"]} if isinstance(content.get("conversation"), str) else {}
            if getattr(exc, "field", None):
                about["field"] = exc.field
            await self.send_error(exc.code, exc.detail, **about)
        except (RedisError, OperationalError, InterfaceError) as exc:
            # The channel layer is unreachable (Redis restarting), or the database is (down, or every connection of
            # this process's pool busy past its timeout). What the frame stored is in the database; the frames it
            # would have rung are not. Closing with "try again later" makes the page reconnect once it is back,
            # resume from its last seq and resend whatever it still holds as pending: nothing lost.
            logger.warning("%s unavailable during a %s frame; closing the socket",
                           "channel layer" if isinstance(exc, RedisError) else "database", content.get("type"))
            await self.close(code=1013)
        except Exception:  # noqa: BLE001 - a bug must cost one frame, not the customer's connection
            logger.exception("chat frame %s failed", content.get("type"))
            await self.send_error("internal_error", _("Something went wrong on our side; please try again."))

    def frame_check(self, content):
        """Refuse (FrameError) a frame this socket may not send at all, before its handler runs."""

    async def announce(self, message, created):
        """Ring a stored message's bell from this event loop (the service was told announce=False; it is committed
        when the call returns). A resend that was already stored rings nothing: the client has it, or replays it."""
        if created and not message.announced:
            group, frame = events.message_sends(message)
            await self.channel_layer.group_send(group, {"type": "frame", "frame": frame})

    async def send_error(self, code, detail, **about):
        await self.send_json({"type": "error", "code": code, "detail": str(detail), **about})

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


def after_seq(content):
    after = content.get("after_seq", 0)
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise FrameError("invalid_after_seq", _("after_seq must be a whole number."))
    return after


async def replay(consumer, chat, after, **extra):
    """Send every stored message of `chat` after `after`, in order, in pages."""
    while True:
        messages = await db(selectors.messages_after)(conversation=chat, after_seq=after)
        for message in messages:
            await consumer.send_json({**events.message_frame(message), **extra})
            after = message.seq
        if len(messages) < 200:
            return
