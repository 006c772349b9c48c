"""Reading SLA timers: the soonest due time for sorting tickets, each timer's state for the ticket page and the
API, and achievement per policy or language for reports (which share the definition of a met timer from here)."""
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Extract

from support.aggregates import Percentile

from .models import SlaTimer
from .sla_timers import RUNNING, Kind


def next_due_subquery():
    """For annotating tickets: the soonest due time of a running, unpaused timer."""
    return Subquery(SlaTimer.objects.filter(RUNNING, ticket=OuterRef("pk"), due_at__isnull=False)
                    .order_by("due_at").values("due_at")[:1])


@dataclass
class TimerView:
    timer: SlaTimer
    state: str  # running, paused, met, missed, breached, cancelled


def timer_state(timer):
    """running, paused, met, missed, breached or cancelled."""
    if timer.cancelled_at:
        return "cancelled"
    if timer.fulfilled_at:
        return "met" if timer.met else "missed"
    if timer.breached_at:
        return "breached"
    if timer.paused_at:
        return "paused"
    return "running"


def timers_for_ticket(ticket):
    return [TimerView(timer, timer_state(timer))
            for timer in SlaTimer.objects.filter(ticket=ticket).select_related("policy").order_by("started_at", "id")]


# A finished timer was met when it was fulfilled without a breach, by its due time; reports share this definition.
TIMER_FINISHED = Q(fulfilled_at__isnull=False) | Q(breached_at__isnull=False)
TIMER_MET = Q(fulfilled_at__isnull=False, breached_at__isnull=True) & (Q(due_at__isnull=True)
                                                                      | Q(fulfilled_at__lte=F("due_at")))


def sla_report(*, start, end, group_by="policy"):
    """Achievement and times per policy or language, for first response and resolution timers started in the
    period and finished (met, missed or breached). Rows: {group, kind, total, met, rate, p50_minutes, p90_minutes}
    where the times are from start to fulfilment in calendar minutes."""
    group_field = {"policy": "policy__name", "language": "ticket__language"}[group_by]
    finished, met = TIMER_FINISHED, TIMER_MET
    seconds = Extract(F("fulfilled_at") - F("started_at"), "epoch")
    rows = (SlaTimer.objects.filter(finished, cancelled_at__isnull=True, started_at__gte=start, started_at__lt=end,
                                    kind__in=[Kind.FIRST_RESPONSE, Kind.RESOLUTION])
            .values(group_field, "kind")
            .annotate(total=Count("id"), met=Count("id", filter=met),
                      p50=Percentile(seconds, 0.5, filter=Q(fulfilled_at__isnull=False)),
                      p90=Percentile(seconds, 0.9, filter=Q(fulfilled_at__isnull=False)))
            .order_by(group_field, "kind"))
    return [
        {"group": row[group_field] or "—", "kind": row["kind"], "total": row["total"], "met": row["met"],
         "rate": row["met"] / row["total"] if row["total"] else None,
         "p50_minutes": round(row["p50"] / 60, 1) if row["p50"] is not None else None,
         "p90_minutes": round(row["p90"] / 60, 1) if row["p90"] is not None else None}
        for row in rows
    ]
