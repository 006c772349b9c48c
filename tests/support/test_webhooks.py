"""Outbound webhooks (support/webhooks, issue #26): signed deliveries from an outbox written with the change, retried
with backoff after a 5xx or a timeout, failed after the last attempt, a webhook paused (and the admins told) after N
failures in a row, the admin's test event, no request to a private or metadata address unless allowed, and a worker
killed mid-request: the receiver gets the event, the outbox records one delivery.

The receiver is a real HTTP server on this machine (tests/support/webhook_receiver.py), registered with "allow
private addresses", which is what a local receiver needs; the refusals are checked with the same guard without it.
"""
import base64
import json
import time
import uuid
from datetime import timedelta

import pytest
import redis
import time_machine
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from support.domain_events import publish
from support.models import Notification, Webhook, WebhookDelivery
from support.notifications import render_body, render_title
from support.roles import Role
from support.services import DomainError
from support.webhooks import guard, services, signing
from support.webhooks.tasks import webhook_delivery_send
from tests.factories import AgentFactory, UserFactory
from tests.leaks import english_leaks, visible_text
from tests.reliability.test_worker_killed import Broker, Workers, wait_for
from tests.support.webhook_receiver import webhook_receivers

pytestmark = pytest.mark.django_db

SECRET = "Jq3v2pW0dG7yX1sZb8nK4rT6uM9cE5hA0fL2iO7wQ3Y"  # the worked example of docs/api.md
TIMESTAMP = 1767225600
BODY = (b'{"id":"5f0c2b7e-8a61-4d39-9c1e-2b7d4e8f6a10","event":"ticket.created","created_at":"2026-01-01T00:00:00'
        b'+00:00","data":{"event":"ticket.created","ticket_id":42,"conversation_id":null,"actor":"customer",'
        b'"actor_id":7,"changes":{},"by_rules":false,"at":"2026-01-01T00:00:00+00:00"}}')
EXAMPLE_SIGNATURE = "47f9ce60be82420ee21e5521d7437f47119f7b83e5d4ca80860f59599107f5c6"


@pytest.fixture
def receiver():
    """start(**controls) runs a webhook receiver until the test ends (controls: tests/support/webhook_receiver.py)."""
    yield from webhook_receivers()


def hook(receiver, *, events=("chat.ended",), **kwargs):
    """A webhook to a local receiver (so private addresses allowed), whose secret the receiver checks."""
    webhook, secret = services.webhook_create(name=kwargs.pop("name", "CRM"), url=receiver.url, events=list(events),
                                              allow_private=True, **kwargs)
    receiver.secret = secret
    return webhook


def chat_ended(conversation_id=None):
    """A domain event, published as a service does: inside its transaction."""
    with transaction.atomic():
        return publish("chat.ended", conversation_id=conversation_id or str(uuid.uuid4()), actor="agent", actor_id=3,
                       changes={"status": ["active", "ended"]})


def deliver(delivery):
    return services.webhook_delivery_deliver(delivery_id=delivery.pk)


def fresh(row):
    row.refresh_from_db()
    return row


# --- the signature ---------------------------------------------------------------------------------------------

def test_the_signature_is_hmac_sha256_of_timestamp_dot_body_the_worked_example_of_the_docs():
    """The example in docs/api.md: a receiver that computes it the documented way gets the same hex."""
    assert signing.signature(secret=SECRET, timestamp=TIMESTAMP, body=BODY) == EXAMPLE_SIGNATURE
    header = signing.header_value(secret=SECRET, body=BODY, timestamp=TIMESTAMP)
    assert header == f"t={TIMESTAMP},v1={EXAMPLE_SIGNATURE}"
    assert signing.verify(secret=SECRET, header=header, body=BODY, now=TIMESTAMP + 299)
    assert not signing.verify(secret=SECRET, header=header, body=BODY + b" ", now=TIMESTAMP)  # a changed body
    assert not signing.verify(secret=SECRET[:-1] + "Z", header=header, body=BODY, now=TIMESTAMP)  # another secret
    assert not signing.verify(secret=SECRET, header=header, body=BODY, now=TIMESTAMP + 301)  # replayed later
    docs = (settings.BASE_DIR / "docs" / "api.md").read_text(encoding="utf-8")
    assert EXAMPLE_SIGNATURE in docs and SECRET in docs and BODY.decode() in docs


def test_a_secret_is_32_random_bytes_made_for_each_webhook():
    first, first_secret = services.webhook_create(name="A", url="https://93.184.216.34/a", events=["chat.ended"])
    _second, second_secret = services.webhook_create(name="B", url="https://93.184.216.34/b", events=["chat.ended"])
    assert len(base64.urlsafe_b64decode(first_secret + "=")) == 32 and first_secret != second_secret
    assert fresh(first).secret == first_secret


# --- the outbox ------------------------------------------------------------------------------------------------

def test_a_delivery_row_is_written_in_the_publishers_transaction_for_each_webhook_that_wants_the_event(receiver):
    """Only active, unpaused webhooks that chose the event get a row; the row's payload is the documented shape."""
    server = receiver()
    wanted = hook(server, events=["chat.ended", "chat.rated"], name="wants it")
    hook(server, events=["ticket.created"], name="other event")
    paused = hook(server, name="paused")
    services.webhook_pause(webhook=paused)
    hook(server, name="off", is_active=False)
    event = chat_ended("2a7c7d7e-0000-4000-8000-000000000001")
    (row,) = WebhookDelivery.objects.all()
    assert (row.webhook, row.event, row.state, row.attempts) == (wanted, "chat.ended", "pending", 0)
    assert row.payload == {"id": str(row.idempotency_key), "event": "chat.ended",
                           "created_at": row.created_at.isoformat(), "data": json.loads(json.dumps(event.as_json()))}
    assert row.payload["data"]["conversation_id"] == "2a7c7d7e-0000-4000-8000-000000000001"


def test_no_row_when_the_publishers_transaction_rolls_back(receiver):
    hook(receiver())
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("chat.ended", conversation_id=str(uuid.uuid4()))
        assert WebhookDelivery.objects.count() == 1  # written in the transaction...
        raise RuntimeError("the change fails")
    assert WebhookDelivery.objects.count() == 0  # ...and gone with it


def test_the_delivery_task_is_queued_only_after_commit(receiver, django_capture_on_commit_callbacks):
    """A row's task reaches the broker once the transaction commits, with the row's id."""
    hook(receiver())
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE

    def queued_tasks():
        return [json.loads(message)["headers"] for message in broker.lrange(queue, 0, -1)]

    broker.delete(queue)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            chat_ended()
            assert queued_tasks() == []  # not yet: the transaction has not committed
        row = WebhookDelivery.objects.get()
        tasks = queued_tasks()
        assert len(callbacks) >= 1
        assert [(task["task"], task["argsrepr"]) for task in tasks] == [
            ("support.webhooks.tasks.webhook_delivery_send", f"({row.pk},)")]
    finally:
        broker.delete(queue)
        broker.close()


def test_a_new_ticket_queues_its_ticket_created_delivery(receiver):
    """The tickets' services publish: a ticket made the ordinary way reaches the webhooks that want it."""
    from tickets.services import ticket_create

    webhook = hook(receiver(), events=["ticket.created"])
    ticket = ticket_create(requester=UserFactory(), subject="Withdrawal stuck", body="Since yesterday", language="en")
    row = WebhookDelivery.objects.get(webhook=webhook)
    assert (row.event, row.payload["data"]["ticket_id"], row.payload["data"]["actor"]) == (
        "ticket.created", ticket.pk, "customer")
    assert "Withdrawal stuck" not in json.dumps(row.payload)  # codes and ids only, never the customer's words


# --- delivering ------------------------------------------------------------------------------------------------

def test_a_delivery_is_posted_signed_with_its_idempotency_key_and_logged(receiver):
    server = receiver()
    webhook = hook(server)
    chat_ended()
    row = WebhookDelivery.objects.get()
    assert deliver(row).result == "delivered"
    (request,) = server.requests
    assert request["method"] == "POST" and request["path"] == "/hook"
    assert request["signature_ok"] is True
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Support-Event"] == "chat.ended"
    assert headers["X-Support-Delivery"] == str(row.idempotency_key) == request["json"]["id"]
    assert request["json"] == row.payload
    row = fresh(row)
    assert (row.state, row.attempts, row.last_status_code, row.last_error) == ("delivered", 1, 200, "")
    assert row.delivered_at is not None and row.last_duration_ms is not None and row.lease_until is None
    assert fresh(webhook).failure_count == 0


def test_a_delivered_row_is_never_posted_again(receiver):
    """A task run twice (the broker redelivers it, the sweep re-queues it) posts once."""
    server = receiver()
    hook(server)
    chat_ended()
    row = WebhookDelivery.objects.get()
    assert deliver(row).result == "delivered"
    assert deliver(row).result == "skipped"
    assert webhook_delivery_send(row.pk) == "skipped"
    assert services.webhook_deliveries_sweep(older_than_seconds=0) == 0
    assert len(server.requests) == 1 and fresh(row).attempts == 1


def test_a_500_is_retried_after_its_backoff_with_the_same_key(receiver):
    server = receiver(statuses=[500])
    webhook = hook(server)
    chat_ended()
    row = WebhookDelivery.objects.get()
    before = timezone.now()
    outcome = deliver(row)
    assert (outcome.result, outcome.retry_in) == ("retry", 30)
    row = fresh(row)
    assert (row.state, row.attempts, row.last_status_code, row.last_error) == ("pending", 1, 500, "HTTP 500")
    assert before + timedelta(seconds=30) <= row.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    assert fresh(webhook).failure_count == 1
    assert deliver(row).result == "skipped"  # not due yet: a task arriving early posts nothing
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        assert deliver(row).result == "delivered"
    assert [request["signature_ok"] for request in server.requests] == [True, True]  # each attempt signed afresh
    assert server.delivery_keys() == [str(row.idempotency_key)] * 2
    assert fresh(row).attempts == 2 and fresh(webhook).failure_count == 0  # a success ends the run of failures


def test_no_answer_within_the_timeout_is_retried_with_growing_backoff(receiver, settings):
    """The deadline covers the whole call: a receiver that does not answer in WEBHOOK_TIMEOUT is a failed attempt,
    then 30 s, 2 min, 10 min... between attempts."""
    settings.WEBHOOK_TIMEOUT = 0.5
    server = receiver(delay=2)
    hook(server)
    chat_ended()
    row = WebhookDelivery.objects.get()
    started = time.monotonic()
    outcome = deliver(row)
    assert time.monotonic() - started < 1.5
    assert (outcome.result, outcome.retry_in) == ("retry", 30)
    row = fresh(row)
    assert row.state == "pending" and row.last_error.startswith("TimeoutError")
    assert row.last_status_code is None and 400 <= row.last_duration_ms < 1500
    delays = []
    for _attempt in range(2):
        with time_machine.travel(fresh(row).next_attempt_at + timedelta(seconds=1)):
            delays.append(deliver(row).retry_in)
    assert delays == [120, 600]
    assert fresh(row).attempts == 3 and len(server.requests) == 3


def test_a_receiver_that_trickles_its_answer_cannot_hold_the_worker_past_the_deadline(receiver, settings):
    """Each byte comes before a per-read timeout would fire; the one deadline still ends the call."""
    settings.WEBHOOK_TIMEOUT = 1
    server = receiver(trickle=0.2)
    hook(server)
    chat_ended()
    row = WebhookDelivery.objects.get()
    started = time.monotonic()
    assert deliver(row).result == "retry"
    assert time.monotonic() - started < 2
    assert fresh(row).last_error.startswith("TimeoutError") and fresh(row).last_status_code is None


def test_a_delivery_fails_for_good_after_the_last_attempt(receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_RETRY_DELAYS = [5, 60]
    server = receiver(status=503)
    hook(server)
    chat_ended()
    row = WebhookDelivery.objects.get()
    outcomes = []
    for _attempt in range(3):
        with time_machine.travel(fresh(row).next_attempt_at + timedelta(seconds=1)):
            outcome = deliver(row)
            outcomes.append((outcome.result, outcome.retry_in))
    assert outcomes == [("retry", 5), ("retry", 60), ("failed", None)]
    row = fresh(row)
    assert (row.state, row.attempts, row.last_status_code) == ("failed", 3, 503)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert deliver(row).result == "skipped"
        assert services.webhook_deliveries_sweep(older_than_seconds=0) == 0
    assert len(server.requests) == 3
    server.status = 200  # the receiver is fixed; the admin's "Send again" starts the delivery over
    assert services.webhook_deliveries_retry(ids=[row.pk]) == 1
    assert deliver(row).result == "delivered" and fresh(row).attempts == 1
    assert server.delivery_keys() == [str(row.idempotency_key)] * 4


@pytest.mark.parametrize("status", [301, 302, 404, 410])
def test_any_answer_but_a_2xx_is_a_failed_attempt_and_redirects_are_not_followed(receiver, status):
    server = receiver(status=status)
    hook(server)
    chat_ended()
    row = WebhookDelivery.objects.get()
    assert deliver(row).result == "retry"
    assert fresh(row).last_status_code == status and len(server.requests) == 1


def test_a_webhook_is_paused_after_n_failures_in_a_row_and_every_desk_admin_is_told(receiver, settings, desk_admin):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    other_admin = UserFactory(role=Role.ADMIN, language="ja")
    agent = AgentFactory()
    server = receiver(statuses=[500, 500, 200, 500, 500, 500])
    webhook = hook(server, name="CRM sync")
    for _n in range(6):
        chat_ended()
    rows = list(WebhookDelivery.objects.order_by("id"))
    results = [deliver(row).result for row in rows]
    # Two failures, a success (the count starts again), then three failures: paused at the third.
    assert results == ["retry", "retry", "delivered", "retry", "retry", "retry"]
    webhook = fresh(webhook)
    assert webhook.is_paused and webhook.failure_count == 3
    notes = Notification.objects.filter(kind="webhook_paused")
    assert sorted(note.user_id for note in notes) == sorted([desk_admin.pk, other_admin.pk])
    assert not Notification.objects.filter(user=agent).exists()
    note = notes.get(user=desk_admin)
    assert note.url == f"/admin/support/webhook/{webhook.pk}/change/"
    assert render_title(note) == "Webhook paused: CRM sync"
    assert render_body(note).startswith("Failed attempts in a row: 3.")
    with translation.override("ja"):
        assert "CRM sync" in render_title(notes.get(user=other_admin))
        assert render_title(notes.get(user=other_admin)) != "Webhook paused: CRM sync"
    # Paused: new events are not queued for it, and what waits is not posted, however often its tasks come.
    chat_ended()
    assert WebhookDelivery.objects.count() == 6
    waiting = [row for row in rows if fresh(row).state == "pending"]
    assert len(waiting) == 5
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert [deliver(row).result for row in waiting] == ["skipped"] * 5
        assert services.webhook_deliveries_sweep(older_than_seconds=0) == 0
    assert len(server.requests) == 6
    # The admin's test event still goes (how they check a fix); its failure does not tell them again.
    server.statuses = [500]
    assert deliver(services.webhook_send_test(webhook=webhook)).result == "retry"
    assert notes.count() == 2 and len(server.requests) == 7
    # Resumed: the count starts again and what waited goes now.
    assert services.webhook_resume(webhook=webhook) is True
    assert fresh(webhook).failure_count == 0 and not fresh(webhook).is_paused
    assert [deliver(row).result for row in waiting] == ["delivered"] * 5


def test_send_test_posts_a_webhook_test_event_now_even_to_a_paused_webhook(receiver):
    server = receiver()
    webhook = hook(server)
    services.webhook_pause(webhook=webhook)
    row = services.webhook_send_test(webhook=webhook)
    assert deliver(row).result == "delivered"
    (request,) = server.requests
    assert request["headers"]["X-Support-Event"] == "webhook.test" and request["signature_ok"]
    assert request["json"]["event"] == "webhook.test" and request["json"]["data"]["webhook_id"] == webhook.pk


def test_a_new_secret_signs_every_attempt_from_then_on_and_the_old_one_no_longer_verifies(receiver):
    """Rotating the secret: queued deliveries are signed with the new one when they go; the old one stops working."""
    server = receiver()
    webhook = hook(server)
    old = server.secret
    chat_ended()
    row = WebhookDelivery.objects.get()
    new = services.webhook_secret_rotate(webhook=webhook)
    assert new != old and len(new) == 43 and fresh(webhook).secret == new
    assert deliver(row).result == "delivered"
    assert [request["signature_ok"] for request in server.requests] == [False]  # the receiver still holds the old one
    body, header = server.requests[0]["body"], server.requests[0]["headers"][signing.HEADER]
    assert signing.verify(secret=new, header=header, body=body)
    assert not signing.verify(secret=old, header=header, body=body)


# --- no server-side request forgery ----------------------------------------------------------------------------

@pytest.mark.parametrize("url, code", [
    ("https://127.0.0.1/hook", "private_address"),
    ("https://localhost/hook", "private_address"),
    ("https://[::1]/hook", "private_address"),
    ("https://10.1.2.3/hook", "private_address"),
    ("https://172.16.5.4/hook", "private_address"),
    ("https://192.168.0.10/hook", "private_address"),
    ("https://100.64.0.1/hook", "private_address"),  # carrier NAT
    ("https://0.0.0.0/hook", "private_address"),
    ("https://224.0.0.1/hook", "private_address"),  # multicast
    ("https://[fe80::1]/hook", "private_address"),
    ("https://[fd12:3456::1]/hook", "private_address"),
    ("https://[::ffff:127.0.0.1]/hook", "private_address"),  # IPv4-mapped IPv6
    ("https://[::ffff:10.0.0.1]/hook", "private_address"),
    ("https://[64:ff9b::a00:1]/hook", "private_address"),  # NAT64 of 10.0.0.1
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://[::ffff:169.254.169.254]/latest/meta-data/", "metadata"),
    ("http://93.184.216.34/hook", "http"),  # public, but not https
    ("https://user:password@93.184.216.34/hook", "credentials"),
    ("ftp://93.184.216.34/hook", "invalid_url"),
    ("https://93.184.216.34:99999/hook", "invalid_url"),
])
def test_a_private_loopback_or_metadata_target_is_refused_when_the_webhook_is_saved(url, code):
    with pytest.raises(DomainError) as refused:
        services.webhook_create(name="Intranet", url=url, events=["chat.ended"])
    assert refused.value.code == "url_refused" and refused.value.field == "url"
    with pytest.raises(guard.TargetRefused) as why:
        guard.check_url(url, allow_private=False)
    assert why.value.code == code
    assert not Webhook.objects.exists()


def test_a_public_address_is_accepted_without_the_override():
    webhook, secret = services.webhook_create(name="CRM", url="https://93.184.216.34/hook", events=["chat.ended"])
    assert webhook.pk and secret and not webhook.allow_private


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "https://10.1.2.3/hook", "https://[::ffff:127.0.0.1]/h",
                                 "http://localhost:8080/hook"])
def test_the_admins_override_allows_private_targets_and_plain_http(url):
    webhook, _secret = services.webhook_create(name="Local", url=url, events=["chat.ended"], allow_private=True)
    assert webhook.pk


def test_the_metadata_address_is_refused_even_with_the_override():
    with pytest.raises(DomainError):
        services.webhook_create(name="Meta", url="http://169.254.169.254/latest/", events=["chat.ended"],
                                allow_private=True)


def test_the_address_is_checked_again_at_delivery_and_nothing_is_sent_to_a_refused_one(receiver):
    """A webhook saved when its name resolved elsewhere (or before the override was taken back) posts nothing to a
    private address: the attempt fails and counts."""
    server = receiver()
    webhook = hook(server)
    chat_ended()
    Webhook.objects.filter(pk=webhook.pk).update(allow_private=False, url=server.url.replace("http:", "https:"))
    row = WebhookDelivery.objects.get()
    assert deliver(row).result == "retry"
    assert fresh(row).last_error == "address refused: private_address"
    assert server.requests == [] and fresh(webhook).failure_count == 1


def test_the_connection_goes_to_the_checked_address_and_the_request_keeps_the_host_name(receiver):
    server = receiver()
    webhook = hook(server)
    Webhook.objects.filter(pk=webhook.pk).update(url=f"http://localhost:{server.bound_port}/hook?source=desk")
    chat_ended()
    assert deliver(WebhookDelivery.objects.get()).result == "delivered"
    (request,) = server.requests
    assert request["headers"]["Host"] == f"localhost:{server.bound_port}"
    assert request["path"] == "/hook?source=desk"


def test_https_is_verified_against_the_host_name_it_names_in_sni(receiver, monkeypatch):
    """TLS to the checked address, with the URL's host name in SNI and the certificate check: a certificate the
    desk does not trust is a failed attempt (nothing sent); trusted (SSL_CERT_FILE, as for a private CA), the
    event is delivered."""
    server = receiver(tls=True, host="127.0.0.1")
    webhook = hook(server)
    Webhook.objects.filter(pk=webhook.pk).update(url=f"https://localhost:{server.bound_port}/hook")
    chat_ended()
    row = WebhookDelivery.objects.get()
    assert deliver(row).result == "retry"
    assert fresh(row).last_error.startswith("SSLCertVerificationError") and server.requests == []
    monkeypatch.setenv("SSL_CERT_FILE", server.cert_file)
    with time_machine.travel(fresh(row).next_attempt_at + timedelta(seconds=1)):
        assert deliver(row).result == "delivered"
    (request,) = server.requests
    assert request["signature_ok"] and request["headers"]["Host"] == f"localhost:{server.bound_port}"
    assert server.server_names[-1] == "localhost"


def test_unknown_events_are_refused():
    with pytest.raises(DomainError) as refused:
        services.webhook_create(name="CRM", url="https://93.184.216.34/hook", events=["ticket.exploded"])
    assert refused.value.code == "invalid_event" and not Webhook.objects.exists()


# --- the sweep -------------------------------------------------------------------------------------------------

def test_the_sweep_requeues_lost_tasks_and_expired_leases_but_not_a_delivery_in_flight(receiver, settings):
    hook(receiver())
    for _n in range(3):
        chat_ended()
    lost, in_flight, dead = WebhookDelivery.objects.order_by("id")
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=lost.pk).update(next_attempt_at=now - timedelta(seconds=600))
    WebhookDelivery.objects.filter(pk=in_flight.pk).update(state="delivering", lease_until=now + timedelta(minutes=1))
    WebhookDelivery.objects.filter(pk=dead.pk).update(state="delivering", lease_until=now - timedelta(seconds=1))
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker.delete(queue)
    try:
        assert services.webhook_deliveries_sweep(older_than_seconds=120) == 2
        queued = sorted(json.loads(message)["headers"]["argsrepr"] for message in broker.lrange(queue, 0, -1))
        assert queued == sorted([f"({lost.pk},)", f"({dead.pk},)"])
    finally:
        broker.delete(queue)
        broker.close()


# --- the admin -------------------------------------------------------------------------------------------------

def test_the_admin_shows_the_secret_once_when_the_webhook_is_created(client, desk_admin, receiver):
    server = receiver()
    client.force_login(desk_admin)
    response = client.post("/admin/support/webhook/add/", {
        "name": "CRM", "url": server.url, "events": ["chat.ended", "ticket.created"], "allow_private": "on",
        "is_active": "on"}, follow=True)
    webhook = Webhook.objects.get()
    assert webhook.secret in response.content.decode()
    assert (webhook.events, webhook.created_by) == (["chat.ended", "ticket.created"], desk_admin)
    for page in ("/admin/support/webhook/", f"/admin/support/webhook/{webhook.pk}/change/"):
        html = client.get(page).content.decode()
        assert "CRM" in html and webhook.secret not in html


def test_the_admin_refuses_a_private_target_without_the_override(client, desk_admin):
    client.force_login(desk_admin)
    response = client.post("/admin/support/webhook/add/", {
        "name": "Metadata", "url": "https://169.254.169.254/latest/", "events": ["chat.ended"], "is_active": "on"})
    assert response.status_code == 200 and "metadata address" in response.content.decode()
    assert not Webhook.objects.exists()


def test_the_admins_actions_send_a_test_pause_and_resume(client, desk_admin, receiver):
    webhook = hook(receiver())
    client.force_login(desk_admin)

    def act(action):
        return client.post("/admin/support/webhook/", {"action": action, "_selected_action": [webhook.pk]})

    act("send_test")
    assert WebhookDelivery.objects.get().event == "webhook.test"
    act("pause")
    assert fresh(webhook).is_paused
    html = client.get("/admin/support/webhook/").content.decode()
    assert "Paused" in html and "Pending" in html  # its state, and its last delivery's
    act("resume")
    assert not fresh(webhook).is_paused
    log = client.get("/admin/support/webhookdelivery/")
    assert log.status_code == 200 and "webhook.test" in log.content.decode()
    assert client.get("/admin/support/webhookdelivery/add/").status_code == 403


@pytest.mark.parametrize("lang", ["zh-hans", "es", "ru", "ja", "ko"])
def test_the_webhook_admin_pages_show_no_english_in_another_language(client, desk_admin, receiver, lang):
    """The list, add and change pages of webhooks and the deliveries' log and a delivery's page, for an admin who
    reads another language: our labels, states and messages in it (event names and URLs are data, marked so)."""
    server = receiver(statuses=[500])
    webhook = hook(server, name="東京 CRM")
    chat_ended()
    deliver(WebhookDelivery.objects.get())
    services.webhook_pause(webhook=webhook)
    desk_admin.name, desk_admin.language = "佐藤 花子", lang  # a name is data: "Ada Admin" would read as "Admin"
    desk_admin.save(update_fields=["name", "language"])
    client.force_login(desk_admin)
    delivery = WebhookDelivery.objects.get()
    leaks = {}
    for path in ("/admin/support/webhook/", "/admin/support/webhook/add/",
                 f"/admin/support/webhook/{webhook.pk}/change/", "/admin/support/webhookdelivery/",
                 f"/admin/support/webhookdelivery/{delivery.pk}/change/"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        main = html[html.index("<main"):html.index("</main>")]  # the page itself (the menu of every app is not ours)
        found = english_leaks(visible_text(main), lang, codes=True)
        if found:
            leaks[path] = found
    assert leaks == {}


# --- a worker killed mid-request --------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_request_the_receiver_gets_the_event_and_the_outbox_records_one_delivery(
        receiver, tmp_path):
    """SIGKILL to a real worker (its whole process group) while the receiver holds the request unanswered: the row
    stays `delivering` under the dead worker's lease (the sweep leaves it alone meanwhile), then the sweep queues it
    again and a fresh worker posts it, with the same idempotency key; the broker's redelivery of the killed task
    runs too and finds nothing to do. One row, delivered, on its second attempt."""
    server = receiver()
    server.hold.set()
    hook(server)
    broker, workers = Broker(), Workers(tmp_path)
    broker.purge()
    worker_settings = {"WEBHOOK_LEASE_SECONDS": "5", "WEBHOOK_TIMEOUT": "4"}
    try:
        chat_ended()  # committed: the row, and its task in the broker
        row = WebhookDelivery.objects.get()
        doomed = workers.start("doomed", smtp_port=settings.EMAIL_PORT, **worker_settings)
        wait_for(server.holding.is_set, "the worker to post the delivery")
        workers.kill(doomed)
        server.release.set()
        row = fresh(row)
        assert (row.state, row.attempts) == ("delivering", 1)
        assert services.webhook_deliveries_sweep(older_than_seconds=120) == 0  # a slow worker, for all it knows
        wait_for(lambda: timezone.now() > row.lease_until, "the lease to run out", timeout=10)
        assert services.webhook_deliveries_sweep(older_than_seconds=120) == 1
        # A visibility timeout of 1 s makes the broker redeliver the killed task now rather than in an hour.
        workers.start("fresh", smtp_port=settings.EMAIL_PORT, CELERY_VISIBILITY_TIMEOUT="1", **worker_settings)
        wait_for(lambda: fresh(row).state == "delivered", "the fresh worker to deliver")
        broker.wait_idle("the re-queued task and the redelivered one to finish")
        row = fresh(row)
        assert (row.state, row.attempts, row.last_status_code) == ("delivered", 2, 200)
        assert WebhookDelivery.objects.count() == 1
        assert server.delivery_keys() == [str(row.idempotency_key)] * 2
        assert [request["signature_ok"] for request in server.requests] == [True, True]
    finally:
        workers.close()
        broker.purge()
        broker.client.close()
