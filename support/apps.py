from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .roles import ensure_role_groups_after_migrate
        from .webhooks import wiring

        post_migrate.connect(ensure_role_groups_after_migrate, sender=self, dispatch_uid="support.create_role_groups")
        wiring.connect()  # outbound webhooks: the outbox's domain-event subscriber, their tasks and admin pages
