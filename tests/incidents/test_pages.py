"""Incident pages: the banner on the help center, the request form and the chat widget in every language; the
public status page; the supervisor's declaration, detail and resolution forms; the staff banner's linked count."""
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incidents.models import Incident, IncidentNotice
from support.languages import LANGUAGE_CODES
from tests.factories import UserFactory
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

TITLES = {"en": "Withdrawals are delayed", "zh-hans": "提现延迟", "es": "Retiros retrasados",
          "ru": "Вывод средств задерживается", "ja": "出金の遅延", "ko": "출금 지연"}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_the_banner_shows_on_every_customer_channel_in_the_readers_language(declare, customer, language):
    declare()
    anonymous, signed_in = Client(), logged_in(customer)
    for client, path in ((anonymous, f"/{language}/help/"), (anonymous, f"/{language}/chat/?embed=1"),
                         (signed_in, f"/{language}/requests/new/"), (anonymous, f"/{language}/status/")):
        page = client.get(path)
        html = page.content.decode()
        assert page.status_code == 200, path
        assert 'data-testid="incident-banner"' in html, path
        assert TITLES[language] in html, path
        assert "linked contact" not in html  # counts are for staff only


def test_no_banner_without_an_open_incident(declare, supervisor):
    from incidents import services

    incident = declare()
    services.incident_resolve(incident=incident, by=supervisor, notify=False, resolutions={"en": "Back to normal."})
    help_page = Client().get("/en/help/").content.decode()
    assert 'data-testid="incident-banner"' not in help_page
    status = Client().get("/en/status/").content.decode()
    assert 'data-testid="all-ok"' in status and "Back to normal." in status


def test_staff_see_the_linked_count_in_the_banner_and_the_workspace(declare, agent):
    incident = declare()
    for index in range(2):
        ticket_services.ticket_create(requester=UserFactory(), subject=f"withdrawal {index}", body="late")
    workspace = logged_in(agent).get("/en/agent/").content.decode()
    assert 'data-testid="incident-linked"' in workspace
    assert "2 linked contacts" in workspace and f"/en/agent/incidents/{incident.pk}/" in workspace


def test_a_supervisor_declares_with_the_form_and_errors_are_readable(supervisor):
    client = logged_in(supervisor)
    refused = client.post("/en/agent/incidents/new/", {"severity": "major", "keywords": "x", "title_ja": "出金"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "This field is required." in html  # English title and notice
    form = {"severity": "critical", "keywords": "withdrawal, 提现\n出金", "title_en": "Withdrawals delayed",
            "notice_en": "Up to 2 hours.", "title_ja": "出金の遅延", "notice_ja": "最大2時間"}
    created = client.post("/en/agent/incidents/new/", form)
    incident = Incident.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/en/agent/incidents/{incident.pk}/"
    assert incident.keywords == ["withdrawal", "提现", "出金"] and incident.title_ja == "出金の遅延"
    detail = client.get(created["Location"]).content.decode()
    assert 'data-testid="resolve-form"' in detail and 'data-testid="linked-count">0<' in detail


def test_agents_see_incidents_but_get_no_forms(declare, agent):
    incident = declare()
    client = logged_in(agent)
    detail = client.get(f"/en/agent/incidents/{incident.pk}/").content.decode()
    assert 'data-testid="resolve-form"' not in detail
    assert client.get("/en/agent/incidents/new/").status_code == 403


def test_resolving_with_the_form_queues_one_notice_per_person(declare, supervisor):
    incident = declare()
    people = [UserFactory(language=code) for code in ("en", "ja")]
    for person in people:
        ticket_services.ticket_create(requester=person, subject="withdrawal", body="late")
    client = logged_in(supervisor)
    response = client.post(f"/en/agent/incidents/{incident.pk}/resolve/",
                           {"notify": "on", "resolution_ja": "解決しました"})
    assert response.status_code == 302
    assert IncidentNotice.objects.filter(incident=incident).count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="notice-progress"' in detail and "0 of 2" in detail
    assert client.get(f"/en/agent/incidents/{incident.pk}/edit/").status_code == 404


def test_the_list_page_has_constant_queries(declare, supervisor):
    client = logged_in(supervisor)
    declare()
    client.get("/en/agent/incidents/")
    with CaptureQueriesContext(connection) as one:
        client.get("/en/agent/incidents/")
    declare(keywords=["deposit"])
    declare(keywords=["login"])
    client.get("/en/agent/incidents/")  # the banner's cached list of open incidents, refilled after the changes
    with CaptureQueriesContext(connection) as three:
        page = client.get("/en/agent/incidents/")
    assert len(three.captured_queries) == len(one.captured_queries)
    assert page.content.decode().count("severity-major") == 3


def test_the_banner_fragment_follows_changes_for_pages_left_open(declare, supervisor, agent):
    from incidents import services

    assert 'data-testid="incident-banner"' not in Client().get("/en/status/banner/").content.decode()
    incident = declare()
    fragment = Client().get("/ko/status/banner/")
    assert fragment.status_code == 200 and "출금 지연" in fragment.content.decode()
    assert "<html" not in fragment.content.decode()  # the banner alone
    assert 'data-testid="incident-linked"' in logged_in(agent).get("/en/status/banner/").content.decode()
    services.incident_resolve(incident=incident, by=supervisor, notify=False)
    assert 'data-testid="incident-banner"' not in Client().get("/en/status/banner/").content.decode()
