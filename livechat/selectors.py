"""Live chat reads: who may see a chat, history after a sequence number, queue position and an honest estimate."""
import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, FloatField, Min, Q, Sum, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, RowNumber
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from chatbot.selectors import human_only_topic_label
from incidents.models import LinkChannel
from incidents.selectors import incident_for_object, texts_by_language
from support.models import AgentProfile, Presence
from support.roles import is_agent, is_desk_admin
from support.translate import mt_enabled
from tickets.macros import macro_fill
from tickets.models import Macro, Ticket

from .models import IN_CONSOLE, QUEUE_ORDER, ChatAttachment, Conversation, ConversationStatus, SenderKind
from .tokens import transcript_token_conversation, visitor_token_conversation


def agent_display_name(agent):
    """What a customer sees of an agent: their display name (or the part of their email before @), nothing more."""
    return agent.name or agent.email.split("@")[0]


CUSTOMER, AGENT = "customer", "agent"


def chat_viewer_role(*, conversation, user=None, token=""):
    """How someone may see a chat: CUSTOMER (the chat's visitor token, or its signed-in customer), AGENT (any agent
    of the desk), or None. The one rule behind the customer's socket, the chat API and chat files (issue #23)."""
    if token and visitor_token_conversation(token) == str(conversation.id):
        return CUSTOMER
    if user is None or not user.is_authenticated:
        return None
    if conversation.customer_id == user.pk:
        return CUSTOMER
    return AGENT if is_agent(user) else None


def conversation_get_for_viewer(*, conversation_id, user=None, token=""):
    """(chat, role) for someone who may see it (chat_viewer_role); Conversation.DoesNotExist for anyone else and for
    a malformed id, exactly as for a missing chat."""
    try:
        conversation = Conversation.objects.select_related("agent", "customer").get(pk=conversation_id)
    except (ValueError, DjangoValidationError) as exc:
        raise Conversation.DoesNotExist from exc
    role = chat_viewer_role(conversation=conversation, user=user, token=token)
    if role is None:
        raise Conversation.DoesNotExist
    return conversation, role


def conversation_get_for_user(*, user, conversation_id):
    """A chat its signed-in customer or any agent may open; anyone else gets DoesNotExist, as for a missing one."""
    return conversation_get_for_viewer(conversation_id=conversation_id, user=user)[0]


def messages_after(*, conversation, after_seq=0, limit=200):
    """Up to `limit` messages after a sequence number, with their attachments (two queries)."""
    return list(conversation.messages.filter(seq__gt=after_seq).order_by("seq").prefetch_related("attachments")[:limit])


def attachment_get_for_viewer(*, attachment_id, user, token=None):
    """A chat file for the chat's customer (session or visitor token) or an agent; DoesNotExist otherwise. A file
    whose scan for secrets has not finished only for the side that sent it (the customer, or the agent who did)."""
    attachment = ChatAttachment.objects.select_related("message__conversation").get(pk=attachment_id)
    message = attachment.message
    role = chat_viewer_role(conversation=message.conversation, user=user, token=token)
    if role == CUSTOMER:
        sender = message.sender_kind == SenderKind.CUSTOMER
    elif role == AGENT:
        sender = message.sender_kind == SenderKind.AGENT and message.sender_id == user.pk
    else:
        raise ChatAttachment.DoesNotExist
    if attachment.scan_pending and not sender:
        raise ChatAttachment.DoesNotExist
    return attachment


def attachment_original_for_user(*, user, attachment_id):
    """The picture as sent, of a chat file where a secret was found and blurred: for desk admins alone, and only
    while SCREENSHOT_KEEP_ORIGINALS kept it. DoesNotExist for anyone else, exactly as for a missing one."""
    if not is_desk_admin(user):
        raise ChatAttachment.DoesNotExist
    return ChatAttachment.objects.exclude(original="").get(pk=attachment_id)


def queue_position(*, conversation):
    """1 for the first waiting chat of the language, in the order the queue serves (QUEUE_ORDER: a VIP's bounded
    head start included); None once the chat is not waiting."""
    if conversation.status != ConversationStatus.QUEUED:
        return None
    mine = conversation.queue_key or conversation.queued_at
    ahead = (Conversation.objects.filter(status=ConversationStatus.QUEUED, language=conversation.language)
             .alias(order=QUEUE_ORDER).filter(Q(order__lt=mine) | Q(order=mine, id__lt=conversation.id)).count())
    return ahead + 1


def average_handle_seconds(*, language, now=None):
    """Mean duration (assigned -> closed) of the language's chats closed in the last day, or None without any."""
    now = now or timezone.now()
    window = now - timedelta(hours=settings.LIVECHAT_ESTIMATE_WINDOW_HOURS)
    duration = ExpressionWrapper(F("closed_at") - F("assigned_at"), output_field=DurationField())
    mean = (Conversation.objects.filter(language=language, closed_at__gte=window, assigned_at__isnull=False)
            .aggregate(mean=Avg(duration))["mean"])
    return mean.total_seconds() if mean is not None else None


def queue_estimate(*, language, position):
    """{eta_seconds, low, high, guess, agents}: position x measured handle time / seats of the online agents who
    serve the language. `guess` says there is no recent history; eta is None when nobody serving it is online."""
    seats = (AgentProfile.objects.filter(presence=Presence.ONLINE, languages__contains=[language])
             .aggregate(seats=Sum("capacity"))["seats"]) or 0
    measured = average_handle_seconds(language=language)
    if not seats or position is None:
        return {"eta_seconds": None, "low": None, "high": None, "guess": measured is None, "seats": 0}
    handle = measured if measured is not None else settings.LIVECHAT_DEFAULT_HANDLE_SECONDS
    eta = math.ceil(position * handle / seats)
    # A range, not a promise: chats end at random, so show from three quarters to one and a half of the mean.
    return {"eta_seconds": eta, "low": math.floor(eta * 0.75), "high": math.ceil(eta * 1.5),
            "guess": measured is None, "seats": seats}


def queue_overview(*, languages, shown=10):
    """Per language: how many chats wait, the longest wait, and the first `shown` waiting chats (for picking by
    hand). Two queries whatever the number of languages."""
    waiting = Conversation.objects.filter(status=ConversationStatus.QUEUED, language__in=list(languages))
    rows = waiting.order_by().values("language").annotate(count=Count("id"), oldest=Min("queued_at"))
    found = {row["language"]: row for row in rows}
    heads = (waiting.select_related("customer")
             .annotate(place=Window(RowNumber(), partition_by=F("language"), order_by=[QUEUE_ORDER, F("id")]))
             .filter(place__lte=shown).order_by("language", "place"))
    now = timezone.now()
    lists = {}
    for chat in heads:
        lists.setdefault(chat.language, []).append({
            "conversation": str(chat.id), "topic": chat.topic, "customer": chat.customer_name,
            "waited_seconds": int((now - chat.queued_at).total_seconds())})
    return [{"language": lang, "waiting": found[lang]["count"] if lang in found else 0,
             "longest_wait_seconds": int((now - found[lang]["oldest"]).total_seconds()) if lang in found else 0,
             "chats": lists.get(lang, [])}
            for lang in languages]


def agent_chats(*, agent):
    """The chats in the agent's console with their customer (one query): active ones, and ended ones waiting for
    the agent's wrap-up."""
    return list(Conversation.objects.filter(IN_CONSOLE, agent=agent).select_related("customer")
                .order_by("assigned_at"))


def agent_history(*, agent, limit=10):
    """The agent's latest wrapped-up chats, newest first (one query, on the history index)."""
    return list(Conversation.objects.filter(agent=agent, wrapped_up_at__isnull=False).select_related("customer")
                .order_by("-wrapped_up_at")[:limit])


def conversation_transcript(*, conversation):
    """The whole chat as agents read it (the chat's page): each message with who wrote it and its files, system
    messages as codes for the page to label. Two queries however long the chat."""
    messages = (conversation.messages.select_related("sender").prefetch_related("attachments").order_by("seq"))
    lines = []
    for message in messages:
        if message.sender_kind == SenderKind.AGENT:
            who = message.sender.display_name if message.sender else ""
        elif message.sender_kind == SenderKind.CUSTOMER:
            who = conversation.customer_name
        else:
            who = ""
        lines.append({"seq": message.seq, "at": message.created_at, "kind": message.sender_kind, "who": who,
                      "body": message.body, "secrets": (message.meta or {}).get("secrets") or [],
                      "translation": (message.meta or {}).get("translation"),
                      "attachments": list(message.attachments.all())})
    return lines


def conversation_get_for_agent(*, agent, conversation_id):
    """A chat in this agent's console (active, or ended and waiting for their wrap-up); DoesNotExist otherwise
    (frames for other chats are refused)."""
    return Conversation.objects.get(IN_CONSOLE, pk=conversation_id, agent=agent)


def conversation_context(*, conversation, agent=None, agent_code=""):
    """What an agent needs beside the messages: the customer, their five latest requests, and canned replies in
    the chat's language (English where a macro has no translation) with their placeholders filled for this chat
    and `agent` (tickets.macros), and the incident it is linked to. Four queries."""
    customer = conversation.customer
    tickets = (list(Ticket.objects.filter(requester=customer).order_by("-updated_at")[:5]) if customer else [])
    values = {"customer_name": conversation.customer_name, "agent_code": agent_code,
              "agent_name": agent_display_name(agent) if agent is not None else "",
              "ticket_ref": conversation.ticket.ref if conversation.ticket_id else ""}
    with translation.override(conversation.language):
        canned = [{"name": m.name, "body": macro_fill(m.body, values)}
                  for m in Macro.objects.filter(is_active=True).order_by("position", "id")]
    return {"conversation": conversation.id, "language": conversation.language, "topic": conversation.topic,
            "status": conversation.status, "customer_name": conversation.customer_name,
            "customer_email": customer.email if customer else conversation.visitor_email,
            "registered": customer is not None, "overflowed": conversation.overflowed,
            "assisted": conversation.assisted, "translated": conversation.assisted and mt_enabled(),
            "customer_id": customer.pk if customer else None,
            "customer_url": reverse("agent:customer", args=[customer.pk]) if customer else "",
            "exchange_uid": (customer.exchange_uid or "") if customer else "",
            "email_proven": bool(customer and customer.email_verified),
            "handover": _card_for_reader(conversation.handover),
            "incident": _incident(conversation),
            "recent_tickets": [{"ref": t.ref, "subject": t.subject, "status": t.status,
                                "status_label": t.get_status_display(), "updated_at": t.updated_at}
                               for t in tickets],
            "canned_replies": canned}


def _card_for_reader(card):
    """The bot's handover card as the reader's language shows it: the human-only topic by its name in that
    language (the card keeps the English name)."""
    if not card or not card.get("topic"):
        return card
    return {**card, "topic": human_only_topic_label(card["topic"])}


def _incident(conversation):
    """The incident the chat is linked to (for the agent's chat header), or None."""
    incident = incident_for_object(channel=LinkChannel.CHAT, object_ids=[conversation.pk]).get(str(conversation.pk))
    if incident is None:
        return None
    titles = texts_by_language(incident, "title")
    language = translation.get_language() or "en"
    return {"id": incident.pk, "title": titles.get(language) or titles.get("en", ""), "status": incident.status,
            "url": reverse("incidents:detail", args=[incident.pk])}


def bot_metrics(*, start, end):
    """Per language, for chats started with the bot in [start, end): how many, how many the bot resolved without a
    person (closed and never handed over: the deflection rate), handovers by reason, and the bot's average last
    confidence. Two grouped queries."""
    chats = Conversation.objects.filter(with_bot=True, created_at__gte=start, created_at__lt=end)
    handed_over = Q(handover__has_key="reason")
    rows = (chats.order_by().values("language").annotate(
        chats=Count("id"),
        resolved=Count("id", filter=Q(status=ConversationStatus.CLOSED) & ~handed_over),
        confidence=Avg(Cast(KeyTextTransform("confidence", "handover"), FloatField()))))
    reasons = (chats.filter(handed_over).order_by().values("language")
               .annotate(reason=KeyTextTransform("reason", "handover")).values("language", "reason")
               .annotate(n=Count("id")))
    by_reason = {}
    for row in reasons:
        by_reason.setdefault(row["language"], {})[row["reason"]] = row["n"]
    return [{"language": row["language"], "chats": row["chats"], "resolved_by_bot": row["resolved"],
             "deflection_rate": round(row["resolved"] / row["chats"], 3) if row["chats"] else 0.0,
             "handovers": by_reason.get(row["language"], {}),
             "average_confidence": round(row["confidence"], 3) if row["confidence"] is not None else None}
            for row in sorted(rows, key=lambda r: r["language"])]


def conversation_get_for_transcript_link(*, token):
    """The closed chat a transcript link (tokens.transcript_token) names, while the chat still has the address the
    link was mailed to; None for a forged or expired link."""
    found = transcript_token_conversation(token)
    if found is None:
        return None
    conversation_id, email = found
    chat = Conversation.objects.select_related("customer").filter(pk=conversation_id,
                                                                  status=ConversationStatus.CLOSED).first()
    if chat is None or (chat.customer.email if chat.customer_id else chat.visitor_email).lower() != email:
        return None
    return chat


def agent_code_key(conversation_id):
    """The conversation key of a chat's agent code (verification.selectors.conversation_code)."""
    return f"chat:{conversation_id}"


def agents_in_customer_chats(customer, *, limit=200):
    """(conversation key, a label, agent) for the agent of each of the signed-in customer's chats: what /verify/
    checks an agent code against (registered in apps.py). One query."""
    chats = (Conversation.objects.filter(customer=customer, agent__isnull=False)
             .select_related("agent__agent_profile").order_by("-created_at")[:limit])
    for chat in chats:
        yield agent_code_key(chat.id), date_format(chat.created_at, "SHORT_DATE_FORMAT"), chat.agent
