"""Redis (the channel layer) restarted while a chat is going on. Postgres is the source of truth, so nothing may be
lost: a message sent while Redis is down is either stored and delivered after, or refused in a way the client
retries (its socket is closed, and the page reconnects, resumes from its last sequence number and resends what was
pending, as static/livechat/js/chat.js does). A socket that stayed open and idle through the outage hears the chat
again once Redis is back."""
import asyncio
import json
import socket
import subprocess
import time

import pytest
import websockets
from django.test import Client

from livechat import services
from livechat.models import ChatMessage
from livechat.tokens import visitor_token
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db(transaction=True)


class OwnRedis:
    """A real redis-server of this test's own, so that stopping it touches nothing else on the machine."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def own_redis():
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()


class Side:
    """One end of the chat, behaving as the pages do: a socket, the messages it has seen by seq, what it has sent
    and not yet seen stored (pending), and reconnect + resume + resend after its socket is closed."""

    def __init__(self, url, origin, headers=None, resume=None):
        self.url, self.origin, self.headers, self.resume = url, origin, headers or {}, resume or {}
        self.seen, self.pending, self.socket = {}, {}, None

    async def connect(self, deadline=30):
        end = time.monotonic() + deadline
        while True:
            try:
                self.socket = await websockets.connect(self.url, origin=self.origin,
                                                       additional_headers=self.headers, open_timeout=5)
                break
            except (OSError, websockets.InvalidStatus, websockets.InvalidHandshake, asyncio.TimeoutError):
                if time.monotonic() > end:
                    raise
                await asyncio.sleep(0.5)  # the page backs off and tries again
        last = 0
        while last + 1 in self.seen:
            last += 1
        await self.socket.send(json.dumps({"type": "resume", "after_seq": last, **self.resume}))
        for frame in self.pending.values():
            await self.socket.send(json.dumps(frame))

    async def send(self, frame):
        self.pending[frame["client_msg_id"]] = frame
        try:
            await self.socket.send(json.dumps(frame))
        except websockets.ConnectionClosed:
            pass  # still pending: resent after reconnecting

    async def pump(self, seconds):
        """Read frames for a while; reconnect (as the page does) if the server closed the socket."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                frame = json.loads(await asyncio.wait_for(self.socket.recv(), max(0.05, end - time.monotonic())))
            except asyncio.TimeoutError:
                return
            except websockets.ConnectionClosed:
                await self.connect()
                continue
            if frame.get("type") == "message":
                self.seen[frame["seq"]] = frame
                self.pending.pop(frame.get("client_msg_id") or None, None)
                complete = 0
                while complete + 1 in self.seen:
                    complete += 1
                if frame["seq"] > complete:  # something earlier is missing: ask for it, as the page does
                    await self.socket.send(json.dumps({"type": "resume", "after_seq": complete, **self.resume}))

    def bodies(self):
        return [self.seen[seq]["body"] for seq in sorted(self.seen)]


def test_a_redis_restart_loses_no_message(asgi_server, own_redis):
    server = asgi_server.start(TEST_REDIS_URL=own_redis.url)
    agent = AgentFactory(languages=["en"], name="Ana")
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    chat = services.conversation_start(language="en", visitor_name="Vic", visitor_email="vic@example.com",
                                       with_bot=False)
    services.conversations_route(language="en")
    browser = Client()
    browser.force_login(agent)
    ws = server.replace("http", "ws")
    customer_url = f"{ws}/ws/chat/{chat.id}/?token={visitor_token(chat.id)}"

    async def scenario():
        customer = Side(customer_url, server)
        console = Side(f"{ws}/ws/agent/", server, {"Cookie": f"sessionid={browser.cookies['sessionid'].value}"},
                       resume={"conversation": str(chat.id)})
        idle_tab = Side(customer_url, server)  # a second tab of the customer's, open all along, never sending
        for side in (customer, console, idle_tab):
            await side.connect()
        await customer.send({"type": "message", "body": "before", "client_msg_id": "c1"})
        await asyncio.gather(customer.pump(1.5), console.pump(1.5), idle_tab.pump(1.5))
        assert console.bodies() == ["before"]

        own_redis.stop()
        await customer.send({"type": "message", "body": "during (customer)", "client_msg_id": "c2"})
        await console.send({"type": "message", "conversation": str(chat.id), "body": "during (agent)",
                            "client_msg_id": "a1"})
        await asyncio.sleep(1)
        own_redis.start()
        await asyncio.gather(customer.pump(8), console.pump(8))
        # With nothing sent after the outage to reveal a gap, each side still has the other's message.
        during = ["before", "during (customer)", "during (agent)"]
        assert sorted(customer.bodies()) == sorted(during) and sorted(console.bodies()) == sorted(during)
        assert not customer.pending and not console.pending

        await customer.send({"type": "message", "body": "after", "client_msg_id": "c3"})
        await asyncio.gather(customer.pump(3), console.pump(3), idle_tab.pump(3))
        return customer, console, idle_tab

    customer, console, idle_tab = asyncio.run(scenario())
    stored = list(ChatMessage.objects.filter(conversation=chat).order_by("seq").values_list("body", flat=True))
    assert sorted(stored) == sorted(["before", "during (customer)", "during (agent)", "after"])  # each once
    assert customer.bodies() == stored and console.bodies() == stored  # both sides have all, in order
    assert not customer.pending and not console.pending
    assert "after" in idle_tab.bodies()  # the idle socket hears the chat again
