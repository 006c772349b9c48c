"""Every frame type of both sockets in the page's language (issue #24): the agent's socket (snapshot, chats,
queues, the ticket worklist, notifications, errors) and the customer's (state, queue, messages, errors) carry none
of our English catalogue's phrases when opened with ?lang= in another language; in English they do, so the check can
fail."""
import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator

from livechat import services as chat_services
from livechat.tokens import visitor_token
from support.asgi import application
from tests.factories import AgentFactory, UserFactory
from tests.leaks import english_leaks, strings_in
from tests.livechat.test_agent_socket import frames_within, session_headers
from tests.livechat.test_consumers import ORIGIN, receive_until
from tickets import services as ticket_services
from tickets.models import Priority

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

# What a client may send wrong, one frame of each kind: each answers an error frame with a detail for people.
AGENT_MISTAKES = [{"type": "nonsense"}, {"type": "presence", "presence": "asleep"},
                  {"type": "message", "conversation": "00000000-0000-0000-0000-000000000000", "body": "x"},
                  {"type": "read", "conversation": "not-a-chat", "seq": 1},
                  {"type": "pick", "conversation": "00000000-0000-0000-0000-000000000000"},
                  {"type": "message", "conversation": "00000000-0000-0000-0000-000000000000", "body": ""}]
CUSTOMER_MISTAKES = [{"type": "nonsense"}, {"type": "message", "body": ""}, {"type": "message", "body": "x" * 5000},
                     {"type": "bot_feedback", "helpful": "maybe"}, {"type": "csat", "score": 9},
                     {"type": "resume", "after_seq": -1}]


def _work_for(agent):
    customer = UserFactory(email="kunde@example.com", name="林 美")
    ticket = ticket_services.ticket_create(requester=customer, subject="出金", body="出金が止まっています",
                                           priority=Priority.HIGH)
    boss = AgentFactory(email="jefa@example.com", name="陈 静", supervisor=True)
    ticket_services.ticket_update(ticket=ticket, actor=boss, assignee=agent)  # a notification and a worklist line


async def _agent_frames(language):
    agent = await sync_to_async(AgentFactory)(email=f"agente.{language}@example.com", name="王 芳",
                                              languages=["ja"], capacity=2)
    headers = await sync_to_async(session_headers)(agent)
    socket = WebsocketCommunicator(application, f"/ws/agent/?lang={language}", headers=headers)
    assert (await socket.connect())[0]
    frames = [await receive_until(socket, "snapshot")]
    await socket.send_json_to({"type": "tickets"})
    frames.append(await receive_until(socket, "tickets"))
    await socket.send_json_to({"type": "presence", "presence": "online"})
    await sync_to_async(_work_for)(agent)
    chat = await sync_to_async(chat_services.conversation_start)(language="ja", visitor_name="美",
                                                                visitor_email="m@example.com")
    for mistake in AGENT_MISTAKES:
        await socket.send_json_to(mistake)
    frames += await frames_within(socket, 1.5)
    await socket.disconnect()
    return frames, chat


async def _customer_frames(language, chat):
    socket = WebsocketCommunicator(application, f"/ws/chat/{chat.id}/?lang={language}&token={visitor_token(chat.id)}",
                                   headers=ORIGIN)
    assert (await socket.connect())[0]
    for mistake in CUSTOMER_MISTAKES:
        await socket.send_json_to(mistake)
    frames = await frames_within(socket, 1.5)
    await socket.disconnect()
    return frames


@pytest.mark.parametrize("language", ["ja", "ru"])
async def test_agent_and_customer_frames_speak_the_pages_language(language):
    frames, chat = await _agent_frames(language)
    kinds = {frame["type"] for frame in frames}
    assert {"snapshot", "tickets", "presence", "chat_assigned", "notification", "error"} <= kinds, kinds
    customer_frames = await _customer_frames(language, chat)
    assert {"error"} <= {frame["type"] for frame in customer_frames}
    leaks = {phrase for frame in frames + customer_frames for text in strings_in(frame)
             for phrase in english_leaks(text, language)}
    assert leaks == set()
    assert sum(frame["type"] == "error" for frame in frames) == len(AGENT_MISTAKES)


async def test_in_english_the_same_frames_show_the_catalogues_phrases():
    """The check above can fail: the English frames hold phrases of the catalogue (read as if they were Japanese)."""
    frames, chat = await _agent_frames("en")
    frames += await _customer_frames("en", chat)
    leaks = {phrase for frame in frames for text in strings_in(frame) for phrase in english_leaks(text, "ja")}
    assert "This chat is not one of your active chats" in leaks and "Unknown frame type" in leaks
