"""Pictures sent in a chat are read for secrets: agents are shown one only once it is read; with a recovery phrase in
it, everyone is shown a blurred copy, the chat's sockets hear the outcome, agents see the kinds, and the customer is
warned in the chat in their language, as for a phrase typed. The picture as sent is for desk admins alone, if kept."""
import asyncio

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer

from livechat import events, services, tasks
from livechat.models import ChatAttachment, ChatMessage, SenderKind
from livechat.tokens import visitor_token
from support.models import AgentProfile, Presence
from support.screenshots import screenshot_scan
from tests.factories import AgentFactory
from tests.tickets.files import upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ocr")]  # reads pictures with Tesseract


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def active_chat(language, **customer):
    agent = AgentFactory(languages=[language])
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    chat = services.conversation_start(language=language, with_bot=False,
                                       **(customer or {"visitor_name": "V", "visitor_email": "v@example.com"}))
    services.conversations_route(language=language)
    chat.refresh_from_db()
    assert chat.agent_id == agent.pk
    return chat, agent


def send_picture(chat, png, sender_kind=SenderKind.CUSTOMER, sender=None):
    message, _created = services.message_post(conversation_id=chat.pk, sender_kind=sender_kind, sender=sender,
                                              body="", upload=upload("captura.png", png, "image/png"))
    return ChatAttachment.objects.get(message_id=message.pk)


def listening(group, action):
    """Run `action` (in this thread: it uses the test's database connection) while a socket of `group` listens;
    returns its result and the first frame the group heard."""
    async def run():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        try:
            result = await sync_to_async(action)()
            message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        finally:
            await layer.group_discard(group, channel)
        return result, message["frame"]

    return async_to_sync(run)()


def _body(response):
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def test_a_phrase_in_a_japanese_chat_is_blurred_flagged_and_the_customer_warned(
        client, rendered_screenshots, django_capture_on_commit_callbacks):
    chat, agent = active_chat("ja")
    token = visitor_token(chat.pk)
    original = rendered_screenshots["wallet_ja"]
    attachment = send_picture(chat, original)
    url = f"/chat-attachments/{attachment.pk}/"

    # Before the scan: the visitor who sent it sees it (not cached), the agent does not.
    response = client.get(url, {"token": token})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    client.force_login(agent)
    assert client.get(url).status_code == 404

    def scan():
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.chat_attachment_scan.apply(args=[str(attachment.pk)]).get()

    state, frame = listening(events.chat_group(chat.pk), scan)
    assert state == "secret"
    assert frame["type"] == "attachment" and frame["seq"] == attachment.message.seq
    assert (frame["attachment"]["scan_state"], frame["attachment"]["secret_kinds"]) == ("secret",
                                                                                        ["recovery_phrase"])

    shown = _body(client.get(url))
    assert shown != original and screenshot_scan(shown, languages=["ja"]).kinds == ()
    client.logout()
    assert _body(client.get(url, {"token": token})) == shown
    warning = ChatMessage.objects.filter(conversation=chat).order_by("seq").last()
    assert (warning.sender_kind, warning.body, warning.meta) == ("system", "secret_hidden",
                                                                 {"secrets": ["recovery_phrase"]})
    history = client.get(f"/api/v1/chats/{chat.pk}/messages/", {"token": token}).json()["messages"]
    assert history[0]["attachments"][0]["secret_kinds"] == ["recovery_phrase"]


def test_only_a_desk_admins_console_links_to_originals(client, agent, desk_admin):
    """The console builds the link to a picture as sent only for desk admins (the server refuses anyone else)."""
    client.force_login(agent)
    page = client.get("/en/agent/chats/").content.decode()
    assert '"scan_pending"' in page and "data-admin" not in page
    client.force_login(desk_admin)
    assert 'data-admin="1"' in client.get("/en/agent/chats/").content.decode()


def test_the_original_is_for_desk_admins_alone_when_the_policy_keeps_it(
        client, settings, customer, desk_admin, supervisor, rendered_screenshots, django_capture_on_commit_callbacks):
    settings.SCREENSHOT_KEEP_ORIGINALS = True
    chat, agent = active_chat("en", customer=customer)
    original = rendered_screenshots["wallet_en"]
    attachment = send_picture(chat, original, sender=customer)
    with django_capture_on_commit_callbacks(execute=True):
        services.chat_attachment_scan(attachment_id=attachment.pk)
    url = f"/chat-attachments/{attachment.pk}/original/"
    client.force_login(desk_admin)
    response = client.get(url)
    assert response.status_code == 200 and _body(response) == original and "no-store" in response["Cache-Control"]
    for person in (customer, agent, supervisor):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert _body(client.get(f"/chat-attachments/{attachment.pk}/")) != original
    client.logout()
    assert client.get(url, {"token": visitor_token(chat.pk)}).status_code == 404


def test_an_agents_picture_is_held_back_from_the_customer_until_read_and_never_warns_them(
        client, rendered_screenshots, django_capture_on_commit_callbacks):
    chat, agent = active_chat("en")
    attachment = send_picture(chat, rendered_screenshots["order_en"], sender_kind=SenderKind.AGENT, sender=agent)
    url = f"/chat-attachments/{attachment.pk}/"
    assert client.get(url, {"token": visitor_token(chat.pk)}).status_code == 404
    client.force_login(agent)
    assert client.get(url).status_code == 200  # the agent who sent it
    other = AgentFactory(languages=["en"])
    client.force_login(other)
    assert client.get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert services.chat_attachment_scan(attachment_id=attachment.pk) == "clean"
    assert client.get(url).status_code == 200
    client.logout()
    assert _body(client.get(url, {"token": visitor_token(chat.pk)})) == rendered_screenshots["order_en"]
    assert not ChatMessage.objects.filter(conversation=chat, body="secret_hidden").exists()
