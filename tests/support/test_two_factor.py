"""Staff sign in with a password and a second factor (issue #22 finding 6): without the code nothing of the desk
opens (pages, the session API, the agent's socket, Django admin); a code works once; recovery codes work once each;
API tokens for staff need a code too. Signing in goes through the real pages here (no force_login shortcut)."""
import re

import pytest
from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from support import twofactor
from support.asgi import application
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.livechat.test_consumers import ORIGIN

pytestmark = pytest.mark.django_db


def password_only(user, lang="en", next_url=""):
    client = Client()
    response = client.post(f"/{lang}/accounts/login/", {"username": user.email, "password": PASSWORD,
                                                         "next": next_url})
    assert response.status_code == 302
    return client, response["Location"]


def code_for(device):
    return twofactor.current_code(device)


def agent_socket_opens(client):
    async def connect():
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        socket = WebsocketCommunicator(application, "/ws/agent/", headers=[*ORIGIN, (b"cookie", cookie)])
        connected, _subprotocol = await socket.connect()
        first = await socket.receive_output(timeout=5) if connected else {"type": "websocket.close"}
        if first["type"] == "websocket.close":
            assert first.get("code") == 4403
            return False
        await socket.disconnect()
        return '"snapshot"' in first.get("text", "")

    return async_to_sync(connect)()


def test_a_first_sign_in_sets_up_the_authenticator_and_shows_recovery_codes_once():
    supervisor = AgentFactory(email="sue@example.com", supervisor=True, language="ja")
    client, location = password_only(supervisor, next_url="/ja/agent/tickets/")
    assert location.startswith("/ja/accounts/2fa/setup/?next=")
    setup = client.get(location)
    html = setup.content.decode()
    assert setup.status_code == 200 and "<svg" in html and 'data-testid="two-factor-secret"' in html
    assert "2段階サインイン" in html  # the page is in the supervisor's language
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert secret == __import__("base64").b32encode(device.bin_key).decode()  # what the person types in
    assert client.get("/ja/agent/tickets/").status_code == 302  # still closed

    wrong = client.post(location, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and 'data-testid="two-factor-error"' in wrong.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = client.post(location, {"code": code_for(device)})
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.content.decode())
    assert done.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/ja/agent/tickets/").status_code == 200
    assert TOTPDevice.objects.get(user=supervisor).confirmed


@pytest.mark.django_db(transaction=True)  # the socket reads the session from another thread's connection
def test_without_the_code_the_desk_stays_closed_everywhere():
    agent = AgentFactory(email="ana@example.com", languages=["en"])
    device = TOTPDevice.objects.create(user=agent, name="authenticator", confirmed=True)
    client, location = password_only(agent, next_url="/en/agent/tickets/")
    assert location == "/en/accounts/2fa/?next=%2Fen%2Fagent%2Ftickets%2F"
    for url in ("/en/agent/tickets/", "/en/agent/chats/", "/en/requests/", "/en/notifications/"):
        closed = client.get(url)
        assert closed.status_code == 302 and closed["Location"].startswith("/en/accounts/2fa/?next="), url
    api = client.get("/api/v1/tickets/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_required"
    assert not agent_socket_opens(client)
    # A session that only knows the password cannot swap the authenticator for its own.
    assert client.get("/en/accounts/2fa/setup/")["Location"].startswith("/en/accounts/2fa/")
    assert TOTPDevice.objects.filter(user=agent).count() == 1

    step = client.post("/en/accounts/2fa/", {"code": code_for(device), "next": "/en/agent/tickets/"})
    assert step.status_code == 302 and step["Location"] == "/en/agent/tickets/"
    assert client.get("/en/agent/tickets/").status_code == 200
    assert client.get("/api/v1/tickets/").status_code == 200
    assert agent_socket_opens(client)

    # The same code again, in another browser: an authenticator code works once.
    other, _location = password_only(agent)
    again = other.post("/en/accounts/2fa/", {"code": code_for(device)})
    assert again.status_code == 400 and other.get("/en/agent/tickets/").status_code == 302


def test_django_admin_asks_for_the_second_factor_too():
    admin = AgentFactory(email="root@example.com")
    from support.roles import Role
    from support.services import user_set_role

    user_set_role(user=admin, role=Role.ADMIN)
    TOTPDevice.objects.create(user=admin, name="authenticator", confirmed=True)
    client = Client()
    assert client.post("/admin/login/", {"username": admin.email, "password": PASSWORD}).status_code == 302
    closed = client.get("/admin/")
    assert closed.status_code == 302 and "/accounts/2fa/?next=%2Fadmin%2F" in closed["Location"]


def test_recovery_codes_work_once_each_and_new_ones_void_the_old():
    agent = AgentFactory(email="kim@example.com", languages=["ko"], language="ko")
    TOTPDevice.objects.create(user=agent, name="authenticator", confirmed=True)
    first = twofactor.recovery_codes_renew(user=agent)
    client, location = password_only(agent)
    answer = client.post(location, {"code": first[0].upper()})
    assert answer.status_code == 302, answer.content.decode()[-3000:]  # typed in capitals: fine
    assert twofactor.recovery_codes_left(agent) == 9
    reused, _location = password_only(agent)
    assert reused.post(_location, {"code": first[0]}).status_code == 400
    page = client.post("/ko/accounts/2fa/recovery-codes/")
    second = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page.content.decode())
    assert len(second) == 10 and not set(second) & set(first)
    stale, location = password_only(agent)
    assert stale.post(location, {"code": first[1]}).status_code == 400
    StaticDevice.objects.filter(user=agent).update(throttling_failure_count=0)  # not waiting out the throttle
    assert stale.post(location, {"code": second[1]}).status_code == 302


def test_staff_api_tokens_need_a_code_and_customers_do_not(api_client):
    agent = AgentFactory(email="api.agent@example.com")
    body = {"email": agent.email, "password": PASSWORD}
    no_device = api_client.post("/api/v1/auth/token/", body, format="json")
    assert no_device.status_code == 403 and no_device.json()["error"]["code"] == "two_factor_setup_required"
    device = TOTPDevice.objects.create(user=agent, name="authenticator", confirmed=True)
    missing = api_client.post("/api/v1/auth/token/", body, format="json")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "two_factor_required"
    wrong = api_client.post("/api/v1/auth/token/", {**body, "otp": "12345a"}, format="json")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_otp"
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    right = api_client.post("/api/v1/auth/token/", {**body, "otp": code_for(device)}, format="json")
    assert right.status_code == 200 and right.json()["token"]
    customer = UserFactory(email="plain@example.com")
    assert api_client.post("/api/v1/auth/token/", {"email": customer.email, "password": PASSWORD},
                           format="json").status_code == 200


def test_wrong_codes_are_throttled_by_the_device():
    agent = AgentFactory(email="slow@example.com")
    device = TOTPDevice.objects.create(user=agent, name="authenticator", confirmed=True)
    client, location = password_only(agent)
    wrong = next((c for c in ("000000", "999999") if c != code_for(device)))
    assert client.post(location, {"code": wrong}).status_code == 400
    # Right after a failure the device refuses even the right code for a moment (django-otp's throttling).
    assert client.post(location, {"code": code_for(device)}).status_code == 400


def test_customers_are_not_asked():
    customer = UserFactory(email="c@example.com")
    client, location = password_only(customer)
    assert "/accounts/2fa/" not in location
    assert client.get("/en/requests/").status_code == 200
    assert client.get("/en/accounts/2fa/setup/").status_code == 404


def test_a_password_changed_anywhere_revokes_the_accounts_api_tokens():
    """Django admin's password change, the reset link or a command: each saves through set_password, and the
    revocation hangs on that (support/passwords.py), not on one view."""
    from rest_framework.authtoken.models import Token

    from support.roles import Role
    from support.services import user_set_role

    admin_user = AgentFactory(email="root@example.com")
    user_set_role(user=admin_user, role=Role.ADMIN)
    customer = UserFactory(email="tok@example.com")
    token = Token.objects.create(user=customer)
    client = Client()
    client.force_login(admin_user)
    answer = client.post(f"/admin/support/user/{customer.pk}/password/",
                         {"password1": "a-new-long-password-2026", "password2": "a-new-long-password-2026",
                          "usable_password": "true"})
    assert answer.status_code == 302
    assert not Token.objects.filter(key=token.key).exists()
    other = Token.objects.create(user=customer)
    customer.set_password("another-long-password-2026")
    customer.save()
    assert not Token.objects.filter(key=other.key).exists()
