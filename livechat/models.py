"""Live chat: conversations in a language's queue, routed to agents, and their messages in order.

Postgres is the source of truth. A message is stored (with its per-conversation sequence number) before anyone is
told of it; the channel layer only rings the bell, and clients catch up from the last sequence number they saw.
"""
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from support.languages import LANGUAGE_CODES
from support.models import ScannedImage

# The order in which a language's waiting chats are served (with "id" after it): the VIP rule's key where it is set,
# else the time the chat joined the queue. The same expression as the queue's index, so Postgres uses it.
QUEUE_ORDER = Coalesce("queue_key", "queued_at")


class ConversationStatus(models.TextChoices):
    BOT = "bot", _("With the assistant")
    QUEUED = "queued", _("Waiting")
    ACTIVE = "active", _("With an agent")
    CLOSED = "closed", pgettext_lazy("chat status", "Closed")


class Disposition(models.TextChoices):
    """How the agent says a chat ended, at wrap-up."""
    RESOLVED = "resolved", _("Resolved")
    FOLLOW_UP = "follow_up", _("Needs follow-up")
    ESCALATED = "escalated", _("Escalated")
    CUSTOMER_LEFT = "customer_left", _("Customer left")
    NOT_SUPPORT = "not_support", _("Not a support question")


class EndedBy(models.TextChoices):
    """Who closed a chat, or wrapped it up (agent or system)."""
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class Conversation(models.Model):
    """One chat. Its id is opaque (a UUID), so no one can walk other people's chats by counting."""

    id = models.UUIDField("ID", primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="conversations", verbose_name=_("customer"))
    # Visitors who cannot log in give a name and an email in the pre-chat form.
    visitor_name = models.CharField(_("visitor's name"), max_length=120, blank=True)
    visitor_email = models.EmailField(_("visitor's email"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    # Other languages the customer said they can chat in (pre-chat form), for overflow when nobody has theirs.
    also_speaks = ArrayField(models.CharField(max_length=8), default=list, blank=True,
                             verbose_name=_("also speaks"))
    overflowed = models.BooleanField(_("served in another language"), default=False)
    # The customer accepted an agent of this language now, with translation (OverflowOffer): agents of it who
    # serve the chat's language with assist may take the chat, in the order of its original queue time.
    overflow_to = models.CharField(_("accepted an agent of"), max_length=8, blank=True)
    # Served by an agent who does not speak the chat's language natively (agent assist and machine translation).
    assisted = models.BooleanField(_("served with translation"), default=False)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ConversationStatus.choices,
                              default=ConversationStatus.QUEUED)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="assigned_conversations", verbose_name=_("agent"))
    last_seq = models.PositiveIntegerField(_("messages"), default=0)
    created_at = models.DateTimeField(_("started at"), default=timezone.now)
    # The place in the queue: a transfer or an agent dropping keeps it, so the chat goes back to the front.
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    # The order the queue serves: queued_at moved earlier by a VIP customer's bounded boost (services.queue,
    # "VIP rule"); empty until known, when queued_at alone orders the chat (QUEUE_ORDER). Waits are measured from
    # queued_at, never from this.
    queue_key = models.DateTimeField(_("served as if queued at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    # The first time an agent got the chat (assigned_at moves on transfer): queue wait in reports.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # The last message the assigned agent has seen: unread counts in the workspace.
    agent_read_seq = models.PositiveIntegerField(_("messages read by the agent"), default=0)
    first_agent_reply_at = models.DateTimeField(_("first agent reply at"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(_("last customer message at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.CharField(_("closed by"), max_length=10, blank=True, choices=EndedBy.choices)
    # Satisfaction, asked when the chat closes.
    csat_score = models.PositiveSmallIntegerField(_("CSAT score"), null=True, blank=True)
    csat_comment = models.TextField(_("CSAT comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    transcript_sent_at = models.DateTimeField(_("transcript sent at"), null=True, blank=True)
    # The bot stage: unhelpful answers in a row, and the card the agent gets on handover (what was asked, what was
    # offered and how the customer answered, why the bot handed over).
    with_bot = models.BooleanField(_("started with the assistant"), default=False)  # for its deflection rate
    bot_unhelpful = models.PositiveSmallIntegerField(_("unhelpful assistant answers in a row"), default=0)
    handover = models.JSONField(_("handover card"), default=dict, blank=True)
    # "Leave a message": the ticket the chat became.
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="chat", verbose_name=_("ticket"))
    # Wrap-up: an ended chat stays in its agent's console until they record how it went (services.wrapup); a chat
    # left unwrapped is wrapped up by the system after LIVECHAT_WRAP_UP_MINUTES (wrapped_up_by "system").
    wrapped_up_at = models.DateTimeField(_("wrapped up at"), null=True, blank=True)
    wrapped_up_by = models.CharField(_("wrapped up by"), max_length=8, blank=True, choices=EndedBy.choices)
    disposition = models.CharField(_("outcome"), max_length=16, choices=Disposition.choices, blank=True)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    wrap_note = models.TextField(_("wrap-up note"), blank=True)  # internal: agents only

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(language__in=LANGUAGE_CODES), name="conversation_language"),
            models.CheckConstraint(
                condition=~models.Q(status=ConversationStatus.ACTIVE) | models.Q(agent__isnull=False),
                name="active_conversation_has_agent"),
            models.CheckConstraint(condition=models.Q(csat_score__isnull=True) | models.Q(csat_score__range=(1, 5)),
                                   name="conversation_csat_range"),
        ]
        indexes = [
            # The queue: first served first per language (QUEUE_ORDER, the VIP rule's key), only over waiting chats.
            models.Index(F("language"), Coalesce("queue_key", "queued_at"), F("id"), name="conversation_queue_order",
                         condition=models.Q(status="queued")),
            # An agent's load: their active chats.
            models.Index(fields=["agent"], name="conversation_agent_active", condition=models.Q(status="active")),
            # Ended chats waiting for their agent's wrap-up (the console lists them), and the agent's history.
            models.Index(fields=["agent", "closed_at"], name="conversation_agent_wrapup",
                         condition=models.Q(status="closed", wrapped_up_at__isnull=True)),
            models.Index(fields=["agent", "-wrapped_up_at"], name="conversation_agent_history",
                         condition=models.Q(wrapped_up_at__isnull=False)),
            # The overflow queues: waiting chats whose customer accepted an agent of another language.
            models.Index(F("overflow_to"), Coalesce("queue_key", "queued_at"), F("id"),
                         name="conversation_overflow_order", condition=models.Q(status="queued") & ~models.Q(
                             overflow_to="")),
            models.Index(fields=["customer", "-created_at"], name="conversation_customer"),
            models.Index(fields=["created_at"], name="conversation_created"),  # reports read chats by period
        ]

    def __str__(self):
        return f"{_('Chat')!s} {self.id} ({self.language}, {self.get_status_display()})"

    @property
    def customer_name(self):
        if self.customer_id:
            return self.customer.name or self.customer.email
        return self.visitor_name


# The chats an agent's console shows: active ones, and ended ones waiting for their wrap-up.
IN_CONSOLE = (models.Q(status=ConversationStatus.ACTIVE)
              | models.Q(status=ConversationStatus.CLOSED, wrapped_up_at__isnull=True))


class LanguageOverflow(models.Model):
    """Admin rule: chats of `language` waiting longer than `after_seconds` may be offered to agents who serve
    `overflow_to`, when the customer said they can chat in it. For languages no peer desk covers at every hour.
    With `offer_above_seconds`, the waiting customer is also offered an agent of `overflow_to` now, served with
    agent assist and machine translation (livechat.services.overflow)."""

    language = models.CharField(_("language"), max_length=8, choices=[(c, c) for c in LANGUAGE_CODES])
    overflow_to = models.CharField(_("overflow to"), max_length=8, choices=[(c, c) for c in LANGUAGE_CODES])
    after_seconds = models.PositiveIntegerField(_("after waiting (seconds)"), default=180)
    # Agent assist and translation: when the wait estimate in `language` is above this, and an agent of
    # `overflow_to` who serves `language` with assist is free, the waiting customer is offered that agent now.
    offer_above_seconds = models.PositiveIntegerField(
        _("offer an agent with translation when the wait is above (seconds)"), null=True, blank=True,
        help_text=_("Empty: never offered."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("language overflow")
        verbose_name_plural = _("language overflows")
        constraints = [
            models.UniqueConstraint(fields=["language", "overflow_to"], name="overflow_once_per_pair"),
            models.CheckConstraint(condition=~models.Q(language=models.F("overflow_to")), name="overflow_elsewhere"),
        ]

    def __str__(self):
        return f"{self.language} → {self.overflow_to} ({self.after_seconds} s)"


class OverflowChoice(models.TextChoices):
    PENDING = "", _("Not answered")
    ACCEPTED = "accepted", _("Accepted an agent now")
    DECLINED = "declined", _("Kept waiting")


class OverflowOffer(models.Model):
    """The customer's choice, offered once per chat when the wait in its language was long and an agent of
    `overflow_to` who serves it with assist was free: an agent now (with translation), or keep waiting. Kept
    whatever they answer (reports: offered, accepted, waits with and without)."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="overflow_offer",
                                        verbose_name=_("chat"))
    language = models.CharField(_("language"), max_length=8)
    overflow_to = models.CharField(_("overflow to"), max_length=8)
    offered_at = models.DateTimeField(_("offered at"), default=timezone.now)
    # The estimate shown for keeping on waiting, in seconds (empty: nobody of the language was online).
    wait_estimate_seconds = models.PositiveIntegerField(_("estimated wait (seconds)"), null=True, blank=True)
    choice = models.CharField(_("choice"), max_length=8, choices=OverflowChoice.choices, blank=True)
    chosen_at = models.DateTimeField(_("chosen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("overflow offer")
        verbose_name_plural = _("overflow offers")
        indexes = [models.Index(fields=["offered_at"], name="overflow_offer_offered")]  # reports read by period

    def __str__(self):
        return f"{self.language} → {self.overflow_to} ({self.get_choice_display()})"


class SenderKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    BOT = "bot", _("Assistant")
    SYSTEM = "system", _("System")


class ChatMessage(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages",
                                     verbose_name=_("chat"))
    seq = models.PositiveIntegerField(_("number"))
    sender_kind = models.CharField(_("sent by"), max_length=8, choices=SenderKind.choices)
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("sender"))
    body = models.TextField(_("message"))
    # The client's own id for the message: a resend after a network drop is stored once.
    client_msg_id = models.CharField(_("client message ID"), max_length=64, blank=True)
    # For bot messages: the articles offered ({"articles": [{"id", "title", "url"}], "ask_helpful": true}).
    meta = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="chat_message_seq"),
            models.UniqueConstraint(fields=["conversation", "client_msg_id"], name="chat_message_client_id",
                                    condition=~models.Q(client_msg_id="")),
        ]

    def __str__(self):
        return f"{self.conversation_id}#{self.seq}"


def _attachment_path(attachment, filename):
    # Opaque names: what the customer called the file never reaches the disk or a URL.
    return f"chat/{str(attachment.pk)[:2]}/{attachment.pk}"


class ChatAttachment(ScannedImage):
    """A file sent in a chat (same checks as ticket attachments); served only to the chat's people."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message = models.ForeignKey(ChatMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    filename = models.CharField(max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()

    class Meta:
        # The sweep looks for scans whose task was lost (livechat.services.chat_attachment_scans_sweep).
        indexes = [models.Index(fields=["id"], condition=models.Q(scan_state="pending"),
                                name="chatattachment_scan_pending")]

    def __str__(self):
        return self.filename
