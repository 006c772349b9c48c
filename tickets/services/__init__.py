"""Every write on tickets: create, reply, change, merge, auto-close. One path per action, whoever calls it.

Rows two processes can touch at once (a ticket being replied to, changed and merged) are locked with
SELECT ... FOR UPDATE inside the service's transaction; notifications are created in the same transaction, so
they exist exactly when the change does.

A package in layers, each module with one job (lower ones never import higher ones):

    common       domain errors, text and tag rules, secret masking, ticket numbers, notifying, audit events
    attachments  storing files, removing them on rollback, the scan for secrets and its sweep
    claim        the owner of an address claims a request filed under it
    changes      applying changes to a locked ticket; update, bulk update, SLA escalation
    create       opening a ticket, whatever the channel
    collision    a reply is held when someone else wrote after what its author had seen
    fields       custom field values: checked for every channel, changed with an audit event per field
    reply        replies and internal notes (a reply to a closed ticket opens a follow-up)
    merge        merging a duplicate into another ticket
    batches      solving an incident's tickets (closing solved ones is a default automation: automation.sweep)
    saved_views  inbox views agents save, personal or shared

Callers import `tickets.services`; the names below are its public face."""
from support.services import DomainError

from .attachments import attachment_scan, attachment_scans_sweep
from .batches import incident_tickets_solve
from .changes import (
    AGENT_FIELDS,
    CUSTOMER_STATUSES,
    sla_escalate,
    ticket_bulk_update,
    ticket_changes_apply_locked,
    ticket_update,
)
from .claim import ClaimRefused, ticket_claim
from .collision import RepliedMeanwhile
from .common import MAX_BODY, MAX_SUBJECT, TAG_RE, NotAllowed, TicketClosed, normalize_tags
from .create import ticket_create
from .fields import FieldErrors, ticket_fields_clean
from .merge import ticket_merge, ticket_merge_check
from .reply import ticket_reply
from .saved_views import ViewNameTaken, saved_view_create, saved_view_delete, saved_view_update

__all__ = [
    "AGENT_FIELDS", "CUSTOMER_STATUSES", "MAX_BODY", "MAX_SUBJECT", "TAG_RE", "ClaimRefused", "DomainError",
    "NotAllowed", "RepliedMeanwhile", "TicketClosed", "attachment_scan", "attachment_scans_sweep", "incident_tickets_solve",
    "normalize_tags", "sla_escalate", "ticket_bulk_update", "ticket_claim", "ticket_create", "ticket_merge", "ticket_merge_check",
    "ticket_reply", "ticket_update", "ticket_changes_apply_locked", "ViewNameTaken", "saved_view_create", "saved_view_delete",
    "saved_view_update", "FieldErrors", "ticket_fields_clean",
]
