"""The incident API: public notices, the staff list with linked counts (constant queries), declare/change/resolve by
supervisors only, and errors in the one JSON shape."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

DECLARE = {"title": {"en": "Login problems", "ko": "로그인 문제"}, "notice": {"en": "Some cannot log in.",
                                                                          "ko": "일부 로그인 불가"},
           "keywords": ["login", "로그인"], "severity": "critical"}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_supervisor_declares_and_everyone_reads_the_notice_in_their_language(supervisor):
    created = client_for(supervisor).post("/api/v1/incidents/", DECLARE, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "open" and body["tag"] == f"incident-{body['id']}"
    assert body["title"] == {"en": "Login problems", "ko": "로그인 문제"}
    korean = APIClient().get("/api/v1/incidents/active/?lang=ko").json()
    assert [(i["title"], i["notice"], i["severity"]) for i in korean] == [("로그인 문제", "일부 로그인 불가", "critical")]
    spanish = APIClient().get("/api/v1/incidents/active/?lang=es").json()
    assert spanish[0]["title"] == "Login problems"  # no Spanish text: English


def test_agents_read_but_cannot_declare_and_customers_get_nothing(agent, customer):
    assert client_for(agent).post("/api/v1/incidents/", DECLARE, format="json").status_code == 403
    assert client_for(agent).get("/api/v1/incidents/").status_code == 200
    denied = client_for(customer).get("/api/v1/incidents/")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    assert APIClient().get("/api/v1/incidents/").status_code == 401


@pytest.mark.parametrize("payload, field", [
    ({**DECLARE, "title": {"ko": "로그인 문제"}}, "title.en"),
    ({**DECLARE, "title": {"en": "x", "fr": "y"}}, "title"),
    ({**DECLARE, "keywords": []}, "keywords"),
    ({**DECLARE, "keywords": ["a"]}, "keywords"),
    ({**DECLARE, "severity": "apocalyptic"}, "severity"),
    ({**DECLARE, "notice": "not an object"}, "notice"),
    ({**DECLARE, "title": {"en": "t" * 201}}, "title"),
])
def test_bad_declarations_are_refused_with_the_field(supervisor, payload, field):
    response = client_for(supervisor).post("/api/v1/incidents/", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"], error


def test_the_list_counts_linked_contacts_in_constant_queries(supervisor, declare):
    incident = declare()
    for index in range(3):
        ticket_services.ticket_create(requester=UserFactory(), subject=f"withdrawal {index}", body="late")
    client = client_for(supervisor)
    declare(keywords=["deposit"])
    client.get("/api/v1/incidents/")  # warm: the user's permissions are cached on first use
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/incidents/")
    declare(keywords=["login"])
    declare(keywords=["password"])
    with CaptureQueriesContext(connection) as more:
        body = client.get("/api/v1/incidents/").json()
    assert len(more.captured_queries) == len(few.captured_queries)
    counts = {row["id"]: (row["linked_count"], row["ticket_count"]) for row in body["results"]}
    assert counts[incident.pk] == (3, 3)
    assert client.get("/api/v1/incidents/?status=bogus").status_code == 400


def test_change_then_resolve(supervisor, declare, customer):
    incident = declare()
    client = client_for(supervisor)
    changed = client.patch(f"/api/v1/incidents/{incident.pk}/", {"notice": {"en": "Almost fixed."}}, format="json")
    assert changed.status_code == 200 and changed.json()["notice"]["en"] == "Almost fixed."
    ticket_services.ticket_create(requester=customer, subject="withdrawal", body="late")
    resolved = client.post(f"/api/v1/incidents/{incident.pk}/resolve/",
                           {"notify": True, "resolution": {"en": "Fixed at 14:00 UTC."}}, format="json")
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolution"] == {"en": "Fixed at 14:00 UTC."}
    again = client.post(f"/api/v1/incidents/{incident.pk}/resolve/", {}, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "incident_resolved"
    late_change = client.patch(f"/api/v1/incidents/{incident.pk}/", {"severity": "minor"}, format="json")
    assert late_change.status_code == 400
    assert APIClient().get("/api/v1/incidents/active/").json() == []
    assert client.get("/api/v1/incidents/999999/").status_code == 404
