"""Opening a ticket: the one path every channel takes (web form, API, email, chat), with its first message,
attachments, the incident it matches, its SLA timers and the requester's confirmation."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import LinkChannel
from incidents.selectors import incident_matching
from incidents.services import incident_link
from support.domain_events import publish
from support.languages import normalize_language
from support.markdown import render_markdown
from support.roles import is_agent
from support.services import DomainError

from ..emails import email_requester
from ..models import REF_PREFIX, Category, Channel, Identity, Message, Priority, Ticket, TicketEvent
from ..sla_timers import sla_ticket_created
from .attachments import attachment_files_cleanup, attachments_count_check, attachments_store
from .common import (
    MAX_BODY,
    MAX_SUBJECT,
    audit_event,
    normalize_tags,
    text_clean,
    text_masked,
    ticket_notify,
    ticket_number_next,
)
from .fields import ticket_fields_clean


def ticket_create(*, requester, subject, body, channel=Channel.WEB, language=None, category=None,
                  priority=Priority.NORMAL, attachments=(), tags=(), follow_up_of=None, email_message_id="",
                  identity=Identity.ACCOUNT, custom_fields=None):
    """Open a ticket with its first message, whatever the channel (web form, API, email, chat). `identity` says how
    the requester is known (models.Identity): ACCOUNT only when the account holder is signed in. `custom_fields`
    ({key: value}) from a form or the API is checked by services.fields (fields required of customers included);
    None where the channel has no form (email, chat), which requires nothing."""
    if identity not in Identity.values:
        raise ValueError(f"unknown identity {identity!r}")
    subject, subject_secrets = text_masked(text_clean(subject, field="subject", limit=MAX_SUBJECT, one_line=True))
    body, secrets = text_masked(text_clean(body, field="body", limit=MAX_BODY))
    secrets = list(dict.fromkeys([*subject_secrets, *secrets]))
    lang = normalize_language(language) or requester.language
    if category is not None and not isinstance(category, Category):
        raise DomainError(_("Unknown category."), code="invalid_category", field="category")
    if priority not in Priority.values:
        raise DomainError(_("Unknown priority."), code="invalid_priority", field="priority")
    fields = {} if custom_fields is None else ticket_fields_clean(values=custom_fields, category=category,
                                                                 for_agent=is_agent(requester))
    files = list(attachments)
    attachments_count_check(files)
    stored = []
    try:
        with transaction.atomic():
            now = timezone.now()
            number = ticket_number_next()
            tags = normalize_tags(tags)
            incident = incident_matching(subject, body)  # a known problem: tagged and linked, told when solved
            proven = Ticket(requester=requester, identity=identity).requester_proven
            if incident is not None and incident_link(
                    incident_id=incident.id, channel=LinkChannel.TICKET, object_id=f"{REF_PREFIX}{number}",
                    customer=requester if proven else None, email=requester.email, language=requester.language, label=subject):
                tags = list(dict.fromkeys([*tags, incident.tag]))
            ticket = Ticket.objects.create(
                number=number, requester=requester, subject=subject, language=lang, category=category,
                priority=priority, channel=channel, tags=tags, follow_up_of=follow_up_of, identity=identity,
                created_at=now, updated_at=now, awaiting_agent=True, custom_fields=fields,
            )
            message = Message.objects.create(ticket=ticket, author=requester, body=body,
                                             body_html=render_markdown(body), channel=channel, created_at=now,
                                             email_message_id=email_message_id, secrets=secrets)
            stored = attachments_store(ticket=ticket, message=message, uploader=requester, files=files)
            events = [audit_event(ticket, requester, TicketEvent.Field.CREATED, new=channel)]
            if follow_up_of is not None:
                events.append(audit_event(ticket, requester, TicketEvent.Field.FOLLOW_UP, new=follow_up_of.ref))
            TicketEvent.objects.bulk_create(events)
            sla_ticket_created(ticket, now)
            kind = "ticket_follow_up" if follow_up_of else "ticket_received"
            ticket_notify(requester, kind, ticket)
            email_requester(ticket=ticket, kind=kind, first=message)
            publish("ticket.created", ticket_id=ticket.pk, actor="customer", actor_id=requester.pk,
                    changes={"channel": [None, channel]})
    except Exception:
        attachment_files_cleanup(stored)()
        raise
    return ticket
