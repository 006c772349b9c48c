"""The bot: language per message, intents from admin-edited phrases, every handover trigger, answers from the help
center with a confidence, and the ask API."""
import pytest

from chatbot.engine import bot_decide, reply_text
from chatbot.language import detect_language
from chatbot.models import BotSettings, HumanOnlyTopic, IntentPhrase

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text, fallback, expected", [
    ("how do I reset my password", "zh-hans", "en"),
    ("忘记密码怎么办", "en", "zh-hans"),
    ("パスワードを忘れました", "en", "ja"),
    ("出金保留", "ja", "ja"),            # kanji only, in a Japanese conversation
    ("出金保留", "en", "zh-hans"),
    ("비밀번호를 잊었어요", "en", "ko"),
    ("не приходит депозит", "en", "ru"),
    ("olvidé mi contraseña de la cuenta", "en", "es"),
    ("USDT 没到账", "en", "zh-hans"),     # English crypto words inside Chinese
    ("ok", "ko", "ko"),                    # too short to tell: the conversation's language
    ("USDT", "ru", "ru"),
    ("12345 !!", "es", "es"),
])
def test_language_is_detected_per_message_with_a_fallback_for_short_text(text, fallback, expected):
    assert detect_language(text, fallback=fallback) == expected


@pytest.mark.parametrize("text", ["agent please", "can I talk to a human", "humna", "转人工", "我要人工客服",
                                  "转人供", "quiero hablar con una persona", "ajente", "позовите оператора",
                                  "оператр", "担当者につないでください", "상담원 연결해 주세요", "상단원"])
def test_requests_for_a_person_hand_over_in_every_language(text):
    decision = bot_decide(text=text, language_hint="en")
    assert decision.handover and decision.reason == "requested"


def test_human_only_topics_and_frustration_hand_over():
    frozen = bot_decide(text="my account is frozen, why?", language_hint="en")
    assert (frozen.reason, frozen.topic) == ("human_only", "Account frozen")
    assert bot_decide(text="账号被冻结了", language_hint="zh-hans").reason == "human_only"
    assert bot_decide(text="this bot is useless, you keep missing the point", language_hint="en").handover
    assert bot_decide(text="бесполезный бот, ничего не понимаешь", language_hint="ru").handover


def test_greetings_and_thanks_get_a_friendly_reply_in_the_language_but_a_question_does_not():
    hello = bot_decide(text="안녕하세요", language_hint="en")
    assert hello.action == "greeting" and hello.language == "ko" and "도우미" in reply_text(hello)
    assert bot_decide(text="ありがとうございます！", language_hint="ja").action == "thanks"
    assert bot_decide(text="hi, my deposit has not arrived after two hours", language_hint="en").action != "greeting"


def test_questions_are_answered_from_the_help_center_in_the_language_asked(demo_help_center):
    decision = bot_decide(text="我忘记密码了，怎么重置？", language_hint="en")
    assert decision.language == "zh-hans" and decision.action in ("answer", "suggest")
    assert decision.articles[0].key == "reset-password" and decision.articles[0].url.startswith("/zh-hans/help/")
    text = reply_text(decision)
    assert decision.articles[0].title in text


def test_low_confidence_questions_get_suggestions_and_repeated_unhelpful_answers_hand_over(demo_help_center):
    """Unsure of the article but sure it is a question: the likeliest articles are offered, never an answer; two
    unhelpful answers in a row reach a person."""
    assert bot_decide(text="xyzzy plugh", language_hint="en").action != "answer"
    BotSettings.objects.update_or_create(pk=1, defaults={"answer_threshold": 0.99, "suggest_threshold": 0.99})
    unsure = bot_decide(text="how can I see my fee history", language_hint="en")
    assert unsure.action == "suggest" and not unsure.handover and unsure.articles
    after_two = bot_decide(text="how do I reset my password", language_hint="en", unhelpful_streak=2)
    assert after_two.handover and after_two.reason == "unhelpful"


def test_admins_extend_phrases_topics_and_thresholds_without_code(demo_help_center):
    assert bot_decide(text="código zeta nueve", language_hint="es").reason != "requested"
    IntentPhrase.objects.create(intent="human", phrase="código zeta", language="es")
    assert bot_decide(text="código zeta nueve", language_hint="es").reason == "requested"
    HumanOnlyTopic.objects.create(name="Margin call dispute", keywords=["margin call"])
    assert bot_decide(text="I want to dispute a margin call", language_hint="en").topic == "Margin call dispute"
    BotSettings.objects.update_or_create(pk=1, defaults={"answer_threshold": 1.0, "suggest_threshold": 1.0})
    assert bot_decide(text="how do I reset my password", language_hint="en").action == "suggest"


def test_ask_api(api_client, demo_help_center):
    body = api_client.post("/api/v1/bot/ask", {"text": "비밀번호를 잊어버렸어요", "lang": "en"}, format="json").json()
    assert body["language"] == "ko" and body["action"] in ("answer", "suggest") and not body["handover"]
    assert body["articles"][0]["key"] == "reset-password" and 0 < body["confidence"] <= 1 and body["reply"]
    handover = api_client.post("/api/v1/bot/ask", {"text": "转人工"}, format="json").json()
    assert handover["handover"] and handover["reason"] == "requested" and handover["language"] == "zh-hans"
    bad = api_client.post("/api/v1/bot/ask", {"text": "", "lang": "xx"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"text", "lang"}
