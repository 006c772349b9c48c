"""Collision detection on replies (issue #24): an agent's public reply is not sent when someone else wrote to the
customer, or the customer wrote, after the last message the agent had on their screen; they read it first, then send
again (or send anyway)."""
from django.utils.translation import gettext_lazy as _

from support.services import DomainError

from ..models import Message


class RepliedMeanwhile(DomainError):
    """Public messages arrived after the one the author had seen; `messages` lists them, oldest first."""

    code = "replied_meanwhile"

    def __init__(self, messages):
        super().__init__(_("Someone wrote on this ticket while you were writing: read it, then send again."))
        self.messages = messages


def replies_since_check_locked(ticket, *, author, seen):
    """Raise RepliedMeanwhile if a public message by anyone but `author` (the customer, another agent, the system)
    was stored on `ticket` after message id `seen`. The caller holds the ticket's row lock, under which every reply
    to it is stored, so a reply committed a moment ago is seen, and ids grow in the order replies are stored."""
    newer = list(Message.objects.filter(ticket=ticket, is_internal=False, id__gt=seen)
                 .exclude(author_id=author.pk).select_related("author").order_by("id"))
    if newer:
        raise RepliedMeanwhile(newer)
