"""A chat's life: start (with the bot or in the queue), the customer's messages, read marks, close, leave a message
(a ticket), the rating and the transcript."""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import LinkChannel
from incidents.selectors import incident_matching
from incidents.services import incident_link
from support.domain_events import publish
from support.models import AgentProfile
from support.profiles import customer_profile_cached
from support.services import DomainError, customer_for_email
from tickets.models import Channel, Identity
from tickets.services import ticket_create

from .. import events
from ..emails import email_transcript
from ..models import IN_CONSOLE, Conversation, ConversationStatus, SenderKind
from .bot import bot_greet, bot_reply
from .errors import ChatClosed, RatingRefused, TranscriptRefused, agent_owns_check
from .messages import message_append_locked, message_post, secret_warning_post
from .queue import agent_route, queue_changed, queue_key_for
from .translation import agent_translation, customer_translation


def conversation_start(*, language, topic="", customer=None, visitor_name="", visitor_email="", also_speaks=(),
                       with_bot=None):
    """Open a chat: with the bot first (LIVECHAT_BOT_ENABLED), which greets the customer and hands over when it
    should; or straight in the language's queue, routed after commit."""
    with_bot = settings.LIVECHAT_BOT_ENABLED if with_bot is None else with_bot
    now = timezone.now()
    account = customer if customer is not None and customer.is_authenticated else None
    with transaction.atomic():
        conversation = Conversation.objects.create(
            customer=account,
            visitor_name=visitor_name, visitor_email=visitor_email, language=language, topic=topic,
            also_speaks=[lang for lang in dict.fromkeys(also_speaks) if lang != language],
            status=ConversationStatus.BOT if with_bot else ConversationStatus.QUEUED, with_bot=with_bot,
            queued_at=None if with_bot else now,
            # Straight into the queue: the VIP rule from the cached profile (else the beat settles it).
            queue_key=None if with_bot else queue_key_for(customer_profile_cached(customer=account), now))
        if with_bot:
            bot_greet(conversation)
        else:
            transaction.on_commit(lambda: queue_changed(language))
        if topic:
            incident_link_chat(conversation=conversation, text=topic)
    return conversation


def incident_link_chat(*, conversation, text, incident=None):
    """Link a new chat to the open incident its topic or a first message is about (the chat's people are told when
    it is resolved; the agent sees it on the chat). `incident`: the match, when the caller has it already. Returns
    the incident, or None."""
    incident = incident or incident_matching(text)
    if incident is None:
        return None
    customer = conversation.customer
    linked = incident_link(incident_id=incident.id, channel=LinkChannel.CHAT, object_id=conversation.pk,
                           customer=customer, email=customer.email if customer else conversation.visitor_email,
                           language=customer.language if customer else conversation.language,
                           label=conversation.topic or text[:200])
    return incident if linked else None


def agent_message_post(*, conversation_id, agent, body, client_msg_id="", upload=None, language="", announce=True):
    """An agent's message in their chat, machine-translated for the customer when the agent serves the chat with
    assist (services.translation; `language`: what the text is in, when the agent's page knows it). As message_post
    otherwise."""
    return message_post(conversation_id=conversation_id, sender_kind=SenderKind.AGENT, body=body, sender=agent,
                        client_msg_id=client_msg_id, upload=upload, announce=announce,
                        translation=agent_translation(conversation_id=conversation_id, agent=agent,
                                                      language=language or None))


def customer_message_post(*, conversation_id, body, sender=None, client_msg_id="", upload=None, announce=True):
    """A customer's message: stored (translated for the agent they accepted of another language, services.translation),
    then, while the chat is with the bot, answered by it (see services.bot). `announce`: as for message_post."""
    message, created = message_post(conversation_id=conversation_id, sender_kind=SenderKind.CUSTOMER, body=body,
                                    sender=sender, client_msg_id=client_msg_id, upload=upload, announce=announce,
                                    translation=customer_translation(conversation_id=conversation_id))
    if not created:
        return message, created
    # The chat's status as the message was stored tells whether the bot has a turn (bot_reply checks again under its
    # own lock).
    bot_turn = message.body.strip() and message.chat_status == ConversationStatus.BOT
    hidden = message.meta.get("secrets")
    # Before an agent has it, a chat is linked by what the customer says it is about.
    incident = (incident_matching(message.body)
                if message.chat_status in (ConversationStatus.BOT, ConversationStatus.QUEUED) else None)
    if incident is not None:
        incident_link_chat(conversation=Conversation.objects.select_related("customer").get(pk=conversation_id),
                           text=message.body, incident=incident)
    if (bot_turn or hidden) and not message.announced:  # this message's frame goes out before what answers it
        events.message_created(message)
        message.announced = True
    if hidden:
        secret_warning_post(conversation_id, hidden)
    if bot_turn:
        bot_reply(conversation_id=conversation_id, text=message.body)  # the masked text: the bot never sees a secret
    return message, created


def conversation_mark_read(*, conversation_id, agent, seq):
    """The chat's agent has seen its messages up to `seq`: the read mark only moves forward, never past the last
    message, and only for the agent who has the chat (a conditional update, so concurrent marks from two tabs keep
    the highest). Returns the read mark, or None when the chat is not this agent's (active, or ended and waiting for
    their wrap-up)."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise DomainError(_("seq must be a whole number."), code="invalid_seq", field="seq")
    mine = Conversation.objects.filter(IN_CONSOLE, pk=conversation_id, agent=agent)
    mine.filter(agent_read_seq__lt=Least(seq, F("last_seq"))).update(agent_read_seq=Least(seq, F("last_seq")))
    read_seq = mine.values_list("agent_read_seq", flat=True).first()
    if read_seq is not None:
        transaction.on_commit(lambda: events.chat_read(conversation_id, agent.pk, read_seq))
    return read_seq


def conversation_close(*, conversation_id, by, actor=None, idle_before=None):
    """Close a chat (customer, agent or system) with a system message; the agent's seat is offered to the queue.
    An agent closes only their own active chat; an idle close (idle_before) re-checks, under the lock, that the
    chat is still active and quiet. Closing twice is harmless."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status == ConversationStatus.CLOSED:
            return conversation
        if by == "agent":
            agent_owns_check(conversation, actor)
        if idle_before is not None:
            last = conversation.last_customer_message_at or conversation.assigned_at
            if conversation.status != ConversationStatus.ACTIVE or last is None or last >= idle_before:
                return conversation
        now = timezone.now()
        was_queued = conversation.status == ConversationStatus.QUEUED
        conversation.status, conversation.closed_at, conversation.closed_by = ConversationStatus.CLOSED, now, by
        if not conversation.agent_id:  # no agent to wrap it up (it ended with the bot or in the queue)
            conversation.wrapped_up_at, conversation.wrapped_up_by = now, "system"
        conversation.save(update_fields=["status", "closed_at", "closed_by", "wrapped_up_at", "wrapped_up_by"])
        # System messages carry a code, which each reader's client shows in their own language.
        message_append_locked(conversation, sender_kind=SenderKind.SYSTEM, body=f"closed_by_{by}")
        if conversation.agent_id:
            AgentProfile.objects.filter(user_id=conversation.agent_id).update(last_chat_at=now)
        transaction.on_commit(lambda: events.chat_closed(conversation))
        publish("chat.ended", conversation_id=str(conversation.pk), ticket_id=conversation.ticket_id,
                actor="agent" if by == "agent" else "customer" if by == "customer" else "system",
                actor_id=actor.pk if actor is not None else None, changes={"closed_by": [None, by]})
        language = conversation.language
        if was_queued:
            transaction.on_commit(lambda: events.queue_moved(language))
        elif conversation.agent_id:
            agent = conversation.agent
            transaction.on_commit(lambda: agent_route(agent=agent))
    return conversation


def conversations_close_idle(*, now=None):
    """Beat: active chats where the customer has written nothing for LIVECHAT_IDLE_MINUTES close with a system
    message. Returns how many were closed."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.LIVECHAT_IDLE_MINUTES)
    idle = (Conversation.objects.filter(status=ConversationStatus.ACTIVE)
            .annotate(last=Coalesce("last_customer_message_at", "assigned_at")).filter(last__lt=cutoff)
            .values_list("id", flat=True))
    closed = 0
    for conversation_id in list(idle):
        conversation = conversation_close(conversation_id=conversation_id, by="system", idle_before=cutoff)
        closed += conversation.status == ConversationStatus.CLOSED and conversation.closed_by == "system"
    return closed


def _visitor_requester(conversation):
    """The requester named by the email a chat visitor typed: the account holding it, or a new one without a
    password (as for mail). A typed address proves nothing, so the ticket is filed as Identity.TYPED: the account
    does not see it, and agents are told, until the address's owner confirms it by the link mailed there."""
    return customer_for_email(email=conversation.visitor_email, name=conversation.visitor_name,
                              language=conversation.language)


def conversation_leave_message(*, conversation_id, body="", by="customer", actor=None):
    """The customer stops waiting and leaves a message (or the agent converts the chat): a ticket (channel chat)
    with the transcript so far, in the chat's language; the chat closes. A signed-in customer's ticket is their
    account's; a visitor's is held under the address they typed until its owner confirms it (_visitor_requester)."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.ticket_id:
            return conversation.ticket
        if conversation.status == ConversationStatus.CLOSED:
            raise ChatClosed(_("This chat is closed."))
        if by == "agent":
            agent_owns_check(conversation, actor)
        requester = conversation.customer or _visitor_requester(conversation)
        identity = Identity.ACCOUNT if conversation.customer else Identity.TYPED
        transcript = "\n".join(f"[{m.created_at:%H:%M}] {m.sender_kind}: {m.body}"
                               for m in conversation.messages.exclude(sender_kind=SenderKind.SYSTEM).order_by("seq"))
        text = "\n\n".join(part for part in [body.strip(), transcript] if part) or conversation.topic or "—"
        subject = conversation.topic or text.splitlines()[0][:120]
        ticket = ticket_create(requester=requester, subject=subject, body=text, channel=Channel.CHAT,
                               language=conversation.language, identity=identity)
        conversation.ticket = ticket
        conversation.save(update_fields=["ticket"])
        conversation_close(conversation_id=conversation.id, by=by, actor=actor)
    return ticket


def conversation_rate(*, conversation_id, score, comment=""):
    """CSAT for a closed chat: 1-5 and an optional comment, once (a conditional update, so two tabs cannot both
    rate)."""
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise RatingRefused(_("A rating is a whole number from 1 to 5."), code="invalid_score", field="score")
    updated = Conversation.objects.filter(pk=conversation_id, status=ConversationStatus.CLOSED,
                                          csat_score__isnull=True).update(
        csat_score=score, csat_comment=(comment or "").strip()[:2000], rated_at=timezone.now())
    if not updated:
        raise RatingRefused(_("This chat cannot be rated (not closed yet, or already rated)."))
    conversation = Conversation.objects.get(pk=conversation_id)
    transaction.on_commit(lambda: events.chat_rated(conversation))
    publish("chat.rated", conversation_id=str(conversation.pk), ticket_id=conversation.ticket_id, actor="customer",
            actor_id=conversation.customer_id, changes={"csat_score": [None, score]})
    return conversation


def conversation_transcript_send(*, conversation_id):
    """Email the transcript of a closed chat to its customer's own address, once (a conditional update, so a
    double click sends one email); the address is never taken from the request."""
    with transaction.atomic():
        updated = Conversation.objects.filter(pk=conversation_id, status=ConversationStatus.CLOSED,
                                              transcript_sent_at__isnull=True).update(
            transcript_sent_at=timezone.now())
        if not updated:
            raise TranscriptRefused(_("The transcript can be sent once, after the chat has ended."))
        conversation = Conversation.objects.select_related("customer").get(pk=conversation_id)
        email_transcript(conversation=conversation)
    return conversation
