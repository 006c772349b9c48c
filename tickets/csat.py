"""Customer satisfaction for tickets: when a ticket is solved the requester gets a rating link in the "solved" email
and in-site,
in their language. The link is signed (it names a one-time nonce, not the ticket), expires, and works without
logging in; the first answer counts, later clicks are told it was already received."""
import secrets

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from support.notifications import register_kind
from support.services import DomainError, notification_create

from .models import TicketRating

SALT = "tickets.csat"

register_kind("ticket_rate", title=gettext_lazy("How did we do on %(ref)s?"),
              body=gettext_lazy("Rate the answer to “%(subject)s” in one click."))


class RatingLinkInvalid(DomainError):
    code = "rating_link_invalid"


def rating_url(rating):
    token = signing.dumps(rating.nonce, salt=SALT)
    return f"/{rating.language}/rate/{token}/"


def csat_request(*, ticket, now=None):
    """Ask the requester to rate a ticket that was just solved (the caller holds the ticket's row lock)."""
    requester = ticket.requester
    if not requester.is_active or not requester.email:
        return None
    rating = TicketRating.objects.create(ticket=ticket, agent=ticket.assignee, nonce=secrets.token_hex(16),
                                         language=requester.language, requested_at=now or timezone.now())
    # The link also goes out in the "solved" email (tickets.emails), one email rather than two.
    notification_create(user=requester, kind="ticket_rate", url=rating_url(rating),
                        params={"ref": ticket.ref, "subject": ticket.subject})
    return rating


def rating_for_token(token):
    """The rating a link names; RatingLinkInvalid (with a reason people can read) for a forged or expired link."""
    max_age = settings.CSAT_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        nonce = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise RatingLinkInvalid(_("This rating link has expired."), code="rating_link_expired") from exc
    except signing.BadSignature as exc:
        raise RatingLinkInvalid(_("This rating link is not valid.")) from exc
    rating = TicketRating.objects.select_related("ticket").filter(nonce=nonce).first()
    if rating is None:
        raise RatingLinkInvalid(_("This rating link is not valid."))
    return rating


def rating_submit(*, token, score, comment=""):
    """Store the answer once (a conditional update: a second click or a second tab changes nothing)."""
    rating = rating_for_token(token)
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise DomainError(_("Choose a rating from 1 to 5."), code="invalid_score", field="score")
    updated = TicketRating.objects.filter(pk=rating.pk, rated_at__isnull=True).update(
        score=score, comment=(comment or "").strip()[:2000], rated_at=timezone.now())
    if not updated:
        raise RatingLinkInvalid(_("You have already rated this request. Thank you!"), code="rating_link_used")
    rating.refresh_from_db()
    return rating
