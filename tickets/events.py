"""The ticket's channel-layer group and the frames pushed to the staff who have the ticket open
(tickets.consumers.TicketPresenceConsumer, /ws/agent/tickets/<ref>/). A doorbell after commit: the page is the
source of truth, and the stale-reply check on sending (services.collision) holds even if a frame is lost."""
from support.events import group_send_frame

EXCERPT_CHARS = 300


def ticket_group(ticket):
    return f"ticket.{ticket.number}"


def message_frame(message):
    """A message stored on a ticket, for staff: who wrote it (`user`: the author's id), public or a note, and the
    start of its text (already masked for secrets) so the warning can quote it."""
    ticket = message.ticket
    role = "system" if message.author_id is None else (
        "customer" if message.author_id == ticket.requester_id else "agent")
    body = message.body
    return {"type": "message", "ticket": ticket.ref, "id": message.pk, "user": message.author_id,
            "name": message.author.display_name if message.author_id else "", "role": role,
            "internal": message.is_internal, "created_at": message.created_at.isoformat(),
            "excerpt": body if len(body) <= EXCERPT_CHARS else body[:EXCERPT_CHARS].rstrip() + "…"}


def message_added(message):
    group_send_frame(ticket_group(message.ticket), message_frame(message))
