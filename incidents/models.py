"""An incident: something is broken for many customers at once (withdrawals delayed, a login outage). While it is
open, every channel shows its notice and the contacts that match it are linked to it, so one resolution answers
them all."""
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor: some customers notice")
    MAJOR = "major", _("Major: a core service is degraded")
    CRITICAL = "critical", _("Critical: a core service is down")


class IncidentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident status", "Open")
    RESOLVED = "resolved", _("Resolved")


class Incident(models.Model):
    """Title, notice and resolution message are written per language (modeltranslation: title_en, title_ja ...);
    English is required and stands in for a language left empty."""

    title = models.CharField(_("title"), max_length=200)
    notice = models.TextField(_("notice"), max_length=2000)
    # Words and phrases in any language; a question or request containing one of them is about this incident.
    keywords = ArrayField(models.CharField(max_length=60), default=list, verbose_name=_("keywords"))
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MAJOR)
    status = models.CharField(_("status"), max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("declared by"))
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # What linked customers are told when it is resolved (optional; a standard text stands in).
    resolution = models.TextField(_("message to customers"), max_length=2000, blank=True)
    notify_customers = models.BooleanField(_("tell linked customers when resolved"), default=False)
    solve_tickets = models.BooleanField(_("solve linked tickets when resolved"), default=False)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-declared_at", "-id"]
        indexes = [
            models.Index(fields=["declared_at"], name="incident_open", condition=models.Q(status="open")),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(status="resolved") | models.Q(resolved_at__isnull=False),
                                   name="resolved_incident_has_time"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def tag(self):
        """The tag its tickets carry (searchable in the inbox)."""
        return f"incident-{self.pk}"

    @property
    def is_open(self):
        return self.status == IncidentStatus.OPEN


class LinkChannel(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    CHAT = "chat", _("Chat")


class IncidentLink(models.Model):
    """A ticket or a chat that matched an open incident. `object_id` is the ticket's ref (T-10001) or the chat's
    UUID: the incidents app sits below tickets and livechat, which link their own rows here."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="links",
                                 verbose_name=_("incident"))
    channel = models.CharField(_("channel"), max_length=8, choices=LinkChannel.choices)
    object_id = models.CharField(_("ticket or chat"), max_length=40)
    label = models.CharField(_("subject"), max_length=200, blank=True)  # the ticket's subject, or the chat's topic
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("customer"))
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)

    class Meta:
        verbose_name = _("linked ticket or chat")
        verbose_name_plural = _("linked tickets and chats")
        ordering = ["-linked_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "channel", "object_id"], name="incident_link_once"),
        ]
        indexes = [models.Index(fields=["channel", "object_id"], name="incident_link_object"),
                   # A customer's incidents, newest first (their timeline: desk.timeline).
                   models.Index(fields=["customer", "-linked_at"], name="incident_link_customer")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.object_id}"


class IncidentNotice(models.Model):
    """One customer to tell that the incident is resolved: one row per person (by account, else by email), however
    many tickets and chats they had, written when the incident is resolved. `sent_at` is set in the same
    transaction that writes their notification and email, so each person hears exactly once."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    recipient = models.CharField(max_length=260)  # "user:<id>" or "email:<address>"
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "recipient"], name="incident_notice_once")]
        indexes = [models.Index(fields=["incident", "id"], name="incident_notice_pending",
                                condition=models.Q(sent_at__isnull=True))]
