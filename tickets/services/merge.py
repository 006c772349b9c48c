"""Merging a duplicate into another ticket of the same requester: its messages move and it closes."""
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from support.markdown import render_markdown
from support.roles import is_agent
from support.services import DomainError

from ..models import Attachment, Message, Status, Ticket, TicketEvent
from ..sla_timers import sla_cancel
from .changes import ticket_changes_apply_locked
from .common import NotAllowed, TicketClosed, audit_event


def ticket_merge_check(*, source, target):
    """The merge rules, for the page that asks the agent to confirm and for ticket_merge itself: another ticket, of
    the same requester, neither closed. Raises the domain error that breaks."""
    if source.pk == target.pk:
        raise DomainError(_("A ticket cannot be merged into itself."), code="merge_same", field="target")
    if source.requester_id != target.requester_id:
        raise DomainError(_("Only tickets from the same requester can be merged."), code="merge_requester",
                          field="target")
    if source.status == Status.CLOSED or target.status == Status.CLOSED:
        raise TicketClosed(_("Closed tickets cannot be merged."), field="target")


def ticket_merge(*, source, target, actor):
    """Merge a duplicate into another ticket of the same requester: messages move, the duplicate closes.

    Only tickets of one requester merge, so no customer ever sees another customer's messages. Both rows are
    locked in id order, so two merges of the same pair cannot deadlock or interleave.
    """
    if not is_agent(actor):
        raise NotAllowed(_("Only agents can merge tickets."))
    ticket_merge_check(source=source, target=target)
    with transaction.atomic():
        locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
                  .order_by("pk")}
        src, dst = locked[source.pk], locked[target.pk]
        ticket_merge_check(source=src, target=dst)  # again under the locks: either may have changed meanwhile
        now = timezone.now()
        Message.objects.filter(ticket=src).update(ticket=dst)
        Attachment.objects.filter(ticket=src).update(ticket=dst)
        with translation.override(dst.language):  # written for the agents who work this ticket's language
            note = str(_("%(source)s was merged into this ticket.") % {"source": src.ref})
        Message.objects.create(ticket=dst, author=actor, is_internal=True, body=str(note),
                               body_html=render_markdown(str(note)), created_at=now)
        src.merged_into = dst
        src.tags = list(dict.fromkeys([*src.tags, "merged"]))
        src.save(update_fields=["merged_into", "tags"])
        TicketEvent.objects.bulk_create([
            audit_event(src, actor, TicketEvent.Field.MERGED, "", dst.ref),
            audit_event(dst, actor, TicketEvent.Field.MERGED, src.ref, ""),
        ])
        sla_cancel(src, now)
        ticket_changes_apply_locked(src, actor, {"status": Status.CLOSED}, now=now)
        dst.tags = list(dict.fromkeys([*dst.tags, *[t for t in src.tags if t != "merged"]]))
        dst.updated_at = now
        dst.save(update_fields=["tags", "updated_at"])
    target.refresh_from_db()
    source.refresh_from_db()
    return target
