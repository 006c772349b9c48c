"""Live chat writes: starting a chat, messages in order (stored before delivered), routing, presence, closing.

Routing is correct with any number of ASGI processes and Celery workers routing at once, because every decision
is taken under row locks in Postgres: the waiting chat is claimed with FOR UPDATE SKIP LOCKED (two routers never
take the same chat), then an agent's profile row is locked the same way and their load is counted again after the
lock (so two routers never fill the same free seat twice).
"""
from django.db import transaction
from django.db.models import Count, F, IntegerField, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from support.models import AgentProfile, Presence
from support.services import DomainError, agent_set_presence

from . import events
from .models import ChatMessage, Conversation, ConversationStatus, SenderKind


class ChatClosed(DomainError):
    code = "chat_closed"


def conversation_start(*, language, topic="", customer=None, visitor_name="", visitor_email=""):
    """Open a chat in the language's queue (the bot stage comes with the chatbot) and route it after commit."""
    now = timezone.now()
    with transaction.atomic():
        conversation = Conversation.objects.create(
            customer=customer if customer is not None and customer.is_authenticated else None,
            visitor_name=visitor_name, visitor_email=visitor_email, language=language, topic=topic,
            status=ConversationStatus.QUEUED, queued_at=now)
        transaction.on_commit(lambda: _after_queue_change(language))
    return conversation


def _append(conversation, *, sender_kind, body, sender=None, client_msg_id=""):
    """Add a message to a conversation whose row the caller holds locked (FOR UPDATE): the next sequence number."""
    now = timezone.now()
    conversation.last_seq += 1
    fields = ["last_seq"]
    if sender_kind == SenderKind.AGENT and conversation.first_agent_reply_at is None:
        conversation.first_agent_reply_at = now
        fields.append("first_agent_reply_at")
    if sender_kind == SenderKind.CUSTOMER:
        conversation.last_customer_message_at = now
        fields.append("last_customer_message_at")
    conversation.save(update_fields=fields)
    message = ChatMessage.objects.create(conversation=conversation, seq=conversation.last_seq,
                                         sender_kind=sender_kind, sender=sender, body=body,
                                         client_msg_id=client_msg_id, created_at=now)
    transaction.on_commit(lambda: events.message_created(message))
    return message


def message_post(*, conversation_id, sender_kind, body, sender=None, client_msg_id=""):
    """Store one message with the next sequence number, then ring the bell. A resend with the same client_msg_id
    returns the stored message and is not stored twice. Returns (message, created)."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if client_msg_id:
            existing = conversation.messages.filter(client_msg_id=client_msg_id).first()
            if existing is not None:
                return existing, False
        if conversation.status == ConversationStatus.CLOSED:
            raise ChatClosed("This chat is closed.")
        return _append(conversation, sender_kind=sender_kind, body=body, sender=sender,
                       client_msg_id=client_msg_id), True


def _load():
    return Coalesce(Subquery(
        Conversation.objects.filter(agent_id=OuterRef("user_id"), status=ConversationStatus.ACTIVE)
        .order_by().values("agent_id").annotate(n=Count("id")).values("n"), output_field=IntegerField()), Value(0))


def _candidates(language):
    """Online agents serving the language with a free seat, most free seats first, then the longest idle."""
    return (AgentProfile.objects.filter(presence=Presence.ONLINE, languages__contains=[language])
            .annotate(load=_load()).annotate(free=F("capacity") - F("load")).filter(free__gt=0)
            .order_by("-free", F("last_chat_at").asc(nulls_first=True), "pk"))


def conversation_assign_next(*, language):
    """Assign the oldest waiting chat of the language to the best free agent; None when there is no waiting chat
    or no free agent. Locks: the chat row (SKIP LOCKED, so concurrent routers take different chats), then the
    agent's profile row (SKIP LOCKED), and the agent's load is recounted after that lock. An agent whose row another
    router holds is skipped, and the attempt is repeated while that was the only reason to fail."""
    for _attempt in range(50):
        conversation, busy = _assign_once(language)
        if conversation is not None or not busy:
            return conversation
    return None


def _assign_once(language):
    """(assigned conversation or None, whether some free agent was skipped because another router held it)."""
    busy = False
    with transaction.atomic():
        conversation = (Conversation.objects.select_for_update(skip_locked=True)
                        .filter(status=ConversationStatus.QUEUED, language=language)
                        .order_by("queued_at", "id").first())
        if conversation is None:
            return None, False
        for candidate in _candidates(language)[:20]:
            profile = (AgentProfile.objects.select_for_update(skip_locked=True)
                       .filter(pk=candidate.pk, presence=Presence.ONLINE, languages__contains=[language])
                       .select_related("user").first())
            if profile is None:
                busy = True
                continue
            load = Conversation.objects.filter(agent_id=profile.user_id, status=ConversationStatus.ACTIVE).count()
            if load >= profile.capacity:
                continue
            now = timezone.now()
            conversation.status, conversation.agent, conversation.assigned_at = (
                ConversationStatus.ACTIVE, profile.user, now)
            conversation.save(update_fields=["status", "agent", "assigned_at"])
            AgentProfile.objects.filter(pk=profile.pk).update(last_chat_at=now)
            agent_name = profile.user.name or profile.user.email.split("@")[0]
            transaction.on_commit(lambda: events.chat_assigned(conversation, agent_name))
            transaction.on_commit(lambda: events.queue_moved(language))
            return conversation, False
        return None, busy


def conversations_route(*, language):
    """Assign waiting chats of the language while there are free agents; returns how many were assigned."""
    assigned = 0
    while conversation_assign_next(language=language) is not None:
        assigned += 1
    return assigned


def agent_route(*, agent):
    """Route every language the agent serves, the language whose head has waited longest first."""
    languages = list(agent.agent_profile.languages)
    heads = dict(Conversation.objects.filter(status=ConversationStatus.QUEUED, language__in=languages)
                 .values("language").annotate(oldest=Min("queued_at")).values_list("language", "oldest"))
    for language in sorted(heads, key=heads.get):
        conversations_route(language=language)


def _after_queue_change(language):
    events.queue_moved(language)
    conversations_route(language=language)


def agent_presence_set(*, agent, presence):
    """Set presence; an agent coming online is offered waiting chats of their languages at once."""
    profile = agent_set_presence(agent=agent, presence=presence)
    if profile.presence == Presence.ONLINE:
        transaction.on_commit(lambda: agent_route(agent=agent))
    return profile


def conversation_close(*, conversation_id, by, actor=None):
    """Close a chat (customer, agent or system) with a system message; the agent's seat is offered to the queue.
    Closing twice is harmless."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status == ConversationStatus.CLOSED:
            return conversation
        now = timezone.now()
        was_queued = conversation.status == ConversationStatus.QUEUED
        conversation.status, conversation.closed_at, conversation.closed_by = ConversationStatus.CLOSED, now, by
        conversation.save(update_fields=["status", "closed_at", "closed_by"])
        # System messages carry a code, which each reader's client shows in their own language.
        _append(conversation, sender_kind=SenderKind.SYSTEM, body=f"closed_by_{by}")
        if conversation.agent_id:
            AgentProfile.objects.filter(user_id=conversation.agent_id).update(last_chat_at=now)
        transaction.on_commit(lambda: events.chat_closed(conversation))
        language = conversation.language
        if was_queued:
            transaction.on_commit(lambda: events.queue_moved(language))
        elif conversation.agent_id:
            agent = conversation.agent
            transaction.on_commit(lambda: agent_route(agent=agent))
    return conversation
