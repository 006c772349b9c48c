"""Incident pages: the public status page, and the supervisor's list, declaration, detail and resolution."""
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from support.languages import LANGUAGE_CODES
from support.permissions import agent_required, supervisor_required
from support.roles import is_supervisor
from support.services import DomainError

from . import selectors, services
from .forms import IncidentForm, ResolveForm
from .models import Incident, IncidentStatus

RECENT_DAYS = 7


def status_page(request):
    """Public: what is broken right now, and what was fixed this week."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    resolved = (Incident.objects.filter(status=IncidentStatus.RESOLVED, resolved_at__gte=since)
                .order_by("-resolved_at")[:20])
    return render(request, "incidents/status.html", {"open": selectors.open_incidents(), "resolved": resolved,
                                                     "recent_days": RECENT_DAYS})


def _get(incident_id):
    try:
        return selectors.incident_get(incident_id=incident_id)
    except Incident.DoesNotExist as exc:
        raise Http404 from exc


def banner_fragment(request):
    """The banner alone, for pages that stay open for hours (the agent workspace, a chat): site.js fetches it every
    INCIDENT_BANNER_REFRESH_SECONDS and swaps it in when it changed. Staff get the linked counts, as on a page."""
    response = render(request, "incidents/_banner.html", {"embedded": request.GET.get("embed") == "1"})
    response["Cache-Control"] = "private, no-cache"
    return response


@agent_required
def incident_list(request):
    incidents = list(selectors.incident_list()[:200])
    return render(request, "incidents/list.html", {"incidents": incidents,
                                                   "can_declare": is_supervisor(request.user)})


def _form_error(form, exc):
    """Show a service's refusal on the field it names (title.en -> title_en)."""
    name = (exc.field or "").replace(".", "_").replace("-", "_")
    name = next((f for f in form.fields if f.replace("-", "_") == name), None)
    form.add_error(name, exc.detail)


@supervisor_required
def incident_new(request):
    form = IncidentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.incident_declare(by=request.user, titles=form.titles(), notices=form.notices(),
                                                 keywords=form.cleaned_data["keywords"],
                                                 severity=form.cleaned_data["severity"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Incident declared: its notice now shows on the help center, the chat and "
                                        "the request form."))
            return redirect("incidents:detail", incident.pk)
    return render(request, "incidents/form.html", {"form": form, "incident": None},
                  status=400 if form.errors else 200)


@supervisor_required
def incident_edit(request, incident_id):
    incident = _get(incident_id)
    if not incident.is_open:
        raise Http404
    initial = {"severity": incident.severity, "keywords": ", ".join(incident.keywords)}
    for code in LANGUAGE_CODES:
        field = code.replace("-", "_")
        initial[f"title_{code}"] = getattr(incident, f"title_{field}") or ""
        initial[f"notice_{code}"] = getattr(incident, f"notice_{field}") or ""
    form = IncidentForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_update(incident=incident, titles=form.titles(), notices=form.notices(),
                                     keywords=form.cleaned_data["keywords"], severity=form.cleaned_data["severity"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Incident updated."))
            return redirect("incidents:detail", incident.pk)
    return render(request, "incidents/form.html", {"form": form, "incident": incident},
                  status=400 if form.errors else 200)


@agent_required
def incident_detail(request, incident_id, resolve_form=None):
    incident = _get(incident_id)
    page = Paginator(selectors.incident_links(incident=incident), 50).get_page(request.GET.get("page"))
    return render(request, "incidents/detail.html", {
        "incident": incident, "page": page, "links": page.object_list,
        "titles": selectors.texts_by_language(incident, "title"),
        "notices": selectors.texts_by_language(incident, "notice"),
        "resolutions": selectors.texts_by_language(incident, "resolution"),
        "notice_counts": selectors.notice_counts(incident=incident),
        "can_manage": is_supervisor(request.user),
        "resolve_form": resolve_form or ResolveForm(),
    }, status=400 if resolve_form is not None else 200)


@require_POST
@supervisor_required
def incident_resolve(request, incident_id):
    incident = _get(incident_id)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return incident_detail(request, incident_id, resolve_form=form)
    try:
        services.incident_resolve(incident=incident, by=request.user, notify=form.cleaned_data["notify"],
                                  solve_tickets=form.cleaned_data["solve_tickets"],
                                  resolutions=form.resolutions())
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Incident resolved. The banner is gone; linked customers are told in batches."))
    return redirect("incidents:detail", incident.pk)
