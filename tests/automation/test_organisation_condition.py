"""The requester's organisation as a rule condition (issue #26: "requester's organisation or tier"): a trigger
fires for a member of the organisation and not for anyone else, an unverified look-alike at its domain included;
an automation's database query matches exactly the tickets the triggers' in-memory test does; the rules editor
offers the field with the organisations to choose from and saves it."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from automation.conditions import Facts, holds
from automation.models import Automation, Trigger, TriggerFiring
from automation.services import TriggerInvalid, automation_save, trigger_create
from automation.sweep import automation_matching
from support.domain_events import DomainEvent
from support.organisations.services import organisation_create
from tests.factories import UserFactory
from tickets.models import Ticket
from tickets.services import ticket_create


def filed_by(email, *, verified=True):
    requester = UserFactory(email=email, email_verified=verified, language="en")
    return ticket_create(requester=requester, subject="Quotes rejected by the API", body="Since 09:00 UTC.")


@pytest.fixture
def kumo(db):
    return organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])


@pytest.fixture
def harbor(db):
    return organisation_create(name="Harbor OTC", domains=["harbor-otc.example"])


@pytest.mark.django_db(transaction=True)
def test_the_trigger_fires_for_a_member_not_for_others_nor_an_unverified_look_alike(kumo):
    """The look-alike wrote from an address at the organisation's domain that nobody proved: not a member."""
    trigger = trigger_create(actor=None, name="Market makers first", events=["ticket.created"], match="all",
                             conditions=[{"field": "requester_organisation", "op": "is", "value": kumo.pk}],
                             actions=[{"type": "set_priority", "value": "urgent"}])
    member = filed_by("mei@kumo-markets.example")
    outsider = filed_by("alice@example.com")
    look_alike = filed_by("ceo@kumo-markets.example", verified=False)
    priorities = dict(Ticket.objects.values_list("pk", "priority"))
    assert priorities == {member.pk: "urgent", outsider.pk: "normal", look_alike.pk: "normal"}
    assert list(TriggerFiring.objects.filter(trigger=trigger).values_list("ticket_id", flat=True)) == [member.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("op, value, expected", [
    ("is", "kumo", {"member"}),
    ("is_not", "kumo", {"outsider", "look_alike", "harbor"}),
    ("is", None, {"outsider", "look_alike"}),
    ("is_not", None, {"member", "harbor"}),
    ("in", ["kumo", "harbor"], {"member", "harbor"}),
    ("in", ["kumo", None], {"member", "outsider", "look_alike"}),
])
def test_the_database_and_the_in_memory_test_match_the_same_tickets(kumo, harbor, op, value, expected):
    """An automation's query (requester__organisation_id) and a trigger's test of the loaded requester agree, the
    latter reading no more than the engine loads (the ticket with its requester)."""
    ids = {"kumo": kumo.pk, "harbor": harbor.pk, None: None}
    value = [ids[v] for v in value] if isinstance(value, list) else ids[value]
    tickets = {"member": filed_by("mei@kumo-markets.example"), "outsider": filed_by("alice@example.com"),
               "look_alike": filed_by("ceo@kumo-markets.example", verified=False),
               "harbor": filed_by("desk@harbor-otc.example")}
    condition = {"field": "requester_organisation", "op": op, "value": value}
    automation = automation_save(name="Institutional", actions=[{"type": "add_tags", "value": ["institutional"]}],
                                 conditions=[{"field": "hours_since", "of": "created", "op": "gte", "value": 0},
                                             condition])
    in_database = set(automation_matching(automation).values_list("pk", flat=True))
    loaded = Ticket.objects.select_related("requester").filter(pk__in=[t.pk for t in tickets.values()])
    in_memory = set()
    with CaptureQueriesContext(connection) as queries:
        for ticket in loaded:
            if holds(condition, Facts(ticket, DomainEvent(name="ticket.created", ticket_id=ticket.pk,
                                                          actor="customer"))):
                in_memory.add(ticket.pk)
    assert len(queries) == 1  # the tickets with their requesters: the test itself reads nothing
    assert in_database == in_memory == {tickets[name].pk for name in expected}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["kumo", True, [], ["kumo"], 1.5])
def test_a_value_that_is_not_an_id_or_none_is_refused(value):
    with pytest.raises(TriggerInvalid):
        trigger_create(actor=None, name="Bad", events=["ticket.created"], match="all",
                       conditions=[{"field": "requester_organisation", "op": "in" if value == ["kumo"] else "is",
                                    "value": value}],
                       actions=[{"type": "set_priority", "value": "high"}])
    assert not Trigger.objects.exists()


@pytest.fixture
def lead(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.mark.django_db
def test_the_editor_offers_the_organisations_and_saves_the_condition(lead, kumo, harbor):
    html = lead.get("/en/agent/rules/triggers/new/").content.decode()
    assert '<option value="requester_organisation">Customer&#x27;s organisation</option>' in html
    assert f'<option value="{kumo.pk}">Kumo Markets</option>' in html and '<option value="none">No organisation' in html
    response = lead.post("/en/agent/rules/triggers/new/", {
        "name": "Institutional clients", "match": "all", "events": ["ticket.created"], "is_active": "on",
        "c-0-field": "requester_organisation", "c-0-op": "in", "c-0-organisation": [str(kumo.pk), str(harbor.pk)],
        "a-0-type": "set_priority", "a-0-priority": "high"})
    trigger = Trigger.objects.get()
    assert response.status_code == 302
    assert trigger.conditions == [{"field": "requester_organisation", "op": "in", "value": [kumo.pk, harbor.pk]}]
    page = lead.get(f"/en/agent/rules/triggers/{trigger.pk}/").content.decode()
    assert f'<option value="{kumo.pk}" selected>Kumo Markets</option>' in page
    assert "Customer&#x27;s organisation · is one of · Kumo Markets, Harbor OTC" in page  # the history, in words


@pytest.mark.django_db
def test_the_automation_editor_offers_the_field_too_and_saves_none(lead, kumo):
    Automation.objects.all().delete()
    assert 'value="requester_organisation"' in lead.get("/en/agent/rules/automations/new/").content.decode()
    response = lead.post("/en/agent/rules/automations/new/", {
        "name": "Retail tickets waiting", "is_active": "on",
        "c-0-field": "hours_since", "c-0-op": "gte", "c-0-of": "created", "c-0-hours": "24",
        "c-1-field": "requester_organisation", "c-1-op": "is", "c-1-organisation": "none",
        "a-0-type": "add_tags", "a-0-tags": "retail"})
    assert response.status_code == 302
    assert Automation.objects.get().conditions[1] == {"field": "requester_organisation", "op": "is", "value": None}
