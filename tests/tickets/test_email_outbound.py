"""Outbound email: written with the change, delivered by a real SMTP conversation, never lost, never doubled."""
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from support import outbox
from support.models import OutboundEmail
from support.tasks import outbound_email_send
from tests.factories import AgentFactory, UserFactory
from tickets import mailaddr, services
from tickets.models import Identity

pytestmark = pytest.mark.django_db


def deliver_all():
    for row in OutboundEmail.objects.filter(status="pending"):
        outbox.outbound_email_deliver(outbound_id=row.pk)


def test_agent_reply_is_emailed_in_the_customers_language_with_threading(mailbox, agent):
    customer = UserFactory(email="kana@example.com", name="Kana", language="ja")
    ticket = services.ticket_create(requester=customer, subject="入金が反映されません", body="助けてください")
    message = services.ticket_reply(ticket=ticket, author=agent, body="確認しています。**少々お待ちください**。")
    deliver_all()
    assert len(mailbox) == 2  # the confirmation, then the reply
    confirmation, reply = (m["message"] for m in mailbox)
    assert mailbox[1]["to"] == ["kana@example.com"]
    assert reply["Subject"].strip() == f"[{ticket.ref}] Re: 入金が反映されません"
    assert reply["Message-ID"] == f"<{mailaddr.thread_message_id(ticket, f'm{message.pk}')}>"
    assert confirmation["Message-ID"] == f"<{mailaddr.thread_root_id(ticket)}>"
    assert reply["In-Reply-To"] == confirmation["Message-ID"]
    assert confirmation["Message-ID"] in reply["References"]
    assert reply["Reply-To"] == mailaddr.reply_address(ticket)
    assert "Auto-Submitted" not in reply and confirmation["Auto-Submitted"] == "auto-generated"
    text = reply.get_body(preferencelist=("plain",)).get_content()
    html = reply.get_body(preferencelist=("html",)).get_content()
    assert "Kana 様" in text or "こんにちは" in text
    assert "確認しています。" in text and "<strong>少々お待ちください</strong>" in html
    assert agent.email not in reply.as_string()
    assert "Agent Smith" in str(reply["From"])
    # The agent's code for this request (not their private profile code), and where to check it, in Japanese.
    from tickets.selectors import agent_code_key
    from verification.selectors import conversation_code

    code = conversation_code(agent, agent_code_key(ticket.ref))
    assert code != agent.agent_profile.verification_code
    assert f"Agent Smith の認証コード：{code}" in text
    assert f"/ja/verify/?kind=agent_code&value={code}" in text and code in html
    confirmation_text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert "/verify/" not in confirmation_text  # automatic mail has no agent, so no code


def test_internal_notes_never_produce_email(mailbox, agent, customer):
    ticket = services.ticket_create(requester=customer, subject="s", body="b")
    before = OutboundEmail.objects.count()
    services.ticket_reply(ticket=ticket, author=agent, body="SECRET note", internal=True)
    assert OutboundEmail.objects.count() == before
    assert not OutboundEmail.objects.filter(body_text__contains="SECRET").exists()


def test_reply_with_status_sends_one_email_status_change_alone_sends_one(agent, customer):
    ticket = services.ticket_create(requester=customer, subject="s", body="b")
    services.ticket_reply(ticket=ticket, author=agent, body="Please send the TxID", status="pending")
    assert OutboundEmail.objects.filter(topic=f"ticket:{ticket.ref}").count() == 2
    services.ticket_update(ticket=ticket, actor=agent, status="solved")
    emails = OutboundEmail.objects.filter(topic=f"ticket:{ticket.ref}").order_by("created_at")
    assert emails.count() == 3
    assert "Solved" in emails.last().subject


@pytest.mark.parametrize("lang, phrase", [
    ("en", "We received your request"), ("zh-hans", "我们已收到您的请求"), ("es", "Recibimos tu solicitud"),
    ("ru", "Мы получили ваш запрос"), ("ja", "お問い合わせを受け付けました"), ("ko", "문의가 접수되었습니다"),
])
def test_confirmation_templates_exist_in_every_language(lang, phrase):
    customer = UserFactory(language=lang)
    services.ticket_create(requester=customer, subject="Subject", body="b")
    row = OutboundEmail.objects.get(user=customer)
    assert phrase in row.subject + row.body_text
    assert row.body_html.startswith("<!doctype html>") and f'lang="{lang}"' in row.body_html


def test_a_task_delivered_twice_sends_once(mailbox, customer):
    services.ticket_create(requester=customer, subject="s", body="b")
    row = OutboundEmail.objects.get()
    assert outbound_email_send.apply(args=[str(row.pk)]).get() == "sent"
    assert outbound_email_send.apply(args=[str(row.pk)]).get() == "skipped"
    assert len(mailbox) == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 1


def test_a_retry_after_an_smtp_4xx_succeeds(mailbox, smtp_server, customer):
    services.ticket_create(requester=customer, subject="s", body="b")
    row = OutboundEmail.objects.get()
    smtp_server.refuse_next.append("451 4.3.0 Mailbox busy, try again")
    # apply() runs the task here with Celery's own retry machinery (autoretry_for), without a worker.
    assert outbound_email_send.apply(args=[str(row.pk)]).get() == "sent"
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 2 and len(mailbox) == 1


def test_a_permanent_refusal_is_recorded_and_shown_to_agents(client, mailbox, smtp_server, customer, agent):
    ticket = services.ticket_create(requester=customer, subject="s", body="b")
    row = OutboundEmail.objects.get()
    smtp_server.refuse_next.append("550 5.1.1 No such user")
    assert outbox.outbound_email_deliver(outbound_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == "failed" and "550" in row.last_error and mailbox == []
    client.force_login(agent)
    html = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert 'data-testid="email-failures"' in html and "550" in html


def test_a_subject_with_line_breaks_is_one_line_and_a_header_the_mailer_refuses_fails_for_good(mailbox, customer):
    """CR/LF in a subject once made its mail fail inside the SMTP exchange and be retried forever."""
    ticket = services.ticket_create(requester=customer, subject="Hello\r\nBcc: evil@evil.example", body="b")
    assert ticket.subject == "Hello Bcc: evil@evil.example"
    deliver_all()
    assert [m["to"] for m in mailbox] == [[customer.email]]
    row = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=row.pk).update(status="pending", subject="Hi\r\nBcc: evil@evil.example")
    assert outbox.outbound_email_deliver(outbound_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == "failed" and "BadHeaderError" in row.last_error and len(mailbox) == 1


@override_settings(OUTBOUND_EMAIL_MAX_ATTEMPTS=2)
def test_temporary_failures_give_up_after_the_configured_attempts(smtp_server, customer):
    services.ticket_create(requester=customer, subject="s", body="b")
    row = OutboundEmail.objects.get()
    smtp_server.refuse_next.extend(["451 busy", "451 busy"])
    with pytest.raises(outbox.TemporaryEmailError):
        outbox.outbound_email_deliver(outbound_id=row.pk)
    assert outbox.outbound_email_deliver(outbound_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 2


def test_unreachable_smtp_server_is_a_temporary_error(settings, customer):
    services.ticket_create(requester=customer, subject="s", body="b")
    row = OutboundEmail.objects.get()
    settings.EMAIL_PORT = 1  # nothing listens there
    with pytest.raises(outbox.TemporaryEmailError):
        outbox.outbound_email_deliver(outbound_id=row.pk)
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1 and row.last_error


def test_resend_after_a_crash_carries_the_same_message_id(mailbox, customer):
    """The one duplicate SMTP allows: accepted, then the worker died before marking the row. The lease expires,
    the sweep re-sends, and both copies share one Message-ID, which mail clients collapse."""
    services.ticket_create(requester=customer, subject="s", body="b")
    row = OutboundEmail.objects.get()
    outbox._claim(row.pk)
    outbox._build(OutboundEmail.objects.get(pk=row.pk)).send()  # accepted by the server, then "the crash"
    OutboundEmail.objects.filter(pk=row.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert outbox.outbound_email_deliver(outbound_id=row.pk) == "sent"
    assert len(mailbox) == 2
    assert mailbox[0]["message"]["Message-ID"] == mailbox[1]["message"]["Message-ID"]


def test_sweep_selects_only_rows_left_behind(customer):
    services.ticket_create(requester=customer, subject="fresh", body="b")
    services.ticket_create(requester=customer, subject="lost", body="b")
    lost = OutboundEmail.objects.get(subject__contains="lost")
    OutboundEmail.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    sent = OutboundEmail.objects.exclude(pk=lost.pk).get()
    OutboundEmail.objects.filter(pk=sent.pk).update(status="sent")
    assert outbox.outbound_emails_sweep(older_than_seconds=120) == 1


@pytest.mark.django_db(transaction=True)
def test_the_beat_sweep_delivers_a_row_whose_task_was_lost(mailbox, celery_worker_process):
    """A real worker picks up what the sweep re-enqueues: nothing is lost when a task vanishes."""
    customer = UserFactory(email="lost@example.com")
    AgentFactory(email="a@example.com")
    row = OutboundEmail.objects.create(to_email=customer.email, user=customer, from_email="desk@example.com",
                                       subject="Lost mail", body_text="body", message_id="lost-1@example.com",
                                       created_at=timezone.now() - timedelta(minutes=10))
    assert outbox.outbound_emails_sweep(older_than_seconds=120) == 1
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not mailbox:
        time.sleep(0.2)
    assert [m["message"]["Subject"] for m in mailbox] == ["Lost mail"]
    row.refresh_from_db()
    assert row.status == "sent"


@pytest.mark.django_db(transaction=True)
def test_many_emails_queued_at_once_go_in_batches_each_delivered_once(mailbox, celery_worker_process):
    """An SLA scan alerts hundreds at once: their rows are written in one INSERT and delivered by batch tasks
    (BATCH rows each); a real worker sends every one exactly once."""
    from django.db import transaction

    customer = UserFactory(email="many@example.com")
    count = outbox.BATCH + 5
    with transaction.atomic():
        outbox.outbound_emails_queue_many([{"to_email": customer.email, "user": customer, "subject": f"Alert {n}",
                                            "body_text": "body"} for n in range(count)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(mailbox) < count:
        time.sleep(0.2)
    time.sleep(0.5)  # a double would arrive now
    subjects = sorted(m["message"]["Subject"] for m in mailbox)
    assert subjects == sorted(f"Alert {n}" for n in range(count))
    assert OutboundEmail.objects.filter(status="sent").count() == count


def test_admin_can_send_a_failed_email_again(client, desk_admin, customer, smtp_server, mailbox):
    services.ticket_create(requester=customer, subject="s", body="b")
    row = OutboundEmail.objects.get()
    smtp_server.refuse_next.append("550 no such user")
    outbox.outbound_email_deliver(outbound_id=row.pk)
    client.force_login(desk_admin)
    response = client.post("/admin/support/outboundemail/", {"action": "retry", "_selected_action": [str(row.pk)]})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 0
    assert outbox.outbound_email_deliver(outbound_id=row.pk) == "sent" and len(mailbox) == 1


def test_inbound_admin_lists_rejected_mail(client, desk_admin):
    from tickets.inbound import inbound_email_ingest

    inbound_email_ingest(raw=b"\x00\x01 not a mail")
    client.force_login(desk_admin)
    html = client.get("/admin/tickets/inboundemail/").content.decode()
    assert "no valid sender address" in html


def test_an_unproven_address_is_not_sent_the_words_someone_else_typed(mailbox):
    """A visitor leaves a message with a victim's address, a name and a subject of their choosing: the desk's
    confirmation to that address repeats neither (no relay of attacker text from our own address)."""
    from support.services import customer_for_email

    victim = customer_for_email(email="victim@example.net", name="Win a prize at evil.example", language="en")
    ticket = services.ticket_create(requester=victim, subject="Verify your wallet at evil.example/restore",
                                    body="Urgent: verify your wallet at evil.example/restore",
                                    identity=Identity.TYPED)
    deliver_all()
    message = mailbox[0]["message"]
    text = message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()
    assert message["Subject"] == f"[{ticket.ref}] We received your request: {ticket.ref}"
    assert "evil.example" not in str(message["Subject"]) and "evil.example" not in text
    assert "Hello victim@example.net," in text
