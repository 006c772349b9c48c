"""A ticket and what it is made of: its category, its messages and their attachments, its audit trail, and the
macros (canned replies) agents answer with."""
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.languages import LANGUAGE_CODES, language_choices
from support.models import ScannedImage

from ..macros import macro_placeholders_check
from .choices import REF_PREFIX, AttachmentKind, Channel, Identity, Priority, Status


class Category(models.Model):
    """What a request is about; admins edit the list and its names in all six languages."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name


class Ticket(models.Model):
    number = models.BigIntegerField(_("number"), unique=True, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets",
                                  verbose_name=_("requester"))
    subject = models.CharField(_("subject"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=language_choices, default="en")
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
                                 verbose_name=_("category"))
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.NEW)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    identity = models.CharField(_("requester identity"), max_length=8, choices=Identity.choices,
                                default=Identity.ACCOUNT)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="assigned_tickets", verbose_name=_("assignee"))
    team = models.ForeignKey("support.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="tickets", verbose_name=_("team"))
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    # Custom fields' values by key (models.fields.TicketField says how each type is stored); cleaned by
    # services.fields, whatever the channel.
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_tickets", verbose_name=_("merged into"))
    follow_up_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="follow_ups", verbose_name=_("follow-up of"))
    # Set when the requester wrote last, cleared by a public agent reply: "customer replied" in the inbox.
    awaiting_agent = models.BooleanField(_("customer replied"), default=True,
                                         help_text=_("The requester wrote last; cleared by an agent's public reply."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # The first public reply by an agent: first response time in reports, without reading messages.
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.CheckConstraint(condition=models.Q(language__in=LANGUAGE_CODES), name="ticket_language_valid"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="ticket_status_valid"),
            models.CheckConstraint(condition=models.Q(priority__in=Priority.values), name="ticket_priority_valid"),
            models.CheckConstraint(condition=models.Q(identity__in=Identity.values), name="ticket_identity_valid"),
            models.CheckConstraint(condition=~models.Q(merged_into=models.F("id")), name="ticket_not_merged_into_self"),
        ]
        indexes = [
            models.Index(fields=["status", "-updated_at"], name="ticket_status_updated"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_created"),
            models.Index(fields=["language", "status"], name="ticket_language_status"),
            models.Index(fields=["-updated_at"], name="ticket_updated"),
            models.Index(fields=["created_at"], name="ticket_created"),  # reports read tickets by period
            # The automation sweep's window: tickets solved in a span of time (automation.sweep).
            models.Index(fields=["solved_at"], name="ticket_solved", condition=models.Q(solved_at__isnull=False)),
            GinIndex(fields=["tags"], name="ticket_tags_gin"),
            # The inbox's `field.<key>=<value>` filters are containment (custom_fields @> {...}); the field pages ask
            # whether any ticket carries a key (custom_fields ? key): the default operator class serves both.
            GinIndex(fields=["custom_fields"], name="ticket_custom_fields_keys"),
        ]

    def __str__(self):
        return f"{self.ref} {self.subject}"

    @property
    def ref(self):
        return f"{REF_PREFIX}{self.number}"

    @property
    def is_closed(self):
        return self.status == Status.CLOSED

    @property
    def requester_proven(self):
        """Whether the account holding the requester's address is proven to be who filed this ticket: it may see the
        ticket, is notified of it and is named in its mail (needs `requester` loaded)."""
        return self.identity == Identity.ACCOUNT or (
            self.identity == Identity.ADDRESS and self.requester.email_verified)


class Message(models.Model):
    """One entry of a ticket's conversation: a public reply or an internal note (agents only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="ticket_messages")
    is_internal = models.BooleanField(default=False)
    body = models.TextField()
    body_html = models.TextField()
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    # For messages that came by email: the sender's Message-ID, so our replies thread under it.
    email_message_id = models.CharField(max_length=255, blank=True)
    # Kinds of secrets found and masked before storing (support.secretscan): shown to agents and the customer.
    secrets = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_created")]


def attachment_path(instance, filename):
    # Stored under an opaque name: the original name is kept in the row, never trusted as a path.
    return f"attachments/{instance.id.hex[:2]}/{instance.id.hex}"


def thumbnail_path(instance, filename):
    return f"attachments/{instance.id.hex[:2]}/{instance.id.hex}-thumb.png"


class Attachment(ScannedImage):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=200, blank=True)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "filename"]
        indexes = [models.Index(fields=["message"], name="attachment_message"),
                   # The sweep looks for scans whose task was lost (tickets.services.attachment_scans_sweep).
                   models.Index(fields=["created_at"], condition=models.Q(scan_state="pending"),
                                name="attachment_scan_pending")]

    @property
    def is_image(self):
        return self.kind == AttachmentKind.IMAGE


class TicketEvent(models.Model):
    """The audit trail: who changed what on a ticket, from which value to which, and when."""

    class Field(models.TextChoices):
        CREATED = "created", _("created")
        STATUS = "status", _("status")
        PRIORITY = "priority", _("priority")
        ASSIGNEE = "assignee", _("assignee")
        TEAM = "team", _("team")
        CATEGORY = "category", _("category")
        TAGS = "tags", _("tags")
        MERGED = "merged", _("merged")
        FOLLOW_UP = "follow_up", _("follow-up")
        IDENTITY = "identity", _("requester identity")
        CUSTOM_FIELD = "custom_field", _("custom field")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("changed by"))
    field = models.CharField(_("what changed"), max_length=16, choices=Field.choices)
    # For a custom field: its key (its label is read from the field, in the reader's language).
    key = models.CharField(_("field key"), max_length=40, blank=True)
    old_value = models.CharField(_("old value"), max_length=500, blank=True)
    new_value = models.CharField(_("new value"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket change")
        verbose_name_plural = _("ticket history")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketevent_ticket_created"),
                   # The automation sweep's window: tickets set pending in a span of time.
                   models.Index(fields=["new_value", "created_at"], name="ticketevent_status_at",
                                condition=models.Q(field="status"))]

    def __str__(self):
        return f"{self.get_field_display()}: {self.old_display} → {self.new_display}"

    def _label(self, value):
        if self.field == self.Field.CUSTOM_FIELD and value in ("true", "false"):
            return _("Yes") if value == "true" else _("No")
        choices = {self.Field.STATUS: Status, self.Field.PRIORITY: Priority}.get(self.field)
        if choices is not None and value in choices.values:
            return choices(value).label
        return value

    @property
    def old_display(self):
        """The old value for people: statuses and priorities by their translated name."""
        return self._label(self.old_value)

    @property
    def new_display(self):
        return self._label(self.new_value)


class Macro(models.Model):
    """A canned reply: text in six languages, and optionally a status and tags it sets when used."""

    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(_("reply text"), help_text=_(
        "Placeholders filled for each ticket or chat: {{customer_name}}, {{ticket_ref}}, {{agent_name}}, "
        "{{agent_code}} (the agent's code the customer can check)."))
    set_status = models.CharField(_("set status"), max_length=8, choices=Status.choices, blank=True)
    add_tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("add tags"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    def clean(self):
        """Placeholders ({{customer_name}}, ...) must be known ones, in every language's text."""
        errors = {}
        for lang in LANGUAGE_CODES:
            field = "body_" + lang.replace("-", "_")
            try:
                macro_placeholders_check(getattr(self, field, "") or "")
            except ValidationError as exc:
                errors[field] = exc
        if errors:
            raise ValidationError(errors)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(set_status="") | models.Q(set_status__in=[s for s in Status.values if s != "new"]),
                name="macro_status_valid",
            )
        ]

    def __str__(self):
        return self.name

