"""Language overflow with agent assist and translation (issue #25), per language: how often waiting customers were
offered an agent of another language now and what they answered, how long the chats that accepted waited compared
with the chats served natively, and how translated chats were rated compared with native ones.

Definitions (also on the page, under "How the figures are counted"):

- Every figure is over the period's chats (started in the period, narrowed to its language and team, as every chat
  table): an offer counts with its chat, so a chat that started at 23:59 and was offered a minute later counts on
  the day it started, and offers, waits and ratings are figures of the same chats.
- Offers: chats that were offered an agent of another language (livechat.models.OverflowOffer, one per chat at
  most). Accepted, declined (kept waiting), not answered (the customer left, or an agent took the chat before they
  answered). Acceptance rate: accepted / offers.
- Queue wait, offer accepted: the queue wait (`answered_at - queued_at`) of answered chats whose customer accepted,
  whoever took them first (accepting keeps the chat's place in its own queue too).
  Queue wait, served natively: answered chats not overflowed (taken by an agent who speaks the language natively) whose
  customer did not accept an offer. The two sets never overlap.
- CSAT translated: rated chats served with assist and translation (`Conversation.assisted`); native: rated chats
  not overflowed. Score: the mean of the 1-5 answers; satisfied: share of 4 and 5.

Two queries, whatever the number of chats: one grouped by language, one for all languages (percentiles do not add
up across groups)."""
from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from livechat.models import OverflowChoice
from support.aggregates import Percentile
from support.languages import LANGUAGE_CODES

from .periods import ANSWERED, WAIT, chats_in_period
from .tables import Column, Table, language_label, percent, round_or_none

ACCEPTED = Q(overflow_offer__choice=OverflowChoice.ACCEPTED)
# Served natively: not overflowed (an assisted chat is always overflowed: its agent does not speak its language).
NATIVE = Q(overflowed=False)
TRANSLATED = Q(assisted=True)
RATED = Q(csat_score__isnull=False)
SATISFIED = Q(csat_score__gte=4)
WITH_OFFER = ANSWERED & ACCEPTED
# ~ACCEPTED over the outer join to the offer: no offer, or one declined or left unanswered (Django adds the IS NOT
# NULL that makes a chat without an offer count as not accepted).
WITHOUT_OFFER = ANSWERED & NATIVE & ~ACCEPTED

# The page shows the table in three parts, each the data behind one chart: (key, title, columns after the language).
PARTS = [
    ("offers", _("Offers of an agent of another language"),
     ["offers", "accepted", "declined", "unanswered", "acceptance_rate"]),
    ("waits", _("Queue wait with and without the offer"),
     ["with_answered", "with_p50", "with_p90", "native_answered", "native_p50", "native_p90"]),
    ("csat", _("Satisfaction: translated and native chats"),
     ["translated_csat", "translated_rated", "translated_satisfied", "native_csat", "native_rated",
      "native_satisfied"]),
]


def _figures():
    return {
        "offers": Count("overflow_offer"), "accepted": Count("id", filter=ACCEPTED),
        "declined": Count("id", filter=Q(overflow_offer__choice=OverflowChoice.DECLINED)),
        "unanswered": Count("id", filter=Q(overflow_offer__choice=OverflowChoice.PENDING)),
        "with_answered": Count("id", filter=WITH_OFFER),
        "with_p50": Percentile(WAIT, 0.5, filter=WITH_OFFER), "with_p90": Percentile(WAIT, 0.9, filter=WITH_OFFER),
        "native_answered": Count("id", filter=WITHOUT_OFFER),
        "native_p50": Percentile(WAIT, 0.5, filter=WITHOUT_OFFER),
        "native_p90": Percentile(WAIT, 0.9, filter=WITHOUT_OFFER),
        "translated_rated": Count("id", filter=TRANSLATED & RATED),
        "translated_csat": Avg("csat_score", filter=TRANSLATED),
        "translated_satisfied": Count("id", filter=TRANSLATED & SATISFIED),
        "native_rated": Count("id", filter=NATIVE & RATED), "native_csat": Avg("csat_score", filter=NATIVE),
        "native_satisfied": Count("id", filter=NATIVE & SATISFIED),
    }


EMPTY = {"offers": 0, "accepted": 0, "declined": 0, "unanswered": 0, "with_answered": 0, "with_p50": None,
         "with_p90": None, "native_answered": 0, "native_p50": None, "native_p90": None, "translated_rated": 0,
         "translated_csat": None, "translated_satisfied": 0, "native_rated": 0, "native_csat": None,
         "native_satisfied": 0}


def _row(code, r):
    return {
        "language": language_label(code), "code": code,
        "offers": r["offers"], "accepted": r["accepted"], "declined": r["declined"], "unanswered": r["unanswered"],
        "acceptance_rate": percent(r["accepted"], r["offers"]),
        "with_answered": r["with_answered"], "with_p50": round_or_none(r["with_p50"]),
        "with_p90": round_or_none(r["with_p90"]),
        "native_answered": r["native_answered"], "native_p50": round_or_none(r["native_p50"]),
        "native_p90": round_or_none(r["native_p90"]),
        "translated_csat": round_or_none(r["translated_csat"], 2), "translated_rated": r["translated_rated"],
        "translated_satisfied": percent(r["translated_satisfied"], r["translated_rated"]),
        "native_csat": round_or_none(r["native_csat"], 2), "native_rated": r["native_rated"],
        "native_satisfied": percent(r["native_satisfied"], r["native_rated"]),
    }


def overflow_by_language(period):
    """Offers made, accepted, declined and unanswered; queue wait p50/p90 after accepting and served natively; CSAT
    of translated and native chats: one row per language (all six, or the period's one, zeros included) and the
    total."""
    chats = chats_in_period(period)
    grouped = {r["language"]: r for r in chats.values("language").annotate(**_figures())}
    total = chats.aggregate(**_figures())
    codes = [period.language] if period.language else LANGUAGE_CODES
    rows = [_row(code, grouped.get(code, EMPTY)) for code in codes]
    rows.append(_row(None, total))
    return Table("overflow", _("Language overflow"), [
        Column("language", _("Language"), "text"),
        Column("offers", _("Offers made")), Column("accepted", pgettext_lazy("overflow offer", "Accepted")),
        Column("declined", pgettext_lazy("overflow offer", "Declined")),
        Column("unanswered", _("Not answered")), Column("acceptance_rate", _("Acceptance rate"), "pct"),
        Column("with_answered", _("Answered, offer accepted")),
        Column("with_p50", _("Queue wait, offer accepted, median"), "seconds"),
        Column("with_p90", _("Queue wait, offer accepted, p90"), "seconds"),
        Column("native_answered", _("Answered natively")),
        Column("native_p50", _("Queue wait, served natively, median"), "seconds"),
        Column("native_p90", _("Queue wait, served natively, p90"), "seconds"),
        Column("translated_csat", _("CSAT score, translated"), "score"),
        Column("translated_rated", _("Rated, translated")),
        Column("translated_satisfied", _("Satisfied (4-5), translated"), "pct"),
        Column("native_csat", _("CSAT score, native"), "score"),
        Column("native_rated", _("Rated, native")),
        Column("native_satisfied", _("Satisfied (4-5), native"), "pct")], rows)


def overflow_parts(table):
    """The overflow table as the page shows it: three tables of the same rows (key, title, Table), each with the
    language column and the columns of one chart."""
    by_key = {column.key: column for column in table.columns}
    return [(key, title, Table(f"{table.key}-{key}", title, [by_key["language"], *(by_key[k] for k in keys)],
                               table.rows))
            for key, title, keys in PARTS]
