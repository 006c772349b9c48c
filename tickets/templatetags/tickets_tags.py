"""Template helpers for tickets: the SLA countdown badge, secret kinds, who is shown an attachment and why a file
could not be checked."""
from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

from support.filescan import PROBLEMS
from support.secretscan import KIND_LABELS
from tickets.selectors import attachment_shown_to

register = template.Library()


@register.simple_tag
def sla_badge(due_at, now=None):
    """"Due in 12 minutes" (amber under an hour), or "Breached 5 minutes ago" in red; nothing without a timer."""
    if due_at is None:
        return ""
    now = now or timezone.now()
    if due_at <= now:
        return format_html('<span class="sla sla-breached" title="{}">{}</span>', due_at.isoformat(),
                           _("Breached %(time)s ago") % {"time": timesince(due_at, now, depth=1)})
    css = "sla-soon" if (due_at - now).total_seconds() < 3600 else "sla-ok"
    return format_html('<span class="sla {}" title="{}">{}</span>', css, due_at.isoformat(),
                       _("Due in %(time)s") % {"time": timeuntil(due_at, now, depth=1)})


@register.filter
def secret_kinds(kinds):
    """The kinds of secrets masked in a message, as the reader's language names them ("recovery phrase, ...")."""
    return ", ".join(str(KIND_LABELS.get(kind, kind)) for kind in kinds)


@register.filter
def scan_problem(code):
    """Why a file could not be checked for secrets (support.filescan.PROBLEMS), in the reader's language."""
    return str(PROBLEMS.get(code, ""))


@register.filter
def shown_to(attachment, user):
    """Is the attachment's file shown to this reader yet (a picture being read for secrets: its uploader alone)?"""
    return attachment_shown_to(attachment=attachment, user=user)
