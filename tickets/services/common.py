"""What every ticket write shares: the domain errors, the limits and checks on text and tags, masking secrets, the
next ticket number, the one place tickets tell a person something, and the audit event a change writes."""
import re

from django.db import connection
from django.utils.translation import gettext_lazy as _

from support.secretscan import secrets_mask
from support.services import DomainError, notification_create

from ..models import TicketEvent

MAX_SUBJECT = 200
MAX_BODY = 50_000
TAG_RE = re.compile(r"^[\w\-.:]{1,50}$", re.UNICODE)


class TicketClosed(DomainError):
    code = "ticket_closed"


class NotAllowed(DomainError):
    code = "permission_denied"


def ticket_number_next():
    """The next ticket number, from a database sequence: unique across processes without a lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('ticket_number_seq')")
        return cursor.fetchone()[0]


def text_clean(value, *, field, limit, required=True, one_line=False):
    """Trimmed text within `limit`; one_line joins lines with a space (a subject goes into mail headers, where a
    line break is refused as header injection)."""
    text = " ".join((value or "").split()) if one_line else (value or "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), code="required", field=field)
    if len(text) > limit:
        raise DomainError(_("Keep this under %(limit)s characters.") % {"limit": limit}, code="too_long", field=field)
    return text


def normalize_tags(tags):
    """Tags are lower-case words (letters, digits, - _ . :), de-duplicated, order kept."""
    if isinstance(tags, str):
        tags = re.split(r"[,\s]+", tags)
    result = []
    for raw in tags or ():
        tag = str(raw).strip().lower()
        if not tag:
            continue
        if not TAG_RE.match(tag):
            raise DomainError(_("“%(tag)s” is not a valid tag (letters, digits, - _ . : only).") % {"tag": tag[:60]},
                              code="invalid_tag", field="tags")
        if tag not in result:
            result.append(tag)
    return result


def ticket_notify(user, kind, ticket, *, for_agent=False, **params):
    """The one place tickets tell a person something (in-site now; the email channel plugs in here)."""
    if user is None or not user.is_active:
        return
    if not for_agent and user.pk == ticket.requester_id and not ticket.requester_proven:
        return  # the account holding the address has not proven it is the requester (models.Identity)
    url = (f"/{user.language}/agent/tickets/{ticket.ref}/" if for_agent
           else f"/{user.language}/requests/{ticket.ref}/")
    notification_create(user=user, kind=kind, url=url,
                        params={"ref": ticket.ref, "subject": ticket.subject, **params})


def audit_event(ticket, actor, field, old="", new=""):
    """An unsaved audit-trail row, values cut to their columns, so a write saves its events in one bulk_create."""
    return TicketEvent(ticket=ticket, actor=actor, field=field, old_value=str(old or "")[:500],
                       new_value=str(new or "")[:500])


def text_masked(text):
    """(text with secrets masked, kinds found): nothing a customer must keep to themselves is stored."""
    masked = secrets_mask(text)
    return masked.text, list(masked.kinds)
