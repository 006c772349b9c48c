"""What incidents tell the apps above them (they may not import those apps: tests/support/test_layers.py)."""
from django.dispatch import Signal

# Sent from a Celery task after an incident is resolved with "solve the linked tickets", with `incident`. Receivers
# (tickets: incident_tickets_solve, connected in TicketsConfig.ready) return how many objects they solved.
incident_resolved_solve = Signal()
