"""The audit log (issue #22): every time staff read a customer's ticket, chat, page or file, or export a report, one
row says who, what, whose, when and from where; customers reading their own leave none; the database refuses to
change or delete a row; desk admins read it in Django admin, nobody else."""
import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from livechat import services as chat_services
from support.models import AuditEvent
from support.services import agent_set_presence
from tests.factories import AgentFactory, UserFactory
from tests.tickets.files import png_bytes, upload
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return UserFactory(email="alice@example.com")


@pytest.fixture
def ticket(customer):
    return ticket_services.ticket_create(requester=customer, subject="KYC", body="passport attached",
                                         attachments=[upload("passport.png", png_bytes(), "image/png")])


def signed_in(user):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(user)
    return client


def events():
    return list(AuditEvent.objects.order_by("id").values_list("actor_email", "action", "object_type", "object_id",
                                                               "customer_id", "via"))


def test_staff_reads_of_a_customers_data_are_recorded_with_who_whose_and_where(customer, ticket):
    agent = AgentFactory(email="ana@example.com")
    client = signed_in(agent)
    assert client.get(f"/en/agent/tickets/{ticket.ref}/").status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket.ref}/messages/").status_code == 200
    attachment = ticket.attachments.get()
    type(attachment).objects.filter(pk=attachment.pk).update(scan_state="clean")  # read: nothing found
    assert client.get(f"/attachments/{attachment.pk}/thumbnail/").status_code == 200  # a preview: not logged
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200
    assert client.get(f"/en/agent/customers/{customer.pk}/").status_code == 200
    assert events() == [
        ("ana@example.com", "ticket_view", "ticket", ticket.ref, customer.pk, "page"),
        ("ana@example.com", "ticket_view", "ticket", ticket.ref, customer.pk, "api"),
        ("ana@example.com", "attachment_view", "attachment", str(attachment.pk), customer.pk, "page"),
        ("ana@example.com", "customer_view", "customer", str(customer.pk), customer.pk, "page"),
    ]
    assert set(AuditEvent.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_chats_and_exports_are_recorded_too(customer):
    agent = AgentFactory(email="kim@example.com", languages=["en"])
    agent_set_presence(agent=agent, presence="online")
    chat = chat_services.conversation_start(language="en", customer=customer, topic="deposit")
    chat_services.conversation_pick(conversation_id=chat.pk, agent=agent)
    client = signed_in(agent)
    assert client.get(f"/api/v1/chats/{chat.pk}/context/").status_code == 200
    assert client.get(f"/api/v1/chats/{chat.pk}/messages/?after=3").status_code == 200  # catching up: not again
    supervisor = AgentFactory(email="sue@example.com", supervisor=True)
    csv = signed_in(supervisor).get("/en/agent/reports/agents.csv?start=2026-11-01&end=2026-11-30")
    assert csv.status_code == 200
    rows = events()
    assert rows[0] == ("kim@example.com", "chat_view", "chat", str(chat.pk), customer.pk, "api")
    assert rows[1][:3] == ("sue@example.com", "export", "report") and rows[1][3].startswith("agents 2026-11-01")
    assert len(rows) == 2


def test_customers_reading_their_own_and_refused_reads_leave_nothing(customer, ticket):
    client = signed_in(customer)
    assert client.get(f"/en/requests/{ticket.ref}/").status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket.ref}/").status_code == 200
    agent_client = signed_in(AgentFactory())
    assert agent_client.get("/en/agent/tickets/T-99999999/").status_code == 404
    assert AuditEvent.objects.count() == 0


def test_the_log_cannot_be_changed_or_deleted_and_survives_the_people_in_it(customer, ticket):
    agent = AgentFactory(email="leaving@example.com")
    signed_in(agent).get(f"/en/agent/tickets/{ticket.ref}/")
    for tamper in (lambda: AuditEvent.objects.update(actor_email="someone@else.example"),
                   lambda: AuditEvent.objects.all().delete()):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            tamper()
    agent.delete()  # an account removed later: its reads stay on record, with the address it had
    assert events() == [("leaving@example.com", "ticket_view", "ticket", ticket.ref, customer.pk, "page")]


def test_desk_admins_read_the_log_in_admin_and_nobody_can_edit_it(customer, ticket):
    from support.roles import Role
    from support.services import user_set_role

    agent = AgentFactory(email="reader@example.com")
    signed_in(agent).get(f"/en/agent/tickets/{ticket.ref}/")
    admin_user = AgentFactory(email="root@example.com")
    user_set_role(user=admin_user, role=Role.ADMIN)
    admin = signed_in(admin_user)
    page = admin.get("/admin/support/auditevent/?q=alice%40example.com")
    assert page.status_code == 200 and "reader@example.com" in page.content.decode()
    event = AuditEvent.objects.get()
    assert admin.get("/admin/support/auditevent/add/").status_code == 403
    assert admin.post(f"/admin/support/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code in (302, 403)
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert signed_in(agent).get("/admin/support/auditevent/").status_code == 302  # agents are not admins
