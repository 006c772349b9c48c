"""Tickets: requests from the web, email, chat and API; their messages, attachments, audit trail and macros."""
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from support.languages import LANGUAGE_CODES, language_choices
from support.models import ScannedImage

REF_PREFIX = "T-"


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    API = "api", _("API")


class Identity(models.TextChoices):
    """How the requester was known when the ticket was filed; it decides whether the account holding the requester's
    address may see the ticket (selectors.ticket_visible_q) and what agents are warned of.

    - ACCOUNT: the account holder filed it signed in (web, API, a signed-in customer's chat).
    - ADDRESS: only an email address names the requester (the From of a mail, or a typed address its owner
      confirmed by the link mailed to it). The account with that address sees it once the account has proven the
      address (sign-up confirmation, or a password set by the emailed reset link): whoever registered someone
      else's address first never sees that person's mail.
    - TYPED: a chat visitor typed the address and nobody has proven it; held for the address's owner, who
      confirms it by the link mailed to it (tickets.services.ticket_claim), after which it is ADDRESS.
    """

    ACCOUNT = "account", _("Signed-in account")
    ADDRESS = "address", _("Email address")
    TYPED = "typed", _("Address typed by a visitor")


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
    number = models.BigIntegerField(unique=True, editable=False)
    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets")
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
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="merged_tickets")
    follow_up_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="follow_ups")
    # Set when the requester wrote last, cleared by a public agent reply: "customer replied" in the inbox.
    awaiting_agent = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # The first public reply by an agent: first response time in reports, without reading messages.
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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
            GinIndex(fields=["tags"], name="ticket_tags_gin"),
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


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")
    ARCHIVE = "archive", _("Archive")


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

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    field = models.CharField(max_length=16, choices=Field.choices)
    old_value = models.CharField(max_length=500, blank=True)
    new_value = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketevent_ticket_created")]

    def _label(self, value):
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
    body = models.TextField(_("reply text"))
    set_status = models.CharField(_("set status"), max_length=8, choices=Status.choices, blank=True)
    add_tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("add tags"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

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


def inbound_raw_path(instance, filename):
    return f"inbound/{instance.created_at:%Y/%m}/{instance.id.hex}.eml"


class InboundEmail(models.Model):
    """Every mail that reached us, kept as received, with what became of it. The raw bytes are never dropped."""

    class Status(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        IGNORED = "ignored", _("Ignored")
        REJECTED = "rejected", _("Rejected")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message_id = models.CharField(max_length=255, unique=True)
    from_email = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    reason = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    raw = models.FileField(upload_to=inbound_raw_path, max_length=200)
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound")
    ticket_message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="inbound_status_created")]

    def __str__(self):
        return f"{self.message_id} ({self.status})"


class BusinessCalendar(models.Model):
    """Working hours in a time zone, with holidays: for desks that are not staffed around the clock."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC",
                                help_text=_("IANA name, e.g. Asia/Tokyo or America/New_York."))

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self):
        return f"{self.name} ({self.timezone})"

    def clean(self):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from django.core.exceptions import ValidationError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"timezone": _("Unknown time zone.")}) from exc


class BusinessHours(models.Model):
    WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
                (5, _("Saturday")), (6, _("Sunday"))]
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                              name="business_hours_end_after_start")]


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_calendar")]


class SlaPolicy(models.Model):
    """Response and resolution targets for the tickets it matches; the first matching policy by position wins."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    priorities = ArrayField(models.CharField(max_length=8, choices=Priority.choices), default=list, blank=True,
                            verbose_name=_("priorities"), help_text=_("Empty: any."))
    languages = ArrayField(models.CharField(max_length=8), default=list, blank=True, verbose_name=_("languages"),
                           help_text=_("Empty: any."))
    channels = ArrayField(models.CharField(max_length=8, choices=Channel.choices), default=list, blank=True,
                          verbose_name=_("channels"), help_text=_("Empty: any."))
    categories = models.ManyToManyField(Category, blank=True, verbose_name=_("categories"))
    first_response_minutes = models.PositiveIntegerField(_("first response target (minutes)"), null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(_("next response target (minutes)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"), null=True, blank=True)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name=_("business calendar"), help_text=_("Empty: calendar time, 24/7."))
    warning_percent = models.PositiveSmallIntegerField(_("warn at (percent of target)"), default=80)
    escalate_priority = models.BooleanField(_("raise priority on breach"), default=False)
    escalate_team = models.ForeignKey("support.Team", on_delete=models.SET_NULL, null=True, blank=True,
                                      verbose_name=_("reassign to team on breach"))
    escalate_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reassign to agent on breach"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(warning_percent__gte=1) & models.Q(warning_percent__lte=99), name="sla_warning_range")]

    def __str__(self):
        return self.name


class SlaTimer(models.Model):
    """One target on one ticket: due and warning times (None while paused), and when it was met or breached."""

    class Kind(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        NEXT_RESPONSE = "next_response", _("Next response")
        RESOLUTION = "resolution", _("Resolution")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_timers")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, related_name="timers")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target_minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    # Working time spent paused (pending / on hold), added to the target when the due time is computed.
    paused_seconds = models.BigIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="sla_one_running_timer_per_kind",
                                    condition=models.Q(fulfilled_at__isnull=True, cancelled_at__isnull=True)),
        ]
        indexes = [
            # The beat scan: "running timers whose warning / due time has come", answered from small partial indexes.
            models.Index(fields=["warn_at"], name="sla_warn_scan", condition=models.Q(
                warned_at__isnull=True, breached_at__isnull=True, fulfilled_at__isnull=True,
                cancelled_at__isnull=True, warn_at__isnull=False)),
            models.Index(fields=["due_at"], name="sla_due_scan", condition=models.Q(
                breached_at__isnull=True, fulfilled_at__isnull=True, cancelled_at__isnull=True,
                due_at__isnull=False)),
            models.Index(fields=["ticket", "kind"], name="sla_ticket_kind"),
        ]

    @property
    def is_running(self):
        return self.fulfilled_at is None and self.cancelled_at is None

    @property
    def met(self):
        """True/False once fulfilled; None while running."""
        if self.fulfilled_at is None:
            return None
        return self.breached_at is None and (self.due_at is None or self.fulfilled_at <= self.due_at)


class TicketRating(models.Model):
    """Satisfaction with a solved ticket: asked once per solve through a signed, single-use link that works
    without logging in; the answer belongs to the ticket and to the agent who had it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ratings")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="ticket_ratings")
    nonce = models.CharField(max_length=32, unique=True)  # what the signed link names; never reused
    language = models.CharField(max_length=8)
    requested_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [models.CheckConstraint(condition=models.Q(score__isnull=True) | models.Q(score__range=(1, 5)),
                                              name="ticket_rating_score_range")]
        indexes = [models.Index(fields=["agent", "-rated_at"], name="ticket_rating_agent")]

    def __str__(self):
        return f"{self.ticket.ref}: {self.score or '-'}"
