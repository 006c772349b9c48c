"""Links that prove an address: mailed only to the requester's address, they let its owner confirm that a request
a chat visitor filed under that address is theirs (models.Identity.TYPED -> ADDRESS, services.ticket_claim).

The token is signed with the site's secret key and a salt of its own, names the ticket and the address it was
mailed to (a changed requester makes it void), and expires after TICKET_CLAIM_DAYS.
"""
from django.conf import settings
from django.core import signing

_SALT = "tickets.claim"


class ClaimLinkInvalid(Exception):
    """The link was altered, is for another address, or has expired."""


def claim_token(ticket):
    return signing.dumps({"t": ticket.pk, "e": ticket.requester.email.lower()}, salt=_SALT, compress=True)


def claim_token_read(token):
    """(ticket id, address) the token was made for; ClaimLinkInvalid when it is not one of ours or has expired."""
    try:
        data = signing.loads(str(token), salt=_SALT, max_age=settings.TICKET_CLAIM_DAYS * 86400)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise ClaimLinkInvalid(str(exc)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("t"), int) or not isinstance(data.get("e"), str):
        raise ClaimLinkInvalid("unexpected payload")
    return data["t"], data["e"]
