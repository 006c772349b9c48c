"""The VIP rule of the chat queue (issue #24, livechat/services/queue.py): a VIP customer's chat is served as if it
had joined the queue its tier's minutes earlier (capped), read from the cached exchange profile only, so it passes
chats that joined a little before it and never one that has waited much longer; waits are still measured from
queued_at, and the queue's index still serves the query."""
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from livechat import services
from livechat.models import QUEUE_ORDER, Conversation, ConversationStatus
from livechat.services.queue import queue_keys_fill, vip_boost
from support.models import AgentProfile, Presence
from support.profiles import customer_profile_get, profile_forget
from tests.factories import AgentFactory, UserFactory
from tests.support.exchange_server import profile_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    """A VIP (tier 5), a tier-1 VIP and a regular customer, all linked to the exchange; nothing cached yet."""
    made = {}
    for name, uid in (("vip", "EX-V5"), ("small", "EX-V1"), ("regular", "EX-R0")):
        user = UserFactory(email=f"{name}@example.com")
        user.exchange_uid = uid
        user.save(update_fields=["exchange_uid"])
        profile_forget(customer=user)
        made[name] = user
    yield made
    for user in made.values():
        profile_forget(customer=user)


@pytest.fixture
def tiers(exchange):
    return exchange({("uid", "EX-V5"): profile_json("EX-V5", vip_tier=5),
                     ("uid", "EX-V1"): profile_json("EX-V1", vip_tier=1),
                     ("uid", "EX-R0"): profile_json("EX-R0", vip_tier=0)})


def enqueue(at, customer=None, language="en"):
    """The bot hands a chat over at `at`: the path every chat with the bot takes into the queue."""
    chat = Conversation.objects.create(language=language, customer=customer, visitor_name="" if customer else "V",
                                       status=ConversationStatus.BOT, with_bot=True)
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=chat.pk)
        services.conversation_enqueue_locked(locked, now=at)
    return Conversation.objects.get(pk=chat.pk)


def served_order(language="en", n=3):
    """Which chats an agent of the language is given, one at a time."""
    agent = AgentFactory(languages=[language], capacity=n)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    return [services.conversation_assign_next(language=language).pk for _ in range(n)]


def test_a_vip_chat_passes_a_chat_two_minutes_older_but_not_one_ten_minutes_older(people, tiers):
    """Tier 5 (5 minutes): served after the chat that has waited 10 minutes, before the one that has waited 2."""
    for user in people.values():
        customer_profile_get(customer=user)  # the panel has looked at them: their profiles are cached
    now = timezone.now()
    ten = enqueue(now - timedelta(minutes=10), people["regular"])
    two = enqueue(now - timedelta(minutes=2))
    vip = enqueue(now, people["vip"])
    assert vip.queued_at == now and vip.queue_key == now - timedelta(minutes=5)  # waits still count from queued_at
    assert served_order() == [ten.pk, vip.pk, two.pk]


def test_a_small_boost_does_not_pass_a_chat_that_waited_longer_than_it(people, tiers):
    """Tier 1 (1 minute) does not pass a chat that joined 2 minutes before it."""
    customer_profile_get(customer=people["small"])
    now = timezone.now()
    two = enqueue(now - timedelta(minutes=2))
    small = enqueue(now, people["small"])
    assert served_order(n=2) == [two.pk, small.pk]


def test_an_agent_taking_waiting_chats_takes_them_in_the_same_order(people, tiers):
    """agent_take_waiting (an agent coming online) uses the same key: with two seats, the oldest and the VIP."""
    customer_profile_get(customer=people["vip"])
    now = timezone.now()
    ten, two, vip = enqueue(now - timedelta(minutes=10)), enqueue(now - timedelta(minutes=2)), \
        enqueue(now, people["vip"])
    agent = AgentFactory(languages=["en"], capacity=2)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    assert services.agent_take_waiting(agent=agent)[0] == 2
    taken = set(Conversation.objects.filter(agent=agent).values_list("pk", flat=True))
    assert taken == {ten.pk, vip.pk} and Conversation.objects.get(pk=two.pk).status == ConversationStatus.QUEUED


def test_the_boost_is_capped(settings):
    """Minutes per tier come from settings, tiers past the list take its last value, and no boost exceeds the cap."""
    settings.LIVECHAT_VIP_BOOST_MINUTES, settings.LIVECHAT_VIP_BOOST_MAX_MINUTES = [0, 2, 30], 5
    assert [vip_boost(tier).total_seconds() / 60 for tier in range(6)] == [0, 2, 5, 5, 5, 5]


def test_the_queue_never_calls_the_exchange_and_the_beat_settles_the_key_later(people, tiers):
    """A chat whose profile is not cached joins without a key (served by queued_at, the exchange not asked under the
    lock); the beat's fill fetches the profile outside any lock and sets the key, and the order follows."""
    now = timezone.now()
    two = enqueue(now - timedelta(minutes=2))
    vip = services.conversation_start(language="en", customer=people["vip"], with_bot=False)  # straight in the queue
    Conversation.objects.filter(pk=vip.pk).update(queued_at=now)
    assert tiers.count == 0 and Conversation.objects.get(pk=vip.pk).queue_key is None
    assert two.queue_key == two.queued_at  # a visitor: nothing to look up, its key is its queued_at at once
    assert queue_keys_fill() == 1
    assert tiers.count == 1
    assert Conversation.objects.get(pk=vip.pk).queue_key == now - timedelta(minutes=5)
    assert served_order(n=2) == [vip.pk, two.pk]


def test_an_exchange_that_is_down_leaves_the_order_to_queued_at(people, exchange):
    """The fill stops at the first unavailable answer (one call, not one per chat); the chats keep no key and are
    served in the order they joined."""
    server = exchange({}, mode="error")
    now = timezone.now()
    first = enqueue(now - timedelta(minutes=1), people["vip"])
    second = enqueue(now, people["small"])
    assert queue_keys_fill() == 0 and server.count == 1
    assert Conversation.objects.filter(queue_key__isnull=True).count() == 2
    assert served_order(n=2) == [first.pk, second.pk]


def test_a_requeued_chat_keeps_its_place_and_its_key(people, tiers):
    """An agent who drops or transfers puts the chat back with the same queued_at and queue key."""
    customer_profile_get(customer=people["vip"])
    vip = enqueue(timezone.now(), people["vip"])
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=vip.pk)
        services.conversation_enqueue_locked(locked, language="ja")
    again = Conversation.objects.get(pk=vip.pk)
    assert (again.queued_at, again.queue_key, again.language) == (vip.queued_at, vip.queue_key, "ja")


def test_the_queue_query_can_use_its_index():
    """The queue's partial index is on (language, the queue key, id): Postgres can serve the routers' query from it."""
    query = (Conversation.objects.filter(status=ConversationStatus.QUEUED, language="en")
             .order_by(QUEUE_ORDER, "id")[:1])
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "conversation_queue_order" in plan
