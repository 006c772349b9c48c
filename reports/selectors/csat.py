"""Customer satisfaction per language: chats and tickets asked, answered, mean score and share satisfied."""
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from support.languages import LANGUAGE_CODES

from .periods import HANDLED, chats_in_period, ticket_ratings_in_period
from .tables import Column, Table, language_label, percent


def csat_by_language(period):
    """Satisfaction per language: how many were asked, how many answered, mean score and share satisfied."""
    chat_figures = {"asked": Count("id", filter=HANDLED), "rated": Count("id", filter=Q(csat_score__isnull=False)),
                    "total": Sum("csat_score"), "satisfied": Count("id", filter=Q(csat_score__gte=4))}
    ticket_figures = {"asked": Count("id"), "rated": Count("id", filter=Q(score__isnull=False)),
                      "total": Sum("score"), "satisfied": Count("id", filter=Q(score__gte=4))}
    chats = {r["language"]: r for r in chats_in_period(period).values("language").annotate(**chat_figures)}
    tickets = {r["ticket__language"]: r for r in ticket_ratings_in_period(period).values("ticket__language")
               .annotate(**ticket_figures)}
    empty = {"asked": 0, "rated": 0, "total": 0, "satisfied": 0}

    def row(label, c, t):
        rated = c["rated"] + t["rated"]
        return {"language": label, "chats_asked": c["asked"], "chats_rated": c["rated"],
                "tickets_asked": t["asked"], "tickets_rated": t["rated"],
                "response_rate": percent(rated, c["asked"] + t["asked"]),
                "score": round(((c["total"] or 0) + (t["total"] or 0)) / rated, 2) if rated else None,
                "satisfied": percent(c["satisfied"] + t["satisfied"], rated)}

    rows, sums_c, sums_t = [], dict(empty), dict(empty)
    for code in LANGUAGE_CODES:
        c, t = chats.get(code, empty), tickets.get(code, empty)
        if c["asked"] or c["rated"] or t["asked"]:
            rows.append(row(language_label(code), c, t))
        for key in empty:
            sums_c[key] += c[key] or 0
            sums_t[key] += t[key] or 0
    rows.append(row(language_label(None), sums_c, sums_t))
    return Table("csat", _("Customer satisfaction (CSAT)"), [
        Column("language", _("Language"), "text"), Column("chats_asked", _("Chats asked")),
        Column("chats_rated", _("Chats rated")), Column("tickets_asked", _("Tickets asked")),
        Column("tickets_rated", _("Tickets rated")), Column("response_rate", _("Response rate"), "pct"),
        Column("score", _("CSAT score"), "score"), Column("satisfied", _("Satisfied (4-5)"), "pct")], rows)
