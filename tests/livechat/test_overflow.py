"""Overflow with assist (issue #25): the waiting customer is offered an agent of another language now only above the
admin's threshold and only when such an agent, serving the chat's language with assist, has a free seat; the answer is
recorded either way; accepting keeps the chat's place in time order in the overflow queue; native speakers still come
first; and a chat nobody free may take never holds up the ones behind it."""
from datetime import timedelta

import pytest
from django.utils import timezone

from livechat import services
from livechat.models import Conversation, ConversationStatus, LanguageOverflow, OverflowChoice, OverflowOffer
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def online(**kwargs):
    agent = AgentFactory(**kwargs)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    return agent


def waiting(language, *, minutes_ago):
    """A chat that joined its queue `minutes_ago` (routing is not run)."""
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return Conversation.objects.create(language=language, status=ConversationStatus.QUEUED, queued_at=at,
                                       queue_key=at, visitor_name="V", visitor_email="v@example.com")


@pytest.fixture
def korean_rush(settings):
    """Korean to English: offered when the Korean estimate is above 2 minutes. One Korean agent, full; the default
    handle time of 5 minutes makes the estimate 5 minutes per place."""
    settings.LIVECHAT_DEFAULT_HANDLE_SECONDS = 300
    LanguageOverflow.objects.create(language="ko", overflow_to="en", after_seconds=3600, offer_above_seconds=120)
    korean = online(email="ko@example.com", languages=["ko"], capacity=1)
    busy = waiting("ko", minutes_ago=60)
    Conversation.objects.filter(pk=busy.pk).update(status=ConversationStatus.ACTIVE, agent=korean)
    return korean


def offered():
    return set(OverflowOffer.objects.values_list("conversation_id", flat=True))


def test_no_offer_without_a_free_agent_who_serves_the_language_with_assist(korean_rush):
    chat = waiting("ko", minutes_ago=1)
    online(email="en@example.com", languages=["en"])  # English, but does not serve Korean with assist
    assert services.overflow_offers_make() == [] and not offered()
    assisted = AgentFactory(email="assist@example.com", languages=["en"], assisted_languages=["ko"], capacity=1)
    assert services.overflow_offers_make() == []  # offline
    AgentProfile.objects.filter(user=assisted).update(presence=Presence.ONLINE)
    full = waiting("en", minutes_ago=90)
    Conversation.objects.filter(pk=full.pk).update(status=ConversationStatus.ACTIVE, agent=assisted)
    assert services.overflow_offers_make() == []  # online, but no free seat
    AgentProfile.objects.filter(user=assisted).update(capacity=2)
    [offer] = services.overflow_offers_make()
    assert (offer.conversation_id, offer.language, offer.overflow_to) == (chat.id, "ko", "en")
    assert offer.wait_estimate_seconds == 300 and offer.choice == OverflowChoice.PENDING


def test_offered_only_above_the_threshold(korean_rush):
    online(email="assist@example.com", languages=["en"], assisted_languages=["ko"], capacity=5)
    chat = waiting("ko", minutes_ago=1)
    rule = LanguageOverflow.objects.get()
    rule.offer_above_seconds = 300  # place 1: 300 s, not above
    rule.save()
    assert services.overflow_offers_make() == []
    second = waiting("ko", minutes_ago=0)  # place 2: 600 s, above
    assert [offer.conversation_id for offer in services.overflow_offers_make()] == [second.id]
    rule.offer_above_seconds = None  # no threshold: never offered
    rule.save()
    waiting("ko", minutes_ago=0)
    assert services.overflow_offers_make() == []
    assert offered() == {second.id} and chat.id not in offered()


def test_nobody_of_the_language_online_is_above_any_threshold(settings):
    LanguageOverflow.objects.create(language="ko", overflow_to="en", offer_above_seconds=3600)
    online(email="assist@example.com", languages=["en"], assisted_languages=["ko"])
    chat = waiting("ko", minutes_ago=0)
    [offer] = services.overflow_offers_make()
    assert offer.conversation_id == chat.id and offer.wait_estimate_seconds is None


def test_as_many_offers_as_free_seats_first_in_line_and_each_chat_once(korean_rush, settings):
    helper = online(email="assist@example.com", languages=["en"], assisted_languages=["ko"], capacity=2)
    chats = [waiting("ko", minutes_ago=10 - n) for n in range(5)]
    assert [o.conversation_id for o in services.overflow_offers_make()] == [chats[0].id, chats[1].id]
    # The two seats are promised while those offers are open: nobody else is offered them.
    assert services.overflow_offers_make() == []
    # Asked once: when they decline, the next pass offers the next ones, never the same chat again.
    accept(chats[0], answer=False), accept(chats[1], answer=False)
    assert [o.conversation_id for o in services.overflow_offers_make()] == [chats[2].id, chats[3].id]
    accept(chats[2], answer=False), accept(chats[3], answer=False)
    # An operator may keep seats for the overflow language's own customers.
    settings.LIVECHAT_OVERFLOW_RESERVE_SEATS = 2
    assert services.overflow_offers_make() == []
    settings.LIVECHAT_OVERFLOW_RESERVE_SEATS = 1
    AgentProfile.objects.filter(user=helper).update(capacity=2)
    assert [o.conversation_id for o in services.overflow_offers_make()] == [chats[4].id]


def test_joining_the_queue_makes_the_offer_at_once(korean_rush, django_capture_on_commit_callbacks):
    online(email="assist@example.com", languages=["en"], assisted_languages=["ko"])
    with django_capture_on_commit_callbacks(execute=True):
        chat = services.conversation_start(language="ko", visitor_name="V", visitor_email="v@example.com",
                                           with_bot=False)
    assert OverflowOffer.objects.filter(conversation=chat).exists()


def accept(chat, answer=True):
    return services.overflow_choose(conversation_id=chat.id, accept=answer)


def test_accepting_keeps_the_place_in_time_order(korean_rush, django_capture_on_commit_callbacks):
    english_later = waiting("en", minutes_ago=5)
    korean = waiting("ko", minutes_ago=8)
    english_earlier = waiting("en", minutes_ago=9)
    LanguageOverflow.objects.filter(language="ko").update(offer_above_seconds=0)
    assisted = online(email="assist@example.com", languages=["en"], assisted_languages=["ko"], capacity=3)
    AgentProfile.objects.filter(user=assisted).update(presence=Presence.AWAY)
    services.overflow_offers_make()  # away: nothing offered yet
    AgentProfile.objects.filter(user=assisted).update(presence=Presence.ONLINE)
    services.overflow_offers_make()
    before = Conversation.objects.get(pk=korean.pk)
    offer = accept(korean)
    korean.refresh_from_db()
    assert offer.choice == OverflowChoice.ACCEPTED and offer.chosen_at is not None
    assert (korean.status, korean.language, korean.overflow_to) == (ConversationStatus.QUEUED, "ko", "en")
    assert (korean.queued_at, korean.queue_key) == (before.queued_at, before.queue_key)  # the place is kept
    order = []
    AgentProfile.objects.filter(user=assisted).update(capacity=1)
    for _ in range(3):
        services.conversations_route(language="en")
        taken = Conversation.objects.get(agent=assisted, status=ConversationStatus.ACTIVE)
        order.append(taken.pk)
        Conversation.objects.filter(pk=taken.pk).update(status=ConversationStatus.CLOSED)
    assert order == [english_earlier.pk, korean.pk, english_later.pk]
    korean.refresh_from_db()
    assert korean.assisted and korean.overflowed


def test_an_agent_coming_free_takes_the_overflow_queue_in_the_same_time_order(korean_rush):
    LanguageOverflow.objects.filter(language="ko").update(offer_above_seconds=0)
    assisted = online(email="assist@example.com", languages=["en"], assisted_languages=["ko"], capacity=2)
    korean = waiting("ko", minutes_ago=8)
    english = waiting("en", minutes_ago=3)
    other_korean = waiting("ko", minutes_ago=20)  # declines: it waits for a Korean speaker
    services.overflow_offers_make()
    accept(korean)
    accept(other_korean, answer=False)
    services.agent_take_waiting(agent=assisted)
    taken = set(Conversation.objects.filter(agent=assisted).values_list("pk", flat=True))
    assert taken == {korean.pk, english.pk}
    assert Conversation.objects.get(pk=other_korean.pk).status == ConversationStatus.QUEUED
    assert OverflowOffer.objects.get(conversation=other_korean).choice == OverflowChoice.DECLINED


def test_native_speakers_come_first(korean_rush):
    LanguageOverflow.objects.filter(language="ko").update(offer_above_seconds=0)
    online(email="assist@example.com", languages=["en"], assisted_languages=["ko"], capacity=1)
    korean = waiting("ko", minutes_ago=8)
    services.overflow_offers_make()
    accept(korean)
    native = online(email="ko2@example.com", languages=["ko"], capacity=1)
    services.conversations_route(language="ko")
    korean.refresh_from_db()
    assert korean.agent == native and not korean.assisted and not korean.overflowed


def test_a_chat_no_free_agent_may_take_does_not_hold_up_the_queue(korean_rush):
    LanguageOverflow.objects.filter(language="ko").update(offer_above_seconds=0)
    helper = online(email="assist@example.com", languages=["en"], assisted_languages=["ko"], capacity=1)
    korean = waiting("ko", minutes_ago=30)
    services.overflow_offers_make()
    accept(korean)
    # The Korean-assisting agent goes away; an English agent who does not assist Korean is free.
    AgentProfile.objects.filter(user=helper).update(presence=Presence.AWAY)
    plain = online(email="plain@example.com", languages=["en"], capacity=1)
    english = waiting("en", minutes_ago=1)
    services.conversations_route(language="en")
    english.refresh_from_db(), korean.refresh_from_db()
    assert english.agent == plain and korean.status == ConversationStatus.QUEUED


def test_the_answer_is_given_once_and_only_while_waiting(korean_rush):
    online(email="assist@example.com", languages=["en"], assisted_languages=["ko"], capacity=1)
    LanguageOverflow.objects.filter(language="ko").update(offer_above_seconds=0)
    never_offered = waiting("ko", minutes_ago=1)
    with pytest.raises(services.OverflowRefused) as refused:
        accept(never_offered)
    assert refused.value.code == "no_overflow_offer"
    chat = never_offered
    services.overflow_offers_make()
    accept(chat, answer=False)
    with pytest.raises(services.OverflowRefused):
        accept(chat)  # answered already: the first answer stands
    assert OverflowOffer.objects.get(conversation=chat).choice == OverflowChoice.DECLINED
    taken = waiting("ko", minutes_ago=0)
    OverflowOffer.objects.create(conversation=taken, language="ko", overflow_to="en")
    Conversation.objects.filter(pk=taken.pk).update(status=ConversationStatus.ACTIVE, agent=korean_rush)
    with pytest.raises(services.OverflowRefused) as late:
        accept(taken)
    assert late.value.code == "chat_not_waiting"
    assert Conversation.objects.get(pk=taken.pk).overflow_to == ""


def test_an_assisted_agent_may_pick_an_accepted_chat_by_hand_but_not_others(korean_rush):
    LanguageOverflow.objects.filter(language="ko").update(offer_above_seconds=0)
    helper = online(email="assist@example.com", languages=["en"], assisted_languages=["ko"], capacity=2)
    AgentProfile.objects.filter(user=helper).update(presence=Presence.AWAY)
    accepted, other = waiting("ko", minutes_ago=5), waiting("ko", minutes_ago=4)
    OverflowOffer.objects.create(conversation=accepted, language="ko", overflow_to="en")
    accept(accepted)
    AgentProfile.objects.filter(user=helper).update(presence=Presence.ONLINE)
    with pytest.raises(services.ChatNotAvailable):
        services.conversation_pick(conversation_id=other.id, agent=helper)
    services.conversation_pick(conversation_id=accepted.id, agent=helper)
    accepted.refresh_from_db()
    assert accepted.agent == helper and accepted.assisted


def test_an_assisted_agent_coming_online_makes_the_offer_at_once(korean_rush, django_capture_on_commit_callbacks):
    chat = waiting("ko", minutes_ago=2)
    helper = AgentFactory(email="assist@example.com", languages=["en"], assisted_languages=["ko"])
    assert not offered()
    with django_capture_on_commit_callbacks(execute=True):
        services.agent_presence_set(agent=helper, presence=Presence.ONLINE)
    assert offered() == {chat.id}
