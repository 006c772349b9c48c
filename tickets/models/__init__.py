"""Tickets: requests from the web, email, chat and API; their messages, attachments, audit trail and macros.

A package with one module per concern (lower ones never import higher ones):

    choices   statuses, priorities, channels, requester identity, attachment kinds, the reference prefix
    ticket    categories, tickets, messages, attachments, the audit trail, macros
    fields    custom ticket fields (typed, per category, labels in six languages) and their options
    inbound   every mail that reached us, as received
    sla       business calendars, SLA policies and timers
    ratings   satisfaction ratings of solved tickets
    saved_views  inbox views agents saved, personal or shared

Callers import `tickets.models`; the names below are its public face (migrations name the upload paths here too).
"""
from .choices import PRIORITY_RANK, REF_PREFIX, AttachmentKind, Channel, Identity, Priority, Status
from .fields import FieldType, TicketField, TicketFieldOption
from .inbound import InboundEmail, inbound_raw_path
from .ratings import TicketRating
from .saved_views import SavedView
from .sla import BusinessCalendar, BusinessHours, Holiday, SlaPolicy, SlaTimer
from .ticket import Attachment, Category, Macro, Message, Ticket, TicketEvent, attachment_path, thumbnail_path

__all__ = [
    "PRIORITY_RANK", "REF_PREFIX", "Attachment", "AttachmentKind", "BusinessCalendar", "BusinessHours", "Category",
    "Channel", "FieldType", "Holiday", "Identity", "InboundEmail", "Macro", "Message", "Priority", "SavedView",
    "SlaPolicy", "SlaTimer", "Status", "Ticket", "TicketEvent", "TicketField", "TicketFieldOption", "TicketRating",
    "attachment_path", "inbound_raw_path", "thumbnail_path",
]
