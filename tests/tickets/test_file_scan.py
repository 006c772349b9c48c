"""Text, log, PDF and ZIP files attached to tickets (web, API, email) are read for secrets like pictures: held back
from everyone but their uploader until read; a text with a secret becomes a masked copy for everyone; a PDF or ZIP
with one is withheld from everyone, with the reason (never the secret); clean files are served as sent; a file
that cannot be read is served with a warning to agents, like a picture that cannot be read."""
from email.message import EmailMessage

import pytest
from django.core.files.storage import default_storage
from rest_framework.test import APIClient

from support.secretscan import MARKERS, PRIVATE_KEY, RECOVERY_PHRASE
from tickets.inbound import inbound_email_ingest
from tickets.models import Attachment

from .files import (
    PRIVATE_KEY_HEX,
    encrypted_zip,
    get_body,
    png_bytes,
    recovery_phrase,
    scan_as_worker,
    text_pdf,
    upload,
    zip_of,
)

pytestmark = pytest.mark.django_db

PHRASE = recovery_phrase()
AGENT_FLAG = "Secret detected and hidden: {}. Advise the customer to move their funds."
CUSTOMER_NOTICE = "For your safety we hid a secret in your message"


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _filed(customer, name, content, content_type="application/octet-stream"):
    """A ticket filed over the API with one file; returns the ticket and its attachment."""
    response = _api(customer).post("/api/v1/tickets/", {
        "subject": "Withdrawal stuck", "body": "Details attached.",
        "attachments": [upload(name, content, content_type)]}, format="multipart")
    assert response.status_code == 201, response.json()
    attachment = Attachment.objects.get(ticket__number=int(response.json()["ref"][2:]))
    return attachment.ticket, attachment


def _phrase_words_in(text):
    return [word for word in PHRASE.split() if word in text.split()]


def test_a_text_with_a_recovery_phrase_is_served_masked_after_the_scan(client, customer, agent,
                                                                      django_capture_on_commit_callbacks):
    sent = f"Wallet restore log\nseed: {PHRASE}\nwithdrawal 48213 failed\n".encode()
    ticket, attachment = _filed(customer, "wallet.txt", sent)
    sent_file = attachment.file.name
    assert attachment.scan_state == "pending"

    # Before the scan: the uploader is served the file (not cached), agents nothing at all.
    client.force_login(customer)
    response, body = get_body(client, f"/attachments/{attachment.pk}/")
    assert response.status_code == 200 and body == sent and "no-store" in response["Cache-Control"]
    client.force_login(agent)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    assert _api(agent).get(f"/api/v1/attachments/{attachment.pk}/").status_code == 404
    page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert "Checking this file for secrets" in page and f"/attachments/{attachment.pk}/" not in page

    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "secret"

    attachment.refresh_from_db()
    assert (attachment.scan_state, attachment.secret_kinds, attachment.original) == ("secret", [RECOVERY_PHRASE], "")
    assert not default_storage.exists(sent_file)  # the file as sent is gone (policy off)
    response, masked = get_body(client, f"/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "text/plain"
    assert "wallet-masked.txt" in response["Content-Disposition"]
    text = masked.decode()
    assert MARKERS[RECOVERY_PHRASE] in text and _phrase_words_in(text) == []
    assert "Wallet restore log" in text and "withdrawal 48213 failed" in text
    assert get_body(client, f"/api/v1/attachments/{attachment.pk}/")[1] == masked
    assert client.get(f"/attachments/{attachment.pk}/thumbnail/").status_code == 404  # a text has no thumbnail
    page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert AGENT_FLAG.format("recovery phrase") in page and "Checking this file" not in page
    assert not any(word in page.split() for word in PHRASE.split()[:3])

    # The uploader is served the masked copy too (as for a blurred picture), and warned.
    client.force_login(customer)
    assert get_body(client, f"/attachments/{attachment.pk}/")[1] == masked
    page = client.get(f"/en/requests/{ticket.ref}/").content.decode()
    assert CUSTOMER_NOTICE in page and "Secret detected" not in page
    files = _api(customer).get(f"/api/v1/tickets/{ticket.ref}/messages/").json()["results"][0]["attachments"]
    assert (files[0]["scan_state"], files[0]["secret_kinds"], files[0]["scan_problem"]) == (
        "secret", [RECOVERY_PHRASE], "")


def test_a_pdf_with_a_private_key_is_withheld_from_everyone_with_the_reason(
        client, customer, agent, django_capture_on_commit_callbacks):
    pdf = text_pdf(["Cold wallet export", f"Private key: {PRIVATE_KEY_HEX}"])
    ticket, attachment = _filed(customer, "export.pdf", pdf)
    sent_file = attachment.file.name
    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "withheld"

    attachment.refresh_from_db()
    assert (attachment.scan_state, attachment.secret_kinds, attachment.file.name) == ("withheld", [PRIVATE_KEY], "")
    assert not default_storage.exists(sent_file)
    for person in (agent, customer):
        client.force_login(person)
        response = client.get(f"/attachments/{attachment.pk}/")
        page = response.content.decode()
        assert response.status_code == 403
        assert "export.pdf is withheld: a secret was found in it (private key)" in page
        assert PRIVATE_KEY_HEX not in page
        response = _api(person).get(f"/api/v1/attachments/{attachment.pk}/")
        assert response.status_code == 403
        error = response.json()["error"]
        assert error["code"] == "attachment_withheld" and "private key" in error["detail"]
        assert set(response.json()) == {"error"} and PRIVATE_KEY_HEX not in response.content.decode()

    client.force_login(agent)
    page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert "export.pdf — File withheld: it is not shown to anyone." in page
    assert AGENT_FLAG.format("private key") in page and f'href="/attachments/{attachment.pk}/"' not in page
    files = _api(agent).get(f"/api/v1/tickets/{ticket.ref}/messages/").json()["results"][0]["attachments"]
    assert (files[0]["scan_state"], files[0]["secret_kinds"]) == ("withheld", [PRIVATE_KEY])


def test_with_the_policy_on_a_withheld_file_is_kept_for_desk_admins_alone(
        client, settings, customer, agent, supervisor, desk_admin, django_capture_on_commit_callbacks):
    settings.SCREENSHOT_KEEP_ORIGINALS = True
    archive = zip_of({"keys/backup.txt": f"seed {PHRASE}"})
    ticket, attachment = _filed(customer, "backup.zip", archive)
    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "withheld"
    url = f"/attachments/{attachment.pk}/original/"
    client.force_login(desk_admin)
    response, body = get_body(client, url)
    assert response.status_code == 200 and body == archive
    assert response["Content-Type"] == "application/octet-stream" and "no-store" in response["Cache-Control"]
    assert url in client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 403
    for person in (customer, agent, supervisor):
        client.force_login(person)
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("name, content", [
    ("statement.pdf", text_pdf(["Withdrawal 48213", "Amount 0.5 BTC"], ["txid " + "ab" * 32])),
    ("logs.zip", zip_of({"app.log": "2026-11-23 ERROR withdrawal 48213 failed\n", "shot.png": png_bytes()})),
    ("app.log", "2026-11-23 ERROR 提现失败 ошибка\n".encode()),
], ids=["pdf", "zip", "log"])
def test_a_clean_file_is_served_as_sent_after_the_scan(client, customer, agent, name, content,
                                                       django_capture_on_commit_callbacks):
    ticket, attachment = _filed(customer, name, content)
    client.force_login(agent)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404  # not yet read
    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "clean"
    response, body = get_body(client, f"/attachments/{attachment.pk}/")
    assert response.status_code == 200 and body == content
    assert response["Content-Disposition"].startswith("attachment") and name in response["Content-Disposition"]
    page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert "Secret detected" not in page and "could not be checked" not in page


def test_a_file_that_cannot_be_read_is_shown_to_agents_with_the_reason(client, customer, agent,
                                                                       django_capture_on_commit_callbacks):
    """Like a picture that cannot be read: served, flagged for agents as not checked (and why), never "clean"."""
    ticket, attachment = _filed(customer, "wallet.zip", encrypted_zip({"wallet.txt": PHRASE}))
    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "failed"
    attachment.refresh_from_db()
    assert (attachment.scan_state, attachment.scan_problem, attachment.secret_kinds) == ("failed", "encrypted", [])
    client.force_login(agent)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200
    page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert "This file could not be checked for secrets: it is encrypted." in page
    client.force_login(customer)
    assert "could not be checked" not in client.get(f"/en/requests/{ticket.ref}/").content.decode()


def test_a_log_mailed_in_with_a_seed_phrase_goes_the_same_way(client, agent, django_capture_on_commit_callbacks):
    mail = EmailMessage()
    mail["From"] = "Mei <mei@example.org>"
    mail["To"] = "support@example.com"
    mail["Subject"] = "Withdrawal failed"
    mail["Message-ID"] = "<log-with-seed@example.org>"
    mail.set_content("Hello, my withdrawal failed, the app's log is attached.")
    log = f"10:04:11 INFO restore\n10:04:12 DEBUG words={PHRASE}\n10:04:13 ERROR failed\n".encode()
    mail.add_attachment(log, maintype="text", subtype="plain", filename="wallet.log")
    record = inbound_email_ingest(raw=mail.as_bytes()).record
    attachment = Attachment.objects.get(ticket=record.ticket, filename="wallet.log")
    assert attachment.scan_state == "pending"
    client.force_login(agent)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404

    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "secret"
    response, masked = get_body(client, f"/attachments/{attachment.pk}/")
    text = masked.decode()
    assert response.status_code == 200 and "wallet-masked.log" in response["Content-Disposition"]
    assert MARKERS[RECOVERY_PHRASE] in text and _phrase_words_in(text) == [] and "ERROR failed" in text
    page = client.get(f"/en/agent/tickets/{record.ticket.ref}/").content.decode()
    assert AGENT_FLAG.format("recovery phrase") in page


def test_nothing_read_from_a_file_is_stored_or_logged(customer, caplog, django_capture_on_commit_callbacks):
    """Rows and logs hold the kinds found, never the words."""
    caplog.set_level("DEBUG")
    _ticket, attachment = _filed(customer, "export.pdf", text_pdf([f"backup {PHRASE}"]))
    scan_as_worker(attachment, django_capture_on_commit_callbacks)
    stored = repr(list(Attachment.objects.filter(pk=attachment.pk).values()))
    assert _phrase_words_in(stored) == [] and _phrase_words_in(caplog.text) == []
    assert "recovery_phrase" in caplog.text
