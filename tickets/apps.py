from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Models are loaded only now: these imports cannot sit at the top of an apps module.
        from incidents.signals import incident_resolved_solve
        from verification.selectors import register_customer_conversations

        from . import notifications  # noqa: F401  (registers the notification kinds)
        from .selectors import agents_in_customer_tickets
        from .services import incident_tickets_solve

        def solve_linked_tickets(sender, *, incident, **kwargs):
            return incident_tickets_solve(incident=incident)

        # A strong reference (weak=False): the receiver is a closure that would otherwise be collected.
        incident_resolved_solve.connect(solve_linked_tickets, weak=False, dispatch_uid="tickets.solve_linked")
        register_customer_conversations(agents_in_customer_tickets)
