"""The API's contract on input nobody here wrote: every error is the JSON error shape with its documented code, never
a 500 (issue: trust, finding 13 and 14)."""
import inspect

import pytest
from django.test import Client
from rest_framework.test import APIClient

from support.serializers import StrictInputSerializer

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000


@pytest.mark.parametrize("url", ["/api/v1/bot/ask", "/api/v1/chats/", "/api/v1/auth/token/"])
def test_json_nested_too_deeply_is_a_parse_error_not_a_500(url):
    response = Client(raise_request_exception=False).post(url, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.parametrize("path", ["/api", "/api/v9/tickets/", "/en/api/v1/tickets/", "/ja/api"])
def test_unknown_api_routes_answer_the_json_error_shape(path):
    response = Client().get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("end", ["9999-12-31", "0001-01-01"])
def test_report_dates_out_of_any_desks_range_are_a_field_error(supervisor, end):
    api = APIClient()
    api.force_authenticate(supervisor)
    response = api.get("/api/v1/reports/", {"end": end})
    assert response.status_code == 400 and "end" in response.json()["error"]["fields"]
    page = Client()
    page.force_login(supervisor)
    for lang, words in [("en", "Enter a valid date"), ("ja", "日付を正しく入力してください")]:
        html = page.get(f"/{lang}/agent/reports/", {"end": end})
        assert html.status_code == 400 and words in html.content.decode()


@pytest.mark.parametrize("agent_id", ["²", "①", "٣", "1" * 40])
def test_a_reviews_filter_that_is_not_an_id_is_not_found(client, supervisor, agent_id):
    client.force_login(supervisor)
    assert client.get("/en/agent/reviews/", {"agent": agent_id}).status_code == 404


def test_a_failed_csrf_check_has_its_documented_code(agent):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(agent)
    response = api.post("/api/v1/tickets/", {"subject": "x", "body": "y"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"


def test_the_incident_api_refuses_unknown_fields(supervisor):
    api = APIClient()
    api.force_authenticate(supervisor)
    response = api.post("/api/v1/incidents/", {"title": {"en": "Withdrawals slow"}, "notice": {"en": "Hold on."},
                                               "keywords": ["withdrawal"], "notify_everyone": True}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"notify_everyone": ["Unknown field."]}


def test_every_input_serializer_refuses_unknown_fields():
    """The contract (docs/api.md): unknown fields are rejected, not ignored. A new input serializer that forgets the
    strict base fails here."""
    import importlib

    from django.apps import apps
    from rest_framework import serializers

    loose = []
    for config in apps.get_app_configs():
        for name in ("apis", "serializers"):
            try:
                module = importlib.import_module(f"{config.name}.{name}")
            except ModuleNotFoundError:
                continue
            for cls_name, cls in inspect.getmembers(module, inspect.isclass):
                if (cls.__module__ == module.__name__ and "Input" in cls_name
                        and issubclass(cls, serializers.BaseSerializer) and not issubclass(cls, StrictInputSerializer)):
                    loose.append(f"{module.__name__}.{cls_name}")
    assert loose == []
