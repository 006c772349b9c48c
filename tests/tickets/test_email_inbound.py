"""Inbound email end to end: real .eml fixtures in every charset and client style, filed as replies or new
requests; robots ignored; forged addresses and strangers never appended to someone's ticket; nothing lost."""
import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tickets import mailaddr, services
from tickets.inbound import inbound_email_ingest
from tickets.models import InboundEmail, Message, Ticket

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "emails"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def thread(customer):
    ticket = services.ticket_create(requester=customer, subject="Deposit missing", body="My deposit is missing.")
    return ticket


def load(name, ticket, customer):
    raw = (FIXTURES / name).read_bytes()
    return (raw.replace(b"REPLY_ADDRESS_PLACEHOLDER", mailaddr.reply_address(ticket).encode())
            .replace(b"THREAD_MESSAGE_ID_PLACEHOLDER", mailaddr.thread_message_id(ticket, "m1").encode())
            .replace(b"CUSTOMER_EMAIL_PLACEHOLDER", customer.email.encode()))


def cases(*kinds):
    return [pytest.param(case, id=case["file"]) for case in MANIFEST if case["kind"] in kinds]


def assert_text(body, case):
    for expected in case.get("expect_contains", []):
        assert expected in body, (expected, body)
    for absent in case.get("expect_absent", []):
        assert absent not in body, (absent, body)


@pytest.mark.parametrize("case", cases("reply_token", "reply_thread"))
def test_replies_land_on_their_ticket_as_the_requester(case, thread, customer):
    result = inbound_email_ingest(raw=load(case["file"], thread, customer))
    record = result.record
    assert record.status == "accepted", record.reason
    assert record.ticket_id == thread.pk
    message = record.ticket_message
    assert message.author == customer and message.channel == "email" and not message.is_internal
    assert_text(message.body, case)
    assert sorted(a.filename for a in message.attachments.all()) == sorted(case.get("attachments", []))


@pytest.mark.parametrize("case", cases("new_request"))
def test_new_requests_open_tickets(case, thread, customer):
    record = inbound_email_ingest(raw=load(case["file"], thread, customer)).record
    assert record.status == "accepted", record.reason
    ticket = record.ticket
    assert ticket.pk != thread.pk and ticket.channel == "email"
    assert_text(ticket.messages.get().body, case)
    if case.get("subject_contains"):
        assert case["subject_contains"] in ticket.subject
    names = sorted(a.filename for a in ticket.attachments.all())
    assert names == sorted(case.get("attachments", []))
    for refused in case.get("rejected_attachments", []):
        assert refused in record.reason and refused not in names


def test_unknown_sender_becomes_an_unverified_customer(thread, customer):
    from support.models import User

    case = next(c for c in MANIFEST if c["file"] == "new_request_unknown_sender.eml")
    record = inbound_email_ingest(raw=load(case["file"], thread, customer)).record
    user = User.objects.get(email="nuevo.cliente@mail.example.net")
    assert record.ticket.requester == user
    assert not user.email_verified and not user.has_usable_password()
    assert record.ticket.language == "es"


@pytest.mark.parametrize("case", cases("ignored"))
def test_auto_replies_and_bounces_are_ignored(case, thread, customer):
    before = Message.objects.count()
    record = inbound_email_ingest(raw=load(case["file"], thread, customer)).record
    assert record.status == "ignored" and record.reason
    assert Message.objects.count() == before


@pytest.mark.parametrize("case", cases("forged", "other_sender"))
def test_forged_or_foreign_replies_never_join_the_ticket(case, thread, customer):
    record = inbound_email_ingest(raw=load(case["file"], thread, customer)).record
    assert thread.messages.count() == 1
    assert record.ticket_id != thread.pk
    if record.ticket_id:
        assert record.ticket.requester.email != customer.email


@pytest.mark.parametrize("case", cases("malformed"))
def test_malformed_mail_is_kept_and_never_crashes(case, thread, customer):
    raw = load(case["file"], thread, customer)
    record = inbound_email_ingest(raw=raw).record
    assert record.status in ("rejected", "accepted", "ignored")
    assert record.raw.read() == raw


def test_the_same_mail_twice_is_stored_once(thread, customer):
    raw = load("gmail_reply.eml", thread, customer)
    first = inbound_email_ingest(raw=raw)
    second = inbound_email_ingest(raw=raw)
    assert second.duplicate and second.record.pk == first.record.pk
    assert InboundEmail.objects.count() == 1 and thread.messages.count() == 2


def test_mail_without_message_id_is_deduplicated_by_content(thread, customer):
    raw = load("no_message_id.eml", thread, customer)
    inbound_email_ingest(raw=raw)
    assert inbound_email_ingest(raw=raw).duplicate
    assert Ticket.objects.count() == 2


def test_oversized_mail_is_rejected_but_kept(settings, thread, customer):
    settings.INBOUND_EMAIL_MAX_BYTES = 10_000
    raw = load("new_request_known.eml", thread, customer) + b"\n" + b"x" * 20_000
    record = inbound_email_ingest(raw=raw).record
    assert record.status == "rejected" and "too large" in record.reason
    assert record.raw.read() == raw
    assert Ticket.objects.count() == 1


def test_reply_to_a_closed_ticket_by_email_opens_a_follow_up(thread, customer, agent):
    services.ticket_update(ticket=thread, actor=agent, status="closed")
    record = inbound_email_ingest(raw=load("gmail_reply.eml", thread, customer)).record
    assert record.ticket.follow_up_of == thread and record.ticket.channel == "email"


def test_email_reply_reopens_a_pending_ticket(thread, customer, agent):
    services.ticket_update(ticket=thread, actor=agent, status="pending")
    inbound_email_ingest(raw=load("gmail_reply.eml", thread, customer))
    thread.refresh_from_db()
    assert thread.status == "open"


def test_our_confirmation_threads_under_the_customers_own_message(thread, customer):
    from support.models import OutboundEmail

    record = inbound_email_ingest(raw=load("new_request_known.eml", thread, customer)).record
    confirmation = OutboundEmail.objects.get(topic=f"ticket:{record.ticket.ref}")
    assert confirmation.in_reply_to == record.message_id


def test_ingest_email_command_reads_standard_input(thread, customer, monkeypatch, capsys):
    raw = load("charset_iso2022jp.eml", thread, customer)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("ingest_email")
    assert f"accepted -> {thread.ref}" in capsys.readouterr().out


def test_imap_poll_files_unseen_mail_and_marks_it_seen_only_after_storing(thread, customer, settings):
    from tickets.tasks import inbound_email_poll

    from .imap_server import ImapServer

    mails = [load("gmail_reply.eml", thread, customer), load("new_request_unknown_sender.eml", thread, customer)]
    with ImapServer(mails) as server:
        settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_SSL = "127.0.0.1", server.port, False
        settings.IMAP_USER, settings.IMAP_PASSWORD = "desk", "secret"
        assert inbound_email_poll() == 2
        assert server.mailbox.seen == {1, 2}
        assert inbound_email_poll() == 0
    assert thread.messages.count() == 2 and InboundEmail.objects.count() == 2


def test_imap_poll_leaves_mail_unseen_when_storing_fails(thread, customer, settings, monkeypatch):
    from tickets import inbound

    from .imap_server import ImapServer

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(inbound, "inbound_email_ingest", broken)
    with ImapServer([load("gmail_reply.eml", thread, customer)]) as server:
        with pytest.raises(RuntimeError):
            inbound.inbound_imap_poll(host="127.0.0.1", port=server.port, user="desk", password="secret",
                                      use_ssl=False)
        assert server.mailbox.seen == set()


def test_a_reply_address_opens_its_ticket_until_it_expires(customer, settings):
    """A leaked or forwarded reply address is not a key for ever: after EMAIL_REPLY_ADDRESS_DAYS the mail is filed
    as a new request of its sender, with the reason on its record."""
    import datetime as dt

    import time_machine

    settings.EMAIL_REPLY_ADDRESS_DAYS = 90
    issued = dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.UTC)
    with time_machine.travel(issued, tick=False):
        ticket = services.ticket_create(requester=customer, subject="Deposit missing", body="Where is it?")
        address = mailaddr.reply_address(ticket)
        thread_id = mailaddr.thread_message_id(ticket, "m1")

    def reply(n, **headers):
        lines = [f"From: {customer.email}", f"Message-ID: <expiry-{n}@mail.example.net>", "Subject: Re: Deposit",
                 *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
        return ("\r\n".join(lines) + f"\r\n\r\nStill waiting ({n}).\r\n").encode()

    with time_machine.travel(issued + dt.timedelta(days=89), tick=False):
        assert inbound_email_ingest(raw=reply(1, To=address)).record.ticket_id == ticket.pk
        assert inbound_email_ingest(raw=reply(2, To="support@support.example.com",
                                              In_Reply_To=f"<{thread_id}>")).record.ticket_id == ticket.pk
    with time_machine.travel(issued + dt.timedelta(days=91), tick=False):
        late = inbound_email_ingest(raw=reply(3, To=address)).record
        assert late.ticket_id != ticket.pk and "expired" in late.reason
        late_thread = inbound_email_ingest(raw=reply(4, To="support@support.example.com",
                                                    In_Reply_To=f"<{thread_id}>")).record
        assert late_thread.ticket_id != ticket.pk and "expired" in late_thread.reason
    assert late.ticket.requester == customer  # the sender's own new request, nobody else's


def test_an_old_unstamped_reply_address_is_expired_and_a_guessed_one_forged(customer):
    ticket = services.ticket_create(requester=customer, subject="Deposit missing", body="Where is it?")
    old = f"support+{ticket.ref}.{mailaddr.ticket_token(ticket.ref)}@support.example.com"
    assert mailaddr.check_address(old) == (None, mailaddr.EXPIRED)
    assert mailaddr.check_address(f"support+{ticket.ref}.0.0000000000@support.example.com") == (None, mailaddr.FORGED)
    assert mailaddr.check_address(f"support+{ticket.ref}@support.example.com") == (None, mailaddr.FORGED)
    assert mailaddr.check_address(mailaddr.reply_address(ticket)) == (ticket.number, mailaddr.VALID)


def test_mail_that_cannot_be_read_is_kept_raw_only_without_a_secret(settings, thread, customer):
    """Too large or unparseable mail is kept raw for an admin to look at, unless a secret is readable in it."""
    from mnemonic import Mnemonic

    settings.INBOUND_EMAIL_MAX_BYTES = 10_000
    phrase = Mnemonic("english").to_mnemonic(bytes(range(16)))
    raw = load("new_request_known.eml", thread, customer) + f"\nmy wallet words: {phrase}\n".encode() + b"x" * 20_000
    record = inbound_email_ingest(raw=raw).record
    assert record.status == "rejected" and "too large" in record.reason and "held a secret" in record.reason
    assert not record.raw
    garbage = bytes(range(256)) * 4 + f"\n{phrase}\n".encode()
    unreadable = inbound_email_ingest(raw=garbage).record
    assert unreadable.status in ("rejected", "ignored") and not unreadable.raw
