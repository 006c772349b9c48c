"""The customer's chat socket over the real Redis channel layer: queue position, messages stored then delivered,
resume after a drop with nothing lost or doubled, frame validation, and no entry to someone else's chat."""

import pytest
from channels.testing.websocket import WebsocketCommunicator

from livechat import services
from livechat.models import ChatMessage, SenderKind
from livechat.tokens import visitor_token
from support.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = [(b"origin", b"http://localhost")]


def online_agent(language):
    from support.models import AgentProfile, Presence
    from tests.factories import AgentFactory

    agent = AgentFactory(languages=[language])
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    return agent


def start(language="es"):
    chat = services.conversation_start(language=language, visitor_name="Lucía", visitor_email="l@example.com")
    return chat, visitor_token(chat.id)


async def connect(chat, token):
    communicator = WebsocketCommunicator(application, f"/ws/chat/{chat.id}/?token={token}", headers=ORIGIN)
    connected, code = await communicator.connect()
    assert connected, code
    return communicator


async def refused_with(communicator):
    """The close code of a refused socket: accepted, then closed at once, so browsers see the code."""
    connected, _subprotocol = await communicator.connect()
    assert connected
    closing = await communicator.receive_output(timeout=3)
    assert closing["type"] == "websocket.close"
    return closing["code"]


async def receive_until(communicator, frame_type, timeout=3):
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


async def test_messages_are_stored_then_delivered_and_resume_loses_nothing():
    from asgiref.sync import sync_to_async

    chat, token = await sync_to_async(start)()
    socket = await connect(chat, token)
    queue = await receive_until(socket, "queue")
    assert queue["position"] == 1 and queue["eta_seconds"] is None
    await socket.send_json_to({"type": "message", "body": "Hola", "client_msg_id": "m1"})
    echoed = await receive_until(socket, "message")
    assert (echoed["seq"], echoed["body"], echoed["sender"], echoed["client_msg_id"]) == (1, "Hola", "customer", "m1")
    await socket.send_json_to({"type": "message", "body": "Hola", "client_msg_id": "m1"})  # resent after a doubt
    await socket.disconnect()

    # While the customer is away, an agent takes the chat and writes twice.
    agent = await sync_to_async(online_agent)("es")
    await sync_to_async(services.conversation_pick)(conversation_id=chat.id, agent=agent)
    for text in ("Buenas", "¿En qué te ayudo?"):
        await sync_to_async(services.message_post)(conversation_id=chat.id, sender_kind=SenderKind.AGENT, body=text,
                                                   sender=agent)
    socket = await connect(chat, token)
    await socket.send_json_to({"type": "resume", "after_seq": 1})
    missed = [await receive_until(socket, "message") for _ in range(2)]
    assert [(m["seq"], m["body"]) for m in missed] == [(2, "Buenas"), (3, "¿En qué te ayudo?")]
    assert await socket.receive_nothing(timeout=0.3)
    assert await sync_to_async(ChatMessage.objects.filter(conversation=chat).count)() == 3
    await socket.disconnect()


async def test_bad_frames_get_an_error_frame_and_the_socket_stays_open(settings):
    from asgiref.sync import sync_to_async

    settings.LIVECHAT_MESSAGE_MAX_CHARS = 10
    chat, token = await sync_to_async(start)()
    socket = await connect(chat, token)
    await receive_until(socket, "queue")
    for raw, code in [("not json", "malformed"), ("[1, 2]", "malformed"), ('{"type": "shout"}', "unknown_type"),
                      ('{"type": "message", "body": ""}', "invalid_body"),
                      ('{"type": "message", "body": "' + "x" * 11 + '"}', "body_too_long"),
                      ('{"type": "message", "body": "ok", "client_msg_id": 5}', "invalid_client_msg_id"),
                      ('{"type": "resume", "after_seq": "x"}', "invalid_after_seq"),
                      ('{"type": "message", "body": "' + "[" * 1000 + '"}', "body_too_long"),
                      ('{"type": "message", "body": ' + "[" * 1000 + "]" * 1000 + '}', "malformed"),
                      ('{"type": "message", "body": "a\\u0000b"}', "invalid_text"),
                      ('{"type": "message", "body": "a\\ud800b"}', "invalid_text"),
                      ('{"type": "message", "body": "ok", "client_msg_id": "\\udfff"}', "invalid_text"),
                      ('{"type": "message", "body": "hi", "conversation": "00000000-0000-4000-8000-000000000000"}',
                       "not_your_chat"),
                      ('{"type": "resume", "after_seq": 0, "conversation": "someone-elses"}', "not_your_chat")]:
        await socket.send_to(text_data=raw)
        error = await receive_until(socket, "error")
        assert error["code"] == code, raw
    assert await sync_to_async(ChatMessage.objects.count)() == 0
    await socket.send_json_to({"type": "message", "body": "still here"})
    assert (await receive_until(socket, "message"))["body"] == "still here"
    await socket.disconnect()


async def test_no_entry_to_someone_elses_chat():
    from asgiref.sync import sync_to_async

    mine, my_token = await sync_to_async(start)()
    theirs, _their_token = await sync_to_async(start)()
    for path in (f"/ws/chat/{theirs.id}/?token={my_token}", f"/ws/chat/{theirs.id}/?token=forged",
                 f"/ws/chat/{theirs.id}/"):
        communicator = WebsocketCommunicator(application, path, headers=ORIGIN)
        assert await refused_with(communicator) == 4404


async def test_queue_position_updates_live_and_closing_tells_the_customer():
    from asgiref.sync import sync_to_async

    first, _ = await sync_to_async(start)()
    second, token = await sync_to_async(start)()
    socket = await connect(second, token)
    assert (await receive_until(socket, "queue"))["position"] == 2
    await sync_to_async(services.conversation_close)(conversation_id=first.id, by="customer")
    assert (await receive_until(socket, "queue"))["position"] == 1
    await socket.send_json_to({"type": "close"})
    closed = await receive_until(socket, "closed")
    assert closed["by"] == "customer"
    await socket.send_json_to({"type": "message", "body": "late"})
    assert (await receive_until(socket, "error"))["code"] == "chat_closed"
    await socket.disconnect()


async def test_a_flooding_socket_is_slowed_down(settings):
    from asgiref.sync import sync_to_async

    settings.LIVECHAT_FRAMES_PER_10S = 5
    chat, token = await sync_to_async(start)()
    socket = await connect(chat, token)
    await receive_until(socket, "queue")
    for n in range(8):
        await socket.send_json_to({"type": "message", "body": f"spam {n}", "client_msg_id": f"s{n}"})
    limited = await receive_until(socket, "error")
    assert limited["code"] == "rate_limited" and 0 < limited["retry_after"] <= 10
    await socket.receive_nothing(timeout=0.5)
    assert await sync_to_async(ChatMessage.objects.filter(conversation=chat).count)() == 5
    await socket.disconnect()


async def test_the_customer_answers_the_bot_over_the_socket(settings):
    from asgiref.sync import sync_to_async

    from chatbot import defaults
    from chatbot.models import BotText, HumanOnlyTopic, IntentExample, IntentPhrase
    from helpcenter import demo

    settings.LIVECHAT_BOT_ENABLED = True
    await sync_to_async(defaults.install)(BotText, IntentPhrase, HumanOnlyTopic)
    await sync_to_async(defaults.install_examples)(IntentExample)
    await sync_to_async(demo.seed)(progress=lambda *a: None)
    chat, token = await sync_to_async(start)("en")
    socket = await connect(chat, token)
    assert (await receive_until(socket, "bot"))["type"] == "bot"
    await socket.send_json_to({"type": "resume", "after_seq": 0})
    greeting = await receive_until(socket, "message")
    assert greeting["sender"] == "bot"
    await socket.send_json_to({"type": "message", "body": "how do I reset my password", "client_msg_id": "q1"})
    answer = await receive_until(socket, "message")
    while answer["sender"] != "bot":
        answer = await receive_until(socket, "message")
    assert answer["meta"]["ask_helpful"] and answer["meta"]["articles"]
    await socket.send_json_to({"type": "bot_feedback", "helpful": "yes"})
    assert (await receive_until(socket, "error"))["code"] == "invalid_helpful"
    await socket.send_json_to({"type": "bot_feedback", "helpful": True})
    thanks = await receive_until(socket, "message")
    assert thanks["sender"] == "bot" and "welcome" in thanks["body"]
    await socket.disconnect()
