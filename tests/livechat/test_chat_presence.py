"""Collision detection on a chat (issue #24): /ws/agent/chats/<id>/ tells the staff who have a chat open (its agent in
the console, a supervisor on the chat's page) who else is there and who is typing, over the real Redis channel
layer; the chat's page also hears that a message arrived. Customers never join it, and the customer's own socket
never hears any of it."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator

from livechat import services
from livechat.models import SenderKind
from livechat.tokens import visitor_token
from support.asgi import application
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory, UserFactory
from tests.tickets.test_collision import headers_for, own_channel_prefix  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

MISSING = "00000000-0000-4000-8000-000000000000"


async def open_socket(user, path):
    socket = WebsocketCommunicator(application, path, headers=await sync_to_async(headers_for)(user))
    connected, code = await socket.connect()
    assert connected, code
    return socket


async def next_frame(socket, frame_type, timeout=3):
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


def world():
    """A customer's chat taken by Ana; Sue, a supervisor, may follow it."""
    customer = UserFactory(email="lucia@example.com", name="Lucía")
    ana = AgentFactory(email="ana@example.com", name="Ana", languages=["es"])
    sue = AgentFactory(email="sue@example.com", name="Sue", languages=["en"], supervisor=True)
    chat = services.conversation_start(language="es", customer=customer, with_bot=False)
    AgentProfile.objects.filter(user=ana).update(presence=Presence.ONLINE)
    services.conversation_pick(conversation_id=chat.id, agent=ana)
    return customer, chat, ana, sue


async def test_the_agent_and_a_supervisor_on_one_chat_see_each_other_and_the_customer_hears_nothing():
    """Ana (console) sees Sue viewing; Sue (the chat's page) sees Ana replying and hears that a message arrived,
    without its text; the customer's socket receives no presence frame at all."""
    customer, chat, ana, sue = await sync_to_async(world)()
    customer_socket = await open_socket(None, f"/ws/chat/{chat.id}/?token={visitor_token(chat.id)}")
    await customer_socket.receive_json_from()  # where the chat stands
    ana_socket = await open_socket(ana, f"/ws/agent/chats/{chat.id}/")
    assert (await ana_socket.receive_json_from())["people"] == []
    sue_socket = await open_socket(sue, f"/ws/agent/chats/{chat.id}/?follow=1")
    assert (await sue_socket.receive_json_from())["people"] == [
        {"user": ana.pk, "name": "Ana", "state": "viewing", "mode": ""}]
    assert await next_frame(ana_socket, "viewing") == {"type": "viewing", "user": sue.pk, "name": "Sue"}

    await ana_socket.send_json_to({"type": "replying", "mode": "reply"})
    assert await next_frame(sue_socket, "replying") == {"type": "replying", "user": ana.pk, "name": "Ana",
                                                        "mode": "reply"}
    await sync_to_async(services.message_post)(conversation_id=chat.id, sender_kind=SenderKind.AGENT,
                                               sender=ana, body="¡Hola, Lucía!")
    news = await next_frame(sue_socket, "chat_message")
    assert news == {"type": "chat_message", "conversation": str(chat.id), "seq": news["seq"], "sender": "agent"}
    assert await ana_socket.receive_nothing(timeout=0.3)  # no chat_message without ?follow=1

    await sue_socket.disconnect()
    assert await next_frame(ana_socket, "left") == {"type": "left", "user": sue.pk, "name": "Sue"}
    frames = []
    while not await customer_socket.receive_nothing(timeout=0.3):
        frames.append(await customer_socket.receive_json_from())
    assert [f["type"] for f in frames] == ["message"]  # Ana's message; nothing of who views or types
    await ana_socket.disconnect()
    await customer_socket.disconnect()


async def test_customers_visitors_and_unknown_chats_are_refused():
    """The chat's own customer and anonymous sockets get permission_denied and 4403; a missing chat not_found and
    4404."""
    customer, chat, ana, _sue = await sync_to_async(world)()
    for user, path, code, close_code in [
            (customer, f"/ws/agent/chats/{chat.id}/", "permission_denied", 4403),
            (None, f"/ws/agent/chats/{chat.id}/?follow=1", "permission_denied", 4403),
            (ana, f"/ws/agent/chats/{MISSING}/", "not_found", 4404)]:
        socket = await open_socket(user, path)
        error = await socket.receive_json_from(timeout=3)
        assert (error["type"], error["code"]) == ("error", code) and error["detail"]
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": close_code}
