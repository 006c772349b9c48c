"""POST /api/v1/auth/register/ and /api/v1/auth/token/: JSON in, token out, errors in one stable shape."""
import os

import pytest
from rest_framework.test import APIClient

from support.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["detail"], str) and body["error"]["detail"]
    return body["error"]


def test_register_creates_a_customer_and_returns_a_working_token(api_client):
    response = api_client.post(
        "/api/v1/auth/register/",
        {"email": "New@Example.com", "password": "a-long-unusual-pass", "language": "ko"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "new@example.com"
    assert body["language"] == "ko"
    assert body["role"] == "customer"
    assert "password" not in body
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    me = client.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "new@example.com"


def test_register_with_taken_email_is_a_400_naming_the_field(api_client):
    UserFactory(email="taken@example.com")
    response = api_client.post("/api/v1/auth/register/",
                               {"email": "TAKEN@example.com", "password": "a-long-unusual-pass"}, format="json")
    error = assert_error(response, 400, "email_taken")
    assert "email" in error["fields"]
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_register_with_weak_password_is_refused(api_client):
    response = api_client.post("/api/v1/auth/register/", {"email": "w@example.com", "password": "password"},
                               format="json")
    error = assert_error(response, 400, "weak_password")
    assert "password" in error["fields"]
    assert not User.objects.filter(email="w@example.com").exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "not-an-email", "password": "a-long-unusual-pass"}, "email"),
        ({"email": "a@example.com", "password": "a-long-unusual-pass", "language": "fr"}, "language"),
        ({"password": "a-long-unusual-pass"}, "email"),
        ({"email": "a@example.com", "password": "a-long-unusual-pass", "is_staff": True}, "is_staff"),
    ],
)
def test_register_rejects_invalid_and_unknown_fields(api_client, payload, field):
    """Unknown fields (e.g. is_staff) are an error, never silently ignored."""
    response = api_client.post("/api/v1/auth/register/", payload, format="json")
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"]
    assert User.objects.count() == 0


def test_malformed_json_is_a_clear_400(api_client):
    response = api_client.post("/api/v1/auth/register/", data="{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_token_for_right_credentials(api_client):
    user = UserFactory(email="tok@example.com")
    response = api_client.post("/api/v1/auth/token/", {"email": "TOK@example.com", "password": PASSWORD},
                               format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert user.auth_token.key == token
    again = api_client.post("/api/v1/auth/token/", {"email": "tok@example.com", "password": PASSWORD}, format="json")
    assert again.json()["token"] == token


def test_token_for_wrong_password_is_401_without_a_token(api_client):
    UserFactory(email="tok@example.com")
    response = api_client.post("/api/v1/auth/token/", {"email": "tok@example.com", "password": "nope"},
                               format="json")
    error = assert_error(response, 401, "invalid_credentials")
    assert "token" not in error


def test_token_for_a_disabled_account_is_refused(api_client):
    user = UserFactory(email="off@example.com")
    user.is_active = False
    user.save()
    response = api_client.post("/api/v1/auth/token/", {"email": "off@example.com", "password": PASSWORD},
                               format="json")
    assert_error(response, 401, "invalid_credentials")


def test_protected_endpoint_without_credentials_answers_json(api_client):
    response = api_client.get("/api/v1/auth/me/")
    assert_error(response, 401, "not_authenticated")


def test_bad_token_is_refused(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert_error(api_client.get("/api/v1/auth/me/"), 401, "authentication_failed")


def test_unknown_api_url_answers_json_404(api_client):
    assert_error(api_client.get("/api/v1/no-such-thing/"), 404, "not_found")


def test_wrong_method_answers_json_405(api_client):
    assert_error(api_client.get("/api/v1/auth/register/"), 405, "method_not_allowed")


def test_openapi_schema_lists_the_auth_endpoints(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/auth/register/" in paths and "/api/v1/auth/token/" in paths


def test_api_docs_page_uses_local_assets(client):
    """Swagger UI comes from our own static files (the sidecar), never a CDN."""
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn." not in html and "unpkg" not in html


def test_openapi_schema_generates_without_warnings():
    """Every endpoint is described precisely enough for clients and fuzzers (drf-spectacular --fail-on-warn)."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)


def test_a_token_expires_its_owner_sees_when_and_can_revoke_it(api_client, settings):
    import datetime as dt

    import time_machine

    settings.API_TOKEN_DAYS = 30
    UserFactory(email="expiring@example.com")
    issued = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    credentials = {"email": "expiring@example.com", "password": PASSWORD}
    with time_machine.travel(issued, tick=False):
        body = api_client.post("/api/v1/auth/token/", credentials, format="json").json()
    assert body["expires_at"] == "2026-12-01T09:00:00Z"
    headers = {"HTTP_AUTHORIZATION": f"Token {body['token']}"}
    with time_machine.travel(issued + dt.timedelta(days=29), tick=False):
        info = api_client.get("/api/v1/auth/token/current/", **headers)
        assert info.status_code == 200 and "token" not in info.json()
        assert info.json()["expires_at"] == "2026-12-01T09:00:00Z"
    with time_machine.travel(issued + dt.timedelta(days=31), tick=False):
        assert_error(api_client.get("/api/v1/auth/me/", **headers), 401, "token_expired")
        fresh = api_client.post("/api/v1/auth/token/", credentials, format="json").json()
        assert fresh["token"] != body["token"]  # an expired token is replaced, not handed out again
        headers = {"HTTP_AUTHORIZATION": f"Token {fresh['token']}"}
        assert api_client.get("/api/v1/auth/me/", **headers).status_code == 200
        assert api_client.delete("/api/v1/auth/token/current/", **headers).status_code == 204
        assert_error(api_client.get("/api/v1/auth/me/", **headers), 401, "authentication_failed")
