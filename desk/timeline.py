"""One customer's timeline: everything the desk has about them (requests, emails both ways, chats, ratings, the
incidents they were caught in), newest first, in pages, for the customer page, the chat console and the ticket
page. Identity is the account: a chat visitor's typed email address proves nothing, so such chats are not theirs."""
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from incidents.models import IncidentLink
from incidents.selectors import texts_by_language
from livechat.models import Conversation, ConversationStatus
from support.models import OutboundEmail, User
from tickets.models import Channel, Message, Ticket, TicketRating

TIMELINE_PAGE = 30


def _kind_labels():
    return {"ticket": _("Request opened"), "email_in": _("Email from the customer"),
            "email_out": _("Email to the customer"), "chat": _("Chat"), "csat": _("Rating"),
            "incident": _("Affected by an incident")}


def _page(queryset, field, before, limit):
    if before is not None:
        queryset = queryset.filter(**{f"{field}__lt": before})
    return queryset.order_by(f"-{field}")[:limit]


def customer_timeline(*, customer_id, before=None, limit=TIMELINE_PAGE):
    """The customer's events older than `before` (all when None), newest first, at most `limit`, and `next_before`
    for the next page (None at the end). Each event: kind, its label in the active language, when, a title (the
    customer's or the desk's own words: shown as text), a detail, and the agent page it opens. Seven queries
    whatever the history. DoesNotExist for an unknown customer."""
    customer = User.objects.get(pk=customer_id)
    labels = _kind_labels()
    events = []

    def add(kind, at, title, detail="", url="", ref=""):
        events.append({"kind": kind, "label": labels[kind], "at": at, "title": title, "detail": detail,
                       "url": url, "ref": ref})

    tickets = Ticket.objects.filter(requester=customer)
    for ticket in _page(tickets, "created_at", before, limit):
        add("ticket", ticket.created_at, ticket.subject, ticket.get_status_display(),
            reverse("tickets:agent_detail", args=[ticket.ref]), ticket.ref)
    emails_in = (Message.objects.filter(ticket__requester=customer, author=customer, channel=Channel.EMAIL,
                                        is_internal=False).select_related("ticket"))
    for message in _page(emails_in, "created_at", before, limit):
        add("email_in", message.created_at, message.ticket.subject, message.body[:160],
            reverse("tickets:agent_detail", args=[message.ticket.ref]), message.ticket.ref)
    for email in _page(OutboundEmail.objects.filter(user=customer), "created_at", before, limit):
        ref = email.topic.split(":", 1)[1] if email.topic.startswith("ticket:") else ""
        add("email_out", email.created_at, email.subject, email.get_status_display(),
            reverse("tickets:agent_detail", args=[ref]) if ref else "", ref)
    chats = Conversation.objects.filter(customer=customer).select_related("agent")
    for chat in _page(chats, "created_at", before, limit):
        detail = [chat.get_status_display()]
        if chat.agent_id:
            detail.append(chat.agent.display_name)
        if chat.disposition:
            detail.append(chat.get_disposition_display())
        add("chat", chat.created_at, chat.topic or _("Chat"), " · ".join(detail),
            reverse("livechat:agent_chat", args=[chat.pk]))
    rated_chats = chats.filter(status=ConversationStatus.CLOSED, rated_at__isnull=False)
    for chat in _page(rated_chats, "rated_at", before, limit):
        add("csat", chat.rated_at, f"{chat.csat_score}/5", chat.csat_comment[:160],
            reverse("livechat:agent_chat", args=[chat.pk]))
    ratings = TicketRating.objects.filter(ticket__requester=customer, rated_at__isnull=False).select_related("ticket")
    for rating in _page(ratings, "rated_at", before, limit):
        add("csat", rating.rated_at, f"{rating.score}/5", rating.comment[:160],
            reverse("tickets:agent_detail", args=[rating.ticket.ref]), rating.ticket.ref)
    links = IncidentLink.objects.filter(customer=customer).select_related("incident")
    language = translation.get_language() or "en"
    for link in _page(links, "linked_at", before, limit):
        titles = texts_by_language(link.incident, "title")
        add("incident", link.linked_at, titles.get(language) or titles.get("en", ""), link.label,
            reverse("incidents:detail", args=[link.incident_id]))

    events.sort(key=lambda event: event["at"], reverse=True)
    page = events[:limit]
    return {"customer": customer, "events": page,
            "next_before": page[-1]["at"] if len(events) > limit else None}
