"""Emails to requesters about their tickets, rendered in the requester's language and queued in the outbox."""
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from incidents.selectors import open_incidents
from support.outbox import outbound_email_queue
from verification.selectors import conversation_code

from . import mailaddr
from .claims import claim_token
from .csat import rating_url
from .models import Identity, Status
from .selectors import agent_code_key


def _shown_subject(ticket):
    """The subject our mail repeats. To an address nobody has proven to be the requester's (models.Identity: a chat
    visitor's typed address, or mail to an account that has not proven its address) only the reference: whoever
    typed that address chose the subject, and the desk must not carry their words from its own address to someone
    else's mailbox."""
    return ticket.subject if ticket.requester_proven else ticket.ref


def _subject(kind, ticket, status=None):
    shown = _shown_subject(ticket)
    if kind == "ticket_received":
        text = _("We received your request: %(subject)s") % {"subject": shown}
    elif kind == "ticket_follow_up":
        text = _("New request (follow-up): %(subject)s") % {"subject": shown}
    elif kind == "ticket_status":
        text = _("Your request is now %(status)s: %(subject)s") % {"status": Status(status).label,
                                                                   "subject": shown}
    else:
        text = f"Re: {shown}"
    return f"[{ticket.ref}] {text}"


def email_requester(*, ticket, kind, message=None, status=None, event_id=None, first=None):
    """Queue the email for a requester-facing event: confirmation, public reply, status change, follow-up.

    Internal notes never get here (the caller passes only public messages). The sender is always the desk's
    address; an agent's own address is never shown. `first`: the ticket's first message, when the caller has it
    (a new ticket's), so it is not read again.
    """
    requester = ticket.requester
    if not requester.is_active or not requester.email:
        return None
    if message is not None and message.is_internal:
        raise ValueError("internal notes are never emailed")
    if kind in ("ticket_received", "ticket_follow_up"):
        message_id = mailaddr.thread_root_id(ticket)
    elif message is not None:
        message_id = mailaddr.thread_message_id(ticket, f"m{message.pk}")
    else:
        message_id = mailaddr.thread_message_id(ticket, f"e{event_id}")
    if first is None:
        first = ticket.messages.order_by("created_at", "id").first()
    customer_thread = [first.email_message_id] if first is not None and first.email_message_id else []
    references = [*customer_thread, mailaddr.thread_root_id(ticket)] if message_id != mailaddr.thread_root_id(
        ticket) else customer_thread
    with translation.override(requester.language):
        context = {
            "kind": kind, "ticket": ticket, "message": message, "requester": requester,
            # The greeting, likewise: the name someone typed is not repeated to an unproven address.
            "greeting_name": requester.display_name if ticket.requester_proven else requester.email,
            "proven": ticket.requester_proven,
            # Not proven: the mailbox's owner can make the request theirs (a typed address: by confirming it; mail to
            # an account that never proved its address: by setting a password through the emailed reset link).
            "claim_url": claim_url(ticket) if ticket.identity == Identity.TYPED else "",
            "password_url": (f"{settings.SITE_URL}/{requester.language}/accounts/password-reset/"
                             if ticket.identity == Identity.ADDRESS and not ticket.requester_proven else ""),
            "status_label": Status(status).label if status else "",
            "rating_url": _rating_url(ticket) if kind == "ticket_status" and status == Status.SOLVED else "",
            "ticket_url": (f"{settings.SITE_URL}/{requester.language}/requests/{ticket.ref}/"
                           if ticket.requester_proven else ""),
            "site_name": settings.SITE_NAME,
            "author_name": message.author.display_name if message is not None and message.author else "",
        }
        if kind in ("ticket_received", "ticket_follow_up"):
            # A request about a known incident: the confirmation says so, with the incident's notice.
            incident = next((i for i in open_incidents() if i.tag in ticket.tags), None)
            if incident is not None:
                context["incident_title"] = incident.title(requester.language)
                context["incident_notice"] = incident.notice(requester.language)
        code = (conversation_code(message.author, agent_code_key(ticket.ref))
                if kind == "ticket_reply" and message is not None else None)
        if code:  # every agent reply carries the agent's code for this request, checkable by its customer
            context["agent_code"] = code
            context["verify_url"] = (f"{settings.SITE_URL}{reverse('verification:verify')}"
                                     f"?kind=agent_code&value={code}")
        subject = _subject(kind, ticket, status)
        body_text = render_to_string("email/tickets/event.txt", context)
        body_html = render_to_string("email/tickets/event.html", context)
        from_name = (_("%(agent)s via %(site)s") % {"agent": context["author_name"], "site": settings.SITE_NAME}
                     if kind == "ticket_reply" and context["author_name"] else settings.SITE_NAME)
    return outbound_email_queue(
        to_email=requester.email, user=requester, subject=subject, body_text=body_text, body_html=body_html,
        from_email=formataddr((str(from_name), _address_only(settings.DEFAULT_FROM_EMAIL))),
        reply_to=mailaddr.reply_address(ticket), message_id=message_id,
        in_reply_to=references[-1] if references else "", references=" ".join(references),
        auto_generated=kind != "ticket_reply", topic=f"ticket:{ticket.ref}",
    )


def claim_url(ticket):
    """The link, mailed only to the requester's address, by which its owner confirms a request a chat visitor filed
    under it (services.ticket_claim)."""
    return f"{settings.SITE_URL}/{ticket.requester.language}/requests/confirm/{claim_token(ticket)}/"


def _rating_url(ticket):
    """The open "how did we do?" link of a just-solved ticket (tickets.csat), for the solved email."""
    rating = ticket.ratings.filter(rated_at__isnull=True).order_by("-requested_at").first()
    return f"{settings.SITE_URL}{rating_url(rating)}" if rating else ""


def _address_only(value):
    return parseaddr(value)[1] or value
