"""The exchange's site vouches for its logged-in user (issue #22): a chat started with a valid, fresh signature of
the user's id and email belongs to that account, and the agent sees the exchange's user id; a wrong, stale or
unconfigured signature is refused with a reason; nothing the browser types is believed."""
import time

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from livechat.identity import identity_signature
from livechat.models import Conversation
from support.models import User
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "exchange-shared-secret-for-tests"


@pytest.fixture(autouse=True)
def secret(settings):
    settings.LIVECHAT_IDENTITY_SECRET = SECRET


def identity(uid="EX-1001", email="alice@example.com", ts=None, secret=SECRET, **extra):
    ts = int(time.time()) if ts is None else ts
    return {"uid": uid, "email": email, "ts": ts, "signature": identity_signature(uid, email, ts, secret=secret),
            **extra}


def start(body):
    return APIClient().post("/api/v1/chats/", {"language": "en", "topic": "withdrawal", **body}, format="json")


def test_a_signed_identity_files_the_chat_under_that_account_and_agents_see_the_uid():
    answer = start({"identity": identity(name="Alice")})
    assert answer.status_code == 201, answer.content
    chat = Conversation.objects.get(pk=answer.json()["id"])
    alice = User.objects.get(email="alice@example.com")
    assert chat.customer == alice and alice.exchange_uid == "EX-1001" and alice.email_verified
    assert answer.json()["token"]  # the widget is not signed in here: the token opens this chat
    agent = AgentFactory(languages=["en"])
    client = APIClient()
    client.force_login(agent)
    context = client.get(f"/api/v1/chats/{chat.id}/context/").json()
    assert (context["exchange_uid"], context["registered"], context["email_proven"]) == ("EX-1001", True, True)
    # The same exchange user again, even after changing their address there: the same account.
    again = start({"identity": identity(email="alice.new@example.com")})
    assert Conversation.objects.get(pk=again.json()["id"]).customer == alice


@pytest.mark.parametrize("tamper, code", [
    (lambda body: {**body, "email": "mallory@example.com"}, "identity_invalid"),     # signed for someone else
    (lambda body: {**body, "signature": "0" * 64}, "identity_invalid"),
    (lambda body: identity(ts=int(time.time()) - 2 * 24 * 3600), "identity_expired"),  # copied from an old page
    (lambda body: identity(secret="a-guess"), "identity_invalid"),
])
def test_a_wrong_or_stale_signature_is_refused_and_files_nothing(tamper, code):
    answer = start({"identity": tamper(identity())})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == code
    assert not Conversation.objects.exists() and not User.objects.filter(exchange_uid__isnull=False).exists()


def test_without_a_configured_secret_identities_are_refused(settings):
    settings.LIVECHAT_IDENTITY_SECRET = ""
    answer = start({"identity": identity()})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "identity_not_configured"


def test_an_account_someone_registered_under_the_address_is_taken_back_for_its_owner():
    squatter = UserFactory(email="alice@example.com", email_verified=False)
    stolen = Token.objects.create(user=squatter)
    assert start({"identity": identity()}).status_code == 201
    squatter.refresh_from_db()
    assert squatter.exchange_uid == "EX-1001" and squatter.email_verified
    assert not squatter.has_usable_password() and not Token.objects.filter(key=stolen.key).exists()


def test_an_address_linked_to_another_exchange_user_is_refused():
    UserFactory(email="alice@example.com")
    assert start({"identity": identity(uid="EX-1")}).status_code == 201
    answer = start({"identity": identity(uid="EX-2")})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "identity_conflict"


def test_the_chat_page_passes_the_widgets_identity_on_and_asks_for_no_name():
    from urllib.parse import urlencode

    from django.test import Client

    client, body = Client(), identity()
    query = urlencode({"embed": "1", "uid": body["uid"], "uemail": body["email"], "uts": body["ts"],
                       "usig": body["signature"]})
    page = client.get(f"/en/chat/?{query}").content.decode()
    assert 'id="chat-identity"' in page and 'id="prechat-email"' not in page
    assert 'id="prechat-email"' in client.get("/en/chat/?embed=1").content.decode()
