"""One customer's timeline (issue #24): requests, emails both ways, chats, ratings and incidents, newest first, in
pages, in a fixed number of queries; the account is the identity (a visitor who typed the same address is not the
customer); agents only, audited; bad input answered in the stable error shape."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from desk.timeline import customer_timeline
from incidents.models import LinkChannel
from incidents.services import incident_declare, incident_link
from livechat import services as chat_services
from livechat.models import Conversation
from support.models import AgentProfile, AuditEvent, OutboundEmail, Presence
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tickets.models import Channel, Message, TicketRating
from tickets.services import ticket_create, ticket_reply


def history(customer, agent):
    """A customer with one of everything, each a minute apart (the oldest first)."""
    start = timezone.now() - timedelta(hours=1)
    ticket = ticket_create(requester=customer, subject="Withdrawal stuck", body="Since Monday", language="ru")
    by_mail = ticket_create(requester=customer, subject="2FA reset", body="Lost phone", channel=Channel.EMAIL,
                            language="ru")
    ticket_reply(ticket=by_mail, author=customer, body="Here is my ID", channel=Channel.EMAIL)
    ticket_reply(ticket=ticket, author=agent, body="We are checking")
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE, last_seen_at=timezone.now())
    chat = chat_services.conversation_start(language="ru", customer=customer, topic="P2P", with_bot=False)
    chat_services.conversation_pick(conversation_id=chat.pk, agent=agent)
    chat_services.conversation_close(conversation_id=chat.pk, by="agent", actor=agent)
    chat_services.conversation_rate(conversation_id=chat.pk, score=2, comment="slow")
    chat_services.conversation_wrap_up(conversation_id=chat.pk, agent=agent, disposition="follow_up")
    incident = incident_declare(by=agent, titles={"en": "TRON delays", "ru": "Задержки TRON"},
                                notices={"en": "Slow", "ru": "Медленно"}, keywords=["tron"])
    incident_link(incident_id=incident.pk, channel=LinkChannel.TICKET, object_id=ticket.pk, customer=customer,
                  email=customer.email, language="ru", label=ticket.subject)
    TicketRating.objects.create(ticket=ticket, agent=agent, nonce="n1", language="ru", score=5, comment="good",
                                rated_at=timezone.now())
    # Spread them out: a fixed order to check, oldest first as made.
    stamps = iter(start + timedelta(minutes=i) for i in range(100))
    for row in (ticket, by_mail):
        type(row).objects.filter(pk=row.pk).update(created_at=next(stamps))
    Message.objects.filter(ticket=by_mail, channel=Channel.EMAIL, author=customer).update(created_at=next(stamps))
    for email in OutboundEmail.objects.filter(user=customer).order_by("created_at"):
        OutboundEmail.objects.filter(pk=email.pk).update(created_at=next(stamps))
    Conversation.objects.filter(pk=chat.pk).update(created_at=next(stamps), rated_at=next(stamps))
    incident.links.update(linked_at=next(stamps))
    TicketRating.objects.filter(ticket=ticket).update(rated_at=next(stamps))
    return ticket, by_mail, chat


@pytest.mark.django_db
def test_the_timeline_has_everything_about_the_customer_newest_first_in_pages(django_assert_num_queries):
    agent = AgentFactory(languages=["ru"], capacity=2, name="Mei")
    customer = UserFactory(email="ivan@example.com", name="Иван", language="ru")
    other = UserFactory(email="olga@example.com")
    ticket_create(requester=other, subject="Not Ivan's", body="x", language="ru")
    # A visitor who typed Ivan's address is not Ivan: their chat is not on his timeline.
    chat_services.conversation_start(language="ru", visitor_name="?", visitor_email="ivan@example.com",
                                     with_bot=False)
    ticket, by_mail, chat = history(customer, agent)
    with translation.override("ru"), django_assert_num_queries(8):
        timeline = customer_timeline(customer_id=customer.pk)
    kinds = [event["kind"] for event in timeline["events"]]
    assert kinds[:4] == ["csat", "incident", "csat", "chat"]
    assert set(kinds) == {"ticket", "email_in", "email_out", "chat", "csat", "incident"}
    assert timeline["next_before"] is None
    ats = [event["at"] for event in timeline["events"]]
    assert ats == sorted(ats, reverse=True)
    titles = " ".join(event["title"] for event in timeline["events"])
    assert "Not Ivan's" not in titles and "Задержки TRON" in titles and "Here is my ID" in " ".join(
        event["detail"] for event in timeline["events"])
    chat_event = next(event for event in timeline["events"] if event["kind"] == "chat")
    assert chat_event["url"].endswith(f"/agent/chats/{chat.pk}/") and "Mei" in chat_event["detail"]
    assert all(event["label"] for event in timeline["events"])

    # Pages: three at a time, then from where the page ended, until nothing is left; nothing twice, nothing missed.
    seen, before = [], None
    while True:
        page = customer_timeline(customer_id=customer.pk, before=before, limit=3)
        seen += page["events"]
        before = page["next_before"]
        if before is None:
            break
    assert [(e["kind"], e["at"]) for e in seen] == [(e["kind"], e["at"]) for e in timeline["events"]]


@pytest.mark.django_db
def test_the_timeline_api_is_for_agents_audited_and_answers_bad_input_in_the_error_shape():
    agent = AgentFactory(email="mei@example.com", languages=["ja"])
    customer = UserFactory(email="aoi@example.com", language="ja")
    ticket_create(requester=customer, subject="入金", body="まだ", language="ja")
    client = Client()
    client.force_login(agent)
    url = f"/api/v1/agent/customers/{customer.pk}/timeline/"
    answer = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
    assert answer.status_code == 200
    body = answer.json()
    assert [e["kind"] for e in body["events"]][-1] == "ticket" and body["events"][-1]["title"] == "入金"
    assert body["events"][-1]["label"] == "問い合わせの受付"
    assert AuditEvent.objects.filter(object_type="customer_timeline", customer=customer).count() == 1
    bad = client.get(url + "?before=yesterday")
    assert bad.status_code == 400 and bad.json()["error"]["fields"]["before"]
    assert client.get("/api/v1/agent/customers/999999/timeline/").status_code == 404
    as_customer = Client()
    assert as_customer.login(email="aoi@example.com", password=PASSWORD)
    refused = as_customer.get(url)
    assert refused.status_code == 403 and refused.json()["error"]["code"]
