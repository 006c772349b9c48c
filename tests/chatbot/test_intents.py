"""The intent classifier on the messages the desk most needs right: questions that mention a person (scams,
P2P counterparties, manual review) are answered, not handed over; indirect requests for a person (complaints,
supervisors, callbacks, frustration with the bot) are handed over; off-topic messages are not answered with an
article; the classifier is rebuilt when an admin changes its examples."""
import pytest

from chatbot import classifier, services
from chatbot.engine import bot_decide, reply_text
from chatbot.models import BotSettings, IntentExample, IntentModel, Label

pytestmark = pytest.mark.django_db

ANTI_PHISHING = [
    ("有人冒充客服让我转账，怎么办", "zh-hans"),
    ("직원 사칭 문자를 받았어요", "ko"),
    ("スタッフを装った詐欺に注意するには", "ja"),
    ("someone on telegram says he's from your support team and wants my 2fa code, is that legit?", "en"),
    ("Мне написал «сотрудник биржи» и просит код из SMS — это мошенник?", "ru"),
    ("un supuesto agente de soporte me pide mi frase semilla por whatsapp, es estafa?", "es"),
]

PERSON_QUESTIONS = [
    ("Можно ли перевести USDT другому человеку?", "ru"),
    ("¿Puedo enviar cripto a otra persona con P2P?", "es"),
    ("the p2p seller still hasn't released my usdt, what can i do", "en"),
    ("卖家一直不放币怎么办", "zh-hans"),
    ("出金がスタッフの審査中のままです。どのくらいかかりますか", "ja"),
]

INDIRECT_REQUESTS = [
    ("I want to file a formal complaint about how my case was handled", "en"),
    ("put me through to your supervisor please", "en"),
    ("can somebody call me back on my phone today?", "en"),
    ("you keep sending me the same article, you don't understand anything", "en"),
    ("我要投诉，你们必须给我一个说法", "zh-hans"),
    ("你们领导呢？让负责人来处理", "zh-hans"),
    ("quiero poner una reclamación formal", "es"),
    ("¿me pueden llamar por teléfono? prefiero explicarlo de palabra", "es"),
    ("хочу подать жалобу на вашу поддержку", "ru"),
    ("позовите руководителя, пусть разберётся лично", "ru"),
    ("責任者の方に対応してほしいです", "ja"),
    ("折り返し電話をください", "ja"),
    ("책임자 바꿔 주세요", "ko"),
    ("민원 넣고 싶어요. 제대로 처리해 주세요", "ko"),
]


@pytest.fixture
def help_center(demo_help_center):
    return demo_help_center


@pytest.mark.parametrize("text, language", ANTI_PHISHING)
def test_questions_about_people_posing_as_staff_get_the_anti_phishing_article(help_center, text, language):
    """The questions this desk most needs answered by the bot must never be handed over for the word 'staff'."""
    decision = bot_decide(text=text, language_hint=language)
    assert not decision.handover, (decision.action, decision.reason)
    assert decision.action in ("answer", "suggest")
    assert {"phishing-fake-support", "official-channel-verification-impersonators"} & {
        a.key for a in decision.articles}


@pytest.mark.parametrize("text, language", PERSON_QUESTIONS)
def test_questions_that_mention_another_person_are_questions(help_center, text, language):
    decision = bot_decide(text=text, language_hint=language)
    assert not decision.handover, (decision.action, decision.reason)
    assert decision.action in ("answer", "suggest") and decision.articles


@pytest.mark.parametrize("text, language", INDIRECT_REQUESTS)
def test_indirect_requests_for_a_person_hand_over(text, language):
    decision = bot_decide(text=text, language_hint=language)
    assert decision.handover and decision.reason in ("requested", "complaint", "negative"), decision


@pytest.mark.parametrize("text", ["how much has the dow changed today", "what's the weather in paris tomorrow",
                                  "dame una receta de paella", "明天北京天气怎么样"])
def test_off_topic_messages_get_what_the_bot_can_do_and_no_article(help_center, text):
    decision = bot_decide(text=text, language_hint="en")
    assert decision.action != "answer"
    if decision.action == "out_of_scope":
        assert decision.articles == [] and reply_text(decision)


def test_goodbye_gets_a_goodbye_in_the_language():
    decision = bot_decide(text="ok that's all, bye!", language_hint="en")
    assert decision.action == "goodbye" and "Goodbye" in reply_text(decision)


def test_examples_ship_in_six_languages_at_least_30_per_intent():
    counts = {}
    for label, language in IntentExample.objects.values_list("label", "language"):
        counts[(label, language)] = counts.get((label, language), 0) + 1
    for language in ("en", "zh-hans", "es", "ru", "ja", "ko"):
        for label in Label.values:
            assert counts.get((label, language), 0) >= 30, (label, language)


def test_changing_the_examples_retrains_the_classifier():
    """An admin's edit bumps the examples' version; the next message is classified by weights trained on it."""
    before = BotSettings.current().intent_version
    classifier.classify("hello")  # trains (or loads) the current version
    IntentExample.objects.exclude(language="en").update(is_active=False)  # a smaller set: a quicker real fit
    IntentExample.objects.create(label=Label.OUT_OF_SCOPE, language="en", text="tell me about the moon landing")
    services.intent_examples_changed()
    assert BotSettings.current().intent_version == before + 1
    classifier.classify("hello")
    stored = IntentModel.objects.get(version=before + 1)
    assert stored.examples == IntentExample.objects.filter(is_active=True).count()


def test_with_every_example_deactivated_the_bot_still_answers_and_hands_over():
    """No examples to train on is no reason for a 500: every message is a question, and the rules still hold."""
    IntentExample.objects.update(is_active=False)
    services.intent_examples_changed()
    assert classifier.classify("hello").label == "question"
    assert bot_decide(text="转人工", language_hint="zh-hans").reason == "requested"
    assert bot_decide(text="how do I reset my password", language_hint="en").action in ("answer", "suggest", "handover")


def test_the_shipped_weights_are_those_of_the_shipped_examples():
    """Editing chatbot/intent_examples/*.json without `manage.py chatbot_train --ship` would make every fresh desk
    train on its first message: the shipped weights must be fitted on exactly the shipped examples."""
    import numpy as np

    from chatbot.defaults import intent_examples

    shipped = np.load(classifier.SHIPPED)
    rows = [(text, label) for label, _language, text in intent_examples()]
    assert str(shipped["digest"]) == classifier.examples_digest(rows)
    assert sorted(str(label) for label in shipped["labels"]) == sorted(Label.values)
