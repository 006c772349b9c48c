from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_role_groups(sender, **kwargs):
    # After migrate and after a test database flush: the role groups must always exist with their permissions.
    from .roles import ensure_role_groups

    ensure_role_groups()


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        post_migrate.connect(_create_role_groups, sender=self, dispatch_uid="support.create_role_groups")
