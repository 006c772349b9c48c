"""Chat figures: chats by language (offered, answered, abandoned, queue wait, handle time), the bot's share and why
it handed over, and where in the week customers wait."""
from django.db.models import Avg, Count, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from livechat.models import ConversationStatus
from support.aggregates import Percentile
from support.languages import LANGUAGE_CODES

from .periods import ABANDONED, ANSWERED, HANDLE, HANDLED, LEFT_MESSAGE, OFFERED, WAIT, chats_in_period
from .tables import Column, Table, language_label, percent, round_or_none

HANDOVER_REASONS = {
    "requested": _("asked for a person"),
    "human_only": _("topic reserved for people"),
    "negative": _("customer frustrated"),
    "low_confidence": _("no good answer found"),
    "unhelpful": _("answers did not help"),
}


def _chat_figures():
    return {
        "offered": Count("id", filter=OFFERED), "answered": Count("id", filter=ANSWERED),
        "abandoned": Count("id", filter=ABANDONED), "left_message": Count("id", filter=LEFT_MESSAGE),
        "wait_p50": Percentile(WAIT, 0.5, filter=ANSWERED), "wait_p90": Percentile(WAIT, 0.9, filter=ANSWERED),
        "handle_avg": Avg(HANDLE, filter=HANDLED),
    }


def _chat_row(label, row):
    return {"language": label, "offered": row["offered"], "answered": row["answered"],
            "abandoned": row["abandoned"], "left_message": row["left_message"],
            "answer_rate": percent(row["answered"], row["offered"]),
            "wait_p50": round_or_none(row["wait_p50"]), "wait_p90": round_or_none(row["wait_p90"]),
            "handle_avg": round_or_none(row["handle_avg"])}


def chats_by_language(period):
    """Offered, answered, abandoned chats, queue wait p50/p90 and handle time, per language and in total."""
    chats = chats_in_period(period)
    grouped = {row["language"]: row for row in chats.values("language").annotate(**_chat_figures())}
    total = chats.aggregate(**_chat_figures())
    rows = [_chat_row(language_label(code), grouped[code]) for code in LANGUAGE_CODES if code in grouped]
    rows.append(_chat_row(language_label(None), total))
    return Table("chats", _("Chats by language"), [
        Column("language", _("Language"), "text"), Column("offered", _("Offered")),
        Column("answered", _("Answered")), Column("abandoned", _("Abandoned in queue")),
        Column("left_message", _("Left a message")), Column("answer_rate", _("Answer rate"), "pct"),
        Column("wait_p50", _("Queue wait, median"), "seconds"), Column("wait_p90", _("Queue wait, p90"), "seconds"),
        Column("handle_avg", _("Average handle time"), "seconds")], rows)


def bot_by_language(period):
    """Chats started with the bot: resolved without a person (deflection) or handed over, per language."""
    handed_over = Q(handover__has_key="reason")
    figures = {"chats": Count("id"),
               "resolved": Count("id", filter=Q(status=ConversationStatus.CLOSED) & ~handed_over),
               "handed_over": Count("id", filter=handed_over)}
    chats = chats_in_period(period).filter(with_bot=True)
    grouped = {row["language"]: row for row in chats.values("language").annotate(**figures)}
    total = chats.aggregate(**figures)

    def row(label, r):
        return {"language": label, "chats": r["chats"], "resolved": r["resolved"], "handed_over": r["handed_over"],
                "deflection_rate": percent(r["resolved"], r["chats"])}

    rows = [row(language_label(code), grouped[code]) for code in LANGUAGE_CODES if code in grouped]
    rows.append(row(language_label(None), total))
    return Table("bot", _("Assistant (bot) by language"), [
        Column("language", _("Language"), "text"), Column("chats", _("Chats with the assistant")),
        Column("resolved", _("Resolved by the assistant")), Column("handed_over", _("Handed over")),
        Column("deflection_rate", _("Deflection rate"), "pct")], rows)


def handover_reasons(period):
    """Why the bot handed chats over, most frequent first."""
    counts = (chats_in_period(period).filter(with_bot=True, handover__has_key="reason")
              .annotate(reason=KeyTextTransform("reason", "handover")).values("reason")
              .annotate(n=Count("id")).order_by("-n", "reason"))
    total = sum(row["n"] for row in counts)
    rows = [{"reason": str(HANDOVER_REASONS.get(row["reason"], row["reason"])), "handovers": row["n"],
             "share": percent(row["n"], total)} for row in counts]
    return Table("handover_reasons", _("Handover reasons"), [
        Column("reason", _("Reason"), "text"), Column("handovers", _("Handovers")),
        Column("share", _("Share"), "pct")], rows)


def wait_heatmap(period):
    """Offered chats and median queue wait per language, ISO weekday (1 = Monday) and hour of day, in the report's
    time zone: where customers wait, to plan staffing per language."""
    rows = (chats_in_period(period).filter(OFFERED)
            .annotate(weekday=ExtractIsoWeekDay("queued_at", tzinfo=period.tz),
                      hour=ExtractHour("queued_at", tzinfo=period.tz))
            .values("language", "weekday", "hour")
            .annotate(offered=Count("id"), wait_p50=Percentile(WAIT, 0.5, filter=ANSWERED),
                      abandoned=Count("id", filter=ABANDONED))
            .order_by("language", "weekday", "hour"))
    order = {code: i for i, code in enumerate(LANGUAGE_CODES)}
    rows = sorted(rows, key=lambda r: (order.get(r["language"], 99), r["weekday"], r["hour"]))
    return Table("heatmap", _("Queue wait by weekday and hour"), [
        Column("language", _("Language"), "text"), Column("weekday", _("Weekday"), "text"),
        Column("hour", _("Hour")), Column("offered", _("Offered")), Column("abandoned", _("Abandoned in queue")),
        Column("wait_p50", _("Queue wait, median"), "seconds")],
        [{"language": r["language"], "weekday": str(WEEKDAYS[r["weekday"] - 1]), "weekday_number": r["weekday"],
          "hour": r["hour"], "offered": r["offered"], "abandoned": r["abandoned"],
          "wait_p50": round_or_none(r["wait_p50"])} for r in rows])
