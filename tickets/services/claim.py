"""Claiming a ticket: the owner of an address confirms, by the link mailed only to it, that a request a chat
visitor filed under that address is theirs."""
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from support.services import DomainError

from ..models import Identity, Ticket, TicketEvent
from ..selectors import ticket_get_for_claim


class ClaimRefused(DomainError):
    code = "link_invalid"


def ticket_claim(*, token):
    """The owner of an address confirms, by the link mailed only to it (tickets.claims), that a request a chat
    visitor filed under that address is theirs: TYPED becomes ADDRESS (models.Identity), so the account holding the
    address sees it once that account has proven the address. A conditional update: two clicks change it once.
    Returns the ticket; ClaimRefused when the link is altered, expired, or for an address the ticket no longer
    has."""
    ticket = ticket_get_for_claim(token=token)
    if ticket is None:
        raise ClaimRefused(_("This link is not valid or has expired."))
    with transaction.atomic():
        if Ticket.objects.filter(pk=ticket.pk, identity=Identity.TYPED).update(identity=Identity.ADDRESS):
            TicketEvent.objects.create(ticket=ticket, actor=None, field=TicketEvent.Field.IDENTITY,
                                       old_value=Identity.TYPED, new_value=Identity.ADDRESS)
            ticket.identity = Identity.ADDRESS
    return ticket
