"""Queues and routing: the one way a chat joins a queue after it started (conversation_enqueue_locked) and the one
way a chat is given to an agent (chats_give_locked), whatever routes it: an agent coming online, a chat ending,
"next", the bot's handover, a transfer, a requeue.

Routing is correct with any number of ASGI processes and Celery workers routing at once, because every decision
is taken under row locks in Postgres: the waiting chat is claimed with FOR UPDATE SKIP LOCKED (two routers never
take the same chat), then an agent's profile row is locked the same way and their load is counted again after the
lock (so two routers never fill the same free seat twice).

The VIP rule (issue #24): a waiting chat is served in the order of its queue key (models.QUEUE_ORDER, then id),
which is the time it joined the queue moved earlier by its customer's VIP boost: LIVECHAT_VIP_BOOST_MINUTES per tier
(0, 1, 2, 3, 4, 5 minutes for tiers 0-5 by default), never more than LIVECHAT_VIP_BOOST_MAX_MINUTES (5). So a VIP
chat passes only chats that joined less than its boost before it: a tier-5 chat passes one that has waited two
minutes more, never one that has waited ten. The tier comes from the cached exchange profile only (support.profiles);
the provider is never called under the queue's locks. A chat whose profile was not cached when it joined gets no key
(it is served by queued_at alone) until the beat's queue_keys_fill fetches the profile, outside any lock, and sets
the key with a conditional update. Waits (reports, overflow, the wait shown) are always measured from queued_at.

Overflow with assist (issue #25): a chat whose customer accepted an agent of another language now (services.overflow)
keeps its queue and its place, and is also in that language's overflow queue (Conversation.overflow_to): agents who
speak overflow_to natively and list the chat's language among their assisted languages may take it, in the order of
its original queue time among their own language's chats. Native speakers still come first: a chat waits only while
every native agent of its language is full, and an agent takes chats of their own languages in queue order.
"""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.models import AgentProfile, Presence
from support.profiles import OK, UNAVAILABLE, customer_profile_cached, customer_profile_get
from verification.selectors import conversation_code

from .. import events, selectors
from ..models import QUEUE_ORDER, Conversation, ConversationStatus, LanguageOverflow, SenderKind
from .errors import ChatNotAvailable
from .messages import message_append_locked


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
        # The VIP rule, from the cache alone: this runs under the chat's row lock.
        conversation.queue_key = queue_key_for(
            customer_profile_cached(customer=conversation.customer), conversation.queued_at)
        fields += ["queued_at", "queue_key"]
    conversation.save(update_fields=fields)
    conversation_id, queue = conversation.id, conversation.language
    transaction.on_commit(lambda: events.chat_requeued(conversation_id, queue))


def vip_boost(tier):
    """How much earlier than its queued_at a chat of this VIP tier is served: the tier's minutes, capped."""
    minutes = settings.LIVECHAT_VIP_BOOST_MINUTES
    if tier <= 0 or not minutes:
        return timedelta(0)
    boost = min(minutes[min(tier, len(minutes) - 1)], settings.LIVECHAT_VIP_BOOST_MAX_MINUTES)
    return timedelta(minutes=max(boost, 0))


def queue_key_for(profile_result, queued_at):
    """The queue key of a chat that joined at `queued_at`, given what is known of its customer's profile (a
    support.profiles.ProfileResult): boosted for a VIP; queued_at itself when there is nothing to boost (a visitor,
    an account the exchange does not know, no provider); None while the profile is not known (not cached, or the
    provider unavailable), for queue_keys_fill to settle later."""
    if profile_result is None or profile_result.state == UNAVAILABLE:
        return None
    if profile_result.state == OK:
        return queued_at - vip_boost(profile_result.profile.vip_tier)
    return queued_at


def queue_keys_fill(*, limit=20):
    """Beat: waiting chats without a queue key (their profile was not cached when they joined, or they started
    straight in the queue) get one, oldest first. Each profile is fetched outside any lock, within its deadline, and
    the key is written by a conditional update (still waiting, same queued_at, still no key), so a chat taken or
    requeued meanwhile is left alone. Stops at the first unavailable answer: a provider that is down is not asked
    again for every chat. Returns how many keys were set."""
    waiting = (Conversation.objects.filter(status=ConversationStatus.QUEUED, queue_key__isnull=True,
                                           queued_at__isnull=False)
               .select_related("customer").order_by("queued_at", "id")[:limit])
    filled = 0
    for chat in list(waiting):
        result = customer_profile_get(customer=chat.customer)
        if result.state == UNAVAILABLE:
            break
        key = queue_key_for(result, chat.queued_at)
        filled += Conversation.objects.filter(pk=chat.pk, status=ConversationStatus.QUEUED, queued_at=chat.queued_at,
                                              queue_key__isnull=True).update(queue_key=key)
    return filled


# Called with language= after a language's queue changed and was routed: services.overflow registers its offers
# here (it builds on this module, so this module cannot import it).
AFTER_ROUTING = []


def queue_changed(language):
    """After commit, when a language's queue changed (a chat joined it or left it): tell the sockets, and route."""
    events.queue_moved(language)
    conversations_route(language=language)
    for hook in AFTER_ROUTING:  # those still waiting may be offered an agent of another language (overflow)
        hook(language=language)


def chats_give_locked(chats, profile, *, now=None):
    """Give chats to an agent: the one assignment rule. The caller holds the chats' rows and the agent's profile row
    locked (FOR UPDATE) and has counted the free seats under that lock. One statement for all of them: active, the
    agent's, unread from the start for the new owner (the bot part and a previous agent's too), answered once, and
    marked overflowed when taken in a language the agent does not serve natively. After commit the chats' people
    and the agent's sockets hear it, and the queues the chats left move."""
    now = now or timezone.now()
    served, assisted = list(profile.languages), list(profile.assisted_languages)
    moved = sorted({chat.language for chat in chats if chat.status == ConversationStatus.QUEUED}
                   | {chat.overflow_to for chat in chats if chat.status == ConversationStatus.QUEUED and chat.overflow_to})
    overflowed = (Case(When(language__in=served, then=F("overflowed")), default=Value(True)) if served
                  else Value(True))
    with_assist = Case(When(~Q(language__in=served) & Q(language__in=assisted), then=Value(True)),
                       default=F("assisted"))
    Conversation.objects.filter(pk__in=[chat.pk for chat in chats]).update(
        status=ConversationStatus.ACTIVE, agent=profile.user, assigned_at=now, agent_read_seq=0,
        answered_at=Coalesce(F("answered_at"), Value(now)), overflowed=overflowed, assisted=with_assist)
    for chat in chats:  # the same values in memory, for the events and the caller
        chat.status, chat.agent, chat.assigned_at, chat.agent_read_seq = ConversationStatus.ACTIVE, profile.user, now, 0
        chat.answered_at = chat.answered_at or now
        chat.overflowed = chat.overflowed or chat.language not in served
        chat.assisted = chat.assisted or (chat.language not in served and chat.language in assisted)
    AgentProfile.objects.filter(pk=profile.pk).update(last_chat_at=now)
    agent_name = selectors.agent_display_name(profile.user)
    codes = {chat.id: conversation_code(profile.user, selectors.agent_code_key(chat.id)) for chat in chats}
    transaction.on_commit(lambda: events.chats_assigned(chats, agent_name, codes, moved))


def agent_has_seat_locked(profile, language):
    """Under the caller's lock on the agent's profile row: are they online, serving the language, with a seat?"""
    if profile.presence != Presence.ONLINE or language not in profile.languages:
        return False
    return _load_now(profile) < profile.capacity


def _load_now(profile):
    return Conversation.objects.filter(agent_id=profile.user_id, status=ConversationStatus.ACTIVE).count()


def _load():
    return Coalesce(Subquery(
        Conversation.objects.filter(agent_id=OuterRef("user_id"), status=ConversationStatus.ACTIVE)
        .order_by().values("agent_id").annotate(n=Count("id")).values("n"), output_field=IntegerField()), Value(0))


def _waiting_for(language, now=None, *, assisted=()):
    """Which waiting chats agents of `language` may take: that language's; those of languages whose overflow rule
    points here, once they have waited long enough, from customers who said they speak this language; and, for
    agents serving `assisted` languages with assist, the chats of those languages whose customer accepted an agent
    of this language now (the overflow queue)."""
    now = now or timezone.now()
    condition = Q(language=language)
    for rule in LanguageOverflow.objects.filter(overflow_to=language, is_active=True):
        condition |= Q(language=rule.language, also_speaks__contains=[language],
                       queued_at__lte=now - timedelta(seconds=rule.after_seconds))
    assisted = sorted(set(assisted) - {language})
    if assisted:
        condition |= Q(overflow_to=language, language__in=assisted)
    return condition


def may_serve(profile, conversation, language):
    """May this agent, who serves `language` natively, take this chat from `language`'s queue: its own language,
    one the customer said they speak (the overflow rule let it in), or a chat whose customer accepted an agent of
    `language` now, in a language the agent serves with assist."""
    if conversation.language in profile.languages or language in conversation.also_speaks:
        return True
    return conversation.overflow_to == language and conversation.language in profile.assisted_languages


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
        candidates = list(_candidates(language)[:20])
        if not candidates:
            return None, False
        # Chats of the overflow queue only in the languages some free agent here serves with assist: a chat no
        # one free may take never holds up the ones behind it.
        assisted = {lang for candidate in candidates for lang in candidate.assisted_languages}
        conversation = (Conversation.objects.select_for_update(skip_locked=True)
                        .filter(_waiting_for(language, assisted=assisted), status=ConversationStatus.QUEUED)
                        .order_by(QUEUE_ORDER, "id").first())
        if conversation is None:
            return None, False
        for candidate in candidates:
            if not may_serve(candidate, conversation, language):
                continue
            profile = (AgentProfile.objects.select_for_update(skip_locked=True)
                       .filter(pk=candidate.pk).select_related("user").first())
            if profile is None:
                busy = True
                continue
            if agent_has_seat_locked(profile, language) and may_serve(profile, conversation, language):
                chats_give_locked([conversation], profile)
                return conversation, False
        return None, busy


def conversations_route(*, language):
    """Assign waiting chats of the language while there are free agents; returns how many were assigned."""
    assigned = 0
    while conversation_assign_next(language=language) is not None:
        assigned += 1
    return assigned


def conversations_route_all():
    """Beat safety net: settle the VIP rule's missing queue keys, then route every language with waiting chats (the
    doorbells are at-most-once)."""
    queue_keys_fill()
    languages = set(Conversation.objects.filter(status=ConversationStatus.QUEUED).order_by()
                    .values_list("language", flat=True).distinct())
    languages |= set(LanguageOverflow.objects.filter(is_active=True, language__in=languages)
                     .values_list("overflow_to", flat=True))
    languages |= set(Conversation.objects.filter(status=ConversationStatus.QUEUED).exclude(overflow_to="")
                     .order_by().values_list("overflow_to", flat=True).distinct())
    return sum(conversations_route(language=language) for language in sorted(languages))


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
    if AFTER_ROUTING:
        # A seat of an agent who serves languages with assist may be free now: those languages' waiting customers
        # may be offered it.
        assisted = AgentProfile.objects.filter(user=agent).values_list("assisted_languages", flat=True).first()
        for language in assisted or ():
            for hook in AFTER_ROUTING:
                hook(language=language)


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
        free = profile.capacity - _load_now(profile)
        if free <= 0:
            return 0, languages
        eligible = Q()
        for language in languages:
            eligible |= _waiting_for(language, now, assisted=profile.assisted_languages)
        # Their own languages' chats and the overflow queue's (accepted, in a language they assist) in one time order.
        own = Q(language__in=languages) | Q(overflow_to__in=languages, language__in=list(profile.assisted_languages))
        own_first = Case(When(own, then=Value(0)), default=Value(1))
        chats = list(Conversation.objects.select_for_update(skip_locked=True, of=("self",))
                     .filter(eligible, status=ConversationStatus.QUEUED).select_related("customer")
                     .order_by(own_first, QUEUE_ORDER, "id")[:free])
        if chats:
            chats_give_locked(chats, profile, now=now)
        return len(chats), languages


def conversation_pick(*, conversation_id, agent):
    """An agent takes a waiting chat from the queue by hand: only one of their languages, within their capacity.
    Locks: the chat row (NOWAIT semantics through SKIP LOCKED: a chat being routed right now is not available),
    then the agent's profile row."""
    with transaction.atomic():
        conversation = (Conversation.objects.select_for_update(skip_locked=True)
                        .filter(pk=conversation_id, status=ConversationStatus.QUEUED).first())
        if conversation is None:
            raise ChatNotAvailable(_("Someone else has taken this chat, or it is no longer waiting."))
        profile = AgentProfile.objects.select_for_update().select_related("user").get(user=agent)
        # Their own language's chat, or one whose customer accepted an agent of their language with assist.
        queue = (conversation.overflow_to if conversation.overflow_to and conversation.language not in profile.languages
                 else conversation.language)
        if not (agent_has_seat_locked(profile, queue) and may_serve(profile, conversation, queue)):
            raise ChatNotAvailable(_("Be online, in one of your languages and with a free seat, to take a chat."),
                                   code="no_free_seat")
        chats_give_locked([conversation], profile)
    return conversation


def conversation_transfer(*, conversation_id, by, to_agent=None, to_language=None):
    """Hand an active chat to another agent (who serves its language and has a seat) or to another language's
    queue, where it keeps its original place, so it is at the front. A system message records the transfer."""
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        if conversation.status != ConversationStatus.ACTIVE or conversation.agent_id != by.pk:
            raise ChatNotAvailable(_("Only the agent of an active chat can transfer it."))
        if to_agent is not None:
            profile = AgentProfile.objects.select_for_update().select_related("user").get(user=to_agent)
            if not agent_has_seat_locked(profile, conversation.language):
                raise ChatNotAvailable(_("That agent is not online in this language or has no free seat."),
                                       code="no_free_seat")
            chats_give_locked([conversation], profile)
            message_append_locked(conversation, sender_kind=SenderKind.SYSTEM, body="transferred_to_agent")
        else:
            conversation_enqueue_locked(conversation, language=to_language)
            message_append_locked(conversation, sender_kind=SenderKind.SYSTEM, body="transferred_to_queue")
            transaction.on_commit(lambda: queue_changed(to_language))
        transaction.on_commit(lambda: events.chat_released(conversation_id, by.pk))
        transaction.on_commit(lambda: agent_route(agent=by))
    return conversation
