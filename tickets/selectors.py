"""Reads on tickets, always scoped to the user who asks: customers see their own, agents see the desk's.

Someone else's ticket raises Ticket.DoesNotExist exactly like a missing one, so references cannot be probed.
"""
from django.db.models import Count, Prefetch, Q

from support.models import User
from support.numbers import id_from_text
from support.roles import PERM_AGENT, is_agent, is_desk_admin, is_supervisor

from .claims import ClaimLinkInvalid, claim_token_read
from .models import (
    REF_PREFIX,
    Attachment,
    Category,
    Identity,
    Macro,
    Message,
    SavedView,
    SlaTimer,
    Status,
    Ticket,
    TicketEvent,
)
from .sla_reading import next_due_subquery

OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


def parse_ref(ref):
    """'T-10234' (any case, or the bare number) -> 10234; None when it is not a reference."""
    value = str(ref or "").strip().upper()
    if value.startswith(REF_PREFIX):
        value = value[len(REF_PREFIX):]
    return id_from_text(value, max_digits=17)


def requester_tickets_q(user, prefix=""):
    """The tickets a customer account may see: its own, filed while signed in, and those named by its address once
    the account has proven that address (Identity). Mail to an address someone registered without proving it, and a
    chat visitor's typed address, stay with the desk until the owner of the mailbox shows up."""
    identities = [Identity.ACCOUNT, Identity.ADDRESS] if user.email_verified else [Identity.ACCOUNT]
    return Q(**{f"{prefix}requester": user, f"{prefix}identity__in": identities})


def ticket_list_for_user(*, user):
    qs = (Ticket.objects.select_related("requester__organisation", "assignee", "category", "team")
          .order_by("-updated_at", "-id"))
    if not is_agent(user):
        return qs.filter(requester_tickets_q(user))
    # Agents decide what to work on next by the soonest SLA due time; the API shows them every timer.
    return qs.annotate(next_due=next_due_subquery()).prefetch_related(sla_timers_prefetch())


def sla_timers_prefetch():
    """A ticket's SLA timers, oldest first, as the agent's output shows them (one query for a page of tickets)."""
    return Prefetch("sla_timers", queryset=SlaTimer.objects.order_by("started_at", "id"))


def ticket_export_list_for_user(*, user):
    """The tickets an agent may export: those the inbox lists (every ticket), unordered and without the inbox's
    SLA annotations; nothing for anyone else (customers read their own tickets, they do not export them)."""
    return Ticket.objects.all() if is_agent(user) else Ticket.objects.none()


def ticket_get_for_claim(*, token):
    """The ticket a claim link (claims.py) names, while it still has the address the link was mailed to; None for
    an altered or expired link."""
    try:
        ticket_id, email = claim_token_read(token)
    except ClaimLinkInvalid:
        return None
    return Ticket.objects.select_related("requester").filter(pk=ticket_id, requester__email__iexact=email).first()


def ticket_get_for_user(*, user, ref):
    number = parse_ref(ref)
    if number is None:
        raise Ticket.DoesNotExist
    return ticket_list_for_user(user=user).get(number=number)


def message_list_for_ticket(*, user, ticket):
    """The conversation a user may read: customers never receive internal notes."""
    qs = (Message.objects.filter(ticket=ticket).select_related("author", "ticket")
          .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("created_at"))))
    if not is_agent(user):
        qs = qs.filter(is_internal=False)
    return qs.order_by("created_at", "id")


def attachment_get_for_user(*, user, attachment_id):
    """An attachment the user may open: on their own ticket and not on an internal note, or any for agents; an
    image whose screenshot scan has not finished only for its uploader (attachment_shown_to)."""
    qs = Attachment.objects.select_related("ticket", "message")
    if not is_agent(user):
        qs = qs.filter(requester_tickets_q(user, "ticket__"), message__is_internal=False)
    attachment = qs.get(pk=attachment_id)
    if not attachment_shown_to(attachment=attachment, user=user):
        raise Attachment.DoesNotExist
    return attachment


def attachment_shown_to(*, attachment, user):
    """Until its scan for secrets has finished, a file (picture, text, PDF, ZIP) is shown to the person who sent it
    alone."""
    return not attachment.scan_pending or (user.is_authenticated and attachment.uploaded_by_id == user.pk)


def attachment_original_for_user(*, user, attachment_id):
    """The picture as sent, of an attachment where a secret was found and blurred: for desk admins alone, and only
    while SCREENSHOT_KEEP_ORIGINALS kept it. DoesNotExist for anyone else, exactly as for a missing one."""
    if not is_desk_admin(user):
        raise Attachment.DoesNotExist
    return Attachment.objects.exclude(original="").get(pk=attachment_id)


def event_list_for_ticket(*, ticket):
    return TicketEvent.objects.filter(ticket=ticket).select_related("actor").order_by("created_at", "id")


def other_open_tickets(*, ticket, limit=10):
    """The requester's other open tickets, shown to agents beside the ticket."""
    return (Ticket.objects.filter(requester_id=ticket.requester_id, status__in=OPEN_STATUSES)
            .exclude(pk=ticket.pk).order_by("-updated_at")[:limit])


def category_list():
    return Category.objects.filter(is_active=True).order_by("position", "slug")


def macro_list():
    return Macro.objects.filter(is_active=True).order_by("position", "id")


def agent_list():
    """Active agents (for assignment menus), by name."""
    return (User.objects.filter(is_active=True)
            .filter(Q(groups__permissions__codename=PERM_AGENT.split(".")[1]) | Q(is_superuser=True))
            .distinct().order_by("name", "email"))


# Inbox views: name -> filter, given the agent looking.
INBOX_VIEWS = {
    "unassigned": lambda user: Q(assignee__isnull=True, status__in=OPEN_STATUSES),
    "mine": lambda user: Q(assignee=user, status__in=OPEN_STATUSES),
    "open": lambda user: Q(status__in=(Status.NEW, Status.OPEN)),
    "pending": lambda user: Q(status=Status.PENDING),
    "solved": lambda user: Q(status=Status.SOLVED),
    "all": lambda user: Q(),
}


def ticket_view_counts(*, user, conditions):
    """{key: number of tickets} for many inbox views at once, in one query whatever their number: one
    COUNT(*) FILTER (WHERE ...) per view (`conditions`: key -> Q, tickets.filters.filters_q) over the tickets the
    user may see."""
    if not conditions:
        return {}
    tickets = Ticket.objects.all() if is_agent(user) else Ticket.objects.filter(requester_tickets_q(user))
    counts = tickets.aggregate(**{f"view_{i}": Count("pk", filter=condition) if condition else Count("pk")
                                  for i, condition in enumerate(conditions.values())})
    return {key: counts[f"view_{i}"] for i, key in enumerate(conditions)}


def saved_view_list_for_user(*, user):
    """The saved views an agent sees: their own personal ones and every shared one; nothing for anyone else."""
    if not is_agent(user):
        return SavedView.objects.none()
    return (SavedView.objects.filter(Q(owner=user, shared=False) | Q(shared=True)).select_related("owner")
            .order_by("shared", "position", "id"))


def saved_view_get_for_user(*, user, view_id):
    """A saved view the user sees; someone else's personal view raises SavedView.DoesNotExist, like a missing one."""
    return saved_view_list_for_user(user=user).get(pk=view_id)


def saved_view_editable(*, view, user):
    """A personal view is changed by its owner alone, a shared one by supervisors (and desk admins) alone."""
    return is_supervisor(user) if view.shared else view.owner_id == user.pk and is_agent(user)


def ticket_find_for_agent(*, q, limit=10):
    """The agents' global search on tickets: a reference (T-10001, or the bare number) finds that ticket, an email
    address the tickets of that requester, other text (three characters or more) subjects containing it (the
    trigram index on subjects serves it). Newest activity first, one query."""
    q = (q or "").strip()
    number = parse_ref(q)
    if number is not None:
        condition = Q(number=number)
    elif "@" in q:
        condition = Q(requester__email__iexact=q)
    elif len(q) >= 3:
        condition = Q(subject__icontains=q)
    else:
        return []
    return list(Ticket.objects.filter(condition).select_related("requester").order_by("-updated_at", "-id")[:limit])


def agent_code_key(ticket_ref):
    """The conversation key of a ticket's agent codes (verification.selectors.conversation_code)."""
    return f"ticket:{ticket_ref}"


def agents_in_customer_tickets(customer, *, limit=500):
    """(conversation key, the ticket's reference, agent) for every agent who answered one of the customer's own
    tickets in public: what /verify/ checks an agent code against (registered in apps.py). Two queries."""
    pairs = list(Message.objects.filter(requester_tickets_q(customer, "ticket__"), is_internal=False,
                                        author__isnull=False).exclude(author_id=customer.pk)
                 .values_list("ticket__number", "author_id").distinct().order_by("-ticket__number")[:limit])
    agents = User.objects.select_related("agent_profile").in_bulk({author for _number, author in pairs})
    for number, author in pairs:
        ref = f"{REF_PREFIX}{number}"
        yield agent_code_key(ref), ref, agents[author]
