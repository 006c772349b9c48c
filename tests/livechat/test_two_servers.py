"""Two ASGI server processes on different ports sharing Redis: the customer on one, the agent on the other, and
messages flow both ways (as behind a load balancer)."""
import asyncio
import json

import pytest
import websockets
from django.test import Client

from livechat import services
from livechat.tokens import visitor_token
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def frame_of(socket, frame_type, timeout=5):
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] == frame_type:
            return frame


def test_customer_and_agent_on_different_server_processes(asgi_server):
    first, second = asgi_server.start(), asgi_server.start()
    agent = AgentFactory(languages=["ko"], capacity=2, name="Jiwoo")
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    chat = services.conversation_start(language="ko", visitor_name="Min", visitor_email="min@example.com")
    services.conversations_route(language="ko")
    client = Client()
    client.force_login(agent)
    session = client.cookies["sessionid"].value

    async def talk():
        customer_url = first.replace("http", "ws") + f"/ws/chat/{chat.id}/?token={visitor_token(chat.id)}"
        agent_url = second.replace("http", "ws") + "/ws/agent/"
        async with websockets.connect(customer_url, origin=first) as customer, \
                websockets.connect(agent_url, origin=second,
                                   additional_headers={"Cookie": f"sessionid={session}"}) as console:
            snapshot = await frame_of(console, "snapshot")
            assert [c["conversation"] for c in snapshot["chats"]] == [str(chat.id)]
            await customer.send(json.dumps({"type": "message", "body": "안녕하세요", "client_msg_id": "k1"}))
            heard = await frame_of(console, "message")
            assert (heard["body"], heard["conversation"]) == ("안녕하세요", str(chat.id))
            await console.send(json.dumps({"type": "message", "conversation": str(chat.id), "body": "네, 말씀하세요"}))
            while True:
                reply = await frame_of(customer, "message")
                if reply["sender"] == "agent":
                    break
            assert reply["body"] == "네, 말씀하세요" and reply["seq"] == 2

    asyncio.run(talk())


def test_a_browser_sees_why_a_socket_was_refused(asgi_server):
    """Through a real server the refusal code arrives (a browser must not retry a chat it may not open)."""
    server = asgi_server.start()
    chat = services.conversation_start(language="en", visitor_name="V", visitor_email="v@example.com")

    async def attempt(path):
        async with websockets.connect(server.replace("http", "ws") + path, origin=server) as socket:
            try:
                await asyncio.wait_for(socket.recv(), 5)
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code
        return None

    assert asyncio.run(attempt(f"/ws/chat/{chat.id}/?token=forged")) == 4404
    assert asyncio.run(attempt("/ws/agent/")) == 4403
