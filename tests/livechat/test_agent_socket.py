"""The agent socket: a snapshot on connect, chats arriving as they are routed, messages both ways with the
customer's socket over Redis, and no frame for a chat that is not the agent's."""
import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from livechat import services
from livechat.models import Conversation
from livechat.tokens import visitor_token
from support.asgi import application
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory, UserFactory

from .test_consumers import ORIGIN, receive_until, refused_with

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def frames_within(socket, seconds):
    """Every frame the socket receives until it has been quiet for `seconds`."""
    frames = []
    while not await socket.receive_nothing(timeout=seconds):
        frames.append(await socket.receive_json_from())
    return frames


def session_headers(user):
    client = Client()
    client.force_login(user)
    return [*ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def agent_socket(agent):
    headers = await sync_to_async(session_headers)(agent)
    socket = WebsocketCommunicator(application, "/ws/agent/", headers=headers)
    connected, code = await socket.connect()
    assert connected, code
    return socket


async def test_agent_and_customer_talk_over_their_sockets():
    agent = await sync_to_async(AgentFactory)(languages=["es"], capacity=2, name="Marta")
    socket = await agent_socket(agent)
    snapshot = await receive_until(socket, "snapshot")
    assert snapshot["presence"] == "offline" and snapshot["queues"] == [
        {"language": "es", "waiting": 0, "longest_wait_seconds": 0, "chats": []}] and snapshot["chats"] == []
    await socket.send_json_to({"type": "presence", "presence": "online"})
    assert (await receive_until(socket, "presence"))["presence"] == "online"

    chat = await sync_to_async(services.conversation_start)(language="es", visitor_name="Lucía",
                                                           visitor_email="l@example.com")
    assigned = await receive_until(socket, "chat_assigned")
    assert assigned["conversation"] == str(chat.id)
    customer = WebsocketCommunicator(application, f"/ws/chat/{chat.id}/?token={visitor_token(chat.id)}",
                                     headers=ORIGIN)
    assert (await customer.connect())[0]
    await customer.send_json_to({"type": "message", "body": "Hola", "client_msg_id": "c1"})
    got = await receive_until(socket, "message")
    assert (got["conversation"], got["body"], got["sender"]) == (str(chat.id), "Hola", "customer")
    await socket.send_json_to({"type": "message", "conversation": str(chat.id), "body": "¡Hola, Lucía!"})
    reply = await receive_until(customer, "message")
    while reply["sender"] != "agent":
        reply = await receive_until(customer, "message")
    assert reply["body"] == "¡Hola, Lucía!" and "conversation" not in reply
    assert (await receive_until(socket, "message"))["seq"] == 2  # the agent's own message, as stored
    # A console that reloads asks for the chat's history and gets it, with the chat id on every frame.
    await socket.send_json_to({"type": "resume", "conversation": str(chat.id), "after_seq": 0})
    replayed = [await receive_until(socket, "message") for _ in range(2)]
    assert [(m["seq"], m["conversation"]) for m in replayed] == [(1, str(chat.id)), (2, str(chat.id))]
    await socket.send_json_to({"type": "close", "conversation": str(chat.id)})
    assert (await receive_until(customer, "closed"))["by"] == "agent"
    await customer.disconnect()
    await socket.disconnect()


async def test_frames_for_other_chats_are_refused_and_customers_cannot_connect():
    agent = await sync_to_async(AgentFactory)(email="a@example.com", languages=["en"])
    other = await sync_to_async(AgentFactory)(email="b@example.com", languages=["en"])
    await sync_to_async(AgentProfile.objects.filter(user=other).update)(presence=Presence.ONLINE)
    chat = await sync_to_async(services.conversation_start)(language="en", visitor_name="V", visitor_email="v@x.com")
    await sync_to_async(services.conversations_route)(language="en")
    socket = await agent_socket(agent)
    await receive_until(socket, "snapshot")
    for frame, code in [({"type": "message", "conversation": str(chat.id), "body": "hi"}, "not_your_chat"),
                        ({"type": "close", "conversation": str(chat.id)}, "not_your_chat"),
                        ({"type": "resume", "conversation": str(chat.id), "after_seq": 0}, "not_your_chat"),
                        ({"type": "message", "conversation": "nope", "body": "hi"}, "invalid_conversation"),
                        ({"type": "pick", "conversation": "nope"}, "invalid_conversation"),
                        ({"type": "pick", "conversation": str(chat.id)}, "chat_not_available"),
                        ({"type": "presence", "presence": "asleep"}, "invalid_presence")]:
        await socket.send_json_to(frame)
        assert (await receive_until(socket, "error"))["code"] == code, frame
    assert await sync_to_async(lambda: Conversation.objects.get(pk=chat.id).messages.count())() == 0
    # Nothing about the chat reaches this agent; the desk's overview (queue and ticket counts, from the routing
    # above) may still arrive late on a busy machine.
    late = await frames_within(socket, 0.3)
    assert [frame for frame in late if frame["type"] not in ("queues", "tickets")] == []
    await socket.disconnect()

    customer = await sync_to_async(UserFactory)(email="c@example.com")
    headers = await sync_to_async(session_headers)(customer)
    assert await refused_with(WebsocketCommunicator(application, "/ws/agent/", headers=headers)) == 4403
    assert await refused_with(WebsocketCommunicator(application, "/ws/agent/", headers=ORIGIN)) == 4403


async def test_transfer_to_another_language_moves_the_customer_to_that_queue_and_a_dropped_agent_is_told():
    from datetime import timedelta

    from django.utils import timezone

    agent = await sync_to_async(AgentFactory)(email="t@example.com", languages=["ko"], capacity=1)
    await sync_to_async(AgentProfile.objects.filter(user=agent).update)(presence=Presence.ONLINE,
                                                                       last_seen_at=timezone.now())
    waiting_english = await sync_to_async(services.conversation_start)(language="en", visitor_name="E",
                                                                       visitor_email="e@x.com")
    chat = await sync_to_async(services.conversation_start)(language="ko", visitor_name="K", visitor_email="k@x.com")
    assert (await sync_to_async(Conversation.objects.get)(pk=chat.id)).agent_id == agent.pk  # routed at once
    customer = WebsocketCommunicator(application, f"/ws/chat/{chat.id}/?token={visitor_token(chat.id)}",
                                     headers=ORIGIN)
    assert (await customer.connect())[0]
    assigned = await receive_until(customer, "assigned")
    from verification.selectors import conversation_code

    code = await sync_to_async(lambda: conversation_code(agent, f"chat:{chat.id}"))()
    private = await sync_to_async(lambda: AgentProfile.objects.get(user=agent).verification_code)()
    assert assigned["agent_code"] == code and len(code) == 8 and code != private  # this chat's code
    await sync_to_async(services.conversation_transfer)(conversation_id=chat.id, by=agent, to_language="en")
    queue = await receive_until(customer, "queue")
    assert queue["position"] == 2  # in the English queue now (behind the chat waiting there since before)
    await sync_to_async(services.conversation_close)(conversation_id=waiting_english.id, by="customer")
    assert (await receive_until(customer, "queue"))["position"] == 1  # and it follows the English queue
    await customer.disconnect()

    socket = await agent_socket(agent)
    await receive_until(socket, "snapshot")
    await sync_to_async(services.agents_dropped_requeue)(now=timezone.now() + timedelta(minutes=5))
    assert (await receive_until(socket, "presence"))["presence"] == "offline"
    await socket.disconnect()
