"""The shared core's data: users (email login, preferred language), teams, agent profiles and notifications.
Organisations and webhooks keep their models in their packages (support/organisations/, support/webhooks/): imported
here, they are the support app's."""
import secrets
import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .languages import LANGUAGE_CODES, language_choices
from .notifications import render_title
from .organisations.models import MembershipSource, Organisation, OrganisationDomain  # noqa: F401 (the app's)
from .roles import Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Emails are stored lower-cased; logging in must not depend on how the user types the case.
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra_fields):
        # cycle: support.services imports support.models; the manager creates users through it
        from .services import user_create

        return user_create(email=email, password=password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        # cycle: support.services imports support.models; the manager creates users through it
        from .services import user_create

        return user_create(email=email, password=password, role=Role.ADMIN, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: customers, agents, supervisors and admins. The role is the user's group."""

    email = models.EmailField(_("email address"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(_("preferred language"), max_length=8, choices=language_choices, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    # Django admin access; given to admins by the role service, never set by hand in views.
    is_staff = models.BooleanField(_("staff status"), default=False)
    email_verified = models.BooleanField(_("email verified"), default=False)
    # The exchange's own id for this customer, from a signed widget identity (livechat/identity.py).
    exchange_uid = models.CharField(_("exchange user id"), max_length=64, unique=True, null=True, blank=True)
    # The institutional client the account is staff of: from its verified address's domain, or set by an admin
    # (support.organisations.membership; never from an address nobody proved).
    organisation = models.ForeignKey("support.Organisation", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="members", verbose_name=_("organisation"))
    organisation_source = models.CharField(_("how the organisation was set"), max_length=8, blank=True, default="",
                                           choices=MembershipSource.choices)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.CheckConstraint(condition=models.Q(language__in=LANGUAGE_CODES), name="user_language_valid"),
        ]
        permissions = [
            ("work_as_agent", "Can work tickets and chats as an agent"),
            ("supervise_desk", "Can supervise the desk: reports, reviews, other agents' work"),
            ("administer_desk", "Can administer the desk: settings, content, users"),
        ]

    def __str__(self):
        return self.email

    @property
    def display_name(self):
        return self.name or self.email.split("@", 1)[0]

    def get_full_name(self):
        return self.name or self.email

    def get_short_name(self):
        return self.display_name


class Team(models.Model):
    """A group of agents, usually one language desk or a specialist group (e.g. KYC)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


# Agents' public verification codes: no 0/O, 1/I/L, so a code read out or copied by hand is never ambiguous.
VERIFICATION_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
VERIFICATION_CODE_LENGTH = 8


def new_verification_code():
    """A random agent verification code (31**8, about 8.5e11 codes: a clash is left to the unique constraint)."""
    return "".join(secrets.choice(VERIFICATION_CODE_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH))


class AgentProfile(models.Model):
    """What routing needs to know about an agent: the languages they serve, their capacity and presence."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="agent_profile", verbose_name=_("user"))
    # Native: the languages they chat in themselves. Assisted: languages they may serve through agent assist and
    # machine translation, given only chats whose customer accepted it (livechat overflow offers, issue #25).
    languages = ArrayField(models.CharField(max_length=8), default=list, verbose_name=_("languages served"))
    assisted_languages = ArrayField(models.CharField(max_length=8), default=list, blank=True,
                                    verbose_name=_("languages served with assist"))
    capacity = models.PositiveSmallIntegerField(_("maximum concurrent chats"), default=3)
    presence = models.CharField(_("presence"), max_length=8, choices=Presence.choices, default=Presence.OFFLINE)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    # When the agent last got or finished a chat: routing breaks ties in favour of the longest idle.
    last_chat_at = models.DateTimeField(_("last chat"), null=True, blank=True, editable=False)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="agents", verbose_name=_("team")
    )
    # Public: agents show it in replies, and customers check it on /verify/ (verification.selectors).
    verification_code = models.CharField(_("verification code"), max_length=VERIFICATION_CODE_LENGTH, unique=True,
                                         default=new_verification_code, editable=False)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1) & models.Q(capacity__lte=50), name="agent_capacity_range"
            ),
            models.CheckConstraint(
                condition=models.Q(languages__contained_by=list(LANGUAGE_CODES)), name="agent_languages_valid"
            ),
            models.CheckConstraint(condition=models.Q(assisted_languages__contained_by=list(LANGUAGE_CODES)),
                                   name="agent_assisted_languages_valid"),
        ]
        indexes = [
            models.Index(fields=["presence"], name="agent_presence_idx"),
            # Routing asks "who online serves ja?": a GIN index answers array containment.
            GinIndex(fields=["languages"], name="agent_languages_gin"),
        ]

    def __str__(self):
        return f"{self.user.email} ({', '.join(self.languages)})"


class Notification(models.Model):
    """An in-site message to one user. Its text is rendered from `kind` and `params` in the reader's language."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_user_unread"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {render_title(self)}"  # in the reader's language, like the bell

    @property
    def is_read(self):
        return self.read_at is not None


class OutboundEmail(models.Model):
    """The outbox: one row per email, written in the same transaction as what it reports.

    A Celery task delivers it and marks it sent; a beat sweep re-enqueues rows whose task was lost. The Message-ID
    is fixed when the row is written, so a resend after a crash carries the same ID and mail clients collapse it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    id = models.UUIDField("ID", primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("user"))
    to_email = models.EmailField(_("recipient's address"), max_length=254)
    from_email = models.CharField(_("sender's address"), max_length=300)
    reply_to = models.CharField(_("reply to"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    auto_generated = models.BooleanField(_("automatic email"), default=False)
    # What the email is about, for showing delivery problems where people look (e.g. "ticket:T-10001").
    topic = models.CharField(_("about"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True,
                                        help_text=_("A worker is sending it; another may try after this time."))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["created_at"], condition=models.Q(status__in=["pending", "sending"]),
                         name="outbound_unsent"),
            # A customer's emails, newest first (their timeline: desk.timeline).
            models.Index(fields=["user", "-created_at"], name="outbound_user_created"),
        ]

    def __str__(self):
        return f"{self.to_email}: {self.subject}"


class ScanState(models.TextChoices):
    """Where an attachment's scan for secrets stands (support.filescan)."""

    PENDING = "pending", _("Being checked")
    CLEAN = "clean", _("No secret found")
    SECRET = "secret", _("Secret found")  # `file` is a copy without it: a blurred picture, a masked text
    WITHHELD = "withheld", _("Secret found, file withheld")  # a PDF or ZIP: no copy can be made safely
    FAILED = "failed", _("Failed")  # could not be read (in full); `scan_problem` says why for files
    SKIPPED = "skipped", _("Not checked")  # a kind that holds no text (video), or stored before files were scanned


class ScannedImage(models.Model):
    """What the scan for secrets (support.filescan) records on an attachment (ticket and chat attachments both carry
    it). With a secret found, `file` is the copy everyone is shown (a blurred picture, a masked text) or, for a PDF
    or ZIP, empty (withheld); `original` is the file as sent, kept only when SCREENSHOT_KEEP_ORIGINALS allows and
    served to desk admins alone."""

    scan_state = models.CharField(max_length=8, choices=ScanState.choices, default=ScanState.SKIPPED)
    secret_kinds = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    # Why a file could not be read, or not in full (support.filescan.PROBLEMS): encrypted, too_large, ...
    scan_problem = models.CharField(max_length=16, blank=True, default="")
    original = models.FileField(max_length=200, blank=True)
    # Set by the worker that claimed the scan; a claim older than the lease may be taken over (a killed worker).
    scan_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def scan_pending(self):
        return self.scan_state == ScanState.PENDING

    @property
    def served_filename(self):
        """The name the file is downloaded under: a blurred copy is a PNG whatever was sent (wallet.jpg is served
        as wallet-blurred.png), a masked text keeps its extension (app.log is served as app-masked.log)."""
        if self.scan_state != ScanState.SECRET:
            return self.filename
        stem, dot, extension = self.filename.rpartition(".")
        stem = stem if dot else self.filename
        if self.content_type.startswith("image/"):
            return f"{stem}-blurred.png"
        return f"{stem}-masked.{extension}" if dot else f"{stem}-masked"

    @property
    def withheld(self):
        return self.scan_state == ScanState.WITHHELD

    @property
    def scan_failed(self):
        return self.scan_state == ScanState.FAILED


class AuditEvent(models.Model):
    """Who read or exported a customer's data, when, from where (support.audit); and who changed the desk's setup
    (a custom ticket field), with the object before and after. Append-only: the database refuses to change or delete
    a row (a trigger, migration 0006), so not even an admin with a shell can tidy it."""

    class Action(models.TextChoices):
        TICKET_VIEW = "ticket_view", _("opened a ticket")
        CHAT_VIEW = "chat_view", _("opened a chat")
        CUSTOMER_VIEW = "customer_view", _("opened a customer's page")
        ATTACHMENT_VIEW = "attachment_view", _("opened an attachment")
        EXPORT = "export", _("exported a report")
        SETUP_CHANGE = "setup_change", _("changed the desk's setup")

    class ObjectType(models.TextChoices):
        TICKET = "ticket", _("ticket")
        CHAT = "chat", _("chat")
        ATTACHMENT = "attachment", _("attachment")
        CHAT_ATTACHMENT = "chat_attachment", _("chat attachment")
        CUSTOMER = "customer", _("customer")
        CUSTOMER_TIMELINE = "customer_timeline", _("customer timeline")
        EXCHANGE_PROFILE = "exchange_profile", _("exchange profile")
        REPORT = "report", _("report")
        TICKET_FIELD = "ticket_field", _("ticket field")

    class Via(models.TextChoices):
        PAGE = "page", _("web page")
        API = "api", _("API")

    created_at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    # The actor's id and address as they were (the account may be renamed or removed later; the record stays).
    # DO_NOTHING without a database constraint: removing an account must not try to UPDATE the log (refused).
    actor = models.ForeignKey(User, on_delete=models.DO_NOTHING, null=True, related_name="+", db_constraint=False,
                              verbose_name=_("staff member"))
    actor_email = models.CharField(_("staff member's email"), max_length=254)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=32, choices=ObjectType.choices)
    object_id = models.CharField(_("object ID"), max_length=100)
    customer = models.ForeignKey(User, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+",
                                 db_constraint=False, verbose_name=_("customer"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    via = models.CharField(_("via"), max_length=8, choices=Via.choices)
    # A change to the setup (SETUP_CHANGE): the object as it was and as it became (None: created, deleted).
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="audit_customer_created"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_created"),
            models.Index(fields=["-created_at"], name="audit_created"),
            # An object's history of setup changes (a field's editor page), among the far more numerous reads.
            models.Index(fields=["object_type", "object_id", "-created_at"], name="audit_setup_object",
                         condition=models.Q(action="setup_change")),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email}: {self.get_action_display()} {self.object_id}"


# Outbound webhooks keep their models in their package (support/webhooks/); imported here, they are the support app's.
from .webhooks.models import Webhook, WebhookDelivery  # noqa: E402,F401
