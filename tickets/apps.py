from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from incidents.services import on_resolve

        from .services import incident_tickets_solve

        on_resolve(incident_tickets_solve)

        from verification.selectors import register_customer_conversations

        from .selectors import agents_in_customer_tickets

        register_customer_conversations(agents_in_customer_tickets)
