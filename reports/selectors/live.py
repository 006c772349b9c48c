"""The wallboard: the desk right now (chats waiting, agents online per language) and today's SLA and CSAT."""
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from livechat.models import Conversation, ConversationStatus
from support.languages import LANGUAGE_CODES
from support.models import AgentProfile, Presence
from tickets.models import SlaTimer, TicketRating
from tickets.sla import TIMER_FINISHED, TIMER_MET

from .tables import language_label, percent


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
        languages.append({"language": code, "label": language_label(code), "waiting": row["n"] if row else 0,
                          "longest_wait": round((now - row["oldest"]).total_seconds()) if row else 0,
                          "agents_online": online[code]})
    return {"at": now.isoformat(), "languages": languages,
            "sla_today": percent(sla["met"], sla["finished"]), "sla_finished_today": sla["finished"],
            "csat_today": round(((chat_csat["total"] or 0) + (ticket_csat["total"] or 0)) / rated, 2) if rated else None,
            "csat_answers_today": rated}
