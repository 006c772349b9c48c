"""Chat API: visitors start chats with a name and email and get a token that opens that chat only; history resumes
after a sequence number; a resend is stored once; nobody reads someone else's chat."""
import re

import pytest
from rest_framework.test import APIClient

from livechat import services
from livechat.models import ChatMessage, Conversation
from support.models import AgentProfile, Presence
from support.screenshots import ScreenshotScan

pytestmark = pytest.mark.django_db


def visitor_start(client, **extra):
    payload = {"language": "es", "name": "Lucía", "email": "lucia@example.com", "topic": "Retiro", **extra}
    return client.post("/api/v1/chats/", payload, format="json")


def test_visitor_starts_a_chat_and_sees_position_and_estimate(api_client):
    response = visitor_start(api_client)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "queued" and body["position"] == 1 and body["language"] == "es"
    assert body["websocket_url"] == f"/ws/chat/{body['id']}/" and body["token"]
    assert body["estimate"]["eta_seconds"] is None  # nobody serving Spanish is online: no made-up number
    second = visitor_start(api_client, email="otro@example.com").json()
    assert second["position"] == 2


@pytest.mark.parametrize("payload, field", [
    ({"language": "es"}, "name"),
    ({"language": "xx", "name": "A", "email": "a@example.com"}, "language"),
    ({"language": "es", "name": "A", "email": "not-an-email"}, "email"),
    ({"language": "es", "name": "A", "email": "a@example.com", "priority": "urgent"}, "priority"),
])
def test_bad_start_requests_get_a_clear_error(api_client, payload, field):
    response = api_client.post("/api/v1/chats/", payload, format="json")
    assert response.status_code == 400 and field in response.json()["error"]["fields"]
    assert not Conversation.objects.exists()


def test_visitor_posts_resends_and_resumes_with_the_token(api_client):
    chat = visitor_start(api_client).json()
    url = f"/api/v1/chats/{chat['id']}/messages/"
    headers = {"HTTP_X_CHAT_TOKEN": chat["token"]}
    first = api_client.post(url, {"body": "Hola", "client_msg_id": "m1"}, format="json", **headers)
    again = api_client.post(url, {"body": "Hola", "client_msg_id": "m1"}, format="json", **headers)
    api_client.post(url, {"body": "¿Hay alguien?", "client_msg_id": "m2"}, format="json", **headers)
    assert (first.status_code, again.status_code) == (201, 200) and ChatMessage.objects.count() == 2
    history = api_client.get(url, {"after": 1}, **headers).json()
    assert [(m["seq"], m["body"], m["sender"]) for m in history["messages"]] == [(2, "¿Hay alguien?", "customer")]
    assert api_client.get(url, {"after": "x"}, **headers).status_code == 400


def test_nobody_reads_someone_elses_chat(api_client, customer, other_customer, agent):
    mine = visitor_start(api_client).json()
    theirs = visitor_start(api_client, email="b@example.com").json()
    url = f"/api/v1/chats/{theirs['id']}/messages/"
    assert api_client.get(url, HTTP_X_CHAT_TOKEN=mine["token"]).status_code == 404  # a token opens its own chat only
    assert api_client.get(url, HTTP_X_CHAT_TOKEN="forged").status_code == 404
    assert api_client.get(url).status_code == 404
    client = APIClient()
    client.force_authenticate(customer)
    own = client.post("/api/v1/chats/", {"language": "en"}, format="json").json()
    assert "token" not in own
    client.force_authenticate(other_customer)
    assert client.get(f"/api/v1/chats/{own['id']}/messages/").status_code == 404
    assert client.post(f"/api/v1/chats/{own['id']}/close/").status_code == 404
    assert Conversation.objects.get(pk=own["id"]).status == "queued"
    client.force_authenticate(agent)
    assert client.get(f"/api/v1/chats/{own['id']}/messages/").status_code == 200  # agents may read any chat
    # ... but write only in their own active chats.
    reply = client.post(f"/api/v1/chats/{own['id']}/messages/", {"body": "Hello!"}, format="json")
    assert reply.status_code == 400 and reply.json()["error"]["code"] == "not_your_chat"
    assert client.post(f"/api/v1/chats/{own['id']}/close/").json()["error"]["code"] == "not_your_chat"
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    services.conversation_pick(conversation_id=own["id"], agent=agent)
    reply = client.post(f"/api/v1/chats/{own['id']}/messages/", {"body": "Hello!"}, format="json")
    assert reply.status_code == 201 and reply.json()["sender"] == "agent"


def test_closing_ends_the_chat_and_later_messages_are_refused(api_client):
    chat = visitor_start(api_client).json()
    headers = {"HTTP_X_CHAT_TOKEN": chat["token"]}
    closed = api_client.post(f"/api/v1/chats/{chat['id']}/close/", **headers)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    late = api_client.post(f"/api/v1/chats/{chat['id']}/messages/", {"body": "más"}, format="json", **headers)
    assert late.status_code in (400, 409) and late.json()["error"]["code"] == "chat_closed"


def test_an_online_spanish_agent_gets_the_chat_at_once(api_client, django_capture_on_commit_callbacks):
    from tests.factories import AgentFactory

    agent = AgentFactory(languages=["es"], capacity=2)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    with django_capture_on_commit_callbacks(execute=True):
        chat = visitor_start(api_client).json()
    assert Conversation.objects.get(pk=chat["id"]).agent == agent


def test_transcript_goes_once_to_the_chats_own_address_in_its_language(api_client, mailbox):
    from livechat.models import SenderKind
    from support import outbox
    from support.models import OutboundEmail
    from tests.factories import AgentFactory

    chat = api_client.post("/api/v1/chats/", {"language": "ko", "name": "민", "email": "min@example.com"},
                           format="json").json()
    headers = {"HTTP_X_CHAT_TOKEN": chat["token"]}
    url = f"/api/v1/chats/{chat['id']}/transcript/"
    assert api_client.post(url, **headers).json()["error"]["code"] == "transcript_refused"  # not ended yet
    agent = AgentFactory(name="지우", email="jiwoo.private@example.com", languages=["ko"])
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    services.conversation_pick(conversation_id=chat["id"], agent=agent)
    services.message_post(conversation_id=chat["id"], sender_kind=SenderKind.CUSTOMER, body="출금이 안 돼요")
    services.message_post(conversation_id=chat["id"], sender_kind=SenderKind.AGENT, sender=agent, body="확인할게요")
    api_client.post(f"/api/v1/chats/{chat['id']}/close/", **headers)
    assert api_client.post(url, {"email": "attacker@example.com"}, format="json", **headers).status_code == 202
    assert api_client.post(url, **headers).status_code in (400, 409)  # once
    for row in OutboundEmail.objects.filter(status="pending"):
        outbox.outbound_email_deliver(outbound_id=row.pk)
    assert [m["to"] for m in mailbox] == [["min@example.com"]]
    # A visitor's typed address is not proven: the mail is our own text and a link, never the chat's words or the
    # name the visitor typed (the desk relays nothing someone wrote to another person's mailbox).
    message = mailbox[0]["message"]
    text = message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()
    assert "출금이 안 돼요" not in text and "민" not in text.replace("min@example.com", "")
    link = re.search(r"http://[^/\s\"]+(/ko/chat/transcript/[^/\s\"]+/)", text).group(1)
    page = api_client.get(link).content.decode()
    assert "출금이 안 돼요" in page and "확인할게요" in page and "지우" in page and "jiwoo.private" not in page
    assert "상담을 종료했습니다" in page  # the system line, in Korean
    assert api_client.get(link[:-4] + "xx/").status_code == 410


def test_a_proven_customer_gets_the_transcript_itself(client, mailbox):
    from support import outbox
    from support.models import OutboundEmail
    from tests.factories import UserFactory

    customer = UserFactory(email="yuki@example.com", name="Yuki", language="ja")
    client.force_login(customer)
    chat = services.conversation_start(language="ja", customer=customer, topic="入金")
    services.customer_message_post(conversation_id=chat.pk, body="入金が反映されません")
    services.conversation_close(conversation_id=chat.pk, by="customer")
    services.conversation_transcript_send(conversation_id=chat.pk)
    for row in OutboundEmail.objects.filter(status="pending"):
        outbox.outbound_email_deliver(outbound_id=row.pk)
    text = mailbox[0]["message"].get_body(("plain",)).get_content()
    assert "入金が反映されません" in text and "Yuki" in text and "/chat/transcript/" not in text


def test_chat_page_may_be_framed_only_by_allowed_sites(client, settings):
    settings.LIVECHAT_EMBED_ORIGINS = ["https://partner.example.com"]
    response = client.get("/en/chat/?embed=1")
    assert response.status_code == 200 and "X-Frame-Options" not in response
    assert "frame-ancestors 'self' https://partner.example.com" in response["Content-Security-Policy"]
    assert "script-src 'self';" in response["Content-Security-Policy"]  # the rest of the policy holds here too
    other = client.get("/en/help/")
    assert other["X-Frame-Options"] == "DENY"  # every other page stays unframeable
    assert "frame-ancestors 'none'" in other["Content-Security-Policy"]


def test_files_in_a_chat_are_checked_stored_once_and_served_only_to_the_chats_people(api_client, agent, customer,
                                                                                      settings, tmp_path):
    from tests.tickets.files import bomb_png, exe_bytes, png_bytes, upload

    settings.MEDIA_ROOT = tmp_path / "media"
    chat = visitor_start(api_client).json()
    headers = {"HTTP_X_CHAT_TOKEN": chat["token"]}
    url = f"/api/v1/chats/{chat['id']}/attachments/"
    bad = api_client.post(url, {"file": upload("photo.png", exe_bytes())}, format="multipart", **headers)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "attachment_type_not_allowed"
    bomb = api_client.post(url, {"file": upload("bomb.png", bomb_png())}, format="multipart", **headers)
    assert bomb.status_code == 400 and bomb.json()["error"]["code"] == "attachment_rejected"
    assert not ChatMessage.objects.exists()
    sent = api_client.post(url, {"file": upload("captura.png", png_bytes()), "client_msg_id": "f1"},
                           format="multipart", **headers)
    assert sent.status_code == 201, sent.json()
    again = api_client.post(url, {"file": upload("captura.png", png_bytes()), "client_msg_id": "f1"},
                            format="multipart", **headers)
    assert again.status_code == 200 and ChatMessage.objects.count() == 1
    file_url = sent.json()["attachments"][0]["url"]
    assert sent.json()["attachments"][0]["filename"] == "captura.png"
    history = api_client.get(f"/api/v1/chats/{chat['id']}/messages/", **headers).json()
    assert history["messages"][0]["attachments"][0]["url"] == file_url
    served = api_client.get(file_url, {"token": chat["token"]})
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert api_client.get(file_url).status_code == 404  # no token, no session
    other = visitor_start(api_client, email="x@example.com").json()
    assert api_client.get(file_url, {"token": other["token"]}).status_code == 404
    api_client.force_login(customer)
    assert api_client.get(file_url).status_code == 404  # a customer who is not in this chat
    api_client.force_login(agent)
    assert api_client.get(file_url).status_code == 404  # a picture is shown to agents once read for secrets
    services.chat_attachment_scan(attachment_id=sent.json()["attachments"][0]["id"], result=ScreenshotScan(()))
    assert api_client.get(file_url).status_code == 200


def test_the_message_limit_is_read_when_a_message_comes_not_when_the_code_was_loaded(api_client, settings):
    chat = api_client.post("/api/v1/chats/", {"language": "en", "name": "V", "email": "v@example.com"},
                           format="json").json()
    settings.LIVECHAT_MESSAGE_MAX_CHARS = 10
    url, headers = f"/api/v1/chats/{chat['id']}/messages/", {"HTTP_X_CHAT_TOKEN": chat["token"]}
    too_long = api_client.post(url, {"body": "x" * 11}, format="json", **headers)
    assert too_long.status_code == 400 and "body" in too_long.json()["error"]["fields"]
    assert api_client.post(url, {"body": "x" * 10}, format="json", **headers).status_code == 201
