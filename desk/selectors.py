"""The workspace's reads: the agent's ticket worklist, one customer's overview and the search box, over tickets and
chats together."""
import uuid

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from livechat.models import Conversation, ConversationStatus
from livechat.selectors import conversation_get_for_user
from livechat.services.queue import vip_boost
from support.models import User
from support.profiles import OK, customer_profile_get, profile_display
from tickets.models import SlaTimer, Ticket, TicketRating
from tickets.selectors import OPEN_STATUSES, ticket_find_for_agent
from tickets.sla_reading import next_due_subquery
from tickets.sla_timers import RUNNING


def customer_overview(*, customer_id, limit=50):
    """Everything an agent needs about one customer, in a fixed number of queries: their tickets, their chats and
    their satisfaction answers (tickets and chats), newest first. DoesNotExist for an unknown id."""
    customer = User.objects.get(pk=customer_id)
    tickets = list(Ticket.objects.filter(requester=customer).select_related("assignee", "category")
                   .order_by("-created_at")[:limit])
    chats = list(Conversation.objects.filter(customer=customer).select_related("agent")
                 .order_by("-created_at")[:limit])
    ratings = [{"when": r.rated_at, "score": r.score, "comment": r.comment, "ref": r.ticket.ref, "kind": "ticket",
                "agent": r.agent}
               for r in TicketRating.objects.filter(ticket__requester=customer, rated_at__isnull=False)
               .select_related("ticket", "agent").order_by("-rated_at")[:limit]]
    ratings += [{"when": c.rated_at, "score": c.csat_score, "comment": c.csat_comment, "ref": str(c.id)[:8],
                 "kind": "chat", "agent": c.agent} for c in chats if c.csat_score]
    ratings.sort(key=lambda r: r["when"], reverse=True)
    return {"customer": customer, "tickets": tickets, "chats": chats, "ratings": ratings}


def workspace_search(*, user, q, limit=10):
    """The workspace's search box, for agents: a ticket reference, a customer's email (the customer, their tickets
    and their chats, visitors' chats included) or a chat id (UUID), else ticket subjects. Each result has a `url`
    to open, or an empty one where no page shows it (a visitor's chat that is not the agent's own); `jump` is the
    only result's url when there is exactly one. At most three queries."""
    q = (q or "").strip()
    results = []
    try:
        chat_id = uuid.UUID(q)
    except ValueError:
        chat_id = None
    if chat_id is not None:
        chats = list(Conversation.objects.filter(pk=chat_id).select_related("customer", "agent", "ticket"))
    else:
        if "@" in q:
            for customer in User.objects.filter(email__iexact=q)[:1]:
                results.append({"kind": "customer", "title": customer.display_name, "subtitle": customer.email,
                                "status": "", "language": customer.language,
                                "url": reverse("agent:customer", args=[customer.pk])})
        results += [{"kind": "ticket", "title": f"{t.ref} {t.subject}", "subtitle": t.requester.email,
                     "status": t.get_status_display(), "language": t.language,
                     "url": reverse("tickets:agent_detail", args=[t.ref])}
                    for t in ticket_find_for_agent(q=q, limit=limit)]
        chats = (list(Conversation.objects.filter(Q(customer__email__iexact=q) | Q(visitor_email__iexact=q))
                      .select_related("customer", "agent", "ticket").order_by("-created_at")[:limit])
                 if "@" in q else [])
    for chat in chats:
        if chat.status == ConversationStatus.ACTIVE and chat.agent_id == user.pk:
            url = reverse("livechat:console") + f"#chat={chat.id}"  # the console opens it
        elif chat.ticket_id:
            url = reverse("tickets:agent_detail", args=[chat.ticket.ref])
        elif chat.customer_id:
            url = reverse("agent:customer", args=[chat.customer_id]) + f"#chat-{chat.id}"
        else:
            url = ""
        results.append({"kind": "chat", "title": chat.customer_name or chat.visitor_email,
                        "subtitle": chat.topic or (chat.customer.email if chat.customer_id else chat.visitor_email),
                        "status": chat.get_status_display(), "language": chat.language, "url": url})
    return {"query": q, "results": results, "jump": results[0]["url"] if len(results) == 1 else ""}


def agent_worklist(*, agent, now=None, limit=10):
    """What needs this agent now, for the workspace: their open tickets (soonest SLA due time first), those of them
    with a running SLA timer past its warning time (breaching soon, or breached), and those where the customer wrote
    last. Counts plus the first `limit` of each list, in four queries however many tickets there are."""
    now = now or timezone.now()
    mine = Ticket.objects.filter(assignee=agent, status__in=OPEN_STATUSES)
    warned = Exists(SlaTimer.objects.filter(RUNNING, ticket=OuterRef("pk"), warn_at__lte=now))
    counts = mine.aggregate(assigned=Count("id"), breaching=Count("id", filter=warned),
                            replied=Count("id", filter=Q(awaiting_agent=True)))
    ordered = (mine.select_related("requester").annotate(next_due=next_due_subquery())
               .order_by(F("next_due").asc(nulls_last=True), "-updated_at", "-id"))
    return {"counts": counts, "assigned": list(ordered[:limit]), "breaching": list(ordered.filter(warned)[:limit]),
            "replied": list(ordered.filter(awaiting_agent=True)[:limit])}


def customer_profile_for_agent(*, customer_id):
    """(customer, their exchange profile as the agents' panel shows it) for any agent; User.DoesNotExist for an
    unknown id. Answers within the profile provider's deadline (support.profiles), from its cache when it can."""
    customer = User.objects.get(pk=customer_id)
    return customer, _profile_output(customer_profile_get(customer=customer))


def chat_profile_for_agent(*, user, conversation_id):
    """(chat, its customer's exchange profile for the panel): for an agent, who may see any chat (livechat's viewer
    rule); Conversation.DoesNotExist otherwise. A visitor's chat is not_linked."""
    conversation = conversation_get_for_user(user=user, conversation_id=conversation_id)
    return conversation, _profile_output(customer_profile_get(customer=conversation.customer))


def _profile_output(result):
    """{state} alone unless there is a profile; with one, its labels in the active language and the VIP rule's
    boost in the chat queue."""
    if result.state != OK:
        return {"state": result.state}
    shown = profile_display(result.profile)
    shown["vip"]["queue_boost_minutes"] = int(vip_boost(result.profile.vip_tier).total_seconds() // 60)
    return {"state": OK, "matched_by": result.matched_by, "profile": shown}
