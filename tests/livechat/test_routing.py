"""Routing: oldest chat first per language, to the online agent of that language with the most free seats (ties:
longest idle), never over capacity, never twice, also with several routers at once."""
import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from livechat import selectors, services
from livechat.models import ChatMessage, Conversation, ConversationStatus, SenderKind
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def online(**kwargs):
    agent = AgentFactory(**kwargs)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    agent.agent_profile.refresh_from_db()
    return agent


def start(language="en", **kwargs):
    return services.conversation_start(language=language, visitor_name="V", visitor_email="v@example.com", **kwargs)


def test_oldest_chat_of_the_language_goes_first(django_capture_on_commit_callbacks):
    first, second = start("ja"), start("ja")
    english = start("en")
    agent = online(languages=["ja"], capacity=1)
    assert services.conversations_route(language="ja") == 1
    first.refresh_from_db(), second.refresh_from_db(), english.refresh_from_db()
    assert (first.status, first.agent) == (ConversationStatus.ACTIVE, agent)
    assert second.status == ConversationStatus.QUEUED and english.status == ConversationStatus.QUEUED
    assert selectors.queue_position(conversation=second) == 1


def test_most_free_seats_then_longest_idle():
    busy = online(email="busy@example.com", languages=["es"], capacity=3)
    roomy = online(email="roomy@example.com", languages=["es"], capacity=5)
    services.conversations_route(language="es")  # nothing waiting yet
    chat = start("es")
    services.conversations_route(language="es")
    chat.refresh_from_db()
    assert chat.agent == roomy
    AgentProfile.objects.filter(user=roomy).update(capacity=3)
    # Now both have free seats: roomy 2, busy 3 -> busy.
    second = start("es")
    services.conversations_route(language="es")
    second.refresh_from_db()
    assert second.agent == busy
    # Equal free seats (2 and 2): the one idle longest gets the next chat.
    AgentProfile.objects.filter(user=busy).update(last_chat_at=timezone.now())
    AgentProfile.objects.filter(user=roomy).update(capacity=4, last_chat_at=timezone.now() - timedelta(hours=1))
    third = start("es")
    services.conversations_route(language="es")
    third.refresh_from_db()
    assert third.agent == roomy


def test_language_away_and_capacity_are_respected():
    online(email="en@example.com", languages=["en"], capacity=5)
    away = AgentFactory(email="away@example.com", languages=["ko"], capacity=5)
    AgentProfile.objects.filter(user=away).update(presence=Presence.AWAY)
    korean = start("ko")
    assert services.conversations_route(language="ko") == 0
    korean.refresh_from_db()
    assert korean.status == ConversationStatus.QUEUED and korean.agent is None

    ko_agent = online(email="ko@example.com", languages=["ko"], capacity=2)
    for _ in range(3):
        start("ko")
    services.conversations_route(language="ko")
    assert Conversation.objects.filter(agent=ko_agent, status=ConversationStatus.ACTIVE).count() == 2
    assert Conversation.objects.filter(language="ko", status=ConversationStatus.QUEUED).count() == 2


def test_closing_a_chat_frees_the_seat_for_the_next(django_capture_on_commit_callbacks):
    agent = online(languages=["ru"], capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first, second = start("ru"), start("ru")
    first.refresh_from_db()
    assert first.agent == agent
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_close(conversation_id=first.pk, by="agent", actor=agent)
    second.refresh_from_db()
    assert second.agent == agent and second.status == ConversationStatus.ACTIVE
    assert ChatMessage.objects.filter(conversation=first, sender_kind=SenderKind.SYSTEM).get().body == \
        "closed_by_agent"


def test_coming_online_picks_up_waiting_chats(django_capture_on_commit_callbacks):
    agent = AgentFactory(languages=["zh-hans", "en"], capacity=2)
    chats = [start("zh-hans"), start("en")]
    with django_capture_on_commit_callbacks(execute=True):
        services.agent_presence_set(agent=agent, presence=Presence.ONLINE)
    assert Conversation.objects.filter(pk__in=[c.pk for c in chats], agent=agent).count() == 2


def test_estimate_is_measured_and_says_when_it_is_a_guess():
    chat = start("en")
    assert selectors.queue_estimate(language="en", position=1)["eta_seconds"] is None  # nobody online
    online(languages=["en"], capacity=2)
    guess = selectors.queue_estimate(language="en", position=4)
    assert guess["guess"] and guess["eta_seconds"] == 4 * 300 // 2
    now = timezone.now()
    Conversation.objects.filter(pk=chat.pk).update(
        status=ConversationStatus.CLOSED, assigned_at=now - timedelta(minutes=10), closed_at=now)
    measured = selectors.queue_estimate(language="en", position=4)
    assert not measured["guess"] and measured["eta_seconds"] == 4 * 600 // 2
    assert measured["low"] < measured["eta_seconds"] < measured["high"]


def test_a_resent_message_is_stored_once_and_sequence_numbers_are_dense():
    chat = start("en")
    first, created = services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.CUSTOMER, body="hi",
                                           client_msg_id="c-1")
    again, created_again = services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.CUSTOMER,
                                                 body="hi", client_msg_id="c-1")
    second, _ = services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.CUSTOMER, body="there",
                                      client_msg_id="c-2")
    assert created and not created_again and again.pk == first.pk
    assert [m.seq for m in selectors.messages_after(conversation=chat)] == [1, 2]
    assert [m.body for m in selectors.messages_after(conversation=chat, after_seq=1)] == ["there"]
    services.conversation_close(conversation_id=chat.pk, by="customer")
    with pytest.raises(services.ChatClosed):
        services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.CUSTOMER, body="late")


@pytest.mark.django_db(transaction=True)
def test_many_routers_at_once_assign_every_chat_once_and_keep_capacity():
    """200 chats, 20 agents, 6 routers running concurrently on their own connections."""
    agents = [online(email=f"a{n}@example.com", languages=["en"], capacity=10) for n in range(20)]
    for _ in range(200):
        Conversation.objects.create(language="en", status=ConversationStatus.QUEUED, queued_at=timezone.now())
    errors = []

    def router():
        try:
            services.conversations_route(language="en")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=router) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Conversation.objects.filter(status=ConversationStatus.QUEUED).count() == 0
    loads = {a.pk: Conversation.objects.filter(agent=a, status=ConversationStatus.ACTIVE).count() for a in agents}
    assert set(loads.values()) == {10}  # 200 chats over 20 agents of capacity 10: full, never over
    assert Conversation.objects.filter(status=ConversationStatus.ACTIVE).count() == 200


def test_overflow_offers_a_long_waiting_chat_to_another_language_only_if_the_customer_accepted_it():
    from livechat.models import LanguageOverflow

    LanguageOverflow.objects.create(language="ko", overflow_to="en", after_seconds=180)
    english_agent = online(languages=["en"], capacity=3)
    accepts = services.conversation_start(language="ko", visitor_name="A", visitor_email="a@example.com",
                                          also_speaks=["en"])
    refuses = services.conversation_start(language="ko", visitor_name="B", visitor_email="b@example.com")
    assert services.conversations_route(language="en") == 0  # not waited long enough yet
    Conversation.objects.update(queued_at=timezone.now() - timedelta(minutes=4))
    assert services.conversations_route(language="en") == 1
    accepts.refresh_from_db(), refuses.refresh_from_db()
    assert accepts.agent == english_agent and accepts.overflowed and accepts.language == "ko"
    assert refuses.status == ConversationStatus.QUEUED


@pytest.mark.django_db(transaction=True)
def test_no_wake_up_is_lost_when_agents_come_online_while_chats_join_the_queue():
    """The two wake-ups race: agents coming online take waiting chats (agent_route locks the agent, then chats,
    skipping locked ones) while chats joining the queue look for agents (conversations_route locks a chat, then an
    agent, skipping locked ones). Each may skip what the other holds; neither may leave a chat waiting beside a free
    seat (no safety-net beat runs here). 12 agents of three languages, 60 chats, 60 seats: all routed."""
    from tests.livechat.test_bot_stage import free_seat_waits

    languages = ("ja", "ko", "en")
    agents = [AgentFactory(email=f"{lang}{n}@example.com", languages=[lang], capacity=5)
              for lang in languages for n in range(4)]
    barrier = threading.Barrier(len(agents) + 2 * len(languages))
    errors = []

    def run(work):
        try:
            barrier.wait(timeout=30)
            work()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    def come_online(agent):
        return lambda: services.agent_presence_set(agent=agent, presence=Presence.ONLINE)

    def customers(language):
        return lambda: [start(language) for _ in range(10)]

    threads = [threading.Thread(target=run, args=(come_online(agent),)) for agent in agents]
    threads += [threading.Thread(target=run, args=(customers(lang),)) for lang in languages for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert free_seat_waits() == []
    assert Conversation.objects.filter(status=ConversationStatus.ACTIVE).count() == 60
