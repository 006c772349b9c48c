"""The customer's choice when their language's queue is long (issue #25): an agent of another language now, with
agent assist and machine translation, or keep waiting for one who speaks theirs.

An offer is made (overflow_offers_make, after every routing of a language and by the beat) to a waiting chat when
an admin's LanguageOverflow rule for its language sets offer_above_seconds, the chat's wait estimate in its language
(selectors.queue_estimate: its place x measured handle time / seats) is above it (or nobody of the language is
online), and an agent of the rule's overflow_to language who serves the chat's language with assist is online with a
free seat. Offers go to as many waiting chats, first in queue order, as there are such free seats not already
promised (offers still open, and accepted chats still waiting) nor kept for the overflow language's own customers
(LIVECHAT_OVERFLOW_RESERVE_SEATS, 0 by default: the benchmark's simulation, docs/performance.md, shows what keeping
one seat costs and saves); each chat is offered once (an OverflowOffer row, whatever the answer).

The answer (overflow_choose) is recorded either way. Accepting never costs the customer their place: the chat keeps
its queue, its queued_at and its VIP key, and joins the overflow queue of that language (Conversation.overflow_to,
services.queue) in the same time order, so whichever comes first, a native agent or an assisted one, takes it.
"""
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.models import AgentProfile, Presence
from support.translate import mt_enabled

from .. import events, selectors
from ..models import (
    QUEUE_ORDER,
    Conversation,
    ConversationStatus,
    LanguageOverflow,
    OverflowChoice,
    OverflowOffer,
)
from .errors import ChatNotAvailable
from .queue import AFTER_ROUTING, queue_changed

SCAN_LIMIT = 200  # waiting chats of one language looked at per pass, from the head of the queue


class OverflowRefused(ChatNotAvailable):
    code = "no_overflow_offer"


def assisted_free_seats(*, language, overflow_to):
    """Free seats of online agents who speak `overflow_to` and serve `language` with assist."""
    profiles = AgentProfile.objects.filter(presence=Presence.ONLINE, languages__contains=[overflow_to],
                                           assisted_languages__contains=[language])
    loads = dict(Conversation.objects.filter(status=ConversationStatus.ACTIVE, agent__agent_profile__in=profiles)
                 .order_by().values("agent_id").annotate(n=Count("id")).values_list("agent_id", "n"))
    return sum(max(p.capacity - loads.get(p.user_id, 0), 0) for p in profiles.only("user_id", "capacity"))


def offer_frame(offer):
    """What the customer's page shows of an offer: the language of the agent offered, whether their messages will
    be translated, the estimate of keeping on waiting, and the answer if given."""
    estimate = offer.wait_estimate_seconds
    return {"offer": {"to_language": offer.overflow_to, "translated": mt_enabled(),
                      "wait_seconds": estimate, "wait_minutes": max(1, round(estimate / 60)) if estimate else None,
                      "choice": offer.choice}}


def overflow_offers_make(*, language=None, now=None):
    """Offer an agent of another language now to the waiting chats that qualify (module docstring); `language`
    limits the pass to that language's rules. Returns the offers made."""
    now = now or timezone.now()
    rules = LanguageOverflow.objects.filter(is_active=True, offer_above_seconds__isnull=False).order_by("id")
    if language is not None:
        rules = rules.filter(language=language)
    made = []
    for rule in rules:
        seats = (assisted_free_seats(language=rule.language, overflow_to=rule.overflow_to)
                 - settings.LIVECHAT_OVERFLOW_RESERVE_SEATS - _promised(rule))
        if seats <= 0:
            continue
        waiting = list(Conversation.objects.filter(status=ConversationStatus.QUEUED, language=rule.language)
                       .annotate(offered=Exists(OverflowOffer.objects.filter(conversation=OuterRef("pk"))))
                       .order_by(QUEUE_ORDER, "id").values_list("id", "offered")[:SCAN_LIMIT])
        for position, (conversation_id, offered) in enumerate(waiting, start=1):
            if len(made) >= seats:
                break
            if offered:
                continue
            eta = selectors.queue_estimate(language=rule.language, position=position)["eta_seconds"]
            if eta is not None and eta <= rule.offer_above_seconds:
                continue
            offer = _offer(conversation_id, rule, eta, now)
            if offer is not None:
                made.append(offer)
    return made


def _promised(rule):
    """Seats of the rule's assisted agents already spoken for: chats waiting with an open offer, or accepted and
    waiting for them."""
    waiting = Conversation.objects.filter(status=ConversationStatus.QUEUED, language=rule.language)
    return (waiting.filter(overflow_offer__overflow_to=rule.overflow_to, overflow_offer__choice=OverflowChoice.PENDING)
            .count() + waiting.filter(overflow_to=rule.overflow_to).count())


def _offer(conversation_id, rule, eta, now):
    with transaction.atomic():
        chat = (Conversation.objects.select_for_update(skip_locked=True)
                .filter(pk=conversation_id, status=ConversationStatus.QUEUED, language=rule.language).first())
        if chat is None or OverflowOffer.objects.filter(conversation=chat).exists():
            return None
        offer = OverflowOffer.objects.create(conversation=chat, language=rule.language, overflow_to=rule.overflow_to,
                                             offered_at=now, wait_estimate_seconds=eta)
        frame = offer_frame(offer)
        transaction.on_commit(lambda: events.overflow_offered(conversation_id, frame))
    return offer


def overflow_choose(*, conversation_id, accept):
    """The waiting customer's answer to their offer, recorded once. Accepting puts the chat in the overflow queue
    of the offered language as well, at its own place in time order, and routes it there after commit. A chat that
    was taken meanwhile, or has no open offer, is refused (OverflowRefused), never moved."""
    with transaction.atomic():
        chat = Conversation.objects.select_for_update().get(pk=conversation_id)
        offer = OverflowOffer.objects.select_for_update().filter(conversation=chat).first()
        if offer is None or offer.choice != OverflowChoice.PENDING:
            raise OverflowRefused(_("There is no open offer for this chat."))
        if chat.status != ConversationStatus.QUEUED:
            raise OverflowRefused(_("An agent has already taken this chat."), code="chat_not_waiting")
        offer.choice = OverflowChoice.ACCEPTED if accept else OverflowChoice.DECLINED
        offer.chosen_at = timezone.now()
        offer.save(update_fields=["choice", "chosen_at"])
        if accept:
            chat.overflow_to = offer.overflow_to
            chat.save(update_fields=["overflow_to"])
            target = offer.overflow_to
            transaction.on_commit(lambda: queue_changed(target))
    return offer


def pending_offer(*, conversation):
    """The chat's offer while it waits for an answer (for the page that reconnects), else None."""
    if conversation.status != ConversationStatus.QUEUED:
        return None
    return OverflowOffer.objects.filter(conversation=conversation).first()


AFTER_ROUTING.append(overflow_offers_make)  # after every routing of a language: offer to those still waiting
