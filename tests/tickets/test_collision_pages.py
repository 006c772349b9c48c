"""Collision detection on a ticket (issue #24), without JavaScript: the reply form carries the last public message the
agent had on screen; a public reply sent after someone else wrote (another agent, the customer) is not sent, the page
shows what was written with the typed text kept and "Send anyway"; a second submit with the confirm flag sends."""
import re

import pytest

from support.roles import is_agent
from tests.factories import AgentFactory
from tickets import services
from tickets.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def mei(db):
    return AgentFactory(email="mei@example.com", name="Mei", languages=["en", "ja"])


def seen_on(page):
    """The hidden `seen` field of the reply form on a rendered page."""
    match = re.search(r'<input type="hidden" name="seen" id="collision-seen" value="(\d+)">', page)
    assert match, "the reply form has no seen field"
    return int(match[1])


def test_the_page_carries_the_last_public_message_it_shows(client, agent, mei, ticket):
    """Internal notes are not what the customer reads: the field names the newest public message."""
    public = services.ticket_reply(ticket=ticket, author=mei, body="We are checking.")
    services.ticket_reply(ticket=ticket, author=mei, body="AML note", internal=True)
    client.force_login(agent)
    page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert seen_on(page) == public.pk
    assert 'data-socket="/ws/agent/tickets/' + ticket.ref + '/"' in page and 'aria-live="polite"' in page


def test_a_reply_over_someone_elses_is_held_with_the_text_kept_then_sent_anyway(client, agent, mei, ticket):
    """Mei replied between the page and the send: nothing is sent, the page shows her reply and the warning in the
    page's language, the typed text stays; "Send anyway" sends it."""
    client.force_login(agent)
    seen = seen_on(client.get(f"/ja/agent/tickets/{ticket.ref}/").content.decode())
    services.ticket_reply(ticket=ticket, author=mei, body="TxIDを送ってください。")
    before = Message.objects.count()
    response = client.post(f"/ja/agent/tickets/{ticket.ref}/", {"body": "入金を確認しました。", "seen": seen})
    assert response.status_code == 200
    page = response.content.decode()
    assert Message.objects.count() == before  # not sent
    assert 'data-testid="replied-meanwhile"' in page and 'role="alert"' in page
    assert "Meiさんが、あなたの入力中に返信しました" in page  # the warning, in Japanese, naming Mei
    assert "TxIDを送ってください。" in page  # her reply, to read
    assert re.search(r'<textarea name="body"[^>]*>\s*入金を確認しました。</textarea>', page)  # the typed text, kept
    assert 'name="confirm" value="1"' in page and "このまま送信" in page  # "Send anyway"
    assert seen_on(page) > seen  # the page now shows her reply

    response = client.post(f"/ja/agent/tickets/{ticket.ref}/", {"body": "入金を確認しました。", "seen": seen,
                                                               "confirm": "1"})
    assert response.status_code == 302
    sent = Message.objects.filter(ticket=ticket).latest("id")
    assert (sent.author, sent.body, sent.is_internal) == (agent, "入金を確認しました。", False)


def test_after_the_warning_a_plain_send_goes_out(client, agent, mei, ticket):
    """The re-rendered page has seen the new reply: sending again from it is not held a second time."""
    client.force_login(agent)
    seen = seen_on(client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode())
    services.ticket_reply(ticket=ticket, author=mei, body="Please send the TxID.")
    held = client.post(f"/en/agent/tickets/{ticket.ref}/", {"body": "Deposit found.", "seen": seen})
    page = held.content.decode()
    assert "Mei replied while you were writing: read it, then send again." in page
    again = client.post(f"/en/agent/tickets/{ticket.ref}/", {"body": "Deposit found.", "seen": seen_on(page)})
    assert again.status_code == 302
    assert ticket.messages.latest("id").body == "Deposit found."


def test_the_customer_writing_meanwhile_holds_a_reply_too(client, agent, customer, ticket, screenshot_file):
    """The customer's new message counts; the files chosen must be chosen again (a browser never sends them back)."""
    client.force_login(agent)
    seen = seen_on(client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode())
    services.ticket_reply(ticket=ticket, author=customer, body="Never mind, it arrived!")
    response = client.post(f"/en/agent/tickets/{ticket.ref}/", {"body": "Let me check.", "seen": seen,
                                                               "attachments": screenshot_file})
    page = response.content.decode()
    assert f"{customer.display_name} replied while you were writing" in page
    assert "Never mind, it arrived!" in page
    assert "The files you had attached were not kept: attach them again." in page
    assert not ticket.messages.filter(body="Let me check.").exists()
    assert not ticket.attachments.exists()


@pytest.mark.parametrize("case", ["note", "own", "internal_meanwhile", "no_field", "mangled"])
def test_what_does_not_hold_a_reply(client, agent, mei, ticket, case):
    """A note is not held (the customer does not read it); neither is a reply after one's own message (another tab),
    after someone's internal note, nor from a page without the field or with a mangled one."""
    client.force_login(agent)
    seen = seen_on(client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode())
    data = {"body": "Checked.", "seen": seen}
    if case == "note":
        services.ticket_reply(ticket=ticket, author=mei, body="Please send the TxID.")
        data["internal"] = "on"
    elif case == "own":
        services.ticket_reply(ticket=ticket, author=agent, body="First part.")
    elif case == "internal_meanwhile":
        services.ticket_reply(ticket=ticket, author=mei, body="AML", internal=True)
    elif case == "no_field":
        services.ticket_reply(ticket=ticket, author=mei, body="Please send the TxID.")
        del data["seen"]
    else:
        services.ticket_reply(ticket=ticket, author=mei, body="Please send the TxID.")
        data["seen"] = "١٢"  # Arabic-Indic digits: not a message id
    response = client.post(f"/en/agent/tickets/{ticket.ref}/", data)
    assert response.status_code == 302
    assert ticket.messages.latest("id").body == "Checked."


def test_the_check_reads_once(client, agent, mei, ticket, django_assert_num_queries):
    """The service checks with one query under the ticket's lock; held, nothing else is written."""
    services.ticket_reply(ticket=ticket, author=mei, body="One")
    services.ticket_reply(ticket=ticket, author=mei, body="Two")
    assert is_agent(agent)  # the agent's permissions, loaded once per request, are not the check's
    with django_assert_num_queries(5):  # savepoint, the lock, the check, rollback to and release of the savepoint
        with pytest.raises(services.RepliedMeanwhile) as held:
            services.ticket_reply(ticket=ticket, author=agent, body="Three", seen=0)
    assert [m.body for m in held.value.messages] == ["My deposit has not arrived.", "One", "Two"]


def test_a_send_refused_for_a_field_still_counts_from_what_the_agent_had_seen(client, agent, mei, ticket):
    """An empty body is refused before anything is checked; the page it returns keeps the old `seen`, so the next
    send is still held for the reply Mei wrote meanwhile."""
    client.force_login(agent)
    seen = seen_on(client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode())
    services.ticket_reply(ticket=ticket, author=mei, body="Please send the TxID.")
    page = client.post(f"/en/agent/tickets/{ticket.ref}/", {"body": "", "seen": seen}).content.decode()
    assert seen_on(page) == seen
    held = client.post(f"/en/agent/tickets/{ticket.ref}/", {"body": "Found it.", "seen": seen_on(page)})
    assert 'data-testid="replied-meanwhile"' in held.content.decode()
