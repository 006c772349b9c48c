"""The bell's socket, /ws/notifications/: a signed-in person's unread notification count, live, for the bell in the
header of every page (static/support/js/bell.js; contract in docs/api.md; why a socket and not polling in
docs/architecture.md, "The bell").

It listens to the per-user group every new notification already rings (support.events.notifications_created, after
commit), and to nothing else. What it sends is computed here from the socket's own user, never taken from the frame
that rang: a socket hears only that its user has something new, and answers with that user's count. The label is
the count's plural form in the page's language (Russian has three), rendered by the same catalogue entry as the
header's `aria-label`, so the script never builds text."""
import asyncio
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .asyncdb import db
from .events import frame_object, user_group
from .languages import normalize_language
from .selectors import notification_unread_count
from .twofactor import session_verified

# Seconds between a doorbell (or a client's "count") and the count it causes: a batch of notifications for one
# person (an SLA digest, an incident notice, several replies) is counted once, and a socket that floods "count"
# frames costs at most one query per interval.
RECOUNT_DELAY = 0.3

NOT_SIGNED_IN = 4401  # no session, or it ended (logout, password changed): the page stops reconnecting
NOT_VERIFIED = 4403  # a staff session that has not passed its second factor (support.twofactor)


def unread_frame(user, language):
    """The user's unread count and its label in `language` (the msgid of the header's aria-label in base.html)."""
    count = notification_unread_count(user=user)
    with translation.override(language):
        label = ngettext("%(counter)s unread notification", "%(counter)s unread notifications",
                         count) % {"counter": count}
    return {"type": "unread", "count": count, "label": label}


def unread_frame_if_signed_in(session_key, user, language):
    """unread_frame, or None when the session that opened the socket no longer signs this user in: logged out,
    password changed (Django's session hash), account deactivated, or a staff session without its second factor."""
    engine = import_module(settings.SESSION_ENGINE)
    request = SimpleNamespace(session=engine.SessionStore(session_key))
    current = get_user(request)
    if not current.is_authenticated or current.pk != user.pk or not session_verified(current, request.session):
        return None
    return unread_frame(user, language)


def socket_language(scope, fallback):
    """The page's language (`?lang=`, which bell.js sends), else the user's preference."""
    asked = parse_qs(scope.get("query_string", b"").decode()).get("lang", [""])[0]
    return normalize_language(asked) or normalize_language(fallback) or settings.LANGUAGE_CODE


class NotificationBellConsumer(AsyncJsonWebsocketConsumer):
    user = None
    recount_task = None
    dirty = False

    async def dispatch(self, message):
        """Channels' own dispatch hops to its one synchronous thread before every message to close stale database
        connections; every call here goes through support.asyncdb.db, which does that on its own threads (as
        livechat's FrameConsumer explains), so the hop is skipped: ten thousand idle bells cost no thread time."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        user = self.scope.get("user")
        await self.accept()  # then close with a code the page understands (a refused handshake is just 1006)
        if user is None or not user.is_authenticated:
            await self.close(code=NOT_SIGNED_IN)
            return
        session = self.scope["session"]
        if not await db(session_verified)(user, session):
            await self.close(code=NOT_VERIFIED)
            return
        self.user, self.session_key = user, session.session_key
        self.language = socket_language(self.scope, user.language)
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        # The count now: the page was rendered a moment ago, and a notification may have come in between.
        await self.send_json(await db(unread_frame)(user, self.language))

    async def disconnect(self, code):
        if self.recount_task is not None:
            self.recount_task.cancel()
        if self.user is not None:
            await self.channel_layer.group_discard(user_group(self.user.pk), self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        content = frame_object(text_data)
        if content is None:
            return await self.send_error("malformed", _("Frames are JSON objects."))
        if content.get("type") != "count" or self.user is None:
            return await self.send_error("unknown_type", _("Unknown frame type."))
        self.recount_soon()  # the page came back to the foreground: is the badge still right?

    async def send_error(self, code, detail):
        with translation.override(getattr(self, "language", settings.LANGUAGE_CODE)):
            await self.send_json({"type": "error", "code": code, "detail": str(detail)})

    async def frame(self, event):
        """A doorbell of the user's group. Only "notification" concerns the bell; its content is not used."""
        if event.get("frame", {}).get("type") == "notification" and self.user is not None:
            self.recount_soon()

    def recount_soon(self):
        self.dirty = True
        if self.recount_task is None or self.recount_task.done():
            self.recount_task = asyncio.ensure_future(self.recount())

    async def recount(self):
        # A doorbell that rings while the count is being read sets `dirty` again, so it is counted in another round
        # (nothing runs between the loop's test and the task's end, so none is missed).
        while self.dirty:
            await asyncio.sleep(RECOUNT_DELAY)
            self.dirty = False
            frame = await db(unread_frame_if_signed_in)(self.session_key, self.user, self.language)
            if frame is None:
                await self.close(code=NOT_SIGNED_IN)
                return
            await self.send_json(frame)
