"""Wrap-up: an ended chat waits in its agent's console (snapshot, read marks, replay) until the agent records how it
went; then it is in their history and on its page. Only that agent, once; bad input is refused by field; chats left
unwrapped are wrapped up by the system; the customer's rating reaches the agent."""
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from livechat import selectors, services
from livechat.models import Conversation, ConversationStatus
from support.models import AgentProfile, AuditEvent, Presence
from tests.factories import PASSWORD, AgentFactory, UserFactory

from .test_agent_socket import agent_socket
from .test_consumers import receive_until


def online(**kwargs):
    agent = AgentFactory(**kwargs)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE, last_seen_at=timezone.now())
    return agent


def ended_chat(agent, language="en", **kwargs):
    chat = services.conversation_start(language=language, visitor_name="Kim", visitor_email="kim@example.com",
                                       with_bot=False, **kwargs)
    chat.refresh_from_db()
    if chat.agent_id is None:  # routed after commit in transactional tests; picked by hand in the others
        services.conversation_pick(conversation_id=chat.pk, agent=agent)
    services.message_post(conversation_id=chat.pk, sender_kind="customer", body="my deposit is missing")
    services.conversation_close(conversation_id=chat.pk, by="customer")
    return Conversation.objects.get(pk=chat.pk)


@pytest.mark.django_db
def test_an_ended_chat_stays_in_the_console_until_its_agent_wraps_it_up():
    agent = online(languages=["en"], capacity=1)
    chat = ended_chat(agent)
    assert chat.status == ConversationStatus.CLOSED and chat.wrapped_up_at is None
    assert [c.pk for c in selectors.agent_chats(agent=agent)] == [chat.pk]
    assert services.conversation_mark_read(conversation_id=chat.pk, agent=agent, seq=1) == 1
    # Its seat is free again: a new chat goes to the agent while the ended one waits for the wrap-up.
    chat_two = ended_chat(agent)
    assert [c.pk for c in selectors.agent_chats(agent=agent)] == [chat.pk, chat_two.pk]

    done = services.conversation_wrap_up(conversation_id=chat.pk, agent=agent, disposition="resolved",
                                         topic="  Missing deposit ", tags="Deposit, USDT，tron, deposit",
                                         note="Sent on the wrong network; told to contact the sender.")
    assert (done.disposition, done.topic, done.tags, done.wrapped_up_by) == (
        "resolved", "Missing deposit", ["deposit", "usdt", "tron"], "agent")
    assert [c.pk for c in selectors.agent_chats(agent=agent)] == [chat_two.pk]
    assert [c.pk for c in selectors.agent_history(agent=agent)] == [chat.pk]
    with pytest.raises(services.WrapUpRefused) as twice:
        services.conversation_wrap_up(conversation_id=chat.pk, agent=agent, disposition="resolved")
    assert twice.value.code == "already_wrapped_up"


@pytest.mark.django_db
def test_only_the_chats_agent_wraps_up_an_ended_chat_and_bad_input_names_its_field():
    agent = online(languages=["en"], capacity=1)
    other = online(email="other@example.com", languages=["en"])
    chat = ended_chat(agent)
    with pytest.raises(services.ChatNotAvailable):
        services.conversation_wrap_up(conversation_id=chat.pk, agent=other, disposition="resolved")
    for kwargs, field in [({"disposition": "great"}, "disposition"), ({"disposition": ""}, "disposition"),
                          ({"disposition": "resolved", "tags": ["x" * 51]}, "tags"),
                          ({"disposition": "resolved", "tags": [f"t{i}" for i in range(11)]}, "tags"),
                          ({"disposition": "resolved", "tags": [{"a": 1}]}, "tags"),
                          ({"disposition": "resolved", "note": "n" * 4001}, "note"),
                          ({"disposition": "resolved", "topic": ["not", "text"]}, "topic")]:
        with pytest.raises(services.WrapUpRefused) as refused:
            services.conversation_wrap_up(conversation_id=chat.pk, agent=agent, **kwargs)
        assert refused.value.field == field, kwargs
    assert Conversation.objects.get(pk=chat.pk).wrapped_up_at is None
    # An active chat is not wrapped up: it has not ended.
    active = services.conversation_start(language="en", visitor_name="Lee", visitor_email="lee@example.com",
                                         with_bot=False)
    services.conversation_pick(conversation_id=active.pk, agent=agent)
    with pytest.raises(services.ChatNotAvailable):
        services.conversation_wrap_up(conversation_id=active.pk, agent=agent, disposition="resolved")


@pytest.mark.django_db
def test_chats_without_an_agent_need_no_wrap_up_and_stale_ones_are_wrapped_up_by_the_system(settings):
    queued = services.conversation_start(language="ja", visitor_name="Aoi", visitor_email="aoi@example.com",
                                         with_bot=False)
    services.conversation_close(conversation_id=queued.pk, by="customer")
    assert Conversation.objects.get(pk=queued.pk).wrapped_up_by == "system"

    agent = online(languages=["en"], capacity=2)
    old, recent = ended_chat(agent), ended_chat(agent)
    Conversation.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(
        minutes=settings.LIVECHAT_WRAP_UP_MINUTES + 1))
    assert services.conversations_wrap_up_stale() == 1
    old.refresh_from_db()
    assert (old.wrapped_up_by, old.disposition) == ("system", "")
    assert [c.pk for c in selectors.agent_chats(agent=agent)] == [recent.pk]
    assert services.conversations_wrap_up_stale() == 0


@pytest.mark.django_db
def test_the_agents_chat_page_shows_the_transcript_wrap_up_and_rating_and_is_audited(django_assert_max_num_queries):
    agent = online(languages=["ja"], capacity=1, name="Mei")
    customer = UserFactory(email="taro@example.com", name="Taro", language="ja")
    chat = services.conversation_start(language="ja", customer=customer, with_bot=False)
    services.conversation_pick(conversation_id=chat.pk, agent=agent)
    services.message_post(conversation_id=chat.pk, sender_kind="customer", body="入金が<b>届きません</b>",
                          sender=customer)
    services.message_post(conversation_id=chat.pk, sender_kind="agent", body="確認します", sender=agent)
    services.conversation_close(conversation_id=chat.pk, by="agent", actor=agent)
    services.conversation_rate(conversation_id=chat.pk, score=4, comment="早かった")
    services.conversation_wrap_up(conversation_id=chat.pk, agent=agent, disposition="follow_up",
                                  tags=["入金"], note="送金元に確認中")
    client = Client()
    client.force_login(agent)
    with translation.override("ja"):
        url = reverse("livechat:agent_chat", args=[chat.pk])
    with django_assert_max_num_queries(14):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    html = page.content.decode()
    assert page.status_code == 200
    assert "入金が&lt;b&gt;届きません&lt;/b&gt;" in html and "確認します" in html  # escaped, never markup
    assert "要フォローアップ" in html or "フォローアップ" in html  # the outcome in the reader's language
    assert "入金" in html and "送金元に確認中" in html and "4/5" in html and "早かった" in html
    assert AuditEvent.objects.filter(action="chat_view", object_id=str(chat.pk), customer=customer).exists()
    # Customers never see it (not even their own chat's agent-side page), and others' chats are not found.
    mine = Client()
    assert mine.login(email="taro@example.com", password=PASSWORD)
    assert mine.get(url).status_code in (302, 403, 404)
    assert client.get(reverse("livechat:agent_chat", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_over_the_socket_an_ended_chat_waits_for_the_wrap_up_and_the_rating_arrives_live():
    agent = await sync_to_async(online)(languages=["ru"], capacity=1)
    chat = await sync_to_async(ended_chat)(agent, language="ru")
    socket = await agent_socket(agent)
    snapshot = await receive_until(socket, "snapshot")
    assert [(c["conversation"], c["status"], c["csat"]) for c in snapshot["chats"]] == [
        (str(chat.pk), "closed", None)]
    assert snapshot["history"] == []
    # Reading it again is allowed; writing in it is refused in the socket's language, with the chat named.
    await socket.send_json_to({"type": "resume", "conversation": str(chat.pk), "after_seq": 0})
    assert (await receive_until(socket, "message"))["seq"] == 1
    await socket.send_json_to({"type": "transfer", "conversation": str(chat.pk), "to_language": "en"})
    refused = await receive_until(socket, "error")
    assert (refused["code"], refused["conversation"]) == ("chat_closed", str(chat.pk))

    await sync_to_async(services.conversation_rate)(conversation_id=chat.pk, score=5, comment="")
    assert (await receive_until(socket, "csat"))["csat"] == {"score": 5, "comment": ""}

    await socket.send_json_to({"type": "wrap_up", "conversation": str(chat.pk), "disposition": "nope"})
    bad = await receive_until(socket, "error")
    assert (bad["code"], bad["field"], bad["conversation"]) == ("invalid_disposition", "disposition", str(chat.pk))
    await socket.send_json_to({"type": "wrap_up", "conversation": str(chat.pk), "disposition": "resolved",
                               "tags": ["вывод"], "note": "ok"})
    done = await receive_until(socket, "wrapped_up")
    assert done["history"]["disposition"] == "resolved" and done["history"]["csat"]["score"] == 5
    await socket.send_json_to({"type": "history"})
    assert [c["conversation"] for c in (await receive_until(socket, "history"))["chats"]] == [str(chat.pk)]
    await socket.disconnect()
