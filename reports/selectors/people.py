"""Figures per team and per agent: chats, handle and wait times, tickets, CSAT and (for agents) quality score."""
from django.db.models import Avg, Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from support.aggregates import Percentile
from support.models import Team, User

from .periods import (
    ANSWERED,
    HANDLE,
    HANDLED,
    WAIT,
    chats_in_period,
    reviews_in_period,
    ticket_ratings_in_period,
    tickets_in_period,
    tickets_solved_in_period,
)
from .tables import Column, Table, round_or_none


def team_figures(period):
    """Per team: chats answered by its agents (wait and handle time), tickets of the team created and solved, and
    CSAT over its agents' chats. Chats count for the team of the agent who answered them; tickets by their team."""
    chats = {r["team"]: r for r in chats_in_period(period).filter(ANSWERED)
             .values(team=F("agent__agent_profile__team"))
             .annotate(answered=Count("id"), wait_p50=Percentile(WAIT, 0.5), wait_p90=Percentile(WAIT, 0.9),
                       handle_avg=Avg(HANDLE, filter=HANDLED), rated=Count("id", filter=Q(csat_score__isnull=False)),
                       csat=Avg("csat_score"))}
    tickets = {r["team"]: r for r in tickets_in_period(period).values("team")
               .annotate(created=Count("id"), solved=Count("id", filter=Q(solved_at__isnull=False)))}
    teams = list(Team.objects.filter(pk__in=[k for k in set(chats) | set(tickets) if k is not None]).order_by("name"))
    rows = []
    for team_id, name in [(t.pk, t.name) for t in teams] + [(None, str(_("No team")))]:
        c, t = chats.get(team_id, {}), tickets.get(team_id, {})
        if not c and not t:
            continue
        rows.append({"team": name, "chats": c.get("answered", 0), "wait_p50": round_or_none(c.get("wait_p50")),
                     "wait_p90": round_or_none(c.get("wait_p90")), "handle_avg": round_or_none(c.get("handle_avg")),
                     "tickets_created": t.get("created", 0), "tickets_solved": t.get("solved", 0),
                     "csat": round_or_none(c.get("csat"), 2)})
    return Table("teams", _("Teams"), [
        Column("team", _("Team"), "text"), Column("chats", _("Chats answered")),
        Column("wait_p50", _("Queue wait, median"), "seconds"), Column("wait_p90", _("Queue wait, p90"), "seconds"),
        Column("handle_avg", _("Average handle time"), "seconds"), Column("tickets_created", _("Tickets created")),
        Column("tickets_solved", _("Solved")), Column("csat", _("CSAT score (chats)"), "score")], rows)


def agent_figures(period):
    """Per agent: chats handled and average handle time, tickets solved, CSAT over chats and tickets, quality
    score. Five grouped queries, whatever the number of agents."""
    chats = {r["agent"]: r for r in chats_in_period(period).filter(HANDLED).values("agent")
             .annotate(handled=Count("id"), handle_avg=Avg(HANDLE),
                       rated=Count("id", filter=Q(csat_score__isnull=False)), total=Sum("csat_score"))}
    solved = {r["assignee"]: r["n"] for r in tickets_solved_in_period(period).filter(assignee__isnull=False)
              .values("assignee").annotate(n=Count("id"))}
    ticket_csat = {r["agent"]: r for r in ticket_ratings_in_period(period)
                   .filter(score__isnull=False, agent__isnull=False)
                   .values("agent").annotate(rated=Count("id"), total=Sum("score"))}
    quality = {r["agent"]: r for r in reviews_in_period(period).values("agent")
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
                     "chats": c.get("handled", 0), "handle_avg": round_or_none(c.get("handle_avg")),
                     "tickets_solved": solved.get(agent.pk, 0), "csat_responses": rated,
                     "csat": round(total / rated, 2) if rated else None,
                     "reviews": q.get("reviews", 0), "quality": round_or_none(q.get("score"))})
    return Table("agents", _("Agents"), [
        Column("agent", _("Agent"), "text"), Column("team", _("Team"), "text"), Column("chats", _("Chats handled")),
        Column("handle_avg", _("Average handle time"), "seconds"), Column("tickets_solved", _("Tickets solved")),
        Column("csat_responses", _("CSAT answers")), Column("csat", _("CSAT score"), "score"),
        Column("reviews", _("Quality reviews")), Column("quality", _("Quality score"), "pct")], rows)
