"""Inbound email as received: one row per mail that reached us, with its raw bytes and what became of it."""
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .ticket import Message, Ticket


def inbound_raw_path(instance, filename):
    return f"inbound/{instance.created_at:%Y/%m}/{instance.id.hex}.eml"


class InboundEmail(models.Model):
    """Every mail that reached us, kept as received, with what became of it. The raw bytes are never dropped."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        IGNORED = "ignored", _("Ignored")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField("ID", primary_key=True, default=uuid.uuid4, editable=False)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    from_email = models.CharField(_("sender's address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    raw = models.FileField(_("original email (.eml)"), upload_to=inbound_raw_path, max_length=200)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound",
                               verbose_name=_("ticket"))
    ticket_message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                       verbose_name=_("ticket message"))
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("incoming email")
        verbose_name_plural = _("incoming emails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="inbound_status_created")]

    def __str__(self):
        return f"{self.message_id} ({self.get_status_display()})"
