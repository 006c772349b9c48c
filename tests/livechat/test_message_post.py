"""Storing a chat message (one statement: lock, checks, next sequence number, insert): what it changes on the chat,
who is refused and why, and resends, also when two copies of the same message arrive at the same moment."""
import io
import threading

import pytest
from django.db import close_old_connections
from django.utils import timezone
from PIL import Image

from livechat import services
from livechat.models import ChatMessage, Conversation, ConversationStatus, SenderKind
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def active_chat(agent=None):
    agent = agent or AgentFactory(languages=["en"])
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    chat = services.conversation_start(language="en", visitor_name="V", visitor_email="v@example.com", with_bot=False)
    services.conversations_route(language="en")  # (after commit it may already have been routed)
    chat.refresh_from_db()
    assert chat.agent_id == agent.pk
    return chat, agent


def test_customer_and_agent_messages_update_the_chat():
    chat, agent = active_chat()
    before = timezone.now()
    message, created = services.customer_message_post(conversation_id=chat.pk, body="hello", client_msg_id="c1")
    assert created and message.seq == 1 and message.chat_status == ConversationStatus.ACTIVE
    chat.refresh_from_db()
    assert chat.last_seq == 1 and chat.last_customer_message_at >= before and chat.first_agent_reply_at is None
    assert chat.agent_read_seq == 0  # the customer's message is unread for the agent

    reply, _ = services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.AGENT, sender=agent, body="hi")
    chat.refresh_from_db()
    first_reply = chat.first_agent_reply_at
    assert reply.seq == 2 and first_reply is not None
    assert chat.agent_read_seq == 2  # one's own message is not unread
    services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.AGENT, sender=agent, body="again")
    chat.refresh_from_db()
    assert chat.first_agent_reply_at == first_reply and chat.last_seq == 3 and chat.agent_read_seq == 3
    stored = ChatMessage.objects.get(conversation=chat, seq=1)
    assert (stored.body, stored.sender_kind, stored.client_msg_id, stored.meta) == ("hello", "customer", "c1", {})


def test_refusals_store_nothing():
    chat, agent = active_chat()
    other = AgentFactory(languages=["en"])
    with pytest.raises(services.ChatNotAvailable):
        services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.AGENT, sender=other, body="mine?")
    with pytest.raises(services.ChatNotAvailable):
        services.message_post(conversation_id="7b0c2a4e-0000-4000-8000-000000000000",
                              sender_kind=SenderKind.CUSTOMER, body="anyone?")
    services.conversation_close(conversation_id=chat.pk, by="customer")
    closed_seq = Conversation.objects.get(pk=chat.pk).last_seq
    with pytest.raises(services.ChatClosed):
        services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.CUSTOMER, body="late")
    with pytest.raises(services.ChatClosed):
        services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.AGENT, sender=agent, body="late")
    assert Conversation.objects.get(pk=chat.pk).last_seq == closed_seq
    assert not ChatMessage.objects.filter(conversation=chat, body__in=["mine?", "late"]).exists()


def test_a_queued_chat_takes_customer_messages_but_no_agent_messages():
    agent = AgentFactory(languages=["en"])
    chat = services.conversation_start(language="en", visitor_name="V", with_bot=False)
    message, created = services.customer_message_post(conversation_id=chat.pk, body="waiting")
    assert created and message.chat_status == ConversationStatus.QUEUED
    with pytest.raises(services.ChatNotAvailable):
        services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.AGENT, sender=agent, body="no")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_of_one_message_are_stored_once():
    """A client that resends on reconnect can deliver two copies at the same moment: one row, one seq, and every
    caller gets the same message back."""
    chat, _ = active_chat()
    barrier, results, failures = threading.Barrier(6), [], []

    def send():
        try:
            barrier.wait()
            message, created = services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.CUSTOMER,
                                                     body="withdrawal?", client_msg_id="same-id")
            results.append((message.pk, message.seq, created))
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len({pk for pk, _, _ in results}) == 1 and {seq for _, seq, _ in results} == {1}
    assert sum(created for _, _, created in results) == 1
    assert ChatMessage.objects.filter(conversation=chat).count() == 1
    assert Conversation.objects.get(pk=chat.pk).last_seq == 1


def test_the_hand_built_frame_matches_the_api_shape():
    """The websocket frame of a message is built without the serializer (it is on every message's path); it must
    stay exactly what the chat API answers for the same message, with and without files and metadata."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from livechat.events import message_frame
    from livechat.serializers import MessageOutputSerializer

    chat, agent = active_chat()
    plain, _ = services.customer_message_post(conversation_id=chat.pk, body="hello <b>", client_msg_id="c9")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    png = SimpleUploadedFile("shot.png", buffer.getvalue(), content_type="image/png")
    with_file, _ = services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.AGENT, sender=agent,
                                         body="see", upload=png)
    ChatMessage.objects.filter(pk=plain.pk).update(meta={"articles": [{"id": 1, "title": "T", "url": "/x"}]})
    for message in (plain, with_file, *ChatMessage.objects.filter(conversation=chat).order_by("seq")):
        frame = message_frame(message)
        assert frame.pop("type") == "message"
        assert frame == dict(MessageOutputSerializer(message).data)
    assert message_frame(ChatMessage.objects.get(pk=with_file.pk))["attachments"][0]["filename"] == "shot.png"
