"""Pictures attached to tickets are read for secrets in a Celery task: until then only their uploader is shown them;
a picture with a recovery phrase becomes a blurred copy for everyone (file and thumbnail) and is flagged for agents,
the customer is told, and the picture as sent is deleted, or kept for desk admins alone when policy says so."""
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from rest_framework.test import APIClient

from support import filescan, screenshots
from support.screenshots import ScreenshotScanError, screenshot_scan
from tests.factories import AgentFactory
from tickets import services, tasks
from tickets.models import Attachment, Message

from .files import get_body, mp4_bytes, scan_as_worker, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ocr")]  # reads pictures with Tesseract

CUSTOMER_NOTICE = "For your safety we hid a secret in your message"
AGENT_FLAG = "Secret detected and hidden: recovery phrase."


def _ticket_with(customer, png, name="wallet.png", language=None):
    ticket = services.ticket_create(requester=customer, subject="Withdrawal problem", body="See the picture.",
                                    language=language, attachments=[upload(name, png, "image/png")])
    return ticket, ticket.attachments.get()


def test_a_recovery_phrase_screenshot_is_blurred_for_everyone_and_flagged_for_agents(
        client, customer, agent, rendered_screenshots, django_capture_on_commit_callbacks):
    original = rendered_screenshots["wallet_en"]
    ticket, attachment = _ticket_with(customer, original)
    sent_file, sent_thumbnail = attachment.file.name, attachment.thumbnail.name
    thumbnail_before = default_storage.open(sent_thumbnail).read()

    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "secret"

    attachment.refresh_from_db()
    assert (attachment.scan_state, attachment.secret_kinds) == ("secret", ["recovery_phrase"])
    assert not attachment.original  # policy off: the picture as sent is gone
    assert not default_storage.exists(sent_file) and not default_storage.exists(sent_thumbnail)
    client.force_login(agent)
    response, shown = get_body(client, f"/attachments/{attachment.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "wallet-blurred.png" in response["Content-Disposition"]  # a PNG now, and named so
    assert shown != original
    assert screenshot_scan(shown, languages=["en"]).kinds == ()  # read again: nothing left to find
    response, thumbnail = get_body(client, f"/attachments/{attachment.pk}/thumbnail/")
    assert response.status_code == 200 and thumbnail != thumbnail_before
    page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert AGENT_FLAG in page

    client.force_login(customer)
    assert get_body(client, f"/attachments/{attachment.pk}/")[1] == shown
    page = client.get(f"/en/requests/{ticket.ref}/").content.decode()
    assert CUSTOMER_NOTICE in page and AGENT_FLAG not in page
    api = APIClient()
    api.force_authenticate(customer)
    files = api.get(f"/api/v1/tickets/{ticket.ref}/messages/").json()["results"][0]["attachments"]
    assert (files[0]["scan_state"], files[0]["secret_kinds"]) == ("secret", ["recovery_phrase"])


def test_no_word_of_the_phrase_is_stored_or_logged(customer, rendered_screenshots, caplog,
                                                   django_capture_on_commit_callbacks):
    """What OCR read stays in the worker's memory: rows and logs hold the kinds, never the words."""
    from tests.support.render_screenshots import PHRASES

    caplog.set_level("DEBUG")
    ticket, attachment = _ticket_with(customer, rendered_screenshots["wallet_en"])
    scan_as_worker(attachment, django_capture_on_commit_callbacks)
    stored = repr(list(Attachment.objects.filter(ticket=ticket).values())) + repr(
        list(Message.objects.filter(ticket=ticket).values()))
    words = PHRASES["english"]
    assert not any(word in stored for word in words) and not any(word in caplog.text for word in words)
    assert "recovery_phrase" in caplog.text


def test_until_the_scan_finishes_only_the_uploader_is_shown_the_picture(client, customer, agent, supervisor,
                                                                       rendered_screenshots):
    ticket, attachment = _ticket_with(customer, rendered_screenshots["wallet_en"])
    assert attachment.scan_state == "pending"
    for staff in (agent, supervisor):
        client.force_login(staff)
        assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
        assert client.get(f"/attachments/{attachment.pk}/thumbnail/").status_code == 404
        page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
        assert "Checking this picture for secrets" in page and f"/attachments/{attachment.pk}/" not in page
        api = APIClient()
        api.force_authenticate(staff)
        assert api.get(f"/api/v1/attachments/{attachment.pk}/").status_code == 404
    client.force_login(customer)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # it may be replaced by a blurred copy: not cached


def test_with_the_policy_on_the_original_is_kept_for_desk_admins_alone(
        client, settings, customer, agent, supervisor, desk_admin, rendered_screenshots,
        django_capture_on_commit_callbacks):
    """A Japanese ticket (read with the Japanese pack): the blurred copy for everyone, the picture as sent through
    its own URL for desk admins only; the customer who sent it, agents and supervisors get 404."""
    settings.SCREENSHOT_KEEP_ORIGINALS = True
    original = rendered_screenshots["wallet_ja"]
    ticket, attachment = _ticket_with(customer, original, language="ja")
    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "secret"
    attachment.refresh_from_db()
    assert attachment.original and attachment.original.name != attachment.file.name

    url = f"/attachments/{attachment.pk}/original/"
    client.force_login(desk_admin)
    response, body = get_body(client, url)
    assert response.status_code == 200 and body == original
    assert response["Content-Type"] == "image/png" and "no-store" in response["Cache-Control"]
    assert url in client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert get_body(client, f"/attachments/{attachment.pk}/")[1] != original
    for person in (customer, agent, supervisor):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert get_body(client, f"/attachments/{attachment.pk}/")[1] != original
    client.force_login(agent)
    assert url not in client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    client.logout()
    assert client.get(url).status_code == 302


def test_a_screenshot_without_secrets_is_served_as_it_was(client, customer, agent, rendered_screenshots,
                                                          django_capture_on_commit_callbacks):
    sent = rendered_screenshots["withdrawal_en"]
    ticket, attachment = _ticket_with(customer, sent, name="withdrawal.png")
    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "clean"
    client.force_login(agent)
    response, body = get_body(client, f"/attachments/{attachment.pk}/")
    assert response.status_code == 200 and body == sent
    page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert "Secret detected" not in page and "Checking this picture" not in page


def test_a_task_delivered_twice_scans_once_and_a_live_claim_is_left_to_its_worker(
        customer, rendered_screenshots, django_capture_on_commit_callbacks):
    ticket, attachment = _ticket_with(customer, rendered_screenshots["order_en"])
    # Another worker holds the scan: the redelivered task stops.
    Attachment.objects.filter(pk=attachment.pk).update(scan_claimed_at=timezone.now())
    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) is None
    assert Attachment.objects.get(pk=attachment.pk).scan_state == "pending"
    # That worker died: once its lease has run out, the scan is taken over.
    expired = timezone.now() - timedelta(seconds=filescan.SCAN_LEASE_SECONDS + 1)
    Attachment.objects.filter(pk=attachment.pk).update(scan_claimed_at=expired)
    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) == "clean"
    # Finished: a task delivered again does nothing.
    assert scan_as_worker(attachment, django_capture_on_commit_callbacks) is None
    assert Attachment.objects.get(pk=attachment.pk).scan_claimed_at is None


def test_a_scan_that_cannot_run_is_retried_then_marked_failed_and_shown_with_a_warning(
        client, customer, agent, monkeypatch, rendered_screenshots, django_capture_on_commit_callbacks):
    monkeypatch.setattr(screenshots, "TESSERACT", "/nonexistent/tesseract")
    ticket, attachment = _ticket_with(customer, rendered_screenshots["order_en"])
    with pytest.raises(ScreenshotScanError):  # before the last attempt: the task retries
        services.attachment_scan(attachment_id=attachment.pk, last_attempt=False)
    attachment.refresh_from_db()
    assert (attachment.scan_state, attachment.scan_claimed_at) == ("pending", None)  # free for the retry
    scan_as_worker(attachment, django_capture_on_commit_callbacks)  # its retries run, the last one gives up
    assert Attachment.objects.get(pk=attachment.pk).scan_state == "failed"
    client.force_login(agent)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200
    assert "could not be checked for secrets" in client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()


def test_videos_are_not_scanned(customer):
    """A video holds no text we read (text, PDF and ZIP files are read: tests/tickets/test_file_scan.py)."""
    ticket = services.ticket_create(requester=customer, subject="Recording", body="Attached.",
                                    attachments=[upload("screen.mp4", mp4_bytes())])
    assert ticket.attachments.get().scan_state == "skipped"


def test_the_sweep_queues_again_only_scans_nobody_holds(customer, rendered_screenshots):
    _ticket, lost = _ticket_with(customer, rendered_screenshots["order_en"])
    _ticket, held = _ticket_with(customer, rendered_screenshots["order_en"])
    _ticket, fresh = _ticket_with(customer, rendered_screenshots["order_en"])
    long_ago = timezone.now() - timedelta(minutes=10)
    Attachment.objects.filter(pk__in=[lost.pk, held.pk]).update(created_at=long_ago)
    Attachment.objects.filter(pk=held.pk).update(scan_claimed_at=timezone.now())
    assert services.attachment_scans_sweep() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_scans_a_picture_once_the_ticket_is_committed(customer, settings, monkeypatch,
                                                                     rendered_screenshots, request):
    """The whole path: the upload commits, the task is enqueued after commit, a Celery worker process reads the
    picture and blurs it."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))  # the worker stores where this test reads
    request.getfixturevalue("celery_worker_process")
    AgentFactory(email="agent@example.com")
    _ticket, attachment = _ticket_with(customer, rendered_screenshots["wallet_en"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        attachment.refresh_from_db()
        if attachment.scan_state != "pending":
            break
        time.sleep(0.2)
    assert (attachment.scan_state, attachment.secret_kinds) == ("secret", ["recovery_phrase"])
    assert attachment.file.read() != rendered_screenshots["wallet_en"]


def test_scans_go_to_their_own_queue_so_they_never_hold_back_email():
    """OCR takes seconds of CPU: its tasks wait in the `screenshots` queue (the ocr worker), not in `support`."""
    import redis
    from django.conf import settings as django_settings

    from livechat.tasks import chat_attachment_scan
    from support.celery import app

    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    with app.connection_for_write() as connection:
        for queue in ("screenshots", "support"):
            app.amqp.queues[queue](connection.default_channel).declare()
            broker.delete(queue)
        tasks.attachment_scan.delay("00000000-0000-0000-0000-000000000000")
        chat_attachment_scan.delay("00000000-0000-0000-0000-000000000000")
        assert (broker.llen("screenshots"), broker.llen("support")) == (2, 0)
        broker.delete("screenshots")
