"""The choices tickets are made of: statuses, priorities, channels, how the requester was known, kinds of
attachment, and the reference prefix. Plain values with labels, shared by the models, services, forms and reports."""
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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



class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")
    ARCHIVE = "archive", _("Archive")
