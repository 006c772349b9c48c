"""Secrets customers paste are masked before anything is stored: chat messages (with a warning in the chat, and a
flag for the agent), tickets from the web, the API and email (the raw mail is not kept), and bot questions. Then the
whole database, the outbox, the notifications and the logs are searched for the secret: it is nowhere."""
import logging
from email.message import EmailMessage

import pytest
from django.db import connection
from mnemonic import Mnemonic
from rest_framework.test import APIClient

from chatbot.services import missing_answer_record
from livechat import services as chat_services
from livechat.models import ChatMessage, SenderKind
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory, UserFactory
from tickets.inbound import inbound_email_ingest
from tickets.models import InboundEmail, Message

pytestmark = pytest.mark.django_db

PHRASE = Mnemonic("english").to_mnemonic(bytes(range(16)))
PHRASE_JA = Mnemonic("japanese").to_mnemonic(bytes(range(1, 17)))
KEY = "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa33262"
# Distinctive pieces to look for everywhere afterwards.
NEEDLES = [" ".join(PHRASE.split()[3:6]), " ".join(PHRASE_JA.split()[3:6]), KEY[10:40]]


def all_text_columns():
    with connection.cursor() as cursor:
        cursor.execute("""SELECT table_name, column_name FROM information_schema.columns
                          WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json',
                                                                          'tsvector', 'ARRAY')""")
        return cursor.fetchall()


def database_holds(needle):
    """Tables and columns whose stored value contains `needle` (as text), over the whole database."""
    hits = []
    with connection.cursor() as cursor:
        for table, column in all_text_columns():
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE %s', [f"%{needle}%"])
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


def test_chat_message_is_masked_the_customer_warned_and_the_agent_told_what(caplog):
    agent = AgentFactory(languages=["en"])
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    chat = chat_services.conversation_start(language="en", visitor_name="V", visitor_email="v@example.com",
                                            with_bot=False)
    chat_services.conversations_route(language="en")
    with caplog.at_level(logging.DEBUG):
        message, created = chat_services.customer_message_post(
            conversation_id=chat.pk, body=f"support asked me for this: {PHRASE}", client_msg_id="s1")
        chat_services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.AGENT, sender=agent,
                                   body=f"test key {KEY}")
    assert created and message.body == "support asked me for this: [recovery phrase hidden]"
    stored = list(ChatMessage.objects.filter(conversation=chat).order_by("seq"))
    assert [(m.sender_kind, m.body, m.meta.get("secrets")) for m in stored] == [
        ("customer", "support asked me for this: [recovery phrase hidden]", ["recovery_phrase"]),
        ("system", "secret_hidden", ["recovery_phrase"]),  # the warning, right after the message
        ("agent", "test key [private key hidden]", ["private_key"]),
    ]
    for needle in NEEDLES:
        assert not database_holds(needle), needle
        assert needle not in caplog.text


def test_a_bare_code_after_being_asked_for_one_is_masked():
    chat = chat_services.conversation_start(language="zh-hans", visitor_name="V", visitor_email="v@example.com",
                                            with_bot=False)
    from django.db import transaction

    from livechat.models import Conversation
    from livechat.services import message_append_locked

    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=chat.pk)
        message_append_locked(conversation, sender_kind=SenderKind.BOT, body="请提供您的验证码？")  # asked for a code
    message, _ = chat_services.customer_message_post(conversation_id=chat.pk, body="482 913")
    assert message.body == "[one-time code hidden]" and message.meta == {"secrets": ["one_time_code"]}
    plain, _ = chat_services.customer_message_post(conversation_id=chat.pk, body="20261123")
    assert plain.body == "20261123"  # the last word was the warning, not a request for a code


def test_tickets_from_the_web_and_the_api_are_masked_and_both_sides_see_a_notice(client, mailbox):
    customer = UserFactory(email="panic@example.com", language="ja")
    agent = AgentFactory(email="desk@example.com", languages=["ja"], language="ko")
    api = APIClient()
    api.force_authenticate(customer)
    response = api.post("/api/v1/tickets/", {"subject": f"key {KEY}", "body": f"フレーズ：{PHRASE_JA}"},
                        format="json")
    assert response.status_code == 201
    ref = response.json()["ref"]
    message = Message.objects.get(ticket__number=int(ref.split("-")[1]))
    assert message.body == "フレーズ：[recovery phrase hidden]"
    assert message.secrets == ["private_key", "recovery_phrase"]
    assert response.json()["subject"] == "key [private key hidden]"

    client.force_login(customer)
    page = client.get(f"/ja/requests/{ref}/").content.decode()
    assert "スタッフがこれらを尋ねることは決してありません" in page  # the warning, in Japanese
    assert 'data-testid="secret-notice"' in page
    client.force_login(agent)
    page = client.get(f"/ko/agent/tickets/{ref}/").content.decode()
    assert 'data-testid="secret-notice"' in page and "복구 구문" in page  # the kinds, in the agent's language

    client.force_login(customer)
    client.post(f"/ja/requests/{ref}/", {"body": f"もう一度 {PHRASE}"})
    assert Message.objects.filter(body__contains="[recovery phrase hidden]").count() == 2
    for needle in NEEDLES:
        assert not database_holds(needle), needle
        assert all(needle not in str(mail["message"]) for mail in mailbox), needle


def test_an_email_with_a_secret_is_filed_masked_and_its_raw_copy_is_not_kept():
    mail = EmailMessage()
    mail["From"] = "Scared <scared@example.com>"
    mail["To"] = "support@support.example.com"
    mail["Subject"] = "Withdrawal stuck"
    mail["Message-ID"] = "<secret-1@example.com>"
    mail.set_content(f"Your colleague asked for my seed phrase:\n{PHRASE}\nIs my money safe?")
    result = inbound_email_ingest(raw=mail.as_bytes())
    record = InboundEmail.objects.get(pk=result.record.pk)
    assert record.status == InboundEmail.Status.ACCEPTED and not record.raw
    assert "raw mail not kept" in record.reason
    message = Message.objects.get(email_message_id="secret-1@example.com")
    assert "[recovery phrase hidden]" in message.body and message.secrets == ["recovery_phrase"]
    for needle in NEEDLES:
        assert not database_holds(needle), needle


def test_bot_questions_are_stored_masked():
    gap = missing_answer_record(language="en", question=f"is this phrase valid {PHRASE} wallet recovery")
    assert gap is not None and "[recovery phrase hidden]" in gap.question
    assert not database_holds(NEEDLES[0])
