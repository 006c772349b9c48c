from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    name = "automation"
    verbose_name = _("Automation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from support.domain_events import subscribe
        from support.notifications import register_kind

        from .engine import rules_run
        from .services import TICKET_EVENTS

        subscribe(rules_run, TICKET_EVENTS)
        register_kind("rule_message", title=_("Request %(ticket)s"), body="%(text)s")
