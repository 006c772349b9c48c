"""Chats start with the bot: it greets, answers in the language the customer writes in (the queue language
follows), and hands over on request, on human-only topics, after unhelpful answers, with a card for the agent."""
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from chatbot import defaults
from chatbot.models import BotText, HumanOnlyTopic, IntentExample, IntentPhrase
from livechat import services
from livechat.models import Conversation, ConversationStatus, SenderKind
from livechat.services import bot_feedback
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bot(settings, demo_help_center):
    settings.LIVECHAT_BOT_ENABLED = True
    defaults.install(BotText, IntentPhrase, HumanOnlyTopic)
    defaults.install_examples(IntentExample)


def start(language="es"):
    return services.conversation_start(language=language, visitor_name="Ana", visitor_email="ana@example.com")


def say(chat, text):
    services.customer_message_post(conversation_id=chat.pk, body=text)
    chat.refresh_from_db()
    return chat.messages.order_by("-seq").first()


def test_the_bot_greets_and_answers_in_the_language_the_customer_writes_in():
    chat = start("es")
    greeting = chat.messages.get()
    assert chat.status == ConversationStatus.BOT and greeting.sender_kind == SenderKind.BOT
    assert "asistente" in greeting.body
    reply = say(chat, "我忘记密码了，怎么重置？")
    assert reply.sender_kind == SenderKind.BOT and chat.language == "zh-hans"  # the conversation follows
    assert reply.meta["ask_helpful"] and reply.meta["articles"][0]["url"].startswith("/zh-hans/help/articles/")
    assert "这" in reply.body  # the bot's own words are Chinese too


def test_asking_for_a_person_queues_the_chat_in_its_language_with_a_card_for_the_agent(
        django_capture_on_commit_callbacks):
    chinese_agent = AgentFactory(languages=["zh-hans"], capacity=2)
    AgentProfile.objects.filter(user=chinese_agent).update(presence=Presence.ONLINE)
    chat = start("en")
    say(chat, "我的USDT充值还没到账")
    with django_capture_on_commit_callbacks(execute=True):  # routing runs after the handover commits
        say(chat, "转人工")
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.ACTIVE and chat.agent == chinese_agent and chat.language == "zh-hans"
    card = chat.handover
    assert card["reason"] == "requested" and card["questions"] == ["我的USDT充值还没到账"]
    assert card["offered"] and card["offered"][0]["helpful"] is False  # asked for a person instead
    client = APIClient()
    client.force_authenticate(chinese_agent)
    context = client.get(f"/api/v1/chats/{chat.pk}/context/").json()
    assert context["handover"]["reason"] == "requested"
    history = client.get(f"/api/v1/chats/{chat.pk}/messages/").json()["messages"]
    assert [m["sender"] for m in history][:4] == ["bot", "customer", "bot", "customer"]  # the bot part included


def test_two_unhelpful_answers_hand_over():
    chat = start("en")
    say(chat, "how do I reset my password")
    bot_feedback(conversation_id=chat.pk, helpful=False)
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.BOT and chat.bot_unhelpful == 1
    say(chat, "i mean the password for logging in")
    bot_feedback(conversation_id=chat.pk, helpful=False)
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.QUEUED and chat.handover["reason"] == "unhelpful"


def test_rephrasing_counts_as_unhelpful_and_yes_resets():
    chat = start("en")
    say(chat, "how do I reset my password")
    bot_feedback(conversation_id=chat.pk, helpful=True)
    chat.refresh_from_db()
    assert chat.bot_unhelpful == 0 and chat.messages.order_by("-seq").first().sender_kind == SenderKind.BOT
    say(chat, "how do I set up 2FA")
    say(chat, "google authenticator setup")        # a rephrase: 1
    say(chat, "authenticator app two factor")      # and again: 2 -> a person
    assert chat.status == ConversationStatus.QUEUED and chat.handover["reason"] == "unhelpful"


def test_human_only_topics_and_the_no_agent_path_are_honest():
    chat = start("ru")
    reply = say(chat, "аккаунт заморожен, что делать?")
    assert chat.status == ConversationStatus.QUEUED and chat.handover["reason"] == "human_only"
    assert chat.handover["topic"] == "Account frozen"
    bodies = list(chat.messages.filter(sender_kind=SenderKind.BOT).values_list("body", flat=True))
    assert any("Сейчас нет сотрудников" in body for body in bodies)  # nobody online: said so, with an offer
    assert reply.sender_kind == SenderKind.BOT


def test_once_an_agent_has_the_chat_the_bot_stays_quiet():
    chat = services.conversation_start(language="en", visitor_name="A", visitor_email="a@example.com",
                                       with_bot=False)
    agent = AgentFactory(languages=["en"])
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    services.conversations_route(language="en")
    before = Conversation.objects.get(pk=chat.pk).last_seq
    say(chat, "how do I reset my password")
    assert chat.last_seq == before + 1  # the customer's message only


def test_unanswered_questions_become_grouped_content_gaps_per_language():
    from chatbot.models import MissingAnswer

    for text in ("can I stake my ETH on your platform", "how do I stake ETH here"):
        chat = start("en")
        say(chat, text)
        say(chat, "agent")
    chat = start("es")
    say(chat, "¿puedo hacer staking de ETH?")
    say(chat, "agente")
    gaps = {(g.language, g.count) for g in MissingAnswer.objects.all()}
    assert ("en", 2) in gaps and ("es", 1) in gaps  # the two English phrasings are one gap


def test_bot_metrics_per_language(django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from livechat import selectors

    resolved = start("en")
    say(resolved, "how do I reset my password")
    bot_feedback(conversation_id=resolved.pk, helpful=True)
    services.conversation_close(conversation_id=resolved.pk, by="customer")
    handed = start("en")
    say(handed, "agent please")
    frozen = start("ru")
    say(frozen, "аккаунт заморожен")
    now = timezone.now()
    with django_assert_max_num_queries(2):
        metrics = selectors.bot_metrics(start=now - timedelta(hours=1), end=now + timedelta(hours=1))
    english = next(m for m in metrics if m["language"] == "en")
    assert (english["chats"], english["resolved_by_bot"], english["deflection_rate"]) == (2, 1, 0.5)
    assert english["handovers"] == {"requested": 1} and english["average_confidence"] is not None
    assert next(m for m in metrics if m["language"] == "ru")["handovers"] == {"human_only": 1}


def test_when_the_wait_is_long_the_bot_says_how_long():
    busy = AgentFactory(languages=["ko"], capacity=1)
    AgentProfile.objects.filter(user=busy).update(presence=Presence.ONLINE)
    Conversation.objects.create(language="ko", status=ConversationStatus.ACTIVE, agent=busy)  # the seat is taken
    for _ in range(2):
        Conversation.objects.create(language="ko", status=ConversationStatus.QUEUED, queued_at=timezone.now())
    chat = start("ko")
    say(chat, "상담원 연결해 주세요")
    last = chat.messages.order_by("-seq").first()
    assert chat.status == ConversationStatus.QUEUED
    assert last.sender_kind == SenderKind.BOT and "대기 순서는 3번째" in last.body and "분입니다" in last.body


def free_seat_waits():
    """Chats waiting in the queue while an online agent of their language, or of a language they accepted, has a
    free seat: what must never be true after a routing event."""
    from django.db.models import Count, Q

    agents = (AgentProfile.objects.filter(presence=Presence.ONLINE)
              .annotate(load=Count("user__assigned_conversations",
                                   filter=Q(user__assigned_conversations__status="active"))))
    free = {lang for agent in agents if agent.load < agent.capacity for lang in agent.languages}
    return [(chat.language, chat.also_speaks) for chat in Conversation.objects.filter(status=ConversationStatus.QUEUED)
            if chat.language in free]


@pytest.mark.parametrize("ask", ["please let me talk to a human agent", "can I talk to a real person"])
def test_a_person_asked_for_in_english_in_a_japanese_chat_gets_the_free_japanese_agent(
        ask, django_capture_on_commit_callbacks):
    """The lost wake-up of issue #23: the chat moved to the English queue on an English line and waited there, while
    a Japanese agent had free seats, until English chats closed."""
    japanese = AgentFactory(languages=["ja"], capacity=5)
    AgentProfile.objects.filter(user=japanese).update(presence=Presence.ONLINE)
    chat = start("ja")
    with django_capture_on_commit_callbacks(execute=True):
        say(chat, ask)
    chat.refresh_from_db()
    assert (chat.status, chat.agent, chat.language) == (ConversationStatus.ACTIVE, japanese, "ja")
    assert "en" in chat.also_speaks and free_seat_waits() == []


def test_sixty_bot_chats_asking_for_a_person_never_wait_beside_a_free_seat(django_capture_on_commit_callbacks):
    """The black-box run, in order: 60 chats in three languages start with the bot and ask for a person (some in
    English), while 12 agents of those languages come online; after every event no chat waits beside a free seat."""
    languages = ["ja", "zh-hans", "ko"]
    asks = {"ja": "担当者と話したい", "zh-hans": "转人工", "ko": "상담원 연결해 주세요"}
    agents = [AgentFactory(languages=[languages[n % 3]], capacity=5) for n in range(12)]
    chats = []
    for n in range(60):
        language = languages[n % 3]
        chats.append(start(language))
        with django_capture_on_commit_callbacks(execute=True):
            say(chats[-1], "I need a human agent please" if n % 4 == 0 else asks[language])
        assert free_seat_waits() == []
        if n % 5 == 4:  # agents come online while chats keep arriving
            with django_capture_on_commit_callbacks(execute=True):
                services.agent_presence_set(agent=agents[n // 5], presence=Presence.ONLINE)
            assert free_seat_waits() == []
    active = Conversation.objects.filter(status=ConversationStatus.ACTIVE)
    assert active.count() == 60 and {c.language for c in active} == set(languages)
