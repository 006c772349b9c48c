"""The ticket page's socket, /ws/agent/tickets/<ref>/: who else has the ticket open and who is typing a reply or a
note (support.presence.PresenceConsumer: the store, the frames, the heartbeat), and each message stored on the ticket
(events.message_frame), so a page warns at once when someone wrote while its agent was typing. Staff who may see the
ticket only. The contract is in docs/api.md."""
from django.utils.translation import gettext_lazy as _

from support.asyncdb import db
from support.presence import PresenceConsumer, PresenceRefused
from support.roles import is_agent
from support.twofactor import session_verified

from . import events, selectors
from .models import Ticket


def ticket_for_socket(user, session, ref):
    """The ticket a staff socket may watch: (presence topic, group); PresenceRefused for a customer, a visitor or a
    staff session without its second factor (permission_denied, whatever the ticket), and for a reference that
    names no ticket (not_found)."""
    if user is None or not user.is_authenticated or not is_agent(user) or not session_verified(user, session):
        raise PresenceRefused("permission_denied", _("Only staff who may see this ticket can follow it."), 4403)
    try:
        ticket = selectors.ticket_get_for_user(user=user, ref=ref)
    except Ticket.DoesNotExist as exc:
        raise PresenceRefused("not_found", _("No such ticket."), 4404) from exc
    return f"ticket:{ticket.ref}", events.ticket_group(ticket)


class TicketPresenceConsumer(PresenceConsumer):
    async def topic_open(self):
        return await db(ticket_for_socket)(self.scope.get("user"), self.scope.get("session"),
                                           self.scope["url_route"]["kwargs"]["ref"])
