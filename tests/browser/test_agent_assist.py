"""Cross-language agent assist (issue #25) in the browser: a Spanish-speaking agent's console suggests, for a Japanese
customer's message, help articles and macros titled in Spanish; one click sends the article in Japanese and the
customer reads it; a macro with no Japanese text says so and cannot be sent. On the ticket page in Chinese, a Korean
requester's question gets the macro in Korean with one click, as a public reply, and the agent's draft is kept.
Screenshots: /tmp/shots/assist/ and test-artifacts/."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpcenter import demo
from helpcenter.models import Article
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.leaks import english_leaks
from tickets.demo import MACROS
from tickets.models import Macro, Message
from tickets.services import ticket_create

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots/assist")


def _macro(without=()):
    """The demo's transaction-ID macro, without the texts of the languages named."""
    data = MACROS[0]
    texts = {f"{field}_{lang}": text for field in ("name", "body") for lang, text in data[field].items()
             if lang not in without}
    return Macro.objects.create(position=10, **texts)


def _shot(tab, name):
    for folder in (SHOTS, ARTIFACTS):
        folder.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_a_spanish_agent_sends_a_japanese_customer_the_article_in_japanese(new_page, asgi_server):
    demo.seed(progress=lambda *a: None)
    _macro(without=("ja",))
    server = asgi_server.start()
    AgentFactory(email="marta@example.com", name="Marta", languages=["ja"], capacity=2)
    agent = new_page(base_url=server)
    log_in(agent, "marta@example.com", PASSWORD, lang="es")
    agent.goto("/es/agent/chats/")
    agent.locator("#presence").select_option("online")

    customer = new_page(base_url=server, viewport={"width": 390, "height": 844})
    customer.goto("/ja/chat/")
    customer.locator("#prechat-name").fill("佐藤")
    customer.locator("#prechat-email").fill("sato@example.com")
    customer.locator("#prechat button[type=submit]").click()
    chat = agent.get_by_test_id("console-chat")
    expect(chat).to_contain_text("佐藤", timeout=15_000)
    box = chat.get_by_test_id("assist")
    expect(box).to_contain_text("Las sugerencias aparecen cuando el cliente escribe.")

    customer.locator("#chat-input").fill("USDTを入金しましたが、まだ残高に反映されていません。確認してください")
    customer.locator("#chat-input").press("Enter")
    article = Article.objects.get(key="deposit-not-credited")
    suggestion = box.get_by_test_id("assist-article").filter(has_text=article.title_es)
    expect(suggestion).to_be_visible(timeout=15_000)  # refreshed by the customer's message
    expect(suggestion.locator(".assist-preview summary")).to_have_text("Versión en japonés")
    macro = box.get_by_test_id("assist-macro")
    expect(macro).to_contain_text(MACROS[0]["name"]["es"])
    expect(macro.get_by_test_id("assist-missing")).to_have_text("Aún no hay versión en japonés")
    expect(macro.get_by_role("button", name="Enviar en japonés")).to_be_disabled()
    assert english_leaks(box.inner_text(), "es") == []
    suggestion.locator(".assist-preview summary").click()  # the Japanese text, unfolded
    expect(suggestion.locator(".assist-preview p")).to_contain_text(article.title_ja)
    _shot(agent, "console-es-suggestions")

    button = suggestion.get_by_role("button", name=f"Enviar en japonés: {article.title_es}")
    button.focus()
    agent.keyboard.press("Enter")  # reachable and usable by keyboard
    sent = f"/ja/help/articles/{article.pk}/"
    expect(chat.locator(".chat-log .chat-mine")).to_contain_text(article.title_ja)
    expect(customer.locator("#chat-log")).to_contain_text(article.title_ja, timeout=15_000)
    expect(customer.locator("#chat-log")).to_contain_text(sent)
    expect(box.locator(".js-assist-status")).to_have_text("Enviado.")
    _shot(agent, "console-es-sent")
    _shot(customer, "customer-ja-received")


def test_a_chinese_agent_replies_on_a_korean_ticket_with_the_macro_in_korean(new_page, asgi_server):
    demo.seed(progress=lambda *a: None)
    macro = _macro()
    server = asgi_server.start()
    AgentFactory(email="lin@example.com", name="Lin", languages=["zh-hans"], capacity=2)
    requester = UserFactory(email="minji@example.com", name="김민지", language="ko")
    ticket = ticket_create(requester=requester, subject="입금 문의",
                           body="USDT를 입금했는데 아직 잔액에 반영이 안 됐어요. 확인해 주세요", language="ko")
    page = new_page(base_url=server)
    log_in(page, "lin@example.com", PASSWORD, lang="zh-hans")
    page.goto(f"/zh-hans/agent/tickets/{ticket.ref}/")
    box = page.get_by_test_id("assist")
    suggestion = box.get_by_test_id("assist-macro").filter(has_text=MACROS[0]["name"]["zh_hans"])
    expect(suggestion).to_be_visible(timeout=15_000)
    expect(box.get_by_test_id("assist-article").first).to_be_visible()
    expect(suggestion.locator(".assist-preview summary")).to_have_text("韩文版本")
    assert english_leaks(box.inner_text(), "zh-hans") == []
    page.locator("#id_body").fill("草稿：稍后补充")
    _shot(page, "ticket-zh-suggestions")

    suggestion.get_by_role("button", name=f"用韩文发送: {MACROS[0]['name']['zh_hans']}").click()
    conversation = page.locator(".ticket-main")
    expect(conversation).to_contain_text(MACROS[0]["body"]["ko"][:20], timeout=15_000)
    expect(page.locator("#id_body")).to_have_value("草稿：稍后补充")  # the draft survived the reload
    reply = Message.objects.filter(ticket=ticket, is_internal=False).exclude(author=requester).get()
    assert reply.body == MACROS[0]["body"]["ko"] and macro.pk
    _shot(page, "ticket-zh-sent")
