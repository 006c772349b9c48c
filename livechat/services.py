"""Live chat writes: starting a chat, messages in order (stored before delivered), routing, presence, closing.

Routing is correct with any number of ASGI processes and Celery workers routing at once, because every decision
is taken under row locks in Postgres: the waiting chat is claimed with FOR UPDATE SKIP LOCKED (two routers never
take the same chat), then an agent's profile row is locked the same way and their load is counted again after the
lock (so two routers never fill the same free seat twice).
"""
import json
import re
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from incidents.models import LinkChannel
from incidents.selectors import incident_matching
from incidents.services import incident_link
from support.filescan import file_scan, file_scans_lost, scan_needed
from support.models import AgentProfile, Presence, ScanState
from support.secretscan import asks_for_code, secrets_mask
from support.services import DomainError, agent_set_presence, customer_for_email
from verification.selectors import conversation_code
from support.uploads import check_upload

from . import events, selectors
from .models import ChatAttachment, ChatMessage, Conversation, ConversationStatus, LanguageOverflow, SenderKind


class ChatClosed(DomainError):
    code = "chat_closed"


class ChatNotAvailable(DomainError):
    code = "chat_not_available"


def _check_agent_owns(conversation, agent):
    """Under the chat's row lock: agents act only on their own active chats (reading is open to every agent)."""
    if conversation.status != ConversationStatus.ACTIVE or agent is None or conversation.agent_id != agent.pk:
        raise ChatNotAvailable("This chat is not one of your active chats.", code="not_your_chat")


def conversation_start(*, language, topic="", customer=None, visitor_name="", visitor_email="", also_speaks=(),
                       with_bot=None):
    """Open a chat: with the bot first (LIVECHAT_BOT_ENABLED), which greets the customer and hands over when it
    should; or straight in the language's queue, routed after commit."""
    from .bot import bot_greet

    with_bot = settings.LIVECHAT_BOT_ENABLED if with_bot is None else with_bot
    now = timezone.now()
    with transaction.atomic():
        conversation = Conversation.objects.create(
            customer=customer if customer is not None and customer.is_authenticated else None,
            visitor_name=visitor_name, visitor_email=visitor_email, language=language, topic=topic,
            also_speaks=[lang for lang in dict.fromkeys(also_speaks) if lang != language],
            status=ConversationStatus.BOT if with_bot else ConversationStatus.QUEUED, with_bot=with_bot,
            queued_at=None if with_bot else now)
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


def customer_message_post(*, conversation_id, body, sender=None, client_msg_id="", upload=None, announce=True):
    """A customer's message: stored, then, while the chat is with the bot, answered by it (see livechat.bot).
    `announce`: as for message_post."""
    from .bot import bot_reply

    message, created = message_post(conversation_id=conversation_id, sender_kind=SenderKind.CUSTOMER, body=body,
                                    sender=sender, client_msg_id=client_msg_id, upload=upload, announce=announce)
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
        _secret_warning(conversation_id, hidden)
    if bot_turn:
        bot_reply(conversation_id=conversation_id, text=message.body)  # the masked text: the bot never sees a secret
    return message, created


def _secret_warning(conversation_id, kinds):
    """Tell the customer, in the chat, that what they sent was hidden and that staff never ask for it (a system
    message: each reader's page shows it in their language, and the agent sees which kinds were found)."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        message_append_locked(conversation, sender_kind=SenderKind.SYSTEM, body="secret_hidden", meta={"secrets": list(kinds)})


def _no_files():
    """The `attachments` of a message known to have none, as prefetch_related would leave them (already evaluated:
    an unevaluated none() still compiles its SQL when read, on every message's frame)."""
    files = ChatAttachment.objects.none()
    files._result_cache = []
    return files


def message_append_locked(conversation, *, sender_kind, body, sender=None, client_msg_id="", attachment=None, meta=None):
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
    if sender_kind == SenderKind.AGENT and sender is not None and sender.pk == conversation.agent_id:
        conversation.agent_read_seq = conversation.last_seq  # one's own message is not unread
        fields.append("agent_read_seq")
    conversation.save(update_fields=fields)
    message = ChatMessage.objects.create(conversation=conversation, seq=conversation.last_seq,
                                         sender_kind=sender_kind, sender=sender, body=body,
                                         client_msg_id=client_msg_id, meta=meta or {}, created_at=now)
    if attachment is not None:
        attachment.message = message
        attachment.save()
    else:
        # Known to have no files: the frame built after commit need not ask the database.
        message._prefetched_objects_cache = {"attachments": _no_files()}
    transaction.on_commit(lambda: events.message_created(message))
    return message


# A message is stored in one statement (one round trip, and in autocommit its own transaction): the UPDATE takes the
# chat's row lock, checks who may write and that this client_msg_id is not stored yet, and hands out the next
# sequence number; the INSERT stores the message with it. (It was six round trips through the ORM: begin, lock,
# look for a resend, update, insert, commit; the chat benchmark found the server spending most of a message's time
# there.) SET expressions see the row as it was, so `last_seq + 1` is the new number everywhere.
_POST_SQL = """
WITH chat AS (
    UPDATE livechat_conversation SET
        last_seq = last_seq + 1,
        last_customer_message_at = CASE WHEN %(kind)s = 'customer' THEN %(now)s ELSE last_customer_message_at END,
        first_agent_reply_at = CASE WHEN %(kind)s = 'agent' THEN COALESCE(first_agent_reply_at, %(now)s)
                                    ELSE first_agent_reply_at END,
        agent_read_seq = CASE WHEN %(kind)s = 'agent' AND agent_id = %(sender)s THEN last_seq + 1
                              ELSE agent_read_seq END
    WHERE id = %(chat)s AND status <> 'closed'
      AND (%(kind)s <> 'agent' OR (status = 'active' AND agent_id = %(sender)s))
      AND (%(mid)s = '' OR NOT EXISTS (SELECT 1 FROM livechat_chatmessage
                                       WHERE conversation_id = %(chat)s AND client_msg_id = %(mid)s))
    RETURNING id, last_seq, status
)
INSERT INTO livechat_chatmessage (conversation_id, seq, sender_kind, sender_id, body, client_msg_id, meta, created_at)
SELECT id, last_seq, %(kind)s, %(sender)s, %(body)s, %(mid)s, %(meta)s::jsonb, %(now)s FROM chat
RETURNING id, seq, (SELECT status FROM chat)
"""


def message_post(*, conversation_id, sender_kind, body, sender=None, client_msg_id="", upload=None, announce=True):
    """Store one message (optionally with one file, checked like ticket attachments) with the next sequence
    number, then ring the bell. A resend with the same client_msg_id returns the stored message and is not stored
    twice. Customers write to chats that are not closed; agents only to their own active chats. Returns
    (message, created); the message carries `chat_status`, the chat's status when it was stored, and `announced`.
    announce=False leaves the bell to the caller (events.message_sends gives what to send): the websocket consumers
    send it from their own event loop after this returns, sparing a hand-off to the sender thread per message."""
    from django.db import IntegrityError, connection

    checked = check_upload(upload, max_bytes=settings.LIVECHAT_ATTACHMENT_MAX_BYTES, field="file") if upload else None
    # Secrets (recovery phrases, keys, API secrets, one-time codes) are masked before anything is stored.
    masked = secrets_mask(body, asked_for_code=sender_kind == SenderKind.CUSTOMER and _answers_a_code_request(
        conversation_id, body))
    body, meta = masked.text, ({"secrets": list(masked.kinds)} if masked.found else {})
    now = timezone.now()
    params = {"chat": str(conversation_id), "kind": sender_kind, "sender": sender.pk if sender is not None else None,
              "body": body, "mid": client_msg_id, "meta": json.dumps(meta), "now": now}
    attachment = None
    try:
        # In autocommit the statement is its own transaction; with a file, or inside a caller's transaction (a
        # savepoint then), the file's row and a resend race are handled in one atomic block.
        with transaction.atomic() if (checked is not None or connection.in_atomic_block) else nullcontext():
            with connection.cursor() as cursor:
                cursor.execute(_POST_SQL, params)
                row = cursor.fetchone()
            if row is None:
                return _refused_post(conversation_id, sender_kind, client_msg_id), False
            if checked is not None:
                scanned = scan_needed(checked.content_type)  # pictures, text, PDF, ZIP
                attachment = ChatAttachment(filename=checked.filename, content_type=checked.content_type,
                                            size=checked.size, message_id=row[0],
                                            scan_state=ScanState.PENDING if scanned else ScanState.SKIPPED)
                attachment.file.save("", checked.upload, save=False)
                attachment.save()
                if attachment.scan_pending:  # read for secrets after commit (chat_attachment_scan)
                    transaction.on_commit(lambda: _scans_enqueue([attachment.pk]), robust=True)
    except IntegrityError:
        if attachment is not None:
            attachment.file.delete(save=False)
        # The same client_msg_id stored by a concurrent resend in between: that one is the message.
        existing = ChatMessage.objects.filter(conversation_id=conversation_id, client_msg_id=client_msg_id).first()
        if client_msg_id and existing is not None:
            existing.chat_status = None
            return existing, False
        raise
    except BaseException:
        if attachment is not None:  # files are not part of the transaction
            attachment.file.delete(save=False)
        raise
    message = ChatMessage(id=row[0], conversation_id=conversation_id, seq=row[1], sender_kind=sender_kind,
                          sender=sender, body=body, client_msg_id=client_msg_id, meta=meta, created_at=now)
    message.chat_status = row[2]
    message.announced = announce
    if attachment is None:
        # Known to have no files: the frame built after commit need not ask the database.
        message._prefetched_objects_cache = {"attachments": _no_files()}
    if announce:
        transaction.on_commit(lambda: events.message_created(message))
    return message, True


def _scans_enqueue(attachment_ids):
    from .tasks import chat_attachment_scan

    for attachment_id in attachment_ids:
        chat_attachment_scan.delay(str(attachment_id))


def chat_attachment_scan(*, attachment_id, last_attempt=True, result=None):
    """Read a file sent in a chat for secrets with the reader for its kind (support.filescan). Until it is read
    only its sender is shown it (selectors.attachment_get_for_viewer); then the chat's sockets hear the outcome, and
    where a secret was found the file is a blurred or masked copy, or a PDF or ZIP is withheld, agents see its
    kinds, and a customer who sent it is told in the chat (the same warning as for a secret typed). Safe to run
    twice: returns the state recorded, or None. `result` records a scan read elsewhere instead
    (filescan.file_scan)."""
    row = (ChatAttachment.objects.filter(pk=attachment_id)
           .values_list("message__conversation_id", "message__conversation__language", "message__sender_kind")
           .first())
    if row is None:
        return None
    conversation_id, language, sender_kind = row
    state = file_scan(model=ChatAttachment, attachment_id=attachment_id, languages=[language],
                      last_attempt=last_attempt, result=result)
    if state is None:
        return None
    attachment = ChatAttachment.objects.select_related("message").get(pk=attachment_id)
    transaction.on_commit(lambda: events.attachment_scanned(attachment))
    if state in (ScanState.SECRET, ScanState.WITHHELD) and sender_kind == SenderKind.CUSTOMER:
        _secret_warning(conversation_id, attachment.secret_kinds)
    return state


def chat_attachment_scans_sweep(*, older_than_seconds=300):
    """Queue again the scans of files sent a while ago whose task was lost or whose worker died."""
    lost = file_scans_lost(ChatAttachment.objects.filter(
        message__created_at__lt=timezone.now() - timedelta(seconds=older_than_seconds)))
    _scans_enqueue(lost)
    return len(lost)


def _answers_a_code_request(conversation_id, body):
    """Is this customer message a bare number answering a request for a code (from whoever wrote last)?"""
    if not re.fullmatch(r"\s*\d[\d\s-]*\d\s*", body or ""):
        return False
    last = (ChatMessage.objects.filter(conversation_id=conversation_id).exclude(sender_kind=SenderKind.CUSTOMER)
            .order_by("-seq").values_list("body", flat=True).first())
    return asks_for_code(last or "")


def _refused_post(conversation_id, sender_kind, client_msg_id):
    """Why the statement stored nothing, in the order the rules apply: a resend (the stored message is returned),
    a chat that does not exist or is closed, or (agents) a chat that is not theirs."""
    if client_msg_id:
        existing = ChatMessage.objects.filter(conversation_id=conversation_id, client_msg_id=client_msg_id).first()
        if existing is not None:
            existing.chat_status = None
            return existing
    status = Conversation.objects.filter(pk=conversation_id).values_list("status", flat=True).first()
    if status == ConversationStatus.CLOSED:
        raise ChatClosed("This chat is closed.")
    raise ChatNotAvailable("This chat is not one of your active chats.", code="not_your_chat")


def _load():
    return Coalesce(Subquery(
        Conversation.objects.filter(agent_id=OuterRef("user_id"), status=ConversationStatus.ACTIVE)
        .order_by().values("agent_id").annotate(n=Count("id")).values("n"), output_field=IntegerField()), Value(0))


def _waiting_for(language, now=None):
    """Which waiting chats agents of `language` may take: that language's, and those of languages whose overflow
    rule points here, once they have waited long enough, from customers who accepted this language."""
    now = now or timezone.now()
    condition = Q(language=language)
    for rule in LanguageOverflow.objects.filter(overflow_to=language, is_active=True):
        condition |= Q(language=rule.language, also_speaks__contains=[language],
                       queued_at__lte=now - timedelta(seconds=rule.after_seconds))
    return condition


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
                        .filter(_waiting_for(language), status=ConversationStatus.QUEUED)
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
            if conversation.language != language:  # taken through an overflow rule: the agent sees it
                conversation.overflowed = True
                conversation.save(update_fields=["overflowed"])
            _give(conversation, profile, timezone.now())
            own_language = conversation.language
            transaction.on_commit(lambda: events.queue_moved(own_language))
            return conversation, False
        return None, busy


def conversations_route(*, language):
    """Assign waiting chats of the language while there are free agents; returns how many were assigned."""
    assigned = 0
    while conversation_assign_next(language=language) is not None:
        assigned += 1
    return assigned


def agent_route(*, agent):
    """The agent has free seats (came online, closed or handed on a chat): they take the waiting chats of their
    languages first, then chats overflowing into their languages, oldest first, up to their capacity, in one
    transaction. Waiting chats exist only when every agent serving them is full, so the agent with the new free
    seat is the one to take them."""
    taken, languages = agent_take_waiting(agent=agent)
    if taken is None:
        # The agent's row was busy (another router is giving them a chat right now): fall back to routing their
        # languages one chat at a time, which waits its turn on the locks.
        for language in languages:
            conversations_route(language=language)


def agent_take_waiting(*, agent):
    """Give the agent the oldest waiting chats they may take, as many as they have free seats. Locks: the agent's
    profile row (SKIP LOCKED: if a router holds it, nothing is taken and (None, languages) is returned), then the
    chats (SKIP LOCKED, so a chat another router is placing is left to it); the load is counted under the agent's
    lock. Returns (number of chats taken, the agent's languages)."""
    now = timezone.now()
    with transaction.atomic():
        profile = (AgentProfile.objects.select_for_update(skip_locked=True).select_related("user")
                   .filter(user=agent).first())
        if profile is None:
            return None, list(AgentProfile.objects.filter(user=agent).values_list("languages", flat=True).first() or [])
        languages = list(profile.languages)
        if profile.presence != Presence.ONLINE or not languages:
            return 0, languages
        free = profile.capacity - Conversation.objects.filter(agent_id=profile.user_id,
                                                              status=ConversationStatus.ACTIVE).count()
        if free <= 0:
            return 0, languages
        eligible = Q()
        for language in languages:
            eligible |= _waiting_for(language, now)
        own_first = Case(When(language__in=languages, then=Value(0)), default=Value(1))
        chats = list(Conversation.objects.select_for_update(skip_locked=True, of=("self",))
                     .filter(eligible, status=ConversationStatus.QUEUED).select_related("customer")
                     .order_by(own_first, "queued_at", "id")[:free])
        if not chats:
            return 0, languages
        # One statement for all of them (the rows are locked above).
        Conversation.objects.filter(pk__in=[chat.pk for chat in chats]).update(
            status=ConversationStatus.ACTIVE, agent=profile.user, assigned_at=now, agent_read_seq=0,
            answered_at=Coalesce(F("answered_at"), Value(now)),
            overflowed=Case(When(language__in=languages, then=F("overflowed")), default=Value(True)))
        for chat in chats:  # the same values in memory, for the events
            chat.status, chat.agent, chat.assigned_at = ConversationStatus.ACTIVE, profile.user, now
            chat.answered_at = chat.answered_at or now
            chat.agent_read_seq = 0
            chat.overflowed = chat.overflowed or chat.language not in languages
        AgentProfile.objects.filter(pk=profile.pk).update(last_chat_at=now)
        agent_name = selectors.agent_display_name(profile.user)
        moved = sorted({chat.language for chat in chats})
        codes = {chat.id: conversation_code(profile.user, selectors.agent_code_key(chat.id)) for chat in chats}

        transaction.on_commit(lambda: events.chats_assigned(chats, agent_name, codes, moved))
        return len(chats), languages


def conversation_enqueue_locked(conversation, *, language=None, now=None, also_save=()):
    """Put a chat whose row the caller holds locked (FOR UPDATE) in a queue: no agent, status queued, in `language`
    (default: its own). `now` starts its wait (the bot handed it over); without it the chat keeps its place, its
    queued_at (a transfer, or an agent who left, puts it back at the front). The one place a chat joins a queue after
    it started; its people hear of it after commit, and the caller routes once per language (queue_changed)."""
    conversation.status, conversation.agent = ConversationStatus.QUEUED, None
    fields = ["status", "agent", *also_save]
    if language is not None and language != conversation.language:
        conversation.language = language
        fields.append("language")
    if now is not None or conversation.queued_at is None:
        conversation.queued_at = now or timezone.now()
        fields.append("queued_at")
    conversation.save(update_fields=fields)
    conversation_id, queue = conversation.id, conversation.language
    transaction.on_commit(lambda: events.chat_requeued(conversation_id, queue))


def queue_changed(language):
    """After commit, when a language's queue changed (a chat joined it or left it): tell the sockets, and route."""
    events.queue_moved(language)
    conversations_route(language=language)


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


def conversation_close(*, conversation_id, by, actor=None, idle_before=None):
    """Close a chat (customer, agent or system) with a system message; the agent's seat is offered to the queue.
    An agent closes only their own active chat; an idle close (idle_before) re-checks, under the lock, that the
    chat is still active and quiet. Closing twice is harmless."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status == ConversationStatus.CLOSED:
            return conversation
        if by == "agent":
            _check_agent_owns(conversation, actor)
        if idle_before is not None:
            last = conversation.last_customer_message_at or conversation.assigned_at
            if conversation.status != ConversationStatus.ACTIVE or last is None or last >= idle_before:
                return conversation
        now = timezone.now()
        was_queued = conversation.status == ConversationStatus.QUEUED
        conversation.status, conversation.closed_at, conversation.closed_by = ConversationStatus.CLOSED, now, by
        conversation.save(update_fields=["status", "closed_at", "closed_by"])
        # System messages carry a code, which each reader's client shows in their own language.
        message_append_locked(conversation, sender_kind=SenderKind.SYSTEM, body=f"closed_by_{by}")
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


def _agent_has_seat(profile, language):
    """Under the caller's lock on the agent's profile row: do they serve the language and have a free seat?"""
    if language not in profile.languages:
        return False
    load = Conversation.objects.filter(agent_id=profile.user_id, status=ConversationStatus.ACTIVE).count()
    return load < profile.capacity


def _give(conversation, profile, now):
    conversation.status, conversation.agent, conversation.assigned_at = ConversationStatus.ACTIVE, profile.user, now
    conversation.answered_at = conversation.answered_at or now
    # A new owner has read nothing yet: the whole conversation (bot part, previous agent) counts as unread.
    conversation.agent_read_seq = 0
    conversation.save(update_fields=["status", "agent", "assigned_at", "answered_at", "agent_read_seq"])
    AgentProfile.objects.filter(pk=profile.pk).update(last_chat_at=now)
    agent_name = selectors.agent_display_name(profile.user)
    code = conversation_code(profile.user, selectors.agent_code_key(conversation.id))
    transaction.on_commit(lambda: events.chat_assigned(conversation, agent_name, code))


def conversation_mark_read(*, conversation_id, agent, seq):
    """The chat's agent has seen its messages up to `seq`: the read mark only moves forward, never past the last
    message, and only for the agent who has the chat (a conditional update, so concurrent marks from two tabs keep
    the highest). Returns the read mark, or None when the chat is not this agent's active chat."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise DomainError("seq must be a whole number.", code="invalid_seq", field="seq")
    mine = Conversation.objects.filter(pk=conversation_id, agent=agent, status=ConversationStatus.ACTIVE)
    mine.filter(agent_read_seq__lt=Least(seq, F("last_seq"))).update(agent_read_seq=Least(seq, F("last_seq")))
    read_seq = mine.values_list("agent_read_seq", flat=True).first()
    if read_seq is not None:
        transaction.on_commit(lambda: events.chat_read(conversation_id, agent.pk, read_seq))
    return read_seq


def conversation_pick(*, conversation_id, agent):
    """An agent takes a waiting chat from the queue by hand: only one of their languages, within their capacity.
    Locks: the chat row (NOWAIT semantics through SKIP LOCKED: a chat being routed right now is not available),
    then the agent's profile row."""
    with transaction.atomic():
        conversation = (Conversation.objects.select_for_update(skip_locked=True)
                        .filter(pk=conversation_id, status=ConversationStatus.QUEUED).first())
        if conversation is None:
            raise ChatNotAvailable("Someone else has taken this chat, or it is no longer waiting.")
        profile = AgentProfile.objects.select_for_update().select_related("user").get(user=agent)
        if profile.presence != Presence.ONLINE or not _agent_has_seat(profile, conversation.language):
            raise ChatNotAvailable("Be online, in one of your languages and with a free seat, to take a chat.",
                                   code="no_free_seat")
        _give(conversation, profile, timezone.now())
        language = conversation.language
        transaction.on_commit(lambda: events.queue_moved(language))
    return conversation


def conversation_transfer(*, conversation_id, by, to_agent=None, to_language=None):
    """Hand an active chat to another agent (who serves its language and has a seat) or to another language's
    queue, where it keeps its original place, so it is at the front. A system message records the transfer."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status != ConversationStatus.ACTIVE or conversation.agent_id != by.pk:
            raise ChatNotAvailable("Only the agent of an active chat can transfer it.")
        if to_agent is not None:
            profile = AgentProfile.objects.select_for_update().select_related("user").get(user=to_agent)
            if profile.presence != Presence.ONLINE or not _agent_has_seat(profile, conversation.language):
                raise ChatNotAvailable("That agent is not online in this language or has no free seat.",
                                       code="no_free_seat")
            _give(conversation, profile, timezone.now())
            message_append_locked(conversation, sender_kind=SenderKind.SYSTEM, body="transferred_to_agent")
            freed = by
        else:
            conversation_enqueue_locked(conversation, language=to_language)
            message_append_locked(conversation, sender_kind=SenderKind.SYSTEM, body="transferred_to_queue")
            freed = by
            transaction.on_commit(lambda: queue_changed(to_language))
        transaction.on_commit(lambda: events.chat_released(conversation_id, by.pk))
        transaction.on_commit(lambda: agent_route(agent=freed))
    return conversation


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
    from tickets.models import Channel, Identity
    from tickets.services import ticket_create

    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.ticket_id:
            return conversation.ticket
        if conversation.status == ConversationStatus.CLOSED:
            raise ChatClosed("This chat is closed.")
        if by == "agent":
            _check_agent_owns(conversation, actor)
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


class RatingRefused(DomainError):
    code = "rating_refused"


def conversation_rate(*, conversation_id, score, comment=""):
    """CSAT for a closed chat: 1-5 and an optional comment, once (a conditional update, so two tabs cannot both
    rate)."""
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise RatingRefused("A rating is a whole number from 1 to 5.", code="invalid_score", field="score")
    updated = Conversation.objects.filter(pk=conversation_id, status=ConversationStatus.CLOSED,
                                          csat_score__isnull=True).update(
        csat_score=score, csat_comment=(comment or "").strip()[:2000], rated_at=timezone.now())
    if not updated:
        raise RatingRefused("This chat cannot be rated (not closed yet, or already rated).")
    return Conversation.objects.get(pk=conversation_id)


def conversations_route_all():
    """Beat safety net: route every language with waiting chats (the doorbells are at-most-once)."""
    languages = set(Conversation.objects.filter(status=ConversationStatus.QUEUED).order_by()
                    .values_list("language", flat=True).distinct())
    languages |= set(LanguageOverflow.objects.filter(is_active=True, language__in=languages)
                     .values_list("overflow_to", flat=True))
    return sum(conversations_route(language=language) for language in sorted(languages))


class TranscriptRefused(DomainError):
    code = "transcript_refused"


def conversation_transcript_send(*, conversation_id):
    """Email the transcript of a closed chat to its customer's own address, once (a conditional update, so a
    double click sends one email); the address is never taken from the request."""
    from .emails import email_transcript

    with transaction.atomic():
        updated = Conversation.objects.filter(pk=conversation_id, status=ConversationStatus.CLOSED,
                                              transcript_sent_at__isnull=True).update(
            transcript_sent_at=timezone.now())
        if not updated:
            raise TranscriptRefused("The transcript can be sent once, after the chat has ended.")
        conversation = Conversation.objects.select_related("customer").get(pk=conversation_id)
        email_transcript(conversation=conversation)
    return conversation
