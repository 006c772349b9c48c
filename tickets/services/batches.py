"""Many tickets at once, in batches: the tickets linked to a resolved incident are solved, and tickets solved long
enough ago are closed (beat)."""

from django.db import transaction
from django.utils import timezone

from incidents.models import IncidentLink, LinkChannel
from support.numbers import id_from_text

from ..models import REF_PREFIX, Status, Ticket
from .changes import ticket_changes_apply_locked


def incident_tickets_solve(*, incident, batch_size=200):
    """A resolved incident's linked tickets are solved (its resolver in the audit trail), a batch per transaction.
    Their requesters were told by the incident's own message when the resolution notified them, so the status
    email is left out then. Connected to incidents.signals.incident_resolved_solve (TicketsConfig.ready)."""
    numbers = []
    for ref in IncidentLink.objects.filter(incident=incident, channel=LinkChannel.TICKET).values_list("object_id",
                                                                                                      flat=True):
        number = id_from_text(ref.removeprefix(REF_PREFIX)) if ref.startswith(REF_PREFIX) else None
        if number is not None:
            numbers.append(number)
    solved = 0
    for start in range(0, len(numbers), batch_size):
        with transaction.atomic():
            now = timezone.now()
            batch = (Ticket.objects.select_for_update()
                     .filter(number__in=numbers[start:start + batch_size], merged_into__isnull=True)
                     .exclude(status__in=[Status.SOLVED, Status.CLOSED]).order_by("pk"))
            for locked in batch:
                # Solved by the incident's resolution: a field required to solve does not hold it back.
                ticket_changes_apply_locked(locked, incident.resolved_by, {"status": Status.SOLVED}, now=now,
                                            email_status=not incident.notify_customers, solve_check=False)
                solved += 1
    return solved


# --- automatic closing ---------------------------------------------------------------------------------------
