"""Outbound webhooks' data: the endpoints admins register, and the outbox of deliveries to them (one row per event
and endpoint, written in the transaction of the change it reports). Registered under the support app: support/models.py
imports them."""
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.domain_events import EVENTS

TEST_EVENT = "webhook.test"  # sent by "Send test" only: not a domain event, never subscribed to


def event_choices():
    """The events a webhook may subscribe to: the domain events (a callable, so a new event needs no migration)."""
    return [(name, name) for name in EVENTS]


def delivery_event_choices():
    return [*event_choices(), (TEST_EVENT, TEST_EVENT)]


def validate_events(names):
    unknown = sorted(set(names) - set(EVENTS))
    if unknown:
        raise ValidationError(_("Unknown events: %(events)s."), code="invalid_event",
                              params={"events": ", ".join(unknown)})


class Webhook(models.Model):
    """An endpoint that hears of the events it chose, signed with its secret (shown once, when it is created)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("receiver URL"), max_length=500,
                          help_text=_("Where the events are posted: https, to a public address unless private "
                                      "addresses are allowed below."))
    events = ArrayField(models.CharField(max_length=40, choices=event_choices), verbose_name=_("events"),
                        validators=[validate_events])
    # The key of the signatures (HMAC-SHA256): generated here, shown to the admin once, never shown again.
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    allow_private = models.BooleanField(
        _("allow private addresses"), default=False,
        help_text=_("Allow a receiver on this machine or the private network, and plain http. Leave off for "
                    "receivers on the internet."))
    failure_count = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False, verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def is_paused(self):
        return self.paused_at is not None


class WebhookDelivery(models.Model):
    """The outbox: one event for one webhook. The idempotency key is fixed when the row is written, so every attempt
    (a retry, a resend after a worker died) carries the same one and the receiver can drop repeats."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERING = "delivering", _("Delivering")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries",
                                verbose_name=_("webhook"))
    event = models.CharField(_("event"), max_length=40, choices=delivery_event_choices)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    idempotency_key = models.UUIDField(_("idempotency key"), default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    lease_until = models.DateTimeField(_("locked until"), null=True, blank=True,
                                       help_text=_("A worker is posting it to the receiver; another may try after this time."))
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last duration (ms)"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep: retries that are due (or overdue: a lost task) and leases that ran out.
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"),
                         name="webhook_delivery_due"),
            models.Index(fields=["lease_until"], condition=models.Q(state="delivering"),
                         name="webhook_delivery_leased"),
            # A webhook's log, newest first (the admin; its last delivery in the list).
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self):
        return f"{self.event} → {self.webhook_id} ({self.idempotency_key})"
