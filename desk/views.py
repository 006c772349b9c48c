"""The workspace pages: the agent's home, the search box's results and one page per customer. The live parts of the
home speak the agent socket (desk.consumers, docs/api.md) from static/desk/js/workspace.js."""
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from livechat.strings import chat_strings
from support.audit import audit_read
from support.models import AuditEvent, Presence, User
from support.notifications import render_body, render_title
from support.permissions import agent_required
from support.selectors import notification_list_for_user
from support.shortcuts import shortcut_config

from . import selectors


def _workspace_strings():
    """What the workspace script says, beside the console's texts (queues, chats, errors)."""
    return {
        **chat_strings(),
        "unread": _("{count} unread"), "open": _("Open"),
        "due_in": _("due in {minutes} min"), "overdue": _("overdue by {minutes} min"), "no_due": _("no SLA timer"),
        "no_tickets": _("Nothing here."), "notifications": _("Notifications"),
        "desktop_on": _("Desktop notifications are on"), "desktop_enable": _("Turn on desktop notifications"),
        "desktop_denied": _("Desktop notifications are blocked in this browser's site settings."),
        "picking": _("Taking the longest-waiting chat…"), "nothing_waiting": _("No chat is waiting."),
    }


@agent_required
def workspace(request):
    """The agent's home: presence, own chats with unread counts, queues, tickets needing them, search and
    notifications, kept live by static/desk/js/workspace.js over the agent socket."""
    recent = notification_list_for_user(user=request.user, unread_only=True)[:5]
    return render(request, "desk/workspace.html", {
        "notifications": [{"title": render_title(n), "body": render_body(n), "url": n.url} for n in recent],
        "strings": _workspace_strings(), "presences": Presence.choices, "shortcuts": shortcut_config(),
        "ticket_url": reverse("tickets:agent_detail", args=["T-0"]), "console_url": reverse("livechat:console")})


@agent_required
def workspace_search(request):
    """The search box: straight to the object when exactly one thing matches, else the list."""
    q = request.GET.get("q", "").strip()[:200]
    if not q:
        return redirect("agent:home")
    found = selectors.workspace_search(user=request.user, q=q)
    if found["jump"]:
        return redirect(found["jump"])
    return render(request, "desk/workspace_search.html", {**found, "shortcuts": shortcut_config()})


@agent_required
def customer_detail(request, customer_id):
    """One page per customer: profile, language, every ticket and chat, satisfaction history."""
    try:
        overview = selectors.customer_overview(customer_id=customer_id)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    audit_read(request, action=AuditEvent.Action.CUSTOMER_VIEW, object_type="customer", object_id=customer_id,
               customer=customer_id)
    return render(request, "desk/customer.html", overview)
