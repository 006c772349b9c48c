"""Celery entry points of incidents: tell linked customers of a resolution in batches, solve linked tickets."""
from celery import shared_task

from . import services
from .models import Incident, IncidentNotice
from .signals import incident_resolved_solve


@shared_task(acks_late=True)
def incident_notify(incident_id):
    """Send one batch and, while people remain, queue the next batch as a new task: a resolution with 50,000 linked
    customers never holds a worker for long, and other mail keeps flowing between batches."""
    sent = services.incident_notices_send(incident_id=incident_id)
    if sent and services.incident_pending_notices(incident_id=incident_id):
        incident_notify.delay(incident_id)
    return sent


@shared_task
def incident_notices_sweep():
    """Beat: a resolution whose notification chain was lost (broker restart) is picked up again."""
    pending = (IncidentNotice.objects.filter(sent_at__isnull=True).values_list("incident_id", flat=True)
               .distinct()[:100])
    for incident_id in pending:
        incident_notify.delay(incident_id)
    return len(pending)


@shared_task(acks_late=True)
def incident_solve_tickets(incident_id):
    """Tell the apps above (signals.incident_resolved_solve; tickets solves the linked tickets)."""
    incident = Incident.objects.get(pk=incident_id)
    if not incident.solve_tickets:
        return 0
    return sum(answer or 0 for _receiver, answer in incident_resolved_solve.send(sender=Incident, incident=incident))

