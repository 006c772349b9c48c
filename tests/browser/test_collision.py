"""Collision detection (issue #24) in the browser, two agents in two languages on one real ASGI server: on a ticket,
each sees the other viewing and typing (a reply, or an internal note) live; when one sends while the other is
writing, the other's page warns at once, quoting the new reply, and the server holds their send until they have read
it ("Send anyway" sends). On a chat, the agent in the console sees a supervisor viewing it, and the supervisor on the
chat's page sees the agent typing and that a message arrived. Screenshots: test-artifacts/collision-*.png."""
import random
import time

import pytest
from django.db import connection
from django.utils import translation
from playwright.sync_api import expect

from livechat import services as chat_services
from support.models import AgentProfile, Presence
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.leaks import english_on_page
from tickets import services
from tickets.models import Message

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said(lang, text, **values):
    with translation.override(lang):
        text = translation.gettext(text)
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def a_ticket_number_of_this_run():
    """Every test database numbers its first ticket T-10001, and Redis pub/sub (the channel layer) is shared by every
    test run on this machine: a number of its own keeps another run's frames for "its" T-10001 off these pages."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('ticket_number_seq', %s)", [random.randint(10**7, 10**9)])


def shot(tab, name):
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"collision-{name}.png"), full_page=True)


def test_two_agents_on_a_ticket_see_each_other_typing_and_a_reply_written_meanwhile_is_held(new_page, asgi_server):
    """Mei (Japanese) and Ana (Spanish) on one ticket: live presence both ways, the live warning, the held send."""
    server = asgi_server.start()
    a_ticket_number_of_this_run()
    customer = UserFactory(email="kunde@example.com", name="林 美", language="ja")
    ticket = services.ticket_create(requester=customer, subject="出金が届きません", body="昨日の出金がまだ届いていません。")
    mei = AgentFactory(email="mei@example.com", name="Mei", languages=["ja", "es"])
    AgentFactory(email="ana@example.com", name="Ana", languages=["ja", "es"])
    ja = new_page(base_url=server)
    log_in(ja, "mei@example.com", PASSWORD, lang="ja")
    ja.goto(f"/ja/agent/tickets/{ticket.ref}/")
    es = new_page(base_url=server)
    log_in(es, "ana@example.com", PASSWORD, lang="es")
    es.goto(f"/es/agent/tickets/{ticket.ref}/")

    ja_line, es_line = ja.get_by_test_id("collision-presence"), es.get_by_test_id("collision-presence")
    expect(ja_line).to_have_text(said("ja", "{name} is viewing", name="Ana"))
    expect(es_line).to_have_text(said("es", "{name} is viewing", name="Mei"))

    # Mei writes a note, then a reply: Ana sees which, live.
    ja.locator("#id_internal").check()
    ja.locator("#id_body").fill("AML: 出金先アドレスを確認中")
    expect(es_line).to_have_text(said("es", "{name} is writing an internal note", name="Mei"))
    ja.locator("#id_internal").uncheck()
    ja.locator("#id_body").fill("確認いたします。少々お待ちください。")
    expect(es_line).to_have_text(said("es", "{name} is replying", name="Mei"))
    expect(es_line.locator(".collision-person.is-replying")).to_have_count(1)
    assert es_line.get_attribute("aria-live") == "polite"
    assert english_on_page(es) == []
    shot(es, "es-mei-is-replying")

    # Ana sends first: Mei's page warns at once, quoting her reply.
    es.locator("#id_body").fill("Hemos encontrado su retiro: llegará hoy.")
    es.locator("#reply-submit").click()
    es.wait_for_load_state()
    live = ja.get_by_test_id("replied-live")
    expect(live).to_contain_text(said("ja", "{names} replied while you were writing: read it, then send again.",
                                      names="Ana"))
    expect(live).to_contain_text("Hemos encontrado su retiro")
    expect(live.get_by_test_id("send-anyway-live")).to_have_text(said("ja", "Send anyway"))
    assert english_on_page(ja) == []
    shot(ja, "ja-live-warning")

    # Mei sends anyway without reading: the server holds it, shows Ana's reply, keeps the text.
    ja.locator("#reply-submit").click()
    ja.wait_for_load_state()
    held = ja.get_by_test_id("replied-meanwhile")
    expect(held).to_contain_text(said("ja", "{names} replied while you were writing: read it, then send again.",
                                      names="Ana"))
    expect(held).to_contain_text("Hemos encontrado su retiro")
    expect(ja.locator("#id_body")).to_have_value("確認いたします。少々お待ちください。")
    assert not Message.objects.filter(ticket=ticket, author=mei).exists()
    assert english_on_page(ja) == []
    shot(ja, "ja-held")
    held.get_by_test_id("send-anyway").click()
    ja.wait_for_load_state()
    sent = Message.objects.filter(ticket=ticket, author=mei).get()
    assert (sent.body, sent.is_internal) == ("確認いたします。少々お待ちください。", False)
    expect(ja.get_by_test_id("replied-meanwhile")).to_have_count(0)


def test_a_supervisor_following_a_chat_and_its_agent_in_the_console_see_each_other(new_page, asgi_server):
    """Jisu (Korean console) sees Olga viewing; Olga (Russian chat page) sees Jisu typing and the new message."""
    server = asgi_server.start()
    AgentFactory(email="jisu@example.com", name="김지수", languages=["ko"], capacity=2)
    AgentFactory(email="olga@example.com", name="Ольга", languages=["ru"], supervisor=True)
    console = new_page(base_url=server)
    log_in(console, "jisu@example.com", PASSWORD, lang="ko")
    console.goto("/ko/agent/chats/")
    console.locator("#presence").select_option("online")
    # Online once the console's socket said so (it is connected and listening then): setting it in the database
    # directly raced the socket on a busy machine, and the new chat's card was sent before anyone listened.
    for _ in range(150):
        if AgentProfile.objects.filter(user__email="jisu@example.com", presence=Presence.ONLINE).exists():
            break
        time.sleep(0.1)
    chat = chat_services.conversation_start(language="ko", visitor_name="민수", visitor_email="m@example.com",
                                            with_bot=False)
    card = console.get_by_test_id("console-chat")
    expect(card).to_contain_text("민수", timeout=15_000)

    follower = new_page(base_url=server)
    log_in(follower, "olga@example.com", PASSWORD, lang="ru")
    follower.goto(f"/ru/agent/chats/{chat.id}/")
    expect(card.get_by_test_id("chat-presence")).to_have_text(said("ko", "{name} is viewing", name="Ольга"))
    line = follower.get_by_test_id("chat-presence")
    expect(line).to_have_text(said("ru", "{name} is viewing", name="김지수"))

    card.locator(".js-input").fill("잠시만 기다려 주세요.")
    expect(line).to_have_text(said("ru", "{name} is replying", name="김지수"))
    assert english_on_page(follower) == []
    shot(follower, "ru-chat-agent-replying")
    card.locator(".js-input").press("Enter")
    expect(follower.get_by_test_id("chat-news")).to_have_text(
        said("ru", "New messages in this chat: reload the page to read them."))
    expect(line).to_have_text(said("ru", "{name} is viewing", name="김지수"))
    assert english_on_page(console) == []
    shot(console, "ko-console-supervisor-viewing")
    follower.close()
    expect(card.get_by_test_id("chat-presence")).to_have_text("")
