"""Supervisor reports: every figure for a period, read from the operational tables in a fixed number of grouped
queries (no per-row queries; see docs/performance.md for the 90-day benchmark).

Every table is a `Table` (columns with a kind, rows of plain values) so that the page, the CSV export and the API
render the same numbers from one computation. Definitions, stated once here and on the page:

- A chat belongs to the period by when it started (`created_at`), in the report's time zone.
- Offered: the chat entered a queue for a person (`queued_at` set; bot-only chats are not offered).
  Answered: an agent got it (`answered_at`, the first assignment). Abandoned: offered, never answered, closed
  without leaving a message. Left a message: offered, never answered, became a ticket.
- Queue wait: `answered_at - queued_at` of answered chats (p50/p90 are Postgres percentile_cont, interpolated).
- Handle time: `closed_at - answered_at` of answered, closed chats.
- Bot: chats that started with the bot; resolved by the bot = closed and never handed over.
- A ticket belongs to the period by when it was created; merged duplicates are left out. First response:
  `first_response_at - created_at`; resolution: `solved_at - created_at` of solved tickets; SLA achievement: met /
  finished timers of the period's tickets (tickets.sla.TIMER_MET).
- CSAT: chats answered and closed in the period were asked; ticket ratings requested in the period were asked.
  Score: the mean of 1-5 answers; satisfied: share of 4 and 5.
- Team: chats and per-agent figures by the agent's team; tickets by the ticket's team.
"""
import datetime as dt
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Min, Q, Sum
from django.db.models.functions import Extract, ExtractHour, ExtractIsoWeekDay, TruncDate, TruncWeek
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from livechat.models import Conversation, ConversationStatus
from support.aggregates import Percentile
from support.languages import LANGUAGE_CODES
from support.models import AgentProfile, Presence, User
from support.numbers import id_from_text
from support.roles import is_supervisor
from tickets.models import Channel, SlaTimer, Ticket, TicketRating
from tickets.sla import TIMER_FINISHED, TIMER_MET

from .models import QualityReview, ReviewScore

HANDOVER_REASONS = {
    "requested": _("asked for a person"),
    "human_only": _("topic reserved for people"),
    "negative": _("customer frustrated"),
    "low_confidence": _("no good answer found"),
    "unhelpful": _("answers did not help"),
}


@dataclass(frozen=True)
class Period:
    """What a report covers: whole days from `start` to `end` (inclusive) in `tz`, optionally one language and
    one team."""

    start: dt.date
    end: dt.date
    tz: ZoneInfo
    language: str | None = None
    team: object = None  # support.models.Team

    @property
    def start_at(self):
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=self.tz)

    @property
    def end_at(self):
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)

    @property
    def days(self):
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # int, text, pct (0-100), seconds, minutes, score (1-5), date


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)

    def as_dict(self):
        return {"key": self.key, "title": str(self.title),
                "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns],
                "rows": self.rows}


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _round(value, digits=1):
    return round(value, digits) if value is not None else None


def _seconds(delta_expr):
    return Extract(delta_expr, "epoch")


def _language_label(code):
    """The language's name in the reader's language (the CSV and the API carry it too)."""
    from django.utils.translation import get_language_info

    return str(get_language_info(code)["name_translated"]) if code else str(_("All languages"))


def _scoped(queryset, period, *, when, language="language", team):
    """Rows of `queryset` whose `when` falls in the period, narrowed to the period's language and team (through
    the given lookups)."""
    rows = queryset.filter(**{f"{when}__gte": period.start_at, f"{when}__lt": period.end_at})
    if period.language:
        rows = rows.filter(**{language: period.language})
    if period.team is not None:
        rows = rows.filter(**{team: period.team})
    return rows.order_by()


def _chats(period):
    return _scoped(Conversation.objects.all(), period, when="created_at", team="agent__agent_profile__team")


def _tickets(period):
    return _scoped(Ticket.objects.filter(merged_into__isnull=True), period, when="created_at", team="team")


OFFERED = Q(queued_at__isnull=False)
ANSWERED = Q(answered_at__isnull=False)
ABANDONED = OFFERED & Q(answered_at__isnull=True, status=ConversationStatus.CLOSED, ticket__isnull=True)
LEFT_MESSAGE = OFFERED & Q(answered_at__isnull=True, ticket__isnull=False)
HANDLED = ANSWERED & Q(status=ConversationStatus.CLOSED)
WAIT = _seconds(F("answered_at") - F("queued_at"))
HANDLE = _seconds(F("closed_at") - F("answered_at"))


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
            "answer_rate": _pct(row["answered"], row["offered"]),
            "wait_p50": _round(row["wait_p50"]), "wait_p90": _round(row["wait_p90"]),
            "handle_avg": _round(row["handle_avg"])}


def chats_by_language(period):
    """Offered, answered, abandoned chats, queue wait p50/p90 and handle time, per language and in total."""
    chats = _chats(period)
    grouped = {row["language"]: row for row in chats.values("language").annotate(**_chat_figures())}
    total = chats.aggregate(**_chat_figures())
    rows = [_chat_row(_language_label(code), grouped[code]) for code in LANGUAGE_CODES if code in grouped]
    rows.append(_chat_row(_language_label(None), total))
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
    chats = _chats(period).filter(with_bot=True)
    grouped = {row["language"]: row for row in chats.values("language").annotate(**figures)}
    total = chats.aggregate(**figures)

    def row(label, r):
        return {"language": label, "chats": r["chats"], "resolved": r["resolved"], "handed_over": r["handed_over"],
                "deflection_rate": _pct(r["resolved"], r["chats"])}

    rows = [row(_language_label(code), grouped[code]) for code in LANGUAGE_CODES if code in grouped]
    rows.append(row(_language_label(None), total))
    return Table("bot", _("Assistant (bot) by language"), [
        Column("language", _("Language"), "text"), Column("chats", _("Chats with the assistant")),
        Column("resolved", _("Resolved by the assistant")), Column("handed_over", _("Handed over")),
        Column("deflection_rate", _("Deflection rate"), "pct")], rows)


def handover_reasons(period):
    """Why the bot handed chats over, most frequent first."""
    from django.db.models.fields.json import KeyTextTransform

    counts = (_chats(period).filter(with_bot=True, handover__has_key="reason")
              .annotate(reason=KeyTextTransform("reason", "handover")).values("reason")
              .annotate(n=Count("id")).order_by("-n", "reason"))
    total = sum(row["n"] for row in counts)
    rows = [{"reason": str(HANDOVER_REASONS.get(row["reason"], row["reason"])), "handovers": row["n"],
             "share": _pct(row["n"], total)} for row in counts]
    return Table("handover_reasons", _("Handover reasons"), [
        Column("reason", _("Reason"), "text"), Column("handovers", _("Handovers")),
        Column("share", _("Share"), "pct")], rows)


def wait_heatmap(period):
    """Offered chats and median queue wait per language, ISO weekday (1 = Monday) and hour of day, in the report's
    time zone: where customers wait, to plan staffing per language."""
    rows = (_chats(period).filter(OFFERED)
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
          "wait_p50": _round(r["wait_p50"])} for r in rows])


def daily_trend(period):
    """One row per day of the period (days without activity show zeros): chats, tickets, CSAT."""
    tz = period.tz
    chat_days = {r["day"]: r for r in _chats(period).annotate(day=TruncDate("created_at", tzinfo=tz))
                 .values("day").annotate(offered=Count("id", filter=OFFERED), answered=Count("id", filter=ANSWERED),
                                         abandoned=Count("id", filter=ABANDONED),
                                         wait_p50=Percentile(WAIT, 0.5, filter=ANSWERED))}
    created = {r["day"]: r["n"] for r in _tickets(period).annotate(day=TruncDate("created_at", tzinfo=tz))
               .values("day").annotate(n=Count("id"))}
    solved = {r["day"]: r["n"] for r in _solved_tickets(period).annotate(day=TruncDate("solved_at", tzinfo=tz))
              .values("day").annotate(n=Count("id"))}
    ratings = {}
    for r in (_chats(period).filter(rated_at__isnull=False).annotate(day=TruncDate("rated_at", tzinfo=tz))
              .values("day").annotate(n=Count("id"), total=Sum("csat_score"))):
        ratings[r["day"]] = [r["n"], r["total"]]
    for r in (_ticket_ratings(period).filter(rated_at__isnull=False).annotate(day=TruncDate("rated_at", tzinfo=tz))
              .values("day").annotate(n=Count("id"), total=Sum("score"))):
        n_total = ratings.setdefault(r["day"], [0, 0])
        n_total[0] += r["n"]
        n_total[1] += r["total"]
    rows = []
    for day in period.days:
        chats = chat_days.get(day, {})
        n, total = ratings.get(day, (0, 0))
        rows.append({"date": day.isoformat(), "offered": chats.get("offered", 0), "answered": chats.get("answered", 0),
                     "abandoned": chats.get("abandoned", 0), "wait_p50": _round(chats.get("wait_p50")),
                     "tickets_created": created.get(day, 0), "tickets_solved": solved.get(day, 0),
                     "csat": round(total / n, 2) if n else None})
    return Table("trend", _("Day by day"), [
        Column("date", _("Date"), "date"), Column("offered", _("Chats offered")),
        Column("answered", _("Chats answered")), Column("abandoned", _("Abandoned in queue")),
        Column("wait_p50", _("Queue wait, median"), "seconds"), Column("tickets_created", _("Tickets created")),
        Column("tickets_solved", _("Tickets solved")), Column("csat", _("CSAT score"), "score")], rows)


def _solved_tickets(period):
    """Tickets solved in the period (by solved_at), whenever they were created."""
    return _scoped(Ticket.objects.filter(merged_into__isnull=True), period, when="solved_at", team="team")


def _ticket_ratings(period):
    """Ticket rating requests made in the period."""
    return _scoped(TicketRating.objects.all(), period, when="requested_at", language="ticket__language",
                   team="ticket__team")


def tickets_by_channel(period):
    counts = {r["channel"]: r["n"] for r in _tickets(period).values("channel").annotate(n=Count("id"))}
    total = sum(counts.values())
    rows = [{"channel": str(label), "tickets": counts.get(value, 0), "share": _pct(counts.get(value, 0), total)}
            for value, label in Channel.choices]
    return Table("tickets_by_channel", _("Tickets by channel"), [
        Column("channel", _("Channel"), "text"), Column("tickets", _("Tickets")), Column("share", _("Share"), "pct")],
        rows)


def tickets_by_category(period):
    rows = (_tickets(period).values("category__name").annotate(n=Count("id"))
            .order_by("-n", "category__name"))
    total = sum(r["n"] for r in rows)
    return Table("tickets_by_category", _("Tickets by category"), [
        Column("category", _("Category"), "text"), Column("tickets", _("Tickets")), Column("share", _("Share"), "pct")],
        [{"category": r["category__name"] or str(_("No category")), "tickets": r["n"], "share": _pct(r["n"], total)}
         for r in rows])


FIRST_RESPONSE = _seconds(F("first_response_at") - F("created_at"))
RESOLUTION = _seconds(F("solved_at") - F("created_at"))


def _ticket_figures():
    responded, solved = Q(first_response_at__isnull=False), Q(solved_at__isnull=False)
    return {"tickets": Count("id"), "responded": Count("id", filter=responded), "solved": Count("id", filter=solved),
            "first_p50": Percentile(FIRST_RESPONSE, 0.5, filter=responded),
            "first_p90": Percentile(FIRST_RESPONSE, 0.9, filter=responded),
            "resolution_p50": Percentile(RESOLUTION, 0.5, filter=solved),
            "resolution_p90": Percentile(RESOLUTION, 0.9, filter=solved)}


def ticket_times(period):
    """Tickets per language: first response and resolution (median, p90, in minutes) and SLA achievement."""
    tickets = _tickets(period)
    grouped = {r["language"]: r for r in tickets.values("language").annotate(**_ticket_figures())}
    total = tickets.aggregate(**_ticket_figures())
    # SLA: finished timers of these tickets, met or not (counts add up, so the total is their sum).
    sla, sla_total = {}, {}
    for r in (SlaTimer.objects.filter(TIMER_FINISHED, cancelled_at__isnull=True, ticket__in=tickets,
                                      kind__in=[SlaTimer.Kind.FIRST_RESPONSE, SlaTimer.Kind.RESOLUTION])
              .order_by().values("ticket__language", "kind").annotate(finished=Count("id"), met=Count("id", filter=TIMER_MET))):
        for counts in (sla.setdefault(r["ticket__language"], {}), sla_total):
            counts[f"{r['kind']}_finished"] = counts.get(f"{r['kind']}_finished", 0) + r["finished"]
            counts[f"{r['kind']}_met"] = counts.get(f"{r['kind']}_met", 0) + r["met"]

    def row(label, r, s):
        minutes = {key: _round(r[key] / 60 if r[key] is not None else None)
                   for key in ("first_p50", "first_p90", "resolution_p50", "resolution_p90")}
        return {"language": label, "tickets": r["tickets"], "solved": r["solved"], **minutes,
                "sla_first_response": _pct(s.get("first_response_met", 0), s.get("first_response_finished", 0)),
                "sla_resolution": _pct(s.get("resolution_met", 0), s.get("resolution_finished", 0))}

    rows = [row(_language_label(code), grouped[code], sla.get(code, {})) for code in LANGUAGE_CODES if code in grouped]
    rows.append(row(_language_label(None), total, sla_total))
    return Table("ticket_times", _("Tickets: response, resolution and SLA"), [
        Column("language", _("Language"), "text"), Column("tickets", _("Tickets created")),
        Column("solved", _("Solved")), Column("first_p50", _("First response, median"), "minutes"),
        Column("first_p90", _("First response, p90"), "minutes"),
        Column("resolution_p50", _("Resolution, median"), "minutes"),
        Column("resolution_p90", _("Resolution, p90"), "minutes"),
        Column("sla_first_response", _("SLA met: first response"), "pct"),
        Column("sla_resolution", _("SLA met: resolution"), "pct")], rows)


def csat_by_language(period):
    """Satisfaction per language: how many were asked, how many answered, mean score and share satisfied."""
    chat_figures = {"asked": Count("id", filter=HANDLED), "rated": Count("id", filter=Q(csat_score__isnull=False)),
                    "total": Sum("csat_score"), "satisfied": Count("id", filter=Q(csat_score__gte=4))}
    ticket_figures = {"asked": Count("id"), "rated": Count("id", filter=Q(score__isnull=False)),
                      "total": Sum("score"), "satisfied": Count("id", filter=Q(score__gte=4))}
    chats = {r["language"]: r for r in _chats(period).values("language").annotate(**chat_figures)}
    tickets = {r["ticket__language"]: r for r in _ticket_ratings(period).values("ticket__language")
               .annotate(**ticket_figures)}
    empty = {"asked": 0, "rated": 0, "total": 0, "satisfied": 0}

    def row(label, c, t):
        rated = c["rated"] + t["rated"]
        return {"language": label, "chats_asked": c["asked"], "chats_rated": c["rated"],
                "tickets_asked": t["asked"], "tickets_rated": t["rated"],
                "response_rate": _pct(rated, c["asked"] + t["asked"]),
                "score": round(((c["total"] or 0) + (t["total"] or 0)) / rated, 2) if rated else None,
                "satisfied": _pct(c["satisfied"] + t["satisfied"], rated)}

    rows, sums_c, sums_t = [], dict(empty), dict(empty)
    for code in LANGUAGE_CODES:
        c, t = chats.get(code, empty), tickets.get(code, empty)
        if c["asked"] or c["rated"] or t["asked"]:
            rows.append(row(_language_label(code), c, t))
        for key in empty:
            sums_c[key] += c[key] or 0
            sums_t[key] += t[key] or 0
    rows.append(row(_language_label(None), sums_c, sums_t))
    return Table("csat", _("Customer satisfaction (CSAT)"), [
        Column("language", _("Language"), "text"), Column("chats_asked", _("Chats asked")),
        Column("chats_rated", _("Chats rated")), Column("tickets_asked", _("Tickets asked")),
        Column("tickets_rated", _("Tickets rated")), Column("response_rate", _("Response rate"), "pct"),
        Column("score", _("CSAT score"), "score"), Column("satisfied", _("Satisfied (4-5)"), "pct")], rows)


def team_figures(period):
    """Per team: chats answered by its agents (wait and handle time), tickets of the team created and solved, and
    CSAT over its agents' chats. Chats count for the team of the agent who answered them; tickets by their team."""
    chats = {r["team"]: r for r in _chats(period).filter(ANSWERED)
             .values(team=F("agent__agent_profile__team"))
             .annotate(answered=Count("id"), wait_p50=Percentile(WAIT, 0.5), wait_p90=Percentile(WAIT, 0.9),
                       handle_avg=Avg(HANDLE, filter=HANDLED), rated=Count("id", filter=Q(csat_score__isnull=False)),
                       csat=Avg("csat_score"))}
    tickets = {r["team"]: r for r in _tickets(period).values("team")
               .annotate(created=Count("id"), solved=Count("id", filter=Q(solved_at__isnull=False)))}
    from support.models import Team

    teams = list(Team.objects.filter(pk__in=[k for k in set(chats) | set(tickets) if k is not None]).order_by("name"))
    rows = []
    for team_id, name in [(t.pk, t.name) for t in teams] + [(None, str(_("No team")))]:
        c, t = chats.get(team_id, {}), tickets.get(team_id, {})
        if not c and not t:
            continue
        rows.append({"team": name, "chats": c.get("answered", 0), "wait_p50": _round(c.get("wait_p50")),
                     "wait_p90": _round(c.get("wait_p90")), "handle_avg": _round(c.get("handle_avg")),
                     "tickets_created": t.get("created", 0), "tickets_solved": t.get("solved", 0),
                     "csat": _round(c.get("csat"), 2)})
    return Table("teams", _("Teams"), [
        Column("team", _("Team"), "text"), Column("chats", _("Chats answered")),
        Column("wait_p50", _("Queue wait, median"), "seconds"), Column("wait_p90", _("Queue wait, p90"), "seconds"),
        Column("handle_avg", _("Average handle time"), "seconds"), Column("tickets_created", _("Tickets created")),
        Column("tickets_solved", _("Solved")), Column("csat", _("CSAT score (chats)"), "score")], rows)


def _reviews(period):
    """Reviews written in the period, whatever the language (a review scores an agent, not a language)."""
    return _scoped(QualityReview.objects.all(), replace(period, language=None), when="created_at",
                   team="agent__agent_profile__team")


def agent_figures(period):
    """Per agent: chats handled and average handle time, tickets solved, CSAT over chats and tickets, quality
    score. Five grouped queries, whatever the number of agents."""
    chats = {r["agent"]: r for r in _chats(period).filter(HANDLED).values("agent")
             .annotate(handled=Count("id"), handle_avg=Avg(HANDLE),
                       rated=Count("id", filter=Q(csat_score__isnull=False)), total=Sum("csat_score"))}
    solved = {r["assignee"]: r["n"] for r in _solved_tickets(period).filter(assignee__isnull=False)
              .values("assignee").annotate(n=Count("id"))}
    ticket_csat = {r["agent"]: r for r in _ticket_ratings(period).filter(score__isnull=False, agent__isnull=False)
                   .values("agent").annotate(rated=Count("id"), total=Sum("score"))}
    quality = {r["agent"]: r for r in _reviews(period).values("agent")
               .annotate(reviews=Count("id"), score=Avg("score"))}
    ids = set(chats) | set(solved) | set(ticket_csat) | set(quality)
    ids.discard(None)
    agents = User.objects.filter(pk__in=ids).select_related("agent_profile__team").order_by("name", "email")
    if period.team is not None:
        agents = agents.filter(agent_profile__team=period.team)
    rows = []
    for agent in agents:
        c, t, q = chats.get(agent.pk, {}), ticket_csat.get(agent.pk, {}), quality.get(agent.pk, {})
        rated = c.get("rated", 0) + t.get("rated", 0)
        total = (c.get("total") or 0) + (t.get("total") or 0)
        profile = getattr(agent, "agent_profile", None)
        rows.append({"agent": agent.display_name, "agent_id": agent.pk,
                     "team": profile.team.name if profile and profile.team else "",
                     "chats": c.get("handled", 0), "handle_avg": _round(c.get("handle_avg")),
                     "tickets_solved": solved.get(agent.pk, 0), "csat_responses": rated,
                     "csat": round(total / rated, 2) if rated else None,
                     "reviews": q.get("reviews", 0), "quality": _round(q.get("score"))})
    return Table("agents", _("Agents"), [
        Column("agent", _("Agent"), "text"), Column("team", _("Team"), "text"), Column("chats", _("Chats handled")),
        Column("handle_avg", _("Average handle time"), "seconds"), Column("tickets_solved", _("Tickets solved")),
        Column("csat_responses", _("CSAT answers")), Column("csat", _("CSAT score"), "score"),
        Column("reviews", _("Quality reviews")), Column("quality", _("Quality score"), "pct")], rows)


def quality_by_week(period):
    """Quality review scores per agent and week (the Monday it starts), to see who improves and who needs help."""
    rows = (_reviews(period).annotate(week=TruncWeek("created_at", tzinfo=period.tz))
            .values("agent", "agent__name", "agent__email", "week")
            .annotate(reviews=Count("id"), score=Avg("score")).order_by("agent__name", "agent__email", "week"))
    return Table("quality", _("Quality reviews by agent and week"), [
        Column("agent", _("Agent"), "text"), Column("week", _("Week of"), "date"), Column("reviews", _("Reviews")),
        Column("score", _("Quality score"), "pct")],
        [{"agent": r["agent__name"] or r["agent__email"].split("@")[0], "week": r["week"].date().isoformat(),
          "reviews": r["reviews"], "score": _round(r["score"])} for r in rows])


def quality_by_criterion(period):
    rows = (ReviewScore.objects.filter(review__in=_reviews(period)).values("criterion_id", "criterion__position")
            .annotate(reviews=Count("id"), score=Avg("score")).order_by("criterion__position", "criterion_id"))
    from .models import ReviewCriterion

    names = {c.pk: c.name for c in ReviewCriterion.objects.filter(pk__in=[r["criterion_id"] for r in rows])}
    return Table("quality_criteria", _("Quality by rubric criterion"), [
        Column("criterion", _("Criterion"), "text"), Column("reviews", _("Reviews")),
        Column("score", _("Average (1-5)"), "score")],
        [{"criterion": names.get(r["criterion_id"], ""), "reviews": r["reviews"], "score": _round(r["score"], 2)}
         for r in rows])


for _build, _key in [(chats_by_language, "chats"), (wait_heatmap, "heatmap"), (daily_trend, "trend"),
                    (bot_by_language, "bot"), (handover_reasons, "handover_reasons"),
                    (tickets_by_channel, "tickets_by_channel"), (tickets_by_category, "tickets_by_category"),
                    (ticket_times, "ticket_times"), (csat_by_language, "csat"), (team_figures, "teams"),
                    (agent_figures, "agents"),
                    (quality_by_week, "quality"), (quality_by_criterion, "quality_criteria")]:
    _build.table_key = _key  # the CSV export builds only the table it is asked for

REPORT_TABLES = [chats_by_language, wait_heatmap, daily_trend, bot_by_language, handover_reasons, tickets_by_channel,
                 tickets_by_category, ticket_times, csat_by_language, team_figures, agent_figures, quality_by_week,
                 quality_by_criterion]


def _sorting_memory():
    """Percentiles and grouping sort the period's rows; with Postgres' default work_mem (4 MB) a 90-day sort of a
    busy desk spills to disk. Reports are few and run by supervisors, so they get more memory for their own
    transaction only (set_config(..., true) is SET LOCAL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.REPORTS_WORK_MEM])


def report(period):
    """Every table of the supervisor report for the period, by key, in page order.

    The tables are independent read-only queries, so with REPORTS_PARALLEL > 1 they run on that many database
    connections at once, all reading the same snapshot (exported by this transaction and imported by the workers),
    so the figures agree with each other exactly as in one transaction. Inside an enclosing transaction (e.g. a
    test's), other connections could not see its rows, so the tables are built here, one after another."""
    workers = min(settings.REPORTS_PARALLEL, len(REPORT_TABLES))
    with transaction.atomic():
        _sorting_memory()
        if workers <= 1 or _inside_test_block():
            return {table.key: table for table in (build(period) for build in REPORT_TABLES)}
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        return _build_in_parallel(period, snapshot, workers)


def _inside_test_block():
    """True when our transaction is nested in one we did not open (its rows are invisible to other connections)."""
    return len(connection.atomic_blocks) > 1


def _build_in_parallel(period, snapshot, workers):
    import queue
    import threading

    todo = queue.Queue()
    for index, build in enumerate(REPORT_TABLES):
        todo.put((index, build))
    results, errors = {}, []

    def work():
        try:
            while True:
                try:
                    index, build = todo.get_nowait()
                except queue.Empty:
                    return
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                        cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                    _sorting_memory()
                    results[index] = build(period)
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=work, name=f"report-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return {table.key: table for table in (results[i] for i in range(len(REPORT_TABLES)))}


def report_table(period, key):
    """One table by its key (for the CSV export); KeyError for an unknown key."""
    build = {b.table_key: b for b in REPORT_TABLES}[key]
    with transaction.atomic():
        _sorting_memory()
        return build(period)


def wallboard(*, now=None):
    """The live desk: per language, chats waiting and the longest wait, agents online; today's (UTC) SLA
    achievement and CSAT. A fixed number of queries."""
    now = now or timezone.now()
    waiting = {r["language"]: r for r in Conversation.objects.filter(status=ConversationStatus.QUEUED).order_by()
               .values("language").annotate(n=Count("id"), oldest=Min("queued_at"))}
    online = {code: 0 for code in LANGUAGE_CODES}
    for languages in AgentProfile.objects.filter(presence=Presence.ONLINE, user__is_active=True).values_list(
            "languages", flat=True):
        for code in languages:
            if code in online:
                online[code] += 1
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    timers = SlaTimer.objects.filter(TIMER_FINISHED, cancelled_at__isnull=True).filter(
        Q(fulfilled_at__gte=day_start) | Q(fulfilled_at__isnull=True, breached_at__gte=day_start))
    sla = timers.aggregate(finished=Count("id"), met=Count("id", filter=TIMER_MET))
    chat_csat = Conversation.objects.filter(rated_at__gte=day_start).aggregate(n=Count("id"), total=Sum("csat_score"))
    ticket_csat = TicketRating.objects.filter(rated_at__gte=day_start).aggregate(n=Count("id"), total=Sum("score"))
    rated = chat_csat["n"] + ticket_csat["n"]
    languages = []
    for code in LANGUAGE_CODES:
        row = waiting.get(code)
        languages.append({"language": code, "label": _language_label(code), "waiting": row["n"] if row else 0,
                          "longest_wait": round((now - row["oldest"]).total_seconds()) if row else 0,
                          "agents_online": online[code]})
    return {"at": now.isoformat(), "languages": languages,
            "sla_today": _pct(sla["met"], sla["finished"]), "sla_finished_today": sla["finished"],
            "csat_today": round(((chat_csat["total"] or 0) + (ticket_csat["total"] or 0)) / rated, 2) if rated else None,
            "csat_answers_today": rated}



def review_list_for_user(*, user, agent_param=None):
    """Quality reviews the user may read: an agent their own; a supervisor everyone's, or one agent's with
    `agent_param` (an id as typed). QualityReview.DoesNotExist for an id that is not a number, or for an agent asking
    for someone else's."""
    reviews = QualityReview.objects.select_related("agent", "reviewer", "ticket").prefetch_related(
        "scores__criterion")
    if is_supervisor(user):
        if agent_param:
            number = id_from_text(agent_param)
            if number is None:
                raise QualityReview.DoesNotExist
            reviews = reviews.filter(agent_id=number)
        return reviews
    if agent_param and agent_param != str(user.pk):
        raise QualityReview.DoesNotExist  # another agent's reviews are not theirs to read
    return reviews.filter(agent=user)


def review_get_for_user(*, user, review_id):
    """One review: its agent's, or any for a supervisor; QualityReview.DoesNotExist otherwise."""
    review = (QualityReview.objects.select_related("agent", "reviewer", "ticket", "conversation")
              .prefetch_related("scores__criterion").get(pk=review_id))
    if review.agent_id != user.pk and not is_supervisor(user):
        raise QualityReview.DoesNotExist
    return review
