"""Rate limits (support.ratelimit) on what attackers hammer: 429 with Retry-After, the API's error shape or a
readable page, per address and per account; a failed-login lock that ends by itself and that a password reset
lifts at once, so nobody can keep an owner out of their account."""
import re
import time

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from tests.factories import PASSWORD, AgentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings, rate_limits):
    """Limits on (see tests/conftest.py), with small numbers."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (6, 600), "login_failures": (3, 900),
                            "register": (2, 3600), "password_reset": (5, 3600), "password_reset_email": (2, 3600),
                            "ticket_create": (2, 3600), "ticket_create_ip": (100, 3600), "chat_start": (2, 3600),
                            "bot_question": (2, 600)}
    return settings


def login(client, email, password, ip="203.0.113.7"):
    return client.post("/en/accounts/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def assert_api_429(response):
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) >= 1
    assert response.json()["error"]["code"] == "rate_limited" and response.json()["error"]["detail"]


def test_failed_logins_lock_the_account_not_the_address_and_a_password_reset_lifts_it(client, limits):
    victim = UserFactory(email="victim@example.com")
    UserFactory(email="bystander@example.com")
    for attempt in range(3):  # an attacker guessing from several addresses
        response = login(client, "victim@example.com", "wrong-guess", ip=f"198.51.100.{attempt}")
        assert response.status_code == 200 and "The email or password is wrong." in response.content.decode()
    locked = login(client, "victim@example.com", PASSWORD, ip="192.0.2.50")  # even the right password, elsewhere
    assert locked.status_code == 429 and 890 <= int(locked["Retry-After"]) <= 900  # a whole period from the last failure
    page = locked.content.decode()
    assert "Too many failed attempts for this account" in page and "reset your password" in page
    assert "_auth_user_id" not in client.session
    # Someone else's account is not affected.
    assert login(client, "bystander@example.com", PASSWORD, ip="192.0.2.50").status_code == 302
    client.logout()
    # The token API checks the same lock.
    api = APIClient()
    assert_api_429(api.post("/api/v1/auth/token/", {"email": "victim@example.com", "password": PASSWORD},
                            format="json", REMOTE_ADDR="192.0.2.51"))

    # The owner resets their password from the emailed link: the lock is gone at once.
    uid = urlsafe_base64_encode(force_bytes(victim.pk))
    token = default_token_generator.make_token(victim)
    form_url = client.get(f"/en/accounts/reset/{uid}/{token}/")["Location"]
    done = client.post(form_url, {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"})
    assert done.status_code == 302 and done["Location"].endswith("/accounts/reset/done/")
    assert login(client, "victim@example.com", "a-new-long-passphrase", ip="192.0.2.50").status_code == 302


def test_the_lock_ends_by_itself(client, limits):
    limits.RATE_LIMITS = {**limits.RATE_LIMITS, "login_failures": (2, 2)}
    UserFactory(email="owner@example.com")
    while time.time() % 2 > 0.5:  # start at the beginning of a two-second window
        time.sleep(0.05)
    for _ in range(2):
        assert login(client, "owner@example.com", "wrong").status_code == 200
    locked = login(client, "owner@example.com", PASSWORD)
    assert locked.status_code == 429
    time.sleep(int(locked["Retry-After"]) + 0.1)
    assert login(client, "owner@example.com", PASSWORD).status_code == 302


def test_many_logins_from_one_address_are_limited_whatever_the_accounts(client, limits):
    for number in range(6):
        assert login(client, f"nobody{number}@example.com", "x", ip="198.51.100.9").status_code == 200
    response = login(client, "nobody9@example.com", "x", ip="198.51.100.9")
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert login(client, "nobody9@example.com", "x", ip="198.51.100.10").status_code == 200  # another address


def test_the_admin_login_shares_the_limits(client, limits):
    UserFactory(email="staff@example.com", role="admin")
    for _ in range(3):
        client.post("/admin/login/", {"username": "staff@example.com", "password": "wrong"}, REMOTE_ADDR="192.0.2.9")
    response = client.post("/admin/login/", {"username": "staff@example.com", "password": PASSWORD},
                           REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 429 and response["Retry-After"]


def test_forwarded_for_counts_only_behind_a_trusted_proxy(limits):
    api = APIClient()

    def register(number, forwarded):
        return api.post("/api/v1/auth/register/", {"email": f"new{number}@example.com", "password": "long-password-1"},
                        format="json", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    # Without a trusted proxy, a client cannot dodge the limit by inventing X-Forwarded-For addresses.
    assert register(1, "1.1.1.1").status_code == 201
    assert register(2, "2.2.2.2").status_code == 201
    assert_api_429(register(3, "3.3.3.3"))
    # Behind one trusted proxy, the address it appended is the client's (what the client wrote before it is not).
    limits.TRUSTED_PROXY_HOPS = 1
    assert register(4, "9.9.9.9, 4.4.4.4").status_code == 201
    assert register(5, "9.9.9.9, 5.5.5.5").status_code == 201
    assert register(6, "8.8.8.8, 4.4.4.4").status_code == 201
    assert_api_429(register(7, "7.7.7.7, 4.4.4.4"))


def test_sign_up_page_and_password_reset_requests_are_limited(client, limits):
    for number in range(2):
        response = client.post("/en/accounts/signup/", {"email": f"s{number}@example.com"}, REMOTE_ADDR="192.0.2.20")
        assert response.status_code == 200  # the form's own errors
    response = client.post("/ja/accounts/signup/", {"email": "s9@example.com"}, REMOTE_ADDR="192.0.2.20")
    assert response.status_code == 429 and response["Retry-After"]
    assert "試行回数が多すぎます" in response.content.decode()  # in the page's language

    for _ in range(2):
        assert client.post("/en/accounts/password-reset/", {"email": "someone@example.com"},
                           REMOTE_ADDR="192.0.2.21").status_code == 302
    assert client.post("/en/accounts/password-reset/", {"email": "someone@example.com"},
                       REMOTE_ADDR="192.0.2.22").status_code == 429  # that address has had its emails


def test_customers_new_requests_are_limited_per_account_agents_are_not(client, limits):
    customer = UserFactory(email="busy@example.com")
    api = APIClient()
    api.force_authenticate(customer)
    body = {"subject": "Withdrawal pending", "body": "Order 123 is stuck."}
    assert api.post("/api/v1/tickets/", body, format="json").status_code == 201
    client.force_login(customer)
    assert client.post("/en/requests/new/", body).status_code == 302
    assert_api_429(api.post("/api/v1/tickets/", body, format="json"))
    page = client.post("/en/requests/new/", body)
    assert page.status_code == 429 and re.search(r"try again in about \d+ minutes?", page.content.decode())

    agent = AgentFactory(email="filer@example.com")
    agent_api = APIClient()
    agent_api.force_authenticate(agent)
    for _ in range(3):
        assert agent_api.post("/api/v1/tickets/", body, format="json").status_code == 201


def test_chat_starts_and_bot_questions_are_limited_per_address(limits):
    api = APIClient()
    visitor = {"language": "en", "name": "V", "email": "v@example.com"}
    for _ in range(2):
        assert api.post("/api/v1/chats/", visitor, format="json", REMOTE_ADDR="192.0.2.30").status_code == 201
    assert_api_429(api.post("/api/v1/chats/", visitor, format="json", REMOTE_ADDR="192.0.2.30"))
    for _ in range(2):
        assert api.post("/api/v1/bot/ask", {"text": "withdrawal"}, format="json",
                        REMOTE_ADDR="192.0.2.31").status_code == 200
    assert_api_429(api.post("/api/v1/bot/ask", {"text": "withdrawal"}, format="json", REMOTE_ADDR="192.0.2.31"))
