"""The agents' API for a customer's exchange profile (issue #24): GET /api/v1/agent/customers/<id>/profile/ and
/api/v1/agent/chats/<id>/profile/. Agents only; labels in the request's language; a slow exchange answers
{"state": "unavailable"} within the deadline; reads of exchange data are audited."""
import time

import pytest

from desk import selectors
from livechat import services as chat_services
from support.models import AuditEvent
from support.profiles import profile_forget
from tests.factories import UserFactory
from tests.support.exchange_server import profile_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def minji(db):
    customer = UserFactory(email="minji@example.com", name="김민지", language="ko")
    customer.exchange_uid = "EX-2002"
    customer.save(update_fields=["exchange_uid"])
    profile_forget(customer=customer)
    yield customer
    profile_forget(customer=customer)


def _error(response, status, code):
    assert response.status_code == status
    assert response.json()["error"]["code"] == code and response.json()["error"]["detail"]


def test_an_agent_reads_the_profile_with_labels_in_their_language(client, agent, minji, exchange):
    """KYC, VIP, flags and transfers come with labels in ?lang=; the VIP rule's boost is stated; an unknown flag is
    its code, marked; the read is in the audit log."""
    exchange({("uid", "EX-2002"): profile_json("EX-2002", vip_tier=4, kyc_level=3,
                                               risk_flags=["new_withdrawal_address", "odd_new_code"])})
    client.force_login(agent)
    response = client.get(f"/api/v1/agent/customers/{minji.pk}/profile/?lang=ko")
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["matched_by"]) == ("ok", "uid")
    profile = body["profile"]
    assert profile["uid"] == "EX-2002"
    assert profile["kyc"] == {"level": 3, "label": "고급: 주소 인증 완료", "known": True}
    assert profile["vip"] == {"tier": 4, "label": "VIP 4", "queue_boost_minutes": 4}
    assert profile["risk_flags"] == [{"code": "new_withdrawal_address", "label": "새 주소로 출금", "known": True},
                                     {"code": "odd_new_code", "label": "odd_new_code", "known": False}]
    first = profile["transfers"][0]
    assert (first["direction"]["label"], first["status"]["label"], first["asset"]) == ("출금", "검토 중", "BTC")
    assert profile["transfers"][1]["explorer_url"].startswith("https://tronscan.org/#/transaction/")
    assert AuditEvent.objects.filter(actor=agent, customer_id=minji.pk, object_type="exchange_profile").count() == 1


def test_the_profile_of_a_chats_customer_and_of_a_visitors_chat(client, agent, minji, exchange):
    """The chat endpoint reads the chat's customer; a visitor's chat is not linked (nothing asked, nothing
    audited)."""
    server = exchange({("uid", "EX-2002"): profile_json("EX-2002", vip_tier=1)})
    chat = chat_services.conversation_start(language="ko", customer=minji, with_bot=False)
    visitor = chat_services.conversation_start(language="ko", visitor_name="손님", visitor_email="v@example.com",
                                               with_bot=False)
    client.force_login(agent)
    assert client.get(f"/api/v1/agent/chats/{chat.pk}/profile/").json()["profile"]["vip"]["tier"] == 1
    assert client.get(f"/api/v1/agent/chats/{visitor.pk}/profile/").json() == {"state": "not_linked"}
    assert server.count == 1
    assert AuditEvent.objects.filter(object_type="exchange_profile").count() == 1


def test_a_slow_exchange_answers_unavailable_within_the_deadline(client, agent, minji, exchange):
    """The exchange sleeps past the deadline (1 s here): the API says {"state": "unavailable"} after about the
    deadline, not after the exchange's sleep; nothing is audited."""
    exchange({("uid", "EX-2002"): profile_json("EX-2002")}, mode="slow", delay=4.0)
    client.force_login(agent)
    started = time.monotonic()
    response = client.get(f"/api/v1/agent/customers/{minji.pk}/profile/")
    assert time.monotonic() - started < 1.0 + 1.0
    assert response.status_code == 200 and response.json() == {"state": "unavailable"}
    assert not AuditEvent.objects.filter(object_type="exchange_profile").exists()


def test_customers_and_visitors_are_refused_in_the_stable_error_shape(client, api_client, customer, minji):
    """A customer gets 403 permission_denied, even for their own profile and their own chat; without a session, the
    API asks for credentials; nothing of the profile is in the answer."""
    chat = chat_services.conversation_start(language="ko", customer=minji, with_bot=False)
    client.force_login(minji)
    for url in (f"/api/v1/agent/customers/{minji.pk}/profile/", f"/api/v1/agent/chats/{chat.pk}/profile/"):
        response = client.get(url)
        _error(response, 403, "permission_denied")
        assert "EX-2002" not in response.content.decode()
    anonymous = api_client.get(f"/api/v1/agent/customers/{minji.pk}/profile/")
    assert anonymous.status_code in (401, 403) and anonymous.json()["error"]["code"] == "not_authenticated"


def test_unknown_customers_and_chats_are_404_in_the_error_shape(client, agent):
    client.force_login(agent)
    _error(client.get("/api/v1/agent/customers/999999/profile/"), 404, "not_found")
    _error(client.get("/api/v1/agent/chats/00000000-0000-0000-0000-000000000000/profile/"), 404, "not_found")
    _error(client.get("/api/v1/agent/chats/not-a-uuid/profile/"), 404, "not_found")


def test_the_profile_read_is_one_query_and_a_cache_hit(agent, minji, exchange, django_assert_num_queries):
    """The selector loads the customer (one query); the second read is served from the cache (one request)."""
    server = exchange({("uid", "EX-2002"): profile_json("EX-2002")})
    for _round in range(2):
        with django_assert_num_queries(1):
            _customer, output = selectors.customer_profile_for_agent(customer_id=minji.pk)
        assert output["state"] == "ok"
    assert server.count == 1
