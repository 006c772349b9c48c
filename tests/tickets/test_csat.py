"""CSAT for tickets: solving asks the requester by email and in-site, in their language; the signed link works
without logging in, once, until it expires; the rating belongs to the ticket and its agent."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from support import outbox
from support.models import Notification, OutboundEmail
from tests.factories import UserFactory
from tickets import services
from tickets.models import Status, TicketRating

pytestmark = pytest.mark.django_db


def deliver_all():
    for row in OutboundEmail.objects.filter(status="pending"):
        outbox.outbound_email_deliver(outbound_id=row.pk)


@pytest.fixture
def solved(agent):
    customer = UserFactory(email="kana@example.com", name="Kana", language="ja")
    ticket = services.ticket_create(requester=customer, subject="出金が届かない", body="助けてください")
    services.ticket_update(ticket=ticket, actor=agent, assignee=agent)
    services.ticket_update(ticket=ticket, actor=agent, status=Status.SOLVED)
    return ticket


def rating_mail(mailbox):
    return next(m for m in mailbox if "/rate/" in m["message"].get_body(("plain",)).get_content())


def link_path(mailbox):
    text = rating_mail(mailbox)["message"].get_body(("plain",)).get_content()
    return re.search(r"https?://[^/]+(/ja/rate/[^/\s]+/)", text).group(1)


def test_solving_asks_for_a_rating_by_email_and_in_site(solved, agent, mailbox):
    deliver_all()
    rating = TicketRating.objects.get(ticket=solved)
    assert rating.agent == agent and rating.language == "ja" and rating.score is None
    path = link_path(mailbox)
    mail = rating_mail(mailbox)  # the "solved" email carries the link: one email, not two
    assert mail["to"] == ["kana@example.com"] and "解決済み" in str(mail["message"]["Subject"])
    assert "対応はいかがでしたか" in mail["message"].get_body(("plain",)).get_content()
    note = Notification.objects.get(user=solved.requester, kind="ticket_rate")
    assert note.url == path


def test_the_link_works_without_login_once(client, solved, mailbox):
    deliver_all()
    path = link_path(mailbox)
    page = client.get(path)
    assert page.status_code == 200 and "出金が届かない" in page.content.decode()
    assert client.post(path, {"score": "9"}).status_code == 400
    assert TicketRating.objects.get().score is None
    done = client.post(path, {"score": "5", "comment": "早かった"})
    assert done.status_code == 200 and 'data-testid="rating-thanks"' in done.content.decode()
    rating = TicketRating.objects.get()
    assert (rating.score, rating.comment) == (5, "早かった") and rating.rated_at
    again = client.post(path, {"score": "1"})
    assert again.status_code == 200 and TicketRating.objects.get().score == 5  # the first answer stands


def test_forged_and_expired_links_are_refused_readably(client, solved, mailbox):
    deliver_all()
    path = link_path(mailbox)
    forged = client.get(path.replace("/rate/", "/rate/x"))
    assert forged.status_code == 410 and 'data-testid="rating-problem"' in forged.content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        expired = client.post(path, {"score": "4"})
    assert expired.status_code == 410 and TicketRating.objects.get().score is None


def test_each_solve_asks_again(solved, agent):
    services.ticket_update(ticket=solved, actor=agent, status=Status.OPEN)
    services.ticket_update(ticket=solved, actor=agent, status=Status.SOLVED)
    assert TicketRating.objects.filter(ticket=solved).count() == 2
