"""Supervisor report pages, the CSV export, the wallboard and quality reviews. Thin: parse, call, render."""
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from livechat.models import Conversation
from support.audit import audit_read
from support.languages import language_choices
from support.models import AuditEvent
from support.permissions import agent_required, supervisor_required
from support.roles import is_supervisor
from support.services import DomainError
from tickets.models import Ticket

from . import selectors, services
from .exports import table_csv
from .forms import COMMON_TIME_ZONES, ReportFilterForm, ReviewForm
from .models import QualityReview


def _chart_strings():
    return {"wait": _("Queue wait, median (minutes)"), "minutes": _("min"), "offered": _("Chats offered"),
            "answered": _("Chats answered"), "abandoned": _("Abandoned in queue"),
            "tickets_created": _("Tickets created"), "tickets_solved": _("Tickets solved"),
            "no_data": _("No chats in this period."), "hour": _("Hour"), "weekday": _("Weekday"),
            # Language overflow (#25)
            "accepted": pgettext("overflow offer", "Accepted"), "declined": pgettext("overflow offer", "Declined"),
            "unanswered": _("Not answered"), "wait_p90_minutes": _("Queue wait, p90 (minutes)"),
            "after_accepting": _("Offer accepted"),
            "served_natively": _("Served natively"), "translated": _("Translated chats"),
            "native": _("Native chats"),
            "csat_score": _("CSAT score"), "no_overflow": _("No overflow offers in this period."),
            # Custom fields (#26)
            "no_field_tickets": _("No tickets with this field in this period.")}


@supervisor_required
def reports_page(request):
    form = ReportFilterForm(request.GET)
    context = {"form": form, "time_zones": COMMON_TIME_ZONES}
    if form.is_valid():
        period = form.period()
        tables = selectors.report(period)
        # Show the period the figures are for (defaults filled in), and link the CSVs to exactly that period.
        effective = {"start": period.start.isoformat(), "end": period.end.isoformat(), "tz": str(period.tz),
                     "language": period.language or "", "team": period.team.pk if period.team else ""}
        context.update({
            "form": ReportFilterForm(effective), "query": urlencode(effective),
            "period": period, "tables": tables,
            "heatmap_languages": [(code, name) for code, name in language_choices()
                                  if period.language in (None, code)],
            "overflow_parts": selectors.overflow_parts(tables["overflow"]),
            "field_parts": selectors.field_parts(tables["fields"]),
            "chart_data": {"heatmap": tables["heatmap"].rows, "trend": tables["trend"].rows,
                           "overflow": tables["overflow"].rows, "fields": tables["fields"].rows,
                           "weekdays": [str(d) for d in _weekday_names()], "strings": _chart_strings()},
        })
    return render(request, "reports/reports.html", context, status=200 if form.is_valid() else 400)


def _weekday_names():
    return [WEEKDAYS_ABBR[i] for i in range(7)]


@supervisor_required
def report_csv(request, key):
    form = ReportFilterForm(request.GET or {})
    if not form.is_valid():
        return render(request, "reports/reports.html", {"form": form, "time_zones": COMMON_TIME_ZONES}, status=400)
    period = form.period()
    try:
        table = selectors.report_table(period, key)
    except KeyError as exc:
        raise Http404 from exc
    audit_read(request, action=AuditEvent.Action.EXPORT, object_type="report",
               object_id=f"{key} {period.start}..{period.end}")
    response = HttpResponse(table_csv(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}-{period.start}-{period.end}.csv"'
    return response


@agent_required
def wallboard_page(request):
    return render(request, "reports/wallboard.html", {
        "board": selectors.wallboard(),
        "strings": {"updated": _("Updated {time}"), "offline": _("Connection lost; retrying…")}})


@agent_required
def review_list(request):
    """An agent's own reviews; supervisors see everyone's, or one agent's with ?agent=<id>."""
    try:
        reviews = selectors.review_list_for_user(user=request.user, agent_param=request.GET.get("agent"))
    except QualityReview.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "reports/review_list.html", {"reviews": reviews[:100],
                                                        "supervisor": is_supervisor(request.user)})


@agent_required
def review_detail(request, review_id):
    try:
        review = selectors.review_get_for_user(user=request.user, review_id=review_id)
    except QualityReview.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "reports/review_detail.html", {"review": review})


@supervisor_required
def review_new(request):
    """Score a closed chat (?chat=<id>) or a solved ticket (?ticket=T-10001) on the rubric."""
    try:
        conversation, ticket = services.review_subject_get(chat_id=request.GET.get("chat"),
                                                           ticket_ref=request.GET.get("ticket"))
    except (Conversation.DoesNotExist, Ticket.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    error = None
    try:
        agent = services.review_subject_agent(conversation=conversation, ticket=ticket)
    except DomainError as exc:
        agent, error = None, exc.detail
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and agent is not None and form.is_valid():
        try:
            review = services.review_create(reviewer=request.user, scores=form.scores(),
                                            comment=form.cleaned_data["comment"], conversation=conversation,
                                            ticket=ticket)
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, _("Review saved; the agent has been notified."))
            return redirect("reports:review", review.pk)
    transcript = list(conversation.messages.order_by("seq")[:500]) if conversation else []
    return render(request, "reports/review_new.html", {
        "form": form, "conversation": conversation, "ticket": ticket, "agent": agent, "error": error,
        "transcript": transcript,
        "ticket_messages": list(ticket.messages.select_related("author").order_by("created_at")[:200])
        if ticket else []}, status=400 if error or form.errors else 200)
