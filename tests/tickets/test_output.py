"""The tickets' API output is built by hand (tickets/serializers.py, `to_representation`) for speed; it must stay
exactly what DRF's generic walk over the declared fields (what the schema documents) gives, for customers and agents,
on tickets with and without each optional part. A field added to a serializer and not to the hand-built output
fails here."""
import datetime as dt

import pytest
from django.utils import translation
from rest_framework import serializers

from support.models import Team
from support.organisations.services import organisation_create, user_organisation_set
from tests.factories import UserFactory
from tickets import selectors, services
from tickets.models import Identity, SlaPolicy, Status, Ticket, TicketField
from tickets.serializers import AgentTicketOutputSerializer, TicketOutputSerializer, tickets_output

pytestmark = pytest.mark.django_db


def drf_generic(serializer_class, ticket):
    serializer = serializer_class(ticket)
    return serializers.Serializer.to_representation(serializer, ticket)


@pytest.fixture
def tickets(customer, agent, category):
    SlaPolicy.objects.create(name="all", position=0, first_response_minutes=60, next_response_minutes=60,
                             resolution_minutes=600)
    TicketField.objects.create(key="network", type="text", label="Network", customer_visible=True)
    TicketField.objects.create(key="risk_note", type="text", label="Risk note", customer_visible=False)
    bare = services.ticket_create(requester=UserFactory(), subject="Bare", body="Nothing else.",
                                  identity=Identity.TYPED)
    full = services.ticket_create(requester=customer, subject="Withdrawal 提现 stuck", body="TRC20.", category=category,
                                  priority="high", tags=["withdrawal", "vip"])
    organisation_create(name="Kumo Markets")
    from support.organisations.models import Organisation

    user_organisation_set(user=customer, organisation=Organisation.objects.get(name="Kumo Markets"))
    team = Team.objects.create(name="Withdrawals", slug="withdrawals")
    Ticket.objects.filter(pk=full.pk).update(custom_fields={"network": "TRC20", "risk_note": "watch"}, team=team)
    services.ticket_reply(ticket=full, author=agent, body="Looking into it.")  # assigns it, fulfils a timer
    solved = services.ticket_create(requester=customer, subject="Done", body="Thanks.")
    services.ticket_update(ticket=solved, actor=agent, status=Status.SOLVED)
    merged = services.ticket_create(requester=customer, subject="Same again", body="Duplicate.")
    services.ticket_merge(source=merged, target=full, actor=agent)
    follow_up = services.ticket_create(requester=customer, subject="Again", body="Re.", follow_up_of=solved)
    return [bare, full, solved, merged, follow_up]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_hand_built_output_is_drfs_for_agents_and_customers(tickets, agent, customer, language):
    with translation.override(language):
        for ticket in selectors.ticket_list_for_user(user=agent):  # the list: annotated next due, timers prefetched
            assert AgentTicketOutputSerializer(ticket).data == drf_generic(AgentTicketOutputSerializer, ticket)
        for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):  # one ticket: no annotation
            assert AgentTicketOutputSerializer(ticket).data == drf_generic(AgentTicketOutputSerializer, ticket)
        for ticket in selectors.ticket_list_for_user(user=customer):
            assert TicketOutputSerializer(ticket).data == drf_generic(TicketOutputSerializer, ticket)
    shown = {t["ref"]: t for t in tickets_output(list(selectors.ticket_list_for_user(user=agent)), agent)}
    full = shown[tickets[1].ref]  # the checks above compare two outputs: here, that they hold what they should
    assert full["custom_fields"] == {"network": "TRC20", "risk_note": "watch"} and full["team"] == "withdrawals"
    assert full["requester_organisation"]["name"] == "Kumo Markets" and full["tags"] == ["withdrawal", "vip"]
    assert full["assignee"]["email"] == agent.email and {t["kind"] for t in full["sla"]} >= {"first_response"}
    assert shown[tickets[3].ref]["merged_into"] == tickets[1].ref
    assert shown[tickets[4].ref]["follow_up_of"] == tickets[2].ref
    assert shown[tickets[0].ref]["requester_proven"] is False and shown[tickets[0].ref]["category"] is None
    customers_own = tickets_output(list(selectors.ticket_list_for_user(user=customer)), customer)
    assert {"network": "TRC20"} in [t["custom_fields"] for t in customers_own]  # not the agents' risk note
    assert all(t["created_at"].endswith("Z") or "+" in t["created_at"] for t in customers_own)
    assert dt.datetime.fromisoformat(full["created_at"].replace("Z", "+00:00")).tzinfo is not None
