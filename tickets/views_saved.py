"""The inbox's saved views on the page: save the filters on screen under a name, rename a view, delete one. Plain
forms that post and come back to the inbox (they work without JavaScript); the inbox page itself is views.inbox."""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from support.permissions import agent_required
from support.services import DomainError

from . import selectors, services
from .filters import saved_filters_clean
from .inbox_views import saved_inbox_view
from .models import SavedView


def views_config(request):
    """What static/tickets/js/views.js needs, rendered as JSON on the page: where to read the counts, how often, and
    the words it announces a change with."""
    return {
        "url": f"{reverse('api-ticket-views')}?lang={translation.get_language()}",
        "every": settings.TICKET_VIEW_COUNTS_REFRESH_SECONDS,
        # Read out (politely) when a view's number changes: "Mine: 4."
        "changed": _("%(name)s: %(count)s."),
    }


def back_path(request, default=None):
    """Where the form came from: only a path on this site ("//elsewhere" is another host)."""
    back = request.POST.get("back") or ""
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return default or reverse("tickets:inbox")
    return back


def _saved_or_404(request, view_id):
    try:
        return selectors.saved_view_get_for_user(user=request.user, view_id=view_id)
    except SavedView.DoesNotExist as exc:
        raise Http404 from exc


def _problem(request, exc):
    if isinstance(exc, ValidationError):
        text = " ".join(str(m) for messages_ in exc.message_dict.values() for m in messages_)
        messages.error(request, _("These filters cannot be saved: %(problem)s") % {"problem": text})
    else:
        messages.error(request, exc.detail)


@agent_required
@require_POST
def inbox_view_save(request):
    """Save the inbox's filters on screen (the query string the form carries) under a name."""
    try:
        filters = saved_filters_clean(QueryDict(request.POST.get("query", "")), strict=False)
        saved = services.saved_view_create(owner=request.user, name=request.POST.get("name", ""), filters=filters,
                                           shared=request.POST.get("shared") == "1")
    except (ValidationError, DomainError) as exc:
        _problem(request, exc)
        return redirect(back_path(request))
    messages.success(request, _("The view “%(name)s” was saved.") % {"name": saved.name})
    return redirect(f"{reverse('tickets:inbox')}?{saved_inbox_view(saved, request.user).query}")


@agent_required
@require_POST
def inbox_view_rename(request, view_id):
    saved = _saved_or_404(request, view_id)
    try:
        services.saved_view_update(view=saved, actor=request.user, name=request.POST.get("name", ""))
    except DomainError as exc:
        _problem(request, exc)
    else:
        messages.success(request, _("The view was renamed to “%(name)s”.") % {"name": saved.name})
    return redirect(back_path(request))


@agent_required
@require_POST
def inbox_view_delete(request, view_id):
    """Delete a view once the box saying so is ticked (the tickets in it stay as they are)."""
    saved = _saved_or_404(request, view_id)
    back = back_path(request)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick the box to confirm that the view should be deleted."))
        return redirect(back)
    name = saved.name
    try:
        services.saved_view_delete(view=saved, actor=request.user)
    except DomainError as exc:
        _problem(request, exc)
        return redirect(back)
    messages.success(request, _("The view “%(name)s” was deleted.") % {"name": name})
    # The page of the deleted view would show filters nobody chose any more: back to the inbox.
    return redirect(reverse("tickets:inbox") if f"saved={view_id}" in back.split("?", 1)[-1].split("&") else back)
