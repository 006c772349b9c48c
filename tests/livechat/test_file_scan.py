"""Text, log, PDF and ZIP files sent in a chat are read for secrets like pictures: agents are shown one only once it
is read; a text with a recovery phrase becomes a masked copy, a PDF or ZIP with a key is withheld from everyone
(with the reason), the chat's sockets hear the outcome and the customer is warned in the chat; clean files are
served as sent."""
import pytest

from livechat import events, services, tasks
from livechat.models import ChatAttachment, ChatMessage, SenderKind
from livechat.tokens import visitor_token
from support.secretscan import MARKERS, PRIVATE_KEY, RECOVERY_PHRASE
from tests.tickets.files import (
    PRIVATE_KEY_HEX,
    recovery_phrase,
    text_pdf,
    upload,
    zip_of,
)

from .test_screenshot_scan import _body, active_chat, listening

pytestmark = pytest.mark.django_db

PHRASE = recovery_phrase(seed=7)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _send(chat, name, content):
    message, _created = services.message_post(conversation_id=chat.pk, sender_kind=SenderKind.CUSTOMER, body="",
                                              upload=upload(name, content))
    return ChatAttachment.objects.get(message_id=message.pk)


def _scan(attachment, capture):
    with capture(execute=True):
        return tasks.chat_attachment_scan.apply(args=[str(attachment.pk)]).get()


def test_a_text_with_a_phrase_is_masked_for_everyone_and_the_customer_warned(client,
                                                                           django_capture_on_commit_callbacks):
    chat, agent = active_chat("en")
    token = visitor_token(chat.pk)
    sent = f"my words: {PHRASE}\nplease help\n".encode()
    attachment = _send(chat, "notes.txt", sent)
    url = f"/chat-attachments/{attachment.pk}/"
    assert attachment.scan_state == "pending"
    assert _body(client.get(url, {"token": token})) == sent  # the visitor who sent it
    client.force_login(agent)
    assert client.get(url).status_code == 404

    state, frame = listening(events.chat_group(chat.pk),
                             lambda: _scan(attachment, django_capture_on_commit_callbacks))
    assert state == "secret"
    assert frame["type"] == "attachment"
    assert (frame["attachment"]["scan_state"], frame["attachment"]["secret_kinds"]) == ("secret", [RECOVERY_PHRASE])

    response = client.get(url)
    masked = _body(response).decode()
    assert response.status_code == 200 and "notes-masked.txt" in response["Content-Disposition"]
    assert MARKERS[RECOVERY_PHRASE] in masked and "please help" in masked
    assert not [word for word in PHRASE.split() if word in masked.split()]
    client.logout()
    assert _body(client.get(url, {"token": token})).decode() == masked
    warning = ChatMessage.objects.filter(conversation=chat).order_by("seq").last()
    assert (warning.sender_kind, warning.body, warning.meta) == ("system", "secret_hidden",
                                                                 {"secrets": [RECOVERY_PHRASE]})


def test_a_pdf_with_a_key_is_withheld_with_the_reason(client, django_capture_on_commit_callbacks):
    chat, agent = active_chat("en")
    token = visitor_token(chat.pk)
    attachment = _send(chat, "keys.pdf", text_pdf(["backup", f"private key {PRIVATE_KEY_HEX}"]))
    assert _scan(attachment, django_capture_on_commit_callbacks) == "withheld"
    url = f"/chat-attachments/{attachment.pk}/"
    client.force_login(agent)
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 403 and "keys.pdf is withheld" in page and "private key" in page
    assert PRIVATE_KEY_HEX not in page
    client.logout()
    assert client.get(url, {"token": token}).status_code == 403  # the sender too: nobody is served it
    history = client.get(f"/api/v1/chats/{chat.pk}/messages/", {"token": token}).json()["messages"]
    files = [file for message in history for file in message["attachments"]]
    assert [(file["scan_state"], file["secret_kinds"]) for file in files] == [("withheld", [PRIVATE_KEY])]
    assert ChatMessage.objects.filter(conversation=chat, body="secret_hidden").exists()


def test_a_clean_zip_is_served_as_sent_once_read(client, django_capture_on_commit_callbacks):
    chat, agent = active_chat("en")
    archive = zip_of({"logs/app.log": "2026-11-23 ERROR withdrawal failed\n"})
    attachment = _send(chat, "logs.zip", archive)
    url = f"/chat-attachments/{attachment.pk}/"
    client.force_login(agent)
    assert client.get(url).status_code == 404
    assert _scan(attachment, django_capture_on_commit_callbacks) == "clean"
    response = client.get(url)
    assert response.status_code == 200 and _body(response) == archive
    assert not ChatMessage.objects.filter(conversation=chat, body="secret_hidden").exists()


def test_the_console_and_chat_pages_know_the_words_for_files(client, agent):
    """The pages' scripts name a file being read, withheld, or not checked and why, in the reader's language."""
    client.force_login(agent)
    page = client.get("/ja/agent/chats/").content.decode()
    assert '"scan_pending_file"' in page and '"withheld"' in page and '"encrypted"' in page
