"""Machine translation in chats (issue #25) against a stand-in LibreTranslate (tests/support/libretranslate_server.py;
our own parts are real): a customer who accepted an agent of another language is translated for that agent, the
agent's replies for the customer (both texts kept), text already in the customer's language is left alone, secrets
never leave masked-out, and a provider that fails or is slow never stops a message: it goes through untranslated,
marked, and can be translated again."""
import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.utils.translation import override as translation_override

from livechat import services
from livechat.models import ChatMessage, Conversation, ConversationStatus, LanguageOverflow, OverflowOffer, SenderKind
from livechat.tokens import visitor_token
from support.asgi import application
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory

KO_CUSTOMER = "출금이 아직 도착하지 않았어요. 어떻게 해야 하나요?"
EN_CUSTOMER = "My withdrawal has not arrived yet. What should I do?"
EN_AGENT = "Please send me the transaction ID and I will check it now."
KO_AGENT = "거래 ID를 보내 주시면 지금 바로 확인해 드리겠습니다."
SEED = "abandon ability able about above absent absorb abstract absurd abuse access accident"
ORIGIN = [(b"origin", b"http://localhost")]


def korean_chat_accepted():
    """A Korean visitor who wrote, was offered the English agent (serving Korean with assist) and accepted."""
    LanguageOverflow.objects.create(language="ko", overflow_to="en", offer_above_seconds=0)
    chat = services.conversation_start(language="ko", visitor_name="지수", visitor_email="jisoo@example.com",
                                       with_bot=False)
    services.customer_message_post(conversation_id=chat.id, body=KO_CUSTOMER)
    OverflowOffer.objects.create(conversation=chat, language="ko", overflow_to="en")
    services.overflow_choose(conversation_id=chat.id, accept=True)
    return chat


def assisted_agent():
    agent = AgentFactory(email="emma@example.com", languages=["en"], assisted_languages=["ko"])
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    return agent


def taken(chat, agent):
    services.conversations_route(language="en")
    chat.refresh_from_db()
    assert chat.agent == agent and chat.assisted
    return chat


@pytest.mark.django_db
def test_both_ways_with_the_originals_kept(libretranslate):
    server = libretranslate()
    chat = korean_chat_accepted()
    # The question written before accepting is translated when they accept.
    assert services.customer_messages_translate(conversation_id=chat.id) == 1
    first = ChatMessage.objects.get(conversation=chat, sender_kind=SenderKind.CUSTOMER)
    assert first.body == KO_CUSTOMER
    assert first.meta["translation"] == {"language": "en", "source": "ko", "state": "ok", "text": EN_CUSTOMER}
    assert services.customer_messages_translate(conversation_id=chat.id) == 0  # done already: not asked again
    agent = assisted_agent()
    taken(chat, agent)
    reply, created = services.agent_message_post(conversation_id=chat.id, agent=agent, body=EN_AGENT)
    assert created and reply.body == EN_AGENT
    assert reply.meta["translation"] == {"language": "ko", "source": "en", "state": "ok", "text": KO_AGENT}
    stored = ChatMessage.objects.get(pk=reply.pk)
    assert stored.meta["translation"]["text"] == KO_AGENT and stored.body == EN_AGENT
    later, _ = services.customer_message_post(conversation_id=chat.id, body="감사합니다. 거래 ID는 TX-20931입니다.")
    assert later.meta["translation"]["text"] == "Thank you. The transaction ID is TX-20931."
    # zh-hans etc. go as LibreTranslate's codes; the languages are what was asked.
    assert [(r["json"]["source"], r["json"]["target"]) for r in server.requests] == [("ko", "en"), ("en", "ko"),
                                                                                      ("ko", "en")]


@pytest.mark.django_db
def test_text_already_in_the_customers_language_is_not_translated(libretranslate):
    server = libretranslate()
    chat = korean_chat_accepted()
    agent = assisted_agent()
    taken(chat, agent)
    before = server.count
    article, _ = services.agent_message_post(conversation_id=chat.id, agent=agent, body=KO_AGENT, language="ko")
    assert "translation" not in article.meta and server.count == before


@pytest.mark.django_db
def test_nothing_is_translated_for_a_native_agent_or_with_the_provider_off(libretranslate, settings):
    chat = services.conversation_start(language="ko", visitor_name="V", visitor_email="v@example.com",
                                       with_bot=False)
    native = AgentFactory(languages=["ko"])
    AgentProfile.objects.filter(user=native).update(presence=Presence.ONLINE)
    services.conversations_route(language="ko")
    server = libretranslate()
    mine, _ = services.customer_message_post(conversation_id=chat.id, body=KO_CUSTOMER)
    reply, _ = services.agent_message_post(conversation_id=chat.id, agent=native, body=KO_AGENT)
    assert "translation" not in mine.meta and "translation" not in reply.meta and server.count == 0
    settings.MT_PROVIDER = ""
    other = korean_chat_accepted()
    assert "translation" not in ChatMessage.objects.filter(conversation=other).last().meta
    assert services.customer_messages_translate(conversation_id=other.id) == 0


@pytest.mark.django_db
def test_secrets_are_masked_before_the_text_leaves(libretranslate):
    server = libretranslate()
    chat = korean_chat_accepted()
    message, _ = services.customer_message_post(conversation_id=chat.id, body=f"제 복구 문구는 {SEED} 입니다")
    sent = server.requests[-1]["json"]["q"]
    assert "abandon" not in sent and "accident" not in sent
    assert message.meta["secrets"] and message.meta["translation"]["state"] == "ok"


@pytest.mark.django_db
def test_a_slow_provider_never_stops_the_message(libretranslate, settings):
    chat = korean_chat_accepted()
    agent = assisted_agent()
    taken(chat, agent)
    libretranslate(delay=3)
    settings.MT_TIMEOUT = 0.5
    began = time.monotonic()
    reply, created = services.agent_message_post(conversation_id=chat.id, agent=agent, body=EN_AGENT)
    assert time.monotonic() - began < 1.5
    assert created and ChatMessage.objects.filter(pk=reply.pk, body=EN_AGENT).exists()
    assert reply.meta["translation"] == {"language": "ko", "source": "en", "state": "failed", "text": ""}


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [{"fail_status": 500, "fail_error": "boom"}, {"fail_status": 429},
                                     {"broken_json": True}])
def test_a_failing_provider_marks_the_message_and_it_can_be_translated_again(libretranslate, failure,
                                                                               django_capture_on_commit_callbacks):
    server = libretranslate(**failure)
    chat = korean_chat_accepted()
    mine = ChatMessage.objects.get(conversation=chat, sender_kind=SenderKind.CUSTOMER)
    services.customer_messages_translate(conversation_id=chat.id)
    mine.refresh_from_db()
    assert mine.body == KO_CUSTOMER and mine.meta["translation"]["state"] == "failed"
    server.fail_status, server.broken_json = None, False
    with django_capture_on_commit_callbacks() as callbacks:
        again = services.message_translate(conversation_id=chat.id, seq=mine.seq)
    assert again["state"] == "ok" and again["text"] == EN_CUSTOMER and len(callbacks) == 1
    mine.refresh_from_db()
    assert mine.meta["translation"]["text"] == EN_CUSTOMER


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_customer_chooses_over_the_socket_and_the_agent_reads_the_translation(libretranslate):
    await sync_to_async(libretranslate)()

    def setup():
        LanguageOverflow.objects.create(language="ko", overflow_to="en", offer_above_seconds=0)
        chat = services.conversation_start(language="ko", visitor_name="지수", visitor_email="j@example.com",
                                           with_bot=False)
        services.customer_message_post(conversation_id=chat.id, body=KO_CUSTOMER)
        return chat

    chat = await sync_to_async(setup)()
    socket = WebsocketCommunicator(application, f"/ws/chat/{chat.id}/?token={visitor_token(chat.id)}", headers=ORIGIN)
    assert (await socket.connect())[0]
    state = await socket.receive_json_from(timeout=3)
    assert state["type"] == "queue" and "offer" not in state
    await sync_to_async(assisted_agent)()
    await sync_to_async(services.overflow_offers_make)()
    frame = await _until(socket, "overflow_offer")
    assert frame["offer"] == {"to_language": "en", "translated": True, "wait_seconds": None, "wait_minutes": None,
                              "choice": ""}
    await socket.send_json_to({"type": "overflow_choice", "accept": "yes"})
    assert (await _until(socket, "error"))["code"] == "invalid_accept"
    await socket.send_json_to({"type": "overflow_choice", "accept": True})
    chosen = await _until(socket, "overflow_chosen")
    assert chosen["offer"]["choice"] == "accepted"
    seen = {}
    while not {"translated", "assigned"} <= set(seen):  # the free English agent takes it; its page hears the text
        frame = await socket.receive_json_from(timeout=5)
        seen[frame["type"]] = frame
    assert seen["translated"]["translation"]["text"] == EN_CUSTOMER and seen["assigned"]["agent"]
    await socket.send_json_to({"type": "overflow_choice", "accept": False})
    refused = await _until(socket, "error")
    assert refused["code"] in ("no_overflow_offer", "chat_not_waiting")
    await socket.disconnect()
    chat = await sync_to_async(Conversation.objects.get)(pk=chat.pk)
    assert chat.status == ConversationStatus.ACTIVE and chat.assisted


async def _until(socket, frame_type):
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] == frame_type:
            return frame


@pytest.mark.django_db
def test_the_api_records_the_customers_choice(client):
    LanguageOverflow.objects.create(language="ko", overflow_to="en", offer_above_seconds=0)
    chat = services.conversation_start(language="ko", visitor_name="V", visitor_email="v@example.com",
                                       with_bot=False)
    url, headers = f"/api/v1/chats/{chat.id}/overflow/", {"HTTP_X_CHAT_TOKEN": visitor_token(chat.id)}
    refused = client.post(url, {"accept": True}, content_type="application/json", **headers)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "no_overflow_offer"
    assisted_agent()
    AgentProfile.objects.filter(capacity__gt=0).update(presence=Presence.AWAY)  # no one free yet: it waits
    OverflowOffer.objects.create(conversation=chat, language="ko", overflow_to="en", wait_estimate_seconds=900)
    bad = client.post(url, {"accept": "maybe"}, content_type="application/json", **headers)
    assert bad.status_code == 400 and "accept" in bad.json()["error"]["fields"]
    assert client.post(url, {"accept": True}, content_type="application/json").status_code == 404  # no token
    answer = client.post(url, {"accept": False}, content_type="application/json", **headers)
    assert answer.status_code == 200
    assert answer.json() == {"to_language": "en", "translated": False, "wait_seconds": 900, "wait_minutes": 15,
                             "choice": "declined"}
    chat.refresh_from_db()
    assert chat.overflow_to == "" and chat.status == ConversationStatus.QUEUED


@pytest.mark.django_db
def test_the_transcripts_keep_both_texts(libretranslate, client):
    from livechat.emails import transcript_lines

    libretranslate()
    chat = korean_chat_accepted()
    services.customer_messages_translate(conversation_id=chat.id)
    agent = assisted_agent()
    taken(chat, agent)
    services.agent_message_post(conversation_id=chat.id, agent=agent, body=EN_AGENT)
    # The customer's transcript: what they read, with what the agent wrote.
    with translation_override("ko"):
        lines = transcript_lines(chat)
    assert [(line["body"], line["original"]) for line in lines] == [(KO_CUSTOMER, ""), (KO_AGENT, EN_AGENT)]
    # The agents' page of the chat: each original with its translation.
    client.force_login(agent)
    page = client.get(f"/ja/agent/chats/{chat.id}/").content.decode()
    for text in (KO_CUSTOMER, EN_CUSTOMER, EN_AGENT, KO_AGENT):
        assert text in page
    assert "お客様向けの機械翻訳" in page and "機械翻訳：" in page
