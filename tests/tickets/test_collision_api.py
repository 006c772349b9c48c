"""Collision detection in the API (issue #24): an agent's reply that says which public message it was written after
(`seen`) is refused with 409 `replied_meanwhile`, listing what was written since, when someone else wrote after it;
nothing is sent then. Without `seen` (send anyway), or with the latest id, it is sent. Customers cannot use it."""
import pytest
from rest_framework.test import APIClient

from tests.factories import AgentFactory, UserFactory
from tickets.models import Message
from tickets.services import ticket_create, ticket_reply

pytestmark = pytest.mark.django_db


def test_a_reply_written_before_someone_elses_is_held_with_what_was_written_since():
    mei = AgentFactory(email="mei@example.com", name="Mei", languages=["ja"])
    jun = AgentFactory(email="jun@example.com", name="Jun", languages=["ja"])
    customer = UserFactory(email="aoi@example.com", language="ja")
    ticket = ticket_create(requester=customer, subject="出金", body="まだです", language="ja")
    seen = Message.objects.filter(ticket=ticket).latest("id").pk
    ticket_reply(ticket=ticket, author=jun, body="確認しました")  # Jun answers while Mei writes
    client = APIClient()
    client.force_authenticate(mei)
    url = f"/api/v1/tickets/{ticket.ref}/messages/"
    held = client.post(url, {"body": "確認中です", "seen": seen}, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    assert held.status_code == 409
    error = held.json()["error"]
    assert error["code"] == "replied_meanwhile"
    assert error["detail"] and not error["detail"].startswith("Someone wrote")  # in the reader's language
    assert [m["body"] for m in error["messages"]] == ["確認しました"]
    assert not Message.objects.filter(ticket=ticket, body="確認中です").exists()

    latest = Message.objects.filter(ticket=ticket).latest("id").pk
    assert client.post(url, {"body": "確認中です", "seen": latest}, format="json").status_code == 201
    assert client.post(url, {"body": "もう一度", "seen": seen}, format="json").status_code == 409
    assert client.post(url, {"body": "送ります"}, format="json").status_code == 201  # send anyway
    # Internal notes are never held: they do not reach the customer.
    assert client.post(url, {"body": "memo", "internal": True, "seen": seen}, format="json").status_code == 201

    as_customer = APIClient()
    as_customer.force_authenticate(customer)
    refused = as_customer.post(url, {"body": "?", "seen": 0}, format="json", HTTP_ACCEPT_LANGUAGE="ja")
    assert refused.status_code == 400 and refused.json()["error"]["fields"]["seen"] == ["この項目は担当者だけが使えます。"]
