"""No customer waits because of their language (issue #25), end to end in the browser: at a busy hour (the one Korean
agent is full) a Korean visitor is offered an English agent now, with translation, or to keep waiting; they accept;
the English agent, who serves Korean with assist, reads the question's translation and the suggested article, sends
the Korean version of the article with one click and a reply written in English; the visitor reads Korean, the reply
marked "translated", with the original a click away. Machine translation runs against a stand-in LibreTranslate
(tests/support/libretranslate_server.py), everything else is real. Screenshots: test-artifacts/cross-language-*.png."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from helpcenter import demo
from helpcenter.models import Article
from livechat.models import Conversation, ConversationStatus, LanguageOverflow, OverflowChoice, OverflowOffer
from support.models import AgentProfile, Presence
from tests.factories import PASSWORD, AgentFactory
from tests.leaks import english_leaks

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KO_CUSTOMER = "출금이 아직 도착하지 않았어요. 어떻게 해야 하나요?"
EN_CUSTOMER = "My withdrawal has not arrived yet. What should I do?"
EN_AGENT = "Please send me the transaction ID and I will check it now."
KO_AGENT = "거래 ID를 보내 주시면 지금 바로 확인해 드리겠습니다."


def busy_korean_desk():
    """One Korean agent, busy with a chat; Korean chats are offered the English desk above one minute's wait."""
    LanguageOverflow.objects.create(language="ko", overflow_to="en", after_seconds=3600, offer_above_seconds=60)
    minji = AgentFactory(email="minji@example.com", name="Minji", languages=["ko"], capacity=1)
    AgentProfile.objects.filter(user=minji).update(presence=Presence.ONLINE)
    at = timezone.now() - timedelta(minutes=4)
    Conversation.objects.create(language="ko", status=ConversationStatus.ACTIVE, agent=minji, queued_at=at,
                                assigned_at=at, visitor_name="V", visitor_email="v@example.com")
    AgentFactory(email="emma@example.com", name="Emma", languages=["en"], assisted_languages=["ko"], capacity=2)


def shot(tab, name):
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"cross-language-{name}.png"), full_page=True)


def test_a_korean_visitor_at_a_busy_hour_is_served_by_an_english_agent_with_translation(
        new_page, asgi_server, libretranslate):
    translator = libretranslate()
    demo.seed(progress=lambda *args: None)
    busy_korean_desk()
    server = asgi_server.start(**translator.settings())
    agent = new_page(base_url=server)
    log_in(agent, "emma@example.com", PASSWORD, lang="en")
    agent.goto("/en/agent/chats/")
    agent.locator("#presence").select_option("online")

    visitor = new_page(base_url=server, viewport={"width": 390, "height": 844})
    visitor.goto("/ko/chat/")
    visitor.locator("#prechat-name").fill("박지수")
    visitor.locator("#prechat-email").fill("jisoo@example.com")
    visitor.locator("#prechat button[type=submit]").click()
    visitor.locator("#chat-input").fill(KO_CUSTOMER)
    visitor.locator("#chat-input").press("Enter")
    expect(visitor.locator("#chat-log .chat-mine")).to_contain_text(KO_CUSTOMER)

    # The offer, in Korean: the English agent now, with translation, or keep waiting (about 5 minutes here).
    offer = visitor.get_by_test_id("overflow-offer")
    expect(offer).to_be_visible(timeout=15_000)
    expect(offer.locator("#overflow-accept")).to_have_text("지금 상담원 연결 (영어, 번역 제공)")
    expect(offer.locator("#overflow-decline")).to_contain_text("제 언어를 쓰는 상담원을 계속 기다릴게요")
    assert english_leaks(visitor.locator("body").inner_text(), "ko") == []
    shot(visitor, "offer-ko")
    offer.locator("#overflow-accept").click()
    expect(offer).to_be_hidden(timeout=15_000)  # an agent took the chat: the offer is gone
    chat = Conversation.objects.get(visitor_email="jisoo@example.com")
    assert OverflowOffer.objects.get(conversation=chat).choice == OverflowChoice.ACCEPTED

    # The English agent: the question with its translation, served with translation, suggestions for it.
    card = agent.get_by_test_id("console-chat")
    expect(card).to_contain_text("박지수", timeout=15_000)
    expect(card.get_by_test_id("chat-assisted")).to_contain_text("your messages are translated")
    expect(card.get_by_test_id("chat-translation").first).to_contain_text(EN_CUSTOMER)
    article = card.get_by_test_id("assist-article").first
    expect(article).to_be_visible(timeout=15_000)
    title_en = article.locator(".assist-name").inner_text()
    suggested = Article.objects.get(title_en=title_en)
    assert suggested.title_ko
    shot(agent, "agent-en")
    article.locator(".js-assist-send").click()
    card.locator(".js-input").fill(EN_AGENT)
    card.locator(".js-input").press("Enter")
    expect(card.locator(".chat-mine").last.get_by_test_id("chat-translation")).to_contain_text(KO_AGENT)

    # The visitor reads Korean: the article as written in Korean, the reply translated and marked so.
    log = visitor.locator("#chat-log")
    expect(log).to_contain_text(suggested.title_ko)
    reply = log.locator(".chat-theirs").last
    expect(reply.locator(".chat-body")).to_have_text(KO_AGENT)
    expect(reply.get_by_test_id("translated-mark")).to_contain_text("번역됨")
    assert EN_AGENT not in log.inner_text()
    assert english_leaks(visitor.locator("body").inner_text(), "ko") == []
    shot(visitor, "reply-ko")
    reply.get_by_role("button", name="원문 보기").click()
    expect(reply.locator(".chat-body")).to_have_text(EN_AGENT)
    expect(reply.get_by_role("button", name="번역 보기")).to_be_visible()
    stored = Conversation.objects.get(pk=chat.pk)
    assert stored.assisted and stored.agent.email == "emma@example.com"
    # LibreTranslate was asked only for the visitor's question and the agent's reply, never for the article.
    assert sorted((r["json"]["source"], r["json"]["target"]) for r in translator.requests) == [("en", "ko"),
                                                                                              ("ko", "en")]
