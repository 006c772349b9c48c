"""Chat lifecycle beyond routing: manual pick, transfer keeping the queue place, agents leaving or dropping,
leave-a-message to a ticket with the transcript, idle close, and one rating per closed chat."""
from datetime import timedelta

import pytest
from django.utils import timezone

from livechat import services
from livechat.models import ChatMessage, Conversation, ConversationStatus, SenderKind
from support.models import AgentProfile, Presence, User
from tests.factories import AgentFactory
from tickets.models import Channel

pytestmark = pytest.mark.django_db


def online(**kwargs):
    agent = AgentFactory(**kwargs)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE, last_seen_at=timezone.now())
    return agent


def start(language="en", **kwargs):
    return services.conversation_start(language=language, visitor_name="Kim", visitor_email="kim@example.com",
                                       **kwargs)


def test_manual_pick_respects_language_and_capacity():
    agent = online(languages=["ko"], capacity=1)
    korean, english, korean_two = start("ko"), start("en"), start("ko")
    with pytest.raises(services.ChatNotAvailable):
        services.conversation_pick(conversation_id=english.pk, agent=agent)
    services.conversation_pick(conversation_id=korean_two.pk, agent=agent)  # not only the oldest: a choice
    with pytest.raises(services.ChatNotAvailable) as full:
        services.conversation_pick(conversation_id=korean.pk, agent=agent)
    assert full.value.code == "no_free_seat"
    korean_two.refresh_from_db()
    assert korean_two.agent == agent and Conversation.objects.get(pk=korean.pk).status == ConversationStatus.QUEUED
    with pytest.raises(services.ChatNotAvailable):
        services.conversation_pick(conversation_id=korean_two.pk, agent=online(email="b@x.com", languages=["ko"]))


def test_transfer_to_another_language_keeps_the_place_at_the_front():
    agent = online(languages=["ko", "en"], capacity=1)
    early = start("ko")
    services.conversations_route(language="ko")
    waiting_english = start("en")
    services.conversation_transfer(conversation_id=early.pk, by=agent, to_language="en")
    early.refresh_from_db()
    assert early.status == ConversationStatus.QUEUED and early.language == "en" and early.agent is None
    # It was queued before the English chat, so it is first in the English queue.
    first = Conversation.objects.filter(status="queued", language="en").order_by("queued_at", "id").first()
    assert first == early and waiting_english.pk != first.pk
    assert ChatMessage.objects.filter(conversation=early, sender_kind=SenderKind.SYSTEM,
                                      body="transferred_to_queue").exists()


def test_transfer_to_an_agent_needs_their_language_and_a_seat():
    agent = online(languages=["es"], capacity=2)
    chat = start("es")
    services.conversations_route(language="es")
    english_only = online(email="en@example.com", languages=["en"])
    with pytest.raises(services.ChatNotAvailable):
        services.conversation_transfer(conversation_id=chat.pk, by=agent, to_agent=english_only)
    colleague = online(email="es2@example.com", languages=["es"])
    services.conversation_transfer(conversation_id=chat.pk, by=agent, to_agent=colleague)
    chat.refresh_from_db()
    assert chat.agent == colleague and chat.status == ConversationStatus.ACTIVE
    with pytest.raises(services.ChatNotAvailable):  # no longer the first agent's chat
        services.conversation_transfer(conversation_id=chat.pk, by=agent, to_language="en")


def test_going_offline_requeues_at_once_and_dropping_after_the_grace_period(settings):
    settings.LIVECHAT_AGENT_GRACE_SECONDS = 60
    leaving = online(email="leaving@example.com", languages=["ru"], capacity=1)
    chat = start("ru")
    services.conversations_route(language="ru")
    services.agent_presence_set(agent=leaving, presence=Presence.OFFLINE)
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.QUEUED and chat.agent is None

    dropping = online(email="dropping@example.com", languages=["ru"], capacity=1)
    services.conversations_route(language="ru")
    chat.refresh_from_db()
    assert chat.agent == dropping
    assert services.agents_dropped_requeue(now=timezone.now() + timedelta(seconds=30)) == 0  # within grace
    assert services.agents_dropped_requeue(now=timezone.now() + timedelta(seconds=61)) == 1
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.QUEUED
    assert AgentProfile.objects.get(user=dropping).presence == Presence.OFFLINE


def test_leaving_a_message_makes_a_chat_ticket_with_the_transcript(mailbox):
    chat = start("ja", topic="出金が届かない")
    services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.CUSTOMER, body="TXID は abc123 です")
    ticket = services.conversation_leave_message(conversation_id=chat.pk, body="返信をメールでください")
    assert ticket.channel == Channel.CHAT and ticket.language == "ja" and ticket.subject == "出金が届かない"
    first = ticket.messages.get()
    assert "返信をメールでください" in first.body and "TXID は abc123 です" in first.body
    assert ticket.requester == User.objects.get(email="kim@example.com")  # a visitor gets an account
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.CLOSED and chat.ticket == ticket
    assert services.conversation_leave_message(conversation_id=chat.pk) == ticket  # twice: one ticket


def test_idle_chats_close_with_a_system_message(settings):
    settings.LIVECHAT_IDLE_MINUTES = 10
    online(languages=["en"], capacity=3)
    quiet, talking = start(), start()
    services.conversations_route(language="en")
    services.message_post(conversation_id=talking.pk, sender_kind=SenderKind.CUSTOMER, body="still here")
    Conversation.objects.filter(pk=talking.pk).update(last_customer_message_at=timezone.now() + timedelta(minutes=5))
    assert services.conversations_close_idle(now=timezone.now() + timedelta(minutes=11)) == 1
    quiet.refresh_from_db(), talking.refresh_from_db()
    assert quiet.status == ConversationStatus.CLOSED and quiet.closed_by == "system"
    assert talking.status == ConversationStatus.ACTIVE
    assert quiet.messages.filter(sender_kind=SenderKind.SYSTEM, body="closed_by_system").exists()


def test_a_closed_chat_is_rated_once():
    chat = start()
    with pytest.raises(services.RatingRefused):
        services.conversation_rate(conversation_id=chat.pk, score=5)  # not closed yet
    services.conversation_close(conversation_id=chat.pk, by="customer")
    for bad in (0, 6, "5", None):
        with pytest.raises(services.RatingRefused):
            services.conversation_rate(conversation_id=chat.pk, score=bad)
    rated = services.conversation_rate(conversation_id=chat.pk, score=4, comment=" Rápido ")
    assert (rated.csat_score, rated.csat_comment) == (4, "Rápido")
    with pytest.raises(services.RatingRefused):
        services.conversation_rate(conversation_id=chat.pk, score=1)


def test_a_visitor_cannot_file_a_ticket_into_someone_elses_account():
    """A typed email proves nothing, whoever files the chat (the visitor leaving a message, or the agent who talked
    with them): the ticket is held under the address as Identity.TYPED, which the account does not see, until the
    address's owner confirms it (tests/tickets/test_identity.py follows the whole way)."""
    from tests.factories import UserFactory
    from tickets.models import Identity
    from tickets.selectors import ticket_list_for_user

    owner = UserFactory(email="owner@example.com")
    chat = services.conversation_start(language="en", visitor_name="Mallory", visitor_email="OWNER@example.com")
    left = services.conversation_leave_message(conversation_id=chat.pk, body="please change my withdrawal address")
    converted_chat = services.conversation_start(language="en", visitor_name="Mallory",
                                                 visitor_email="owner@example.com")
    agent = online(languages=["en"])
    services.conversation_pick(conversation_id=converted_chat.pk, agent=agent)
    converted = services.conversation_leave_message(conversation_id=converted_chat.pk, by="agent", actor=agent)
    for ticket in (left, converted):
        assert ticket.requester == owner and ticket.identity == Identity.TYPED and not ticket.requester_proven
    assert not ticket_list_for_user(user=owner).exists()


def test_agents_act_only_on_their_own_active_chats_even_after_a_reassignment():
    first = online(email="first@example.com", languages=["en"], capacity=1)
    chat = start()
    services.conversations_route(language="en")
    services.conversations_requeue_for_agent(agent=first)  # dropped: the chat goes back and on to someone else
    second = online(email="second@example.com", languages=["en"], capacity=1)
    services.conversations_route(language="en")
    for late in (lambda: services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.AGENT, body="late",
                                               sender=first),
                 lambda: services.conversation_close(conversation_id=chat.pk, by="agent", actor=first),
                 lambda: services.conversation_leave_message(conversation_id=chat.pk, by="agent", actor=first),
                 lambda: services.conversation_transfer(conversation_id=chat.pk, by=first, to_language="es")):
        with pytest.raises(services.ChatNotAvailable):
            late()
    chat.refresh_from_db()
    assert chat.agent == second and chat.status == ConversationStatus.ACTIVE


def test_only_online_agents_pick_chats_and_ratings_are_numbers():
    agent = AgentFactory(languages=["en"])  # offline
    chat = start()
    with pytest.raises(services.ChatNotAvailable):
        services.conversation_pick(conversation_id=chat.pk, agent=agent)
    services.conversation_close(conversation_id=chat.pk, by="customer")
    with pytest.raises(services.RatingRefused):
        services.conversation_rate(conversation_id=chat.pk, score=True)
