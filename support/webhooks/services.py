"""Every write of outbound webhooks: register, pause, resume, send a test; queue an event (the outbox), deliver one
row, sweep what was left behind.

The outbox follows the email outbox (support/outbox.py) and keeps its guarantees. A delivery row is written in the
transaction of the change it reports (webhook_deliveries_queue runs inside the publisher's transaction), so it exists
exactly when the change does; its task is queued after commit. Delivering claims the row with a conditional UPDATE
(pending and due -> delivering, or a delivering row whose lease ran out), so a task run twice posts once at a time,
and every write after the claim is conditional on still holding it (state delivering, this attempt's number). A
worker killed mid-request leaves a delivering row that the sweep queues again once WEBHOOK_LEASE_SECONDS have passed.
HTTP cannot be exactly-once: a worker that dies after the receiver answered and before the row is marked delivered
posts it again, with the same idempotency key (X-Support-Delivery), which receivers use to drop repeats; a row
recorded delivered is never posted again.
"""
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.domain_events import EVENTS
from support.models import User
from support.notifications import register_kind
from support.roles import PERM_ADMIN
from support.services import DomainError, notifications_create_many

from . import client, guard, signing
from .models import TEST_EVENT, Webhook, WebhookDelivery

State = WebhookDelivery.State
CLOCK_SLACK = timedelta(seconds=2)  # a retry's task may reach a worker whose clock is a little ahead of ours
RESUME_BATCH = 1000  # deliveries queued at once when a webhook is resumed; the sweep takes any beyond
USER_AGENT = "SupportDesk-Webhooks/1"

register_kind("webhook_paused", title=_("Webhook paused: %(name)s"),
              body=_("Failed attempts in a row: %(failures)s. Nothing is sent to it until an admin resumes it."))


@dataclass(frozen=True)
class Outcome:
    """What one call of webhook_delivery_deliver did: "delivered", "retry" (in `retry_in` seconds), "failed" (for
    good), "skipped" (not due, taken by another worker, delivered already, or its webhook paused) or "superseded"
    (the lease ran out mid-request and another worker took the row over)."""

    result: str
    retry_in: int | None = None


# --- registering and managing webhooks -----------------------------------------------------------------------------

def webhook_check(*, url, events, allow_private):
    """Raise DomainError unless the events are known domain events and the URL is one a webhook may reach."""
    unknown = sorted(set(events) - set(EVENTS))
    if not events or unknown:
        raise DomainError(_("Choose the events to send, among %(events)s.") % {"events": ", ".join(EVENTS)},
                          code="invalid_event", field="events")
    try:
        guard.check_url(url, allow_private=allow_private)
    except guard.TargetRefused as exc:
        raise DomainError(exc.reason, code="url_refused", field="url") from exc


def webhook_save(*, webhook, created_by=None):
    """Check and store a webhook, new or changed. A new one gets its signing secret, which is returned this once
    (None for a change): nothing shows it again."""
    webhook_check(url=webhook.url, events=webhook.events, allow_private=webhook.allow_private)
    secret = None
    if webhook.pk is None:
        secret = webhook.secret = signing.new_secret()
        webhook.created_by = created_by
    webhook.save()
    return secret


def webhook_create(*, name, url, events, allow_private=False, is_active=True, created_by=None):
    """Register a webhook; returns (webhook, its secret), the secret's only showing."""
    webhook = Webhook(name=name, url=url, events=list(events), allow_private=allow_private, is_active=is_active)
    secret = webhook_save(webhook=webhook, created_by=created_by)
    return webhook, secret


def webhook_pause(*, webhook):
    """Stop posting to a webhook: queued deliveries wait, new events are not queued for it. False if paused already."""
    return bool(Webhook.objects.filter(pk=webhook.pk, paused_at__isnull=True).update(paused_at=timezone.now()))


def webhook_resume(*, webhook):
    """Post to a paused webhook again, from a clean failure count; what waited is queued now."""
    with transaction.atomic():
        resumed = Webhook.objects.filter(pk=webhook.pk, paused_at__isnull=False).update(paused_at=None,
                                                                                         failure_count=0)
        waiting = list(WebhookDelivery.objects.filter(webhook=webhook, state=State.PENDING)
                       .order_by("next_attempt_at").values_list("pk", flat=True)[:RESUME_BATCH])
        WebhookDelivery.objects.filter(pk__in=waiting).update(next_attempt_at=timezone.now())
        transaction.on_commit(lambda: webhook_deliveries_enqueue(waiting), robust=True)
    return bool(resumed)


def webhook_secret_rotate(*, webhook):
    """Give a webhook a new signing secret and return it, its only showing. Every attempt from now on is signed with
    it (retries of deliveries queued before too: a signature is made at each attempt), the old one is forgotten."""
    secret = signing.new_secret()
    Webhook.objects.filter(pk=webhook.pk).update(secret=secret)
    webhook.secret = secret
    return secret


def webhook_send_test(*, webhook):
    """Queue a `webhook.test` delivery to one webhook now (paused or not: it is how an admin checks a fix)."""
    now = timezone.now()
    return _queue([webhook], TEST_EVENT, {"event": TEST_EVENT, "webhook_id": webhook.pk, "at": now.isoformat()})[0]


def webhook_deliveries_retry(*, ids):
    """Queue failed deliveries again, from their first attempt (the admin fixed the receiver); others are left."""
    with transaction.atomic():
        ids = list(WebhookDelivery.objects.filter(pk__in=ids, state=State.FAILED).values_list("pk", flat=True))
        WebhookDelivery.objects.filter(pk__in=ids).update(state=State.PENDING, attempts=0,
                                                          next_attempt_at=timezone.now(), last_error="")
        transaction.on_commit(lambda: webhook_deliveries_enqueue(ids), robust=True)
    return len(ids)


# --- the outbox ----------------------------------------------------------------------------------------------------

def webhook_deliveries_queue(event):
    """The domain-event subscriber, run inside the publisher's transaction: a delivery row for each active, unpaused
    webhook that wants the event, in that transaction; their tasks once it commits."""
    webhooks = list(Webhook.objects.filter(is_active=True, paused_at__isnull=True, events__contains=[event.name])
                    .only("pk"))
    return _queue(webhooks, event.name, event.as_json()) if webhooks else []


def webhook_event_send(*, webhook, event):
    """A rule's "call a webhook" action: one delivery of this event to this webhook, whatever events it chose, in
    the caller's transaction; None while the webhook is off or paused (the rule's outcome says so)."""
    if not webhook.is_active or webhook.paused_at is not None:
        return None
    return _queue([webhook], event.name, event.as_json())[0]


def _queue(webhooks, name, data):
    now = timezone.now()
    rows = []
    for webhook in webhooks:
        key = uuid.uuid4()
        payload = {"id": str(key), "event": name, "created_at": now.isoformat(), "data": data}
        rows.append(WebhookDelivery(webhook=webhook, event=name, payload=payload, idempotency_key=key,
                                    next_attempt_at=now, created_at=now))
    WebhookDelivery.objects.bulk_create(rows)
    # robust: a broker that cannot take the task must not fail the request whose change is already committed; the
    # row is there, and the sweep queues it.
    transaction.on_commit(lambda: webhook_deliveries_enqueue([row.pk for row in rows]), robust=True)
    return rows


def webhook_deliveries_enqueue(delivery_ids, *, countdown=None):
    """A delivery task per row (now, or in `countdown` seconds)."""
    # cycle: the Celery task <-> service pair (the tasks call this module)
    from .tasks import webhook_delivery_send

    for delivery_id in delivery_ids:
        webhook_delivery_send.apply_async((delivery_id,), countdown=countdown)


def retry_delay(attempts):
    """Seconds before the retry that follows failed attempt number `attempts` (1, 2, ...)."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    return delays[min(attempts, len(delays)) - 1]


def _claim(delivery_id):
    now = timezone.now()
    return WebhookDelivery.objects.filter(pk=delivery_id).filter(
        Q(state=State.PENDING, next_attempt_at__lte=now + CLOCK_SLACK) | Q(state=State.DELIVERING, lease_until__lt=now)
    ).filter(Q(webhook__is_active=True, webhook__paused_at__isnull=True) | Q(event=TEST_EVENT)).update(
        state=State.DELIVERING, attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS))


def request_headers(delivery, body):
    """The headers of one attempt: the signature is made now, over the body as sent."""
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT, "X-Support-Event": delivery.event,
            "X-Support-Delivery": str(delivery.idempotency_key),
            signing.HEADER: signing.header_value(secret=delivery.webhook.secret, body=body)}


def webhook_delivery_deliver(*, delivery_id):
    """Post one outbox row if it is due and unsent; safe to call any number of times, from any number of workers.

    The address is checked again now (the name may resolve elsewhere than when the webhook was saved) and the
    connection made to the address checked. A 2xx answer is a delivery; any other status, no answer within
    WEBHOOK_TIMEOUT, a refused address or a broken connection is a failed attempt, retried after its backoff until
    WEBHOOK_MAX_ATTEMPTS, and counted against the webhook (paused after WEBHOOK_PAUSE_AFTER_FAILURES in a row).
    """
    if not _claim(delivery_id):
        return Outcome("skipped")
    row = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    held = WebhookDelivery.objects.filter(pk=row.pk, state=State.DELIVERING, attempts=row.attempts)
    body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
    try:
        target = guard.check_url(row.webhook.url, allow_private=row.webhook.allow_private)
        answer = client.post(target, body=body, headers=request_headers(row, body), timeout=settings.WEBHOOK_TIMEOUT)
    except guard.TargetRefused as exc:
        return _attempt_failed(row, held, error=f"address refused: {exc.code}")
    except client.DeliveryFailed as exc:
        return _attempt_failed(row, held, error=str(exc), duration_ms=exc.duration_ms)
    if not 200 <= answer.status < 300:
        return _attempt_failed(row, held, error=f"HTTP {answer.status}", status=answer.status,
                               duration_ms=answer.duration_ms)
    if not held.update(state=State.DELIVERED, delivered_at=timezone.now(), lease_until=None, last_error="",
                       last_status_code=answer.status, last_duration_ms=answer.duration_ms):
        return Outcome("superseded")
    Webhook.objects.filter(pk=row.webhook_id, failure_count__gt=0).update(failure_count=0)
    return Outcome("delivered")


def _attempt_failed(row, held, *, error, status=None, duration_ms=None):
    exhausted = row.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    delay = retry_delay(row.attempts)
    changes = {"lease_until": None, "last_error": error[:300], "last_status_code": status,
               "last_duration_ms": duration_ms}
    if exhausted:
        changes["state"] = State.FAILED
    else:
        changes.update(state=State.PENDING, next_attempt_at=timezone.now() + timedelta(seconds=delay))
    if not held.update(**changes):
        return Outcome("superseded")
    _failure_counted(row.webhook)
    return Outcome("failed") if exhausted else Outcome("retry", retry_in=delay)


def _failure_counted(webhook):
    """One more failed attempt in a row; the attempt that reaches the limit pauses the webhook and tells the desk
    admins (a conditional UPDATE: of two workers failing at once, one pauses, and the admins hear of it once)."""
    with transaction.atomic():
        Webhook.objects.filter(pk=webhook.pk).update(failure_count=F("failure_count") + 1)
        paused = Webhook.objects.filter(pk=webhook.pk, paused_at__isnull=True,
                                        failure_count__gte=settings.WEBHOOK_PAUSE_AFTER_FAILURES).update(
            paused_at=timezone.now())
        if paused:
            params = {"name": webhook.name, "failures": settings.WEBHOOK_PAUSE_AFTER_FAILURES}
            url = reverse("admin:support_webhook_change", args=[webhook.pk])
            notifications_create_many([{"user": admin, "kind": "webhook_paused", "params": params, "url": url}
                                       for admin in desk_admins()])
    return bool(paused)


def desk_admins():
    """Active users holding the desk-admin permission (by role or by hand), and superusers."""
    app_label, codename = PERM_ADMIN.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return User.objects.filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
                               | Q(is_superuser=True), is_active=True).distinct().order_by("pk")


def webhook_deliveries_sweep(*, older_than_seconds, limit=500):
    """Queue again the deliveries left behind: a retry whose task is `older_than_seconds` overdue (lost with a
    worker or a broker restart; or its webhook was resumed) and a delivering row whose lease ran out (a killed
    worker). Deliveries of paused or inactive webhooks wait."""
    now = timezone.now()
    due = list(WebhookDelivery.objects.filter(
        Q(state=State.PENDING, next_attempt_at__lt=now - timedelta(seconds=older_than_seconds))
        | Q(state=State.DELIVERING, lease_until__lt=now)
    ).filter(Q(webhook__is_active=True, webhook__paused_at__isnull=True) | Q(event=TEST_EVENT))
        .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    webhook_deliveries_enqueue(due)
    return len(due)
