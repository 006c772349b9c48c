"""Agents coming and going: presence, the heartbeat, and their chats going back to the queue when they leave."""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from support.models import AgentProfile, Presence
from support.services import agent_set_presence

from .. import events
from ..models import Conversation, ConversationStatus, SenderKind
from .messages import message_append_locked
from .queue import agent_route, conversation_enqueue_locked, queue_changed


def agent_presence_set(*, agent, presence):
    """Set presence. Coming online offers the agent waiting chats of their languages at once; away takes no new
    chats; going offline sends their active chats back to the front of the queue."""
    profile = agent_set_presence(agent=agent, presence=presence)
    if profile.presence == Presence.ONLINE:
        transaction.on_commit(lambda: agent_route(agent=agent))
    elif profile.presence == Presence.OFFLINE:
        conversations_requeue_for_agent(agent=agent)  # leaving on purpose: no grace period
    transaction.on_commit(lambda: events.presence_changed(agent.pk, profile.presence))
    return profile


def conversations_requeue_for_agent(*, agent):
    """The agent left or dropped: their active chats go back to the front of their queues (they keep queued_at)."""
    languages = set()
    with transaction.atomic():
        for conversation in (Conversation.objects.select_for_update()
                             .filter(agent=agent, status=ConversationStatus.ACTIVE)):
            conversation_enqueue_locked(conversation)
            message_append_locked(conversation, sender_kind=SenderKind.SYSTEM, body="agent_left")
            languages.add(conversation.language)
            conversation_id = conversation.id
            transaction.on_commit(lambda cid=conversation_id: events.chat_released(cid, agent.pk))
        for language in languages:
            transaction.on_commit(lambda lang=language: queue_changed(lang))
    return len(languages)


def agents_dropped_requeue(*, now=None):
    """Beat: agents marked online or away whose socket has not been seen for the grace period are set offline, and
    their chats go back to the queue. Returns how many agents were affected."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.LIVECHAT_AGENT_GRACE_SECONDS)
    dropped = list(AgentProfile.objects.filter(presence__in=[Presence.ONLINE, Presence.AWAY],
                                               last_seen_at__lt=cutoff).select_related("user"))
    for profile in dropped:
        updated = AgentProfile.objects.filter(pk=profile.pk, last_seen_at__lt=cutoff).update(
            presence=Presence.OFFLINE)
        if updated:
            conversations_requeue_for_agent(agent=profile.user)
            user_id = profile.user_id
            transaction.on_commit(lambda: events.presence_changed(user_id, Presence.OFFLINE))
    return len(dropped)


def agent_seen(*, agent):
    """The agent's socket is alive (connect and heartbeat)."""
    AgentProfile.objects.filter(user=agent).update(last_seen_at=timezone.now())
