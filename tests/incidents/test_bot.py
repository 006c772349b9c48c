"""The bot during an incident: a matching question gets the incident's notice first, in the question's language, in
chats and in the ask API; other questions are answered as usual."""
import pytest
from rest_framework.test import APIClient

from chatbot import defaults
from chatbot.engine import bot_decide, reply_text
from chatbot.models import BotText, HumanOnlyTopic, IntentExample, IntentPhrase
from livechat import services as chat_services
from livechat.models import ChatMessage, SenderKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bot_and_articles(demo_help_center):
    defaults.install(BotText, IntentPhrase, HumanOnlyTopic)
    defaults.install_examples(IntentExample)


@pytest.mark.parametrize("text, language, notice_start", [
    ("my withdrawal is still pending", "en", "Withdrawals are taking"),
    ("我的提现还没到账", "zh-hans", "提现最多"),
    ("出金がまだ届きません", "ja", "出金に最大"),
    ("출금이 안 돼요", "ko", "출금이 최대"),
    ("¿por qué mi retiro tarda tanto?", "es", "Los retiros"),
    ("вывод не пришёл", "ru", "Вывод занимает"),
])
def test_a_question_about_the_incident_gets_its_notice_first(declare, text, language, notice_start):
    incident = declare()
    decision = bot_decide(text=text, language_hint="en")
    assert decision.language == language
    assert decision.incident.id == incident.pk
    assert decision.incident.notice.startswith(notice_start)
    assert reply_text(decision).startswith(decision.incident.title + "\n" + decision.incident.notice)


def test_other_questions_are_answered_as_before(declare):
    declare()
    decision = bot_decide(text="how do I enable two-factor authentication", language_hint="en")
    assert decision.incident is None
    assert not reply_text(decision).startswith("Withdrawals are delayed")


def test_in_a_chat_the_notice_comes_before_the_bots_answer(declare):
    incident = declare()
    chat = chat_services.conversation_start(language="ja", visitor_name="Ken", visitor_email="ken@example.com",
                                            with_bot=True)
    chat_services.customer_message_post(conversation_id=chat.pk, body="出金がまだ届きません")
    bot_after = list(ChatMessage.objects.filter(conversation=chat, sender_kind=SenderKind.BOT, seq__gt=2)
                     .order_by("seq"))
    assert bot_after[0].meta == {"incident": incident.pk}
    assert bot_after[0].body.startswith("出金の遅延\n出金に最大2時間")
    assert len(bot_after) >= 2  # then the bot's own answer, suggestion or handover


def test_the_ask_api_returns_the_incident(declare):
    incident = declare()
    response = APIClient().post("/api/v1/bot/ask", {"text": "retiro pendiente"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["incident"] == {"id": incident.pk, "title": "Retiros retrasados",
                                "notice": "Los retiros tardan hasta 2 horas. Sus fondos están seguros."}
    assert body["reply"].startswith("Retiros retrasados\nLos retiros")
    quiet = APIClient().post("/api/v1/bot/ask", {"text": "how do I deposit"}, format="json").json()
    assert quiet["incident"] is None
