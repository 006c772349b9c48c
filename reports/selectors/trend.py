"""The day-by-day table: chats, tickets and CSAT for every day of the period, days without activity included."""
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from support.aggregates import Percentile

from .periods import (
    ABANDONED,
    ANSWERED,
    OFFERED,
    WAIT,
    chats_in_period,
    ticket_ratings_in_period,
    tickets_in_period,
    tickets_solved_in_period,
)
from .tables import Column, Table, round_or_none


def daily_trend(period):
    """One row per day of the period (days without activity show zeros): chats, tickets, CSAT."""
    tz = period.tz
    chat_days = {r["day"]: r for r in chats_in_period(period).annotate(day=TruncDate("created_at", tzinfo=tz))
                 .values("day").annotate(offered=Count("id", filter=OFFERED), answered=Count("id", filter=ANSWERED),
                                         abandoned=Count("id", filter=ABANDONED),
                                         wait_p50=Percentile(WAIT, 0.5, filter=ANSWERED))}
    created = {r["day"]: r["n"] for r in tickets_in_period(period).annotate(day=TruncDate("created_at", tzinfo=tz))
               .values("day").annotate(n=Count("id"))}
    solved = {r["day"]: r["n"] for r in tickets_solved_in_period(period)
              .annotate(day=TruncDate("solved_at", tzinfo=tz)).values("day").annotate(n=Count("id"))}
    ratings = {}
    for r in (chats_in_period(period).filter(rated_at__isnull=False).annotate(day=TruncDate("rated_at", tzinfo=tz))
              .values("day").annotate(n=Count("id"), total=Sum("csat_score"))):
        ratings[r["day"]] = [r["n"], r["total"]]
    for r in (ticket_ratings_in_period(period).filter(rated_at__isnull=False)
              .annotate(day=TruncDate("rated_at", tzinfo=tz)).values("day").annotate(n=Count("id"), total=Sum("score"))):
        n_total = ratings.setdefault(r["day"], [0, 0])
        n_total[0] += r["n"]
        n_total[1] += r["total"]
    rows = []
    for day in period.days:
        chats = chat_days.get(day, {})
        n, total = ratings.get(day, (0, 0))
        rows.append({"date": day.isoformat(), "offered": chats.get("offered", 0), "answered": chats.get("answered", 0),
                     "abandoned": chats.get("abandoned", 0), "wait_p50": round_or_none(chats.get("wait_p50")),
                     "tickets_created": created.get(day, 0), "tickets_solved": solved.get(day, 0),
                     "csat": round(total / n, 2) if n else None})
    return Table("trend", _("Day by day"), [
        Column("date", _("Date"), "date"), Column("offered", _("Chats offered")),
        Column("answered", _("Chats answered")), Column("abandoned", _("Abandoned in queue")),
        Column("wait_p50", _("Queue wait, median"), "seconds"), Column("tickets_created", _("Tickets created")),
        Column("tickets_solved", _("Tickets solved")), Column("csat", _("CSAT score"), "score")], rows)
