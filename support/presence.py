"""Who else is on a page, live (collision detection, issue #24): the staff who have a ticket or a chat open, and who
of them is typing a reply or a note. Apps subclass PresenceConsumer with their own permission rule (tickets:
/ws/agent/tickets/<ref>/, live chat: /ws/agent/chats/<id>/); the store, the frames and the protocol are here, once.

The state lives in Redis, not in the database: it is seconds old, worthless once stale, and written several times a
minute by every open page. One hash per topic ("ticket:T-10001", "chat:<id>"), a field per open socket holding
{user, name, expires, replying_until, mode}. A socket refreshes its field with every heartbeat (pages ping every
HEARTBEAT_SECONDS). A socket that died without closing (a killed tab, a server process gone) leaves a field that
expires ENTRY_TTL_SECONDS after its last heartbeat; the next heartbeat of anyone on the topic prunes it and tells the
others that person left, so a vanished page is gone within ENTRY_TTL_SECONDS + HEARTBEAT_SECONDS (30 s). Pruning
is decided by HDEL's answer, so of two sockets pruning at once only one announces. The hash itself expires shortly
after its last heartbeat: nothing piles up.

"Replying" means a `replying` frame within the last REPLYING_SECONDS: pages send one every two seconds while the
person types. A person with several tabs counts once: replying if any of their tabs is.

The topic's channel-layer group carries the frames between the sockets (a doorbell, at most once); a socket that
joins reads the hash for who is there already. Nobody hears about themselves (their other tabs included).
"""
import asyncio
import collections
import json
import logging
import time
import weakref
from urllib.parse import parse_qs

import redis.asyncio as aioredis
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError

from .events import frame_object
from .languages import normalize_language

logger = logging.getLogger("support.presence")

HEARTBEAT_SECONDS = 10
ENTRY_TTL_SECONDS = 20
REPLYING_SECONDS = 5
FRAMES_PER_10S = 30
MODES = ("reply", "note")  # a public reply, an internal note (or, in a chat, a message)

_clients = weakref.WeakKeyDictionary()


def _redis():
    """One client (a connection pool) per event loop: redis.asyncio connections belong to the loop that made them."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = _clients[loop] = aioredis.Redis.from_url(settings.REDIS_URL, decode_responses=True,
                                                         socket_timeout=5, socket_connect_timeout=5)
    return client


def _key(topic):
    return f"presence:{topic}"


async def presence_write(topic, connection, entry):
    """Store one socket's entry (and keep the topic's hash alive); True when the entry was not there before."""
    key = _key(topic)
    async with _redis().pipeline(transaction=True) as pipe:
        pipe.hset(key, connection, json.dumps(entry))
        pipe.expire(key, ENTRY_TTL_SECONDS * 3)
        created, _expire = await pipe.execute()
    return bool(created)


async def presence_remove(topic, connection):
    """Remove one socket's entry; True when this call removed it."""
    return bool(await _redis().hdel(_key(topic), connection))


async def presence_read(topic, now=None):
    """(live entries by socket, entries this call pruned because their socket stopped beating)."""
    now = time.time() if now is None else now
    client, key = _redis(), _key(topic)
    live, pruned = {}, []
    for connection, value in (await client.hgetall(key)).items():
        try:
            entry = json.loads(value)
            expired = entry["expires"] <= now
        except (ValueError, TypeError, KeyError):
            entry, expired = None, True
        if not expired:
            live[connection] = entry
        elif await client.hdel(key, connection) and entry is not None:
            pruned.append(entry)
    return live, pruned


def person_frame(entries, user_id, name, now=None):
    """What one person is doing on the topic, over all their sockets: a viewing, replying or left frame."""
    now = time.time() if now is None else now
    mine = [entry for entry in entries if entry["user"] == user_id]
    if not mine:
        return {"type": "left", "user": user_id, "name": name}
    replying = [entry for entry in mine if entry.get("replying_until", 0) > now]
    if replying:
        latest = max(replying, key=lambda entry: entry["replying_until"])
        return {"type": "replying", "user": user_id, "name": name, "mode": latest["mode"]}
    return {"type": "viewing", "user": user_id, "name": name}


def people(entries, now=None):
    """Everyone on the topic, once each: [{user, name, state: viewing | replying, mode}]."""
    names = {}
    for entry in entries:
        names.setdefault(entry["user"], entry["name"])
    result = []
    for user_id, name in names.items():
        frame = person_frame(entries, user_id, name, now)
        result.append({"user": user_id, "name": name, "state": frame["type"], "mode": frame.get("mode", "")})
    return sorted(result, key=lambda person: (person["name"], person["user"]))


def presence_strings():
    """The texts of the live line (static/support/js/presence.js), in the active language; {name} is filled in there."""
    return {
        "viewing": gettext("{name} is viewing"),
        "replying": gettext("{name} is replying"),
        "note": gettext("{name} is writing an internal note"),
        "separator": pgettext("between names in a list", ", "),
        "new_messages": gettext("New messages in this chat: reload the page to read them."),
    }


class PresenceRefused(Exception):
    """This socket may not join the topic: an error frame with `code` and `detail`, then a close with `close_code`."""

    def __init__(self, code, detail, close_code):
        super().__init__(detail)
        self.code, self.detail, self.close_code = code, detail, close_code


class PresenceConsumer(AsyncJsonWebsocketConsumer):
    """One page's presence on one topic, and the topic's frames. Subclasses implement topic_open()."""

    topic = None

    async def topic_open(self):
        """(topic, channel-layer group) for this socket's user and URL; raise PresenceRefused if they may not."""
        raise NotImplementedError

    async def connect(self):
        # Accepted first: a close code sent before the handshake completes never reaches a browser.
        await self.accept()
        asked = parse_qs(self.scope.get("query_string", b"").decode()).get("lang", [""])[0]
        user = self.scope.get("user")
        translation.activate(normalize_language(asked) or normalize_language(getattr(user, "language", ""))
                             or settings.LANGUAGE_CODE)
        try:
            topic, self.group = await self.topic_open()
        except PresenceRefused as exc:
            await self.send_error(exc.code, exc.detail)
            await self.close(code=exc.close_code)
            return
        self.user_id, self.name = user.pk, user.display_name
        self.entry = {"user": self.user_id, "name": self.name, "expires": 0, "replying_until": 0, "mode": ""}
        self.recent = collections.deque()
        try:
            await self.channel_layer.group_add(self.group, self.channel_name)
            self.topic = topic
            await self.write()
            live, pruned = await presence_read(self.topic)
            others = [entry for entry in live.values() if entry["user"] != self.user_id]
            await self.send_json({"type": "present", "people": people(others)})
            await self.announce(live, pruned)
        except RedisError:
            await self.unavailable("connect")

    async def write(self):
        self.entry["expires"] = time.time() + ENTRY_TTL_SECONDS
        return await presence_write(self.topic, self.channel_name, self.entry)

    async def announce(self, live=None, pruned=()):
        """Tell the topic what this person is doing now (over all their tabs), and who left without closing."""
        if live is None:
            live, pruned = await presence_read(self.topic)
        entries = list(live.values())
        frames = [person_frame(entries, self.user_id, self.name)]
        gone = {entry["user"]: entry["name"] for entry in pruned}
        frames += [person_frame(entries, user_id, name) for user_id, name in gone.items() if user_id != self.user_id]
        for frame in frames:
            await self.channel_layer.group_send(self.group, {"type": "frame", "frame": frame})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.topic is None:
            return
        now = time.monotonic()
        while self.recent and now - self.recent[0] > 10:
            self.recent.popleft()
        if len(self.recent) >= FRAMES_PER_10S:
            return await self.send_error("rate_limited", _("Too many frames; slow down."))
        self.recent.append(now)
        content = frame_object(text_data)
        if content is None:
            return await self.send_error("malformed", _("Frames are JSON objects."))
        handler = {"ping": self.on_ping, "replying": self.on_replying, "viewing": self.on_viewing}.get(
            content.get("type"))
        if handler is None:
            return await self.send_error("unknown_type", _("Unknown frame type."))
        try:
            await handler(content)
        except RedisError:
            await self.unavailable(content.get("type"))

    async def on_ping(self, content):
        """The heartbeat: this page is still open. A page whose entry was pruned meanwhile (a tab in the background
        whose timers the browser slowed) is announced again; anyone else's stale entry is pruned."""
        created = await self.write()
        live, pruned = await presence_read(self.topic)
        if created or pruned:
            await self.announce(live, pruned)

    async def on_replying(self, content):
        mode = content.get("mode", "reply")
        if mode not in MODES:
            return await self.send_error("invalid_mode", _("mode is reply or note."))
        self.entry.update(replying_until=time.time() + REPLYING_SECONDS, mode=mode)
        await self.write()
        await self.channel_layer.group_send(self.group, {"type": "frame", "frame": {
            "type": "replying", "user": self.user_id, "name": self.name, "mode": mode}})

    async def on_viewing(self, content):
        """Stopped typing (sent, or emptied the box) before REPLYING_SECONDS ran out."""
        self.entry.update(replying_until=0, mode="")
        await self.write()
        await self.announce()

    async def frame(self, event):
        """A frame for the topic's group: passed on, except those about oneself (from any of one's tabs)."""
        frame = event["frame"]
        if frame.get("user") == getattr(self, "user_id", None):
            return
        await self.send_json(frame)

    async def send_error(self, code, detail):
        await self.send_json({"type": "error", "code": code, "detail": str(detail)})

    async def unavailable(self, what):
        # Redis is restarting: close with "try again later"; the page reconnects and is announced again.
        logger.warning("presence store unavailable during %s; closing the socket", what)
        await self.close(code=1013)

    async def disconnect(self, code):
        if self.topic is None:
            return
        try:
            await presence_remove(self.topic, self.channel_name)
            await self.announce()
        except RedisError:
            logger.warning("presence store unavailable on disconnect; the entry expires by itself")
        finally:
            self.topic = None
            await self.channel_layer.group_discard(self.group, self.channel_name)
