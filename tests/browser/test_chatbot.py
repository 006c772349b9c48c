"""A visitor asks in Chinese how to reset their password, gets the article from the bot, then types 转人工 and is
queued for a Chinese-speaking agent, who sees the whole bot exchange and the handover card."""
import pytest
from playwright.sync_api import expect

from chatbot import defaults
from chatbot.classifier import intent_ready
from chatbot.models import BotText, HumanOnlyTopic, IntentExample, IntentPhrase
from helpcenter import demo
from tests.factories import PASSWORD, AgentFactory

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chinese_visitor_gets_the_article_then_a_chinese_agent(new_page, asgi_server, screenshot):
    defaults.install(BotText, IntentPhrase, HumanOnlyTopic)
    defaults.install_examples(IntentExample)
    intent_ready()
    demo.seed(progress=lambda *a: None)
    server = asgi_server.start(LIVECHAT_BOT_ENABLED="1")
    AgentFactory(email="li@example.com", name="Li Wei", languages=["zh-hans"], capacity=2)

    visitor = new_page(base_url=server, viewport={"width": 390, "height": 844})
    visitor.goto("/zh-hans/chat/")
    visitor.locator("#prechat-name").fill("王芳")
    visitor.locator("#prechat-email").fill("wang@example.com")
    visitor.get_by_role("button", name="开始对话").click()
    log = visitor.locator("#chat-log")
    expect(log).to_contain_text("智能助手")  # the bot's greeting, in Chinese
    visitor.locator("#chat-input").fill("我忘记密码了，怎么重置？")
    visitor.locator("#chat-input").press("Enter")
    article = log.locator(".chat-article").first
    expect(article).to_contain_text("密码")
    screenshot("bot-answer", visitor)

    visitor.locator("#chat-input").fill("转人工")
    visitor.locator("#chat-input").press("Enter")
    expect(log).to_contain_text("正在为您转接")
    expect(visitor.locator("#chat-status")).to_contain_text("您在队列中排第 1 位")

    agent = new_page(base_url=server)
    log_in(agent, "li@example.com", PASSWORD, lang="zh-hans")
    agent.goto("/zh-hans/agent/chats/")
    expect(agent.get_by_test_id("queues")).to_contain_text("王芳")  # waiting in the Chinese queue
    agent.locator("#presence").select_option("online")
    chat = agent.get_by_test_id("console-chat")
    expect(chat.locator(".chat-log")).to_contain_text("我忘记密码了，怎么重置？")  # the bot exchange
    expect(chat.locator(".chat-log")).to_contain_text("转人工")
    card = chat.get_by_test_id("handover-card")
    expect(card).to_contain_text("我忘记密码了，怎么重置？")
    expect(visitor.locator("#chat-status")).to_contain_text("Li Wei")
    screenshot("agent-with-card", agent)
