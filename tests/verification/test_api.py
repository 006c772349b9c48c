"""GET /api/v1/verify/: public, the documented shape, 400 in the one error shape, 429 with Retry-After."""
import pytest
from rest_framework.test import APIClient

from tests.factories import AgentFactory
from verification.selectors import agent_verification_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_an_official_email_answers_its_normalised_value_and_label(api, official):
    response = api.get("/api/v1/verify/", {"kind": "email", "value": " Support@EXAMPLE.com "})
    assert response.status_code == 200
    assert response.json() == {"kind": "email", "value": "support@example.com", "official": True,
                               "label": "Customer support email", "conversation": "", "needs_sign_in": False}


def test_a_lookalike_website_is_not_official(api, official):
    response = api.get("/api/v1/verify/", {"kind": "domain", "value": "https://exаmple.com/login"})
    assert response.json() == {"kind": "domain", "value": "xn--exmple-4nf.com", "official": False, "label": None,
                               "conversation": "", "needs_sign_in": False}


def test_the_label_follows_the_request_language(api, official):
    response = api.get("/api/v1/verify/", {"kind": "email", "value": "support@example.com", "lang": "zh-hans"})
    assert response.json()["label"] == "客户支持邮箱"
    assert response["Content-Language"] == "zh-hans"


def test_social_accounts_can_name_their_platform(api, official):
    ok = api.get("/api/v1/verify/", {"kind": "social", "value": "@Example_Support", "platform": "telegram"})
    other = api.get("/api/v1/verify/", {"kind": "social", "value": "@Example_Support", "platform": "x"})
    assert ok.json()["official"] is True and other.json()["official"] is False


def test_an_agent_code_is_checked_only_for_the_signed_in_customer_of_its_conversation(api):
    from support.services import api_token_issue
    from tests.factories import UserFactory
    from tickets import services as ticket_services
    from tickets.selectors import agent_code_key
    from verification.selectors import conversation_code

    agent = AgentFactory(name="Kim Minji")
    customer = UserFactory(email="min@example.com")
    ticket = ticket_services.ticket_create(requester=customer, subject="출금", body="출금이 안 돼요")
    ticket_services.ticket_reply(ticket=ticket, author=agent, body="확인할게요")
    code = conversation_code(agent, agent_code_key(ticket.ref))
    anonymous = api.get("/api/v1/verify/", {"kind": "agent_code", "value": code}).json()
    assert (anonymous["official"], anonymous["needs_sign_in"], anonymous["label"]) == (False, True, None)
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=customer).key}")
    answer = api.get("/api/v1/verify/", {"kind": "agent_code", "value": code}).json()
    assert (answer["official"], answer["label"], answer["conversation"]) == (True, "Kim Minji", ticket.ref)
    assert agent_verification_code(agent) != code  # the agent's private code is never what customers see


def test_a_bad_token_does_not_stand_in_the_way(api, official):
    """The check needs no account: a stale Authorization header is ignored, not a 401."""
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/v1/verify/", {"kind": "email", "value": "support@example.com"}).status_code == 200


@pytest.mark.parametrize("query, field", [
    ({"kind": "email", "value": "not an email"}, "value"),
    ({"kind": "phone", "value": "555-0100"}, "value"),
    ({"kind": "fax", "value": "+14155550100"}, "kind"),
    ({"value": "support@example.com"}, "kind"),
    ({"kind": "email"}, "value"),
    ({"kind": "social", "value": "@x", "platform": "myspace"}, "platform"),
    ({"kind": "email", "value": "a@example.com", "platform": "telegram"}, "platform"),
    ({"kind": "email", "value": "x" * 400 + "@example.com"}, "value"),
])
def test_bad_input_is_a_400_naming_the_field(api, official, query, field):
    response = api.get("/api/v1/verify/", query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["detail"] and list(error["fields"]) == [field]


def test_the_error_message_is_in_the_request_language(api):
    response = api.get("/api/v1/verify/", {"kind": "phone", "value": "555-0100", "lang": "es"})
    assert response.json()["error"]["fields"]["value"] == [
        "Introduce un número de teléfono con su prefijo de país, como +1 415 555 0100."]


def test_checks_are_rate_limited_per_address_with_retry_after(api, official, limits):
    for _ in range(3):
        assert api.get("/api/v1/verify/", {"kind": "email", "value": "x@example.com"},
                       REMOTE_ADDR="203.0.113.9").status_code == 200
    refused = api.get("/api/v1/verify/", {"kind": "email", "value": "x@example.com"}, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 600
    assert refused.json()["error"]["code"] == "rate_limited"
    # Garbage counts too (no free guessing through errors); another address is not affected.
    assert api.get("/api/v1/verify/", {"kind": "email", "value": "x"}, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert api.get("/api/v1/verify/", {"kind": "email", "value": "x@example.com"},
                   REMOTE_ADDR="198.51.100.1").status_code == 200


def test_the_schema_documents_the_operation_with_its_errors(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/verify/"]["get"]
    assert operation["operationId"] == "verify_channel"
    assert {"200", "400", "429"} <= set(operation["responses"])
    assert operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "Retry-After" in operation["responses"]["429"].get("headers", {})
    assert {param["name"] for param in operation["parameters"]} >= {"kind", "value", "platform"}
    assert not operation.get("security") or {} in operation["security"]
