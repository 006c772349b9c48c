"""Ticket figures: tickets by channel and by category, first response and resolution times, SLA achievement."""
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from support.aggregates import Percentile
from support.languages import LANGUAGE_CODES
from tickets.models import Channel, SlaTimer
from tickets.sla import TIMER_FINISHED, TIMER_MET

from .periods import epoch_seconds, tickets_in_period
from .tables import Column, Table, language_label, percent, round_or_none


def tickets_by_channel(period):
    counts = {r["channel"]: r["n"] for r in tickets_in_period(period).values("channel").annotate(n=Count("id"))}
    total = sum(counts.values())
    rows = [{"channel": str(label), "tickets": counts.get(value, 0), "share": percent(counts.get(value, 0), total)}
            for value, label in Channel.choices]
    return Table("tickets_by_channel", _("Tickets by channel"), [
        Column("channel", _("Channel"), "text"), Column("tickets", _("Tickets")), Column("share", _("Share"), "pct")],
        rows)


def tickets_by_category(period):
    rows = (tickets_in_period(period).values("category__name").annotate(n=Count("id"))
            .order_by("-n", "category__name"))
    total = sum(r["n"] for r in rows)
    return Table("tickets_by_category", _("Tickets by category"), [
        Column("category", _("Category"), "text"), Column("tickets", _("Tickets")), Column("share", _("Share"), "pct")],
        [{"category": r["category__name"] or str(_("No category")), "tickets": r["n"], "share": percent(r["n"], total)}
         for r in rows])


FIRST_RESPONSE = epoch_seconds(F("first_response_at") - F("created_at"))
RESOLUTION = epoch_seconds(F("solved_at") - F("created_at"))


def _ticket_figures():
    responded, solved = Q(first_response_at__isnull=False), Q(solved_at__isnull=False)
    return {"tickets": Count("id"), "responded": Count("id", filter=responded), "solved": Count("id", filter=solved),
            "first_p50": Percentile(FIRST_RESPONSE, 0.5, filter=responded),
            "first_p90": Percentile(FIRST_RESPONSE, 0.9, filter=responded),
            "resolution_p50": Percentile(RESOLUTION, 0.5, filter=solved),
            "resolution_p90": Percentile(RESOLUTION, 0.9, filter=solved)}


def ticket_times(period):
    """Tickets per language: first response and resolution (median, p90, in minutes) and SLA achievement."""
    tickets = tickets_in_period(period)
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
        minutes = {key: round_or_none(r[key] / 60 if r[key] is not None else None)
                   for key in ("first_p50", "first_p90", "resolution_p50", "resolution_p90")}
        return {"language": label, "tickets": r["tickets"], "solved": r["solved"], **minutes,
                "sla_first_response": percent(s.get("first_response_met", 0), s.get("first_response_finished", 0)),
                "sla_resolution": percent(s.get("resolution_met", 0), s.get("resolution_finished", 0))}

    rows = [row(language_label(code), grouped[code], sla.get(code, {})) for code in LANGUAGE_CODES if code in grouped]
    rows.append(row(language_label(None), total, sla_total))
    return Table("ticket_times", _("Tickets: response, resolution and SLA"), [
        Column("language", _("Language"), "text"), Column("tickets", _("Tickets created")),
        Column("solved", _("Solved")), Column("first_p50", _("First response, median"), "minutes"),
        Column("first_p90", _("First response, p90"), "minutes"),
        Column("resolution_p50", _("Resolution, median"), "minutes"),
        Column("resolution_p90", _("Resolution, p90"), "minutes"),
        Column("sla_first_response", _("SLA met: first response"), "pct"),
        Column("sla_resolution", _("SLA met: resolution"), "pct")], rows)
