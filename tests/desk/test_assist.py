"""Cross-language agent assist (issue #25): for the customer's latest message, the help articles and macros that best
answer it, shown in the agent's language and ready to send in the customer's (GET /api/v1/agent/chats/<id>/assist/,
/api/v1/agent/tickets/<ref>/assist/). A translation that is missing is flagged, never replaced; only a chat's own
agent and agents who may see a ticket are answered; a fixed number of queries whatever the number of macros and
articles; unrelated macros are not suggested."""
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from desk.assist import assist_suggestions, macros_ranked
from helpcenter.models import Article, ArticleStatus, Section
from helpcenter.services import article_embed, article_save
from livechat import services as chat_services
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory, UserFactory
from tickets.demo import MACROS
from tickets.models import Macro
from tickets.services import ticket_create, ticket_reply

pytestmark = pytest.mark.django_db

# A deposit that has not arrived, as customers write it in each language (the demo's deposit-not-credited article
# answers it; the "Ask for the transaction ID" macro is the agent's reply).
DEPOSIT = {
    "en": "My USDT deposit still has not arrived after two hours, the explorer says success",
    "zh-hans": "我的USDT充值两个小时了还没到账，区块浏览器显示成功",
    "es": "Mi depósito de USDT todavía no ha llegado después de dos horas, el explorador dice que fue exitoso",
    "ru": "Мой депозит USDT не зачислен уже два часа, хотя в обозревателе транзакция успешна",
    "ja": "USDTの入金が2時間たっても反映されません。エクスプローラーでは成功になっています",
    "ko": "USDT 입금이 두 시간이 지나도 반영되지 않아요. 익스플로러에서는 성공으로 나와요",
}
# The customer's language, and an agent's language that differs from it.
PAIRS = [("en", "ja"), ("zh-hans", "es"), ("es", "ru"), ("ru", "ko"), ("ja", "zh-hans"), ("ko", "es")]


def _field(lang):
    return lang.replace("-", "_")


def _macro_body(macro, lang):
    return macro["body"][_field(lang)]


def _demo_macros(greeting=""):
    made = []
    for data in MACROS:
        bodies = {f"body_{lang}": text for lang, text in data["body"].items()}
        if data["position"] == 10:
            bodies = {field: greeting + text for field, text in bodies.items()}
        made.append(Macro.objects.create(position=data["position"], **bodies,
                                         **{f"name_{lang}": text for lang, text in data["name"].items()}))
    return {"txid": made[0], "solved": made[1], "secrets": made[2]}


@pytest.fixture
def macros(db):
    """The demo's three macros; the transaction-ID one greets the customer by name ({{customer_name}})."""
    return _demo_macros("{{customer_name}}: ")


@pytest.fixture
def helper():
    agent = AgentFactory(email="mei@example.com", name="Mei", languages=["en", "ko", "ja"], capacity=3)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE, last_seen_at=timezone.now())
    return agent


def _chat(agent, customer, language, text):
    chat = chat_services.conversation_start(language=language, customer=customer, with_bot=False)
    chat_services.conversation_pick(conversation_id=chat.pk, agent=agent)
    chat_services.customer_message_post(conversation_id=chat.pk, body=text, sender=customer)
    return chat


def _error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["detail"]


@pytest.mark.parametrize("customer_language,agent_language", PAIRS)
def test_suggestions_in_the_agents_language_to_send_in_the_customers(demo_help_center, macros, customer_language,
                                                                     agent_language):
    """The deposit question finds the deposit article and the transaction-ID macro: titles and names in the agent's
    language, and what would be sent (title, summary, link; the macro filled in) in the customer's."""
    found = assist_suggestions(text=DEPOSIT[customer_language], customer_language=customer_language,
                               agent_language=agent_language, values={"customer_name": "Kim"})
    assert (found["customer_language"], found["agent_language"]) == (customer_language, agent_language)
    article = Article.objects.get(key="deposit-not-credited")
    suggestion = next(a for a in found["articles"] if a["id"] == article.pk)
    assert suggestion["title"] == article.text(agent_language, "title") and not suggestion["fallback"]
    assert suggestion["summary"] == article.text(agent_language, "summary")
    customer = suggestion["customer"]
    assert customer["available"] and customer["language"] == customer_language
    assert customer["title"] == article.text(customer_language, "title") != suggestion["title"]
    assert customer["url"] == f"/{customer_language}/help/articles/{article.pk}/"
    assert customer["text"] == (f"{customer['title']}\n{article.text(customer_language, 'summary')}\n"
                                f"{settings.SITE_URL}{customer['url']}")

    assert [m["id"] for m in found["macros"]][:1] == [macros["txid"].pk]
    macro = found["macros"][0]
    assert macro["name"] == MACROS[0]["name"][_field(agent_language)] and not macro["fallback"]
    assert macro["body"] == "Kim: " + _macro_body(MACROS[0], agent_language)
    assert macro["customer"] == {"language": customer_language, "available": True,
                                 "name": MACROS[0]["name"][_field(customer_language)],
                                 "text": "Kim: " + _macro_body(MACROS[0], customer_language)}


def test_a_macro_without_the_customers_language_is_flagged_and_offers_nothing_to_send(demo_help_center, macros):
    """The transaction-ID macro has no Korean text: it is still found (by its English text), shown to the Spanish
    agent in Spanish, and says it cannot be sent in Korean; nothing is made up in its place."""
    Macro.objects.filter(pk=macros["txid"].pk).update(body_ko="", name_ko="")
    found = assist_suggestions(text="USDT를 입금했는데 아직 잔액에 반영이 안 됐어요. 확인해 주세요", customer_language="ko",
                               agent_language="es")
    macro = next(m for m in found["macros"] if m["id"] == macros["txid"].pk)
    assert macro["name"] == MACROS[0]["name"]["es"]
    assert macro["customer"] == {"language": "ko", "available": False, "name": "", "text": ""}


def test_an_article_without_the_customers_language_is_flagged_and_the_agent_reads_it_in_english(demo_help_center):
    """An English-only article found for a Korean question: the Spanish agent reads it in English (fallback), and
    there is no Korean text to send."""
    article = Article(key="staking-rewards", section=Section.objects.first(), status=ArticleStatus.PUBLISHED,
                      title_en="Earn staking rewards on your idle coins",
                      summary_en="How staking works, the lock-up period and when rewards are paid.",
                      body_en="Stake eligible coins from your Earn wallet; rewards are paid daily after a lock-up.")
    article_save(article=article)
    article_embed(article_id=article.pk)
    found = assist_suggestions(text="스테이킹 보상은 언제 지급되나요?", customer_language="ko", agent_language="es")
    suggestion = found["articles"][0]
    assert suggestion["id"] == article.pk
    assert (suggestion["title"], suggestion["language"], suggestion["fallback"]) == (article.title_en, "en", True)
    assert suggestion["customer"] == {"language": "ko", "available": False, "title": "", "summary": "", "url": "",
                                      "text": ""}


def test_unrelated_macros_are_not_suggested(demo_help_center, macros):
    """Questions no macro answers get none; thanks gets the thank-you macro alone."""
    for text in ("How do I change the language of the app?", "선물 거래 수수료가 얼마인가요?",
                 "¿Cuánto tarda la verificación de identidad?"):
        assert assist_suggestions(text=text, customer_language="en", agent_language="en")["macros"] == [], text
    thanks = assist_suggestions(text="Спасибо, теперь всё работает!", customer_language="ru", agent_language="en")
    assert [m["id"] for m in thanks["macros"]] == [macros["solved"].pk]


# Customer messages in six languages and the demo macro that answers each (None: none does), the set the two
# thresholds in desk.assist were chosen on. The floors sit under the measured precision 0.79 and recall 0.90.
PROBES = {
    0: [DEPOSIT[lang] for lang in DEPOSIT] + [
        "My USDT deposit has not arrived after two hours", "我的USDT充值两个小时了还没到账",
        "Mi depósito de USDT no ha llegado después de dos horas", "Мой депозит USDT не пришёл уже два часа",
        "USDTの入金が2時間たっても反映されません", "USDT 입금이 두 시간이 지나도 들어오지 않아요"],
    1: ["Thanks, it works now!", "谢谢，现在可以了！", "¡Gracias, ya funciona!", "Спасибо, теперь всё работает!",
        "ありがとうございます、直りました！", "감사합니다, 이제 됩니다!"],
    2: ["Someone on Telegram asked me for my recovery phrase, is that you?", "有人在电报上向我要助记词，是你们吗？",
        "Alguien en Telegram me pidió mi frase de recuperación, ¿son ustedes?",
        "Кто-то в Telegram попросил мою фразу восстановления, это вы?",
        "Telegramで誰かにリカバリーフレーズを聞かれました。御社ですか？", "텔레그램에서 누가 복구 문구를 달라고 했어요. 당신들인가요?",
        "Can I give my 2FA code to your support agent on the phone?", "我可以把二次验证码告诉电话里的客服吗？",
        "¿Puedo darle mi código 2FA al agente de soporte por teléfono?",
        "Можно ли сообщить код 2FA вашему сотруднику по телефону?", "電話のサポート担当者に2段階認証コードを教えてもいいですか？",
        "전화한 상담원에게 2단계 인증 코드를 알려줘도 되나요?"],
    None: ["How do I change the language of the app?", "如何更改应用的语言？", "¿Cómo cambio el idioma de la aplicación?",
           "Как поменять язык приложения?", "アプリの言語を変更するには？", "앱 언어를 어떻게 바꾸나요?",
           "How long does identity verification take?", "身份认证需要多久？",
           "¿Cuánto tarda la verificación de identidad?", "Сколько длится проверка личности?",
           "本人確認にはどのくらいかかりますか？", "신원 인증은 얼마나 걸리나요?",
           "What are the trading fees for futures?", "合约交易手续费是多少？", "¿Cuáles son las comisiones de futuros?",
           "Какие комиссии на фьючерсы?", "先物の取引手数料はいくらですか？", "선물 거래 수수료가 얼마인가요?"],
}
LANGS = ["en", "zh-hans", "es", "ru", "ja", "ko"]


def test_macro_suggestions_keep_their_measured_precision_and_recall(db):
    """Over the probe messages (each in its own language), suggested macros are right at least 75% of the time and
    the right macro is suggested for at least 85% of the messages a macro answers."""
    macros = _demo_macros()
    ordered = [macros["txid"], macros["solved"], macros["secrets"]]
    right = wrong = answered = 0
    for expected, texts in PROBES.items():
        for index, text in enumerate(texts):
            suggested = [m.pk for m, _score in macros_ranked(text, LANGS[index % 6], ordered, limit=3)]
            hit = expected is not None and ordered[expected].pk in suggested
            right += hit
            wrong += len(suggested) - hit
            answered += expected is not None
    assert right / max(1, right + wrong) >= 0.75 and right / answered >= 0.85, (right, wrong, answered)


def test_an_edited_macro_is_read_again(macros):
    """The process's macro vectors follow an edit: a macro rewritten about something else stops being suggested."""
    text = DEPOSIT["en"]
    assert [m.pk for m, _s in macros_ranked(text, "en", [macros["txid"]], limit=3)] == [macros["txid"].pk]
    macros["txid"].name_en, macros["txid"].body_en = "Closing remarks", "Have a wonderful weekend, goodbye!"
    macros["txid"].save()
    assert macros_ranked(text, "en", [macros["txid"]], limit=3) == []


# --- the endpoints -------------------------------------------------------------------------------------------------

def test_the_chats_agent_gets_suggestions_for_the_customers_latest_message(client, demo_help_center, macros, helper):
    """The Japanese customer's latest message, the Spanish page (?lang=es): Spanish titles, Japanese text to send,
    the macro filled with the customer's name; `?text=` suggests for other words."""
    customer = UserFactory(email="sato@example.com", name="佐藤", language="ja")
    chat = _chat(helper, customer, "ja", "こんにちは")
    chat_services.customer_message_post(conversation_id=chat.pk, body=DEPOSIT["ja"], sender=customer)
    client.force_login(helper)
    response = client.get(f"/api/v1/agent/chats/{chat.pk}/assist/?lang=es")
    assert response.status_code == 200
    body = response.json()
    assert (body["text"], body["customer_language"], body["agent_language"]) == (DEPOSIT["ja"], "ja", "es")
    article = Article.objects.get(key="deposit-not-credited")
    assert article.title_es in [a["title"] for a in body["articles"]]
    assert article.title_ja in [a["customer"]["title"] for a in body["articles"]]
    macro = body["macros"][0]
    assert (macro["name"], macro["customer"]["text"]) == (MACROS[0]["name"]["es"], "佐藤: " + MACROS[0]["body"]["ja"])

    other = client.get(f"/api/v1/agent/chats/{chat.pk}/assist/", {"text": "ありがとうございます、直りました！", "lang": "es"})
    assert other.json()["text"] == "ありがとうございます、直りました！"
    assert [m["id"] for m in other.json()["macros"]] == [macros["solved"].pk]


def test_the_ticket_suggestions_read_the_requesters_latest_public_message(client, demo_help_center, macros, helper):
    """Not the agent's note after it, nor the first message: the requester's latest public words, in the ticket's
    language; the macro is filled for the ticket (reference, the agent's name)."""
    customer = UserFactory(email="ivan@example.com", name="Иван", language="ru")
    ticket = ticket_create(requester=customer, subject="Привет", body="Здравствуйте", language="ru")
    ticket_reply(ticket=ticket, author=customer, body=DEPOSIT["ru"])
    ticket_reply(ticket=ticket, author=helper, body="Проверить TxID", internal=True)
    Macro.objects.filter(pk=macros["txid"].pk).update(body_ru="{{ticket_ref}} {{agent_name}}: " + MACROS[0]["body"]["ru"])
    client.force_login(AgentFactory(email="other@example.com", name="Olga", languages=["en"]))
    response = client.get(f"/api/v1/agent/tickets/{ticket.ref.lower()}/assist/?lang=ko")
    assert response.status_code == 200
    body = response.json()
    assert (body["text"], body["customer_language"], body["agent_language"]) == (DEPOSIT["ru"], "ru", "ko")
    macro = body["macros"][0]
    assert macro["name"] == MACROS[0]["name"]["ko"]
    assert macro["customer"]["text"] == f"{ticket.ref} Olga: " + MACROS[0]["body"]["ru"]


def test_only_the_chats_own_agent_is_answered(client, api_client, demo_help_center, helper):
    """Another agent (even of the chat's language), a supervisor, the customer and anonymous callers are refused in
    the error shape; an unknown chat is a JSON 404."""
    customer = UserFactory(email="sato@example.com", name="佐藤", language="ja")
    chat = _chat(helper, customer, "ja", DEPOSIT["ja"])
    url = f"/api/v1/agent/chats/{chat.pk}/assist/"
    _error(api_client.get(url), 401, "not_authenticated")
    for who in (AgentFactory(email="ja@example.com", languages=["ja"]), AgentFactory(supervisor=True)):
        client.force_login(who)
        _error(client.get(url), 404, "not_found")
    client.force_login(customer)
    _error(client.get(url), 403, "permission_denied")
    client.force_login(helper)
    assert client.get(url).status_code == 200
    _error(client.get("/api/v1/agent/chats/00000000-0000-4000-8000-000000000000/assist/"), 404, "not_found")
    _error(client.get(url, {"text": "x" * 2001}), 400, "invalid")


def test_agents_only_for_tickets(client, api_client, demo_help_center, helper):
    """The requester and anonymous callers are refused in the error shape; an unknown or malformed reference is a
    JSON 404."""
    customer = UserFactory(email="ivan@example.com", language="ru")
    ticket = ticket_create(requester=customer, subject="Депозит", body=DEPOSIT["ru"], language="ru")
    url = f"/api/v1/agent/tickets/{ticket.ref}/assist/"
    _error(api_client.get(url), 401, "not_authenticated")
    client.force_login(customer)
    _error(client.get(url), 403, "permission_denied")
    client.force_login(helper)
    assert client.get(url).status_code == 200
    _error(client.get("/api/v1/agent/tickets/T-99999999/assist/"), 404, "not_found")
    _error(client.get("/api/v1/agent/tickets/nonsense/assist/"), 404, "not_found")


def _queries(client, url):
    client.get(url)  # the process's vectors and caches warm, as on a running server
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_fixed_number_of_queries_whatever_the_macros_and_articles(client, demo_help_center, macros, helper):
    """Eleven more macros (all suggested) and more articles found cost no query more, for a chat and a ticket."""
    customer = UserFactory(email="sato@example.com", name="佐藤", language="ja")
    chat = _chat(helper, customer, "ja", DEPOSIT["ja"])
    ticket = ticket_create(requester=customer, subject="入金", body=DEPOSIT["ja"], language="ja")
    client.force_login(helper)
    chat_url, ticket_url = f"/api/v1/agent/chats/{chat.pk}/assist/", f"/api/v1/agent/tickets/{ticket.ref}/assist/"
    before = _queries(client, chat_url), _queries(client, ticket_url)
    assert max(before) <= 15, before  # five of them are the session's, the user's and their second factor's
    for n in range(11):
        Macro.objects.create(name_en=f"Deposit check {n}", body_en=MACROS[0]["body"]["en"],
                             body_ja=f"{n}: " + MACROS[0]["body"]["ja"], name_ja=f"入金確認 {n}")
    found = client.get(f"{chat_url}?lang=es").json()
    assert len(found["macros"]) == 3 and len(found["articles"]) == 3
    assert (_queries(client, chat_url), _queries(client, ticket_url)) == before


def test_nothing_to_suggest_without_a_customer_message(client, macros, helper):
    """A chat where the customer has not written yet: an empty answer, not an error."""
    chat = chat_services.conversation_start(language="ko", visitor_name="손님", with_bot=False)
    chat_services.conversation_pick(conversation_id=chat.pk, agent=helper)
    client.force_login(helper)
    body = client.get(f"/api/v1/agent/chats/{chat.pk}/assist/?lang=en").json()
    assert body == {"text": "", "customer_language": "ko", "agent_language": "en", "articles": [], "macros": []}
