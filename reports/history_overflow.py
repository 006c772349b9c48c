"""Language overflow in the generated history (issue #25): in the understaffed Asian evening, waiting Chinese,
Japanese and Korean customers are offered an English-speaking agent now, who serves their language with assist and
machine translation, or to keep waiting; some accept and are answered sooner, their chats served with translation.
So the reports' "Language overflow" section has figures in the demo and the benchmark.

It draws from its own generator, seeded from the history's seed: a run with the same seed gives the same offers and
the same history, and the history's own draws only change where an offer changed a chat's fate (a customer who
accepted stays, and is answered)."""
import datetime as dt
import random

from livechat.models import OverflowChoice, OverflowOffer, SenderKind
from livechat.services.translation import OK

OVERFLOW_TO = "en"  # the desk staffed around the clock; its agents serve the Asian languages with assist
OFFER_SHARE = 0.7  # of the chats still waiting when the offer is due, the share for whom an assisted agent was free
ANSWER = [(OverflowChoice.ACCEPTED, 0.55), (OverflowChoice.DECLINED, 0.30), (OverflowChoice.PENDING, 0.15)]
ASSISTED_WAIT = 40  # mean seconds from accepting to an assisted agent taking the chat


class OverflowHistory:
    """Offers and their answers for the history's chats, and the translations of their messages."""

    def __init__(self, *, seed, understaffed, phrases):
        self.rng = random.Random(f"overflow-{seed}")
        self.understaffed, self.phrases = understaffed, phrases
        self.offers = []

    def offer(self, chat, wait, patience):
        """Maybe offer `chat` (queued, not answered yet) an agent of OVERFLOW_TO, and record the answer; returns the
        (wait, patience) it then has: accepting keeps the customer, and an assisted agent may take the chat first
        (it is then overflowed and assisted)."""
        rng = self.rng
        if chat.queued_at.hour not in self.understaffed.get(chat.language, {}):
            return wait, patience
        offered_after = rng.uniform(60, 150)  # when the wait estimate passed the rule's threshold
        free, answer_after = rng.random() < OFFER_SHARE, rng.uniform(5, 45)
        choice = _pick(rng, ANSWER)
        assisted_wait = rng.expovariate(1 / ASSISTED_WAIT)
        if not free or min(wait, patience) <= offered_after:
            return wait, patience  # answered or gone before the offer
        offered_at = chat.queued_at + dt.timedelta(seconds=offered_after)
        chosen_after = offered_after + answer_after
        if min(wait, patience) <= chosen_after:
            choice = OverflowChoice.PENDING  # taken by a native agent, or gone, before answering
        offer = OverflowOffer(conversation=chat, language=chat.language, overflow_to=OVERFLOW_TO,
                              offered_at=offered_at, wait_estimate_seconds=round(rng.uniform(300, 900)), choice=choice,
                              chosen_at=chat.queued_at + dt.timedelta(seconds=chosen_after) if choice else None)
        self.offers.append(offer)
        if choice != OverflowChoice.ACCEPTED:
            return wait, patience
        chat.overflow_to = OVERFLOW_TO
        if chosen_after + assisted_wait < wait:
            wait = chosen_after + assisted_wait
            chat.overflowed = chat.assisted = True
        return wait, max(patience, wait + 1)

    def agent(self, agents):
        return self.rng.choice(agents[OVERFLOW_TO])

    def translate(self, messages):
        """The messages of assisted chats as they are stored: the agent writes in English, the customer reads the
        translation; the customer's messages carry the English translation for the agent."""
        for message in messages:
            chat = message.conversation
            if not chat.assisted:
                continue
            index = (message.seq - 1) % len(self.phrases[chat.language])
            native, english = self.phrases[chat.language][index], self.phrases[OVERFLOW_TO][index]
            if message.sender_kind == SenderKind.AGENT:
                message.body = english
                message.meta = {"translation": _meta(native, source=OVERFLOW_TO, target=chat.language)}
            else:
                message.meta = {"translation": _meta(english, source=chat.language, target=OVERFLOW_TO)}

    def take_offers(self):
        """The offers made since the last call, to store after their chats."""
        offers, self.offers = self.offers, []
        return offers


def _meta(text, *, source, target):
    return {"language": target, "source": source, "state": OK, "text": text}


def _pick(rng, weighted):
    x, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if x < acc:
            return value
    return weighted[-1][0]
