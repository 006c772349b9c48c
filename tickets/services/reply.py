"""Replying on a ticket: a public reply or an internal note, what it changes (status, macro, SLA timers, who is
told), and the follow-up a customer's reply to a closed ticket opens."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.domain_events import publish
from support.markdown import render_markdown
from support.roles import is_agent

from .. import events
from ..emails import email_requester
from ..models import Channel, Message, Status, Ticket
from ..sla_timers import sla_agent_replied, sla_customer_replied
from .attachments import attachment_files_cleanup, attachments_count_check, attachments_store
from .changes import ticket_changes_apply_locked
from .collision import replies_since_check_locked
from .common import MAX_BODY, NotAllowed, TicketClosed, text_clean, text_masked, ticket_notify
from .create import ticket_create


def ticket_reply(*, ticket, author, body, internal=False, attachments=(), channel=Channel.WEB, status=None,
                 macro=None, email_message_id="", seen=None):
    """Add a reply or internal note. Returns the message (on a follow-up ticket if the ticket was closed).

    Customer replies reopen pending and solved tickets; a reply to a closed ticket opens a follow-up. Agent
    replies may set a status and apply a macro's status and tags; an agent's public reply on an unassigned ticket
    assigns it to them (an internal note does not). Internal notes are for agents only.

    `seen`: the id of the last public message the author had on screen (0: none). A public reply is then not sent
    if someone else wrote in public after it (collision.RepliedMeanwhile names them). Staff on the ticket's page
    hear of every stored message (events.message_added, after commit).
    """
    body, secrets = text_masked(text_clean(body, field="body", limit=MAX_BODY))
    agent = is_agent(author)
    if internal and not agent:
        raise NotAllowed(_("Only agents can write internal notes."), field="internal")
    if not agent and author.pk != ticket.requester_id:
        raise NotAllowed(_("You cannot reply to this request."))
    if (status is not None or macro is not None) and not agent:
        raise NotAllowed(_("Only agents can change the status."), field="status")
    files = list(attachments)
    attachments_count_check(files)

    stored = []
    try:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            if locked.status == Status.CLOSED:
                if agent:
                    raise TicketClosed(_("This request is closed and can no longer be changed."))
                follow_up = ticket_create(requester=author, subject=locked.subject, body=body, channel=channel,
                                          language=locked.language, category=locked.category,
                                          priority=locked.priority, attachments=files, follow_up_of=locked,
                                          email_message_id=email_message_id, identity=locked.identity)
                return follow_up.messages.get()
            if seen is not None and not internal:
                replies_since_check_locked(locked, author=author, seen=seen)
            now = timezone.now()
            message = Message.objects.create(ticket=locked, author=author, is_internal=internal, body=body,
                                             body_html=render_markdown(body), channel=channel, created_at=now,
                                             email_message_id=email_message_id, secrets=secrets)
            stored = attachments_store(ticket=locked, message=message, uploader=author, files=files)
            transaction.on_commit(lambda: events.message_added(message), robust=True)  # a doorbell may fail alone
            if not internal:  # notes are the agents' own: no rule or webhook hears of them
                publish("ticket.agent_replied" if agent else "ticket.customer_replied", ticket_id=locked.pk,
                        actor="agent" if agent else "customer", actor_id=author.pk,
                        changes={"message": [None, message.pk]})
            changes = {}
            if not agent:
                locked.awaiting_agent = True
                if locked.status in (Status.PENDING, Status.SOLVED):
                    changes["status"] = Status.OPEN
                ticket_notify(locked.assignee, "ticket_customer_reply", locked, for_agent=True)
            elif not internal:
                locked.awaiting_agent = False
                if locked.first_response_at is None:
                    locked.first_response_at = now
                ticket_notify(locked.requester, "ticket_reply", locked, author=author.display_name)
                email_requester(ticket=locked, kind="ticket_reply", message=message)
                sla_agent_replied(locked, now)
                if locked.status == Status.NEW:
                    changes["status"] = Status.OPEN
                if locked.assignee_id is None:
                    changes["assignee"] = author  # who answers an unassigned request takes it (recorded as a change)
            if macro is not None:
                if macro.set_status:
                    changes["status"] = macro.set_status
                if macro.add_tags:
                    changes["tags"] = list(dict.fromkeys([*locked.tags, *macro.add_tags]))
            if status is not None:
                changes["status"] = status
            locked.updated_at = now
            locked.save(update_fields=["awaiting_agent", "updated_at", "first_response_at"])
            if changes:
                # A public agent reply already emailed the customer; its status change needs no second email.
                ticket_changes_apply_locked(locked, author, changes, now=now, email_status=internal or not agent)
            if not agent:
                sla_customer_replied(locked, now)
    except Exception:
        attachment_files_cleanup(stored)()
        raise
    ticket.refresh_from_db()
    return message
