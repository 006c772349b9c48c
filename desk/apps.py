from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The agent's workspace: what an agent works in, above tickets and live chat (see docs/architecture.md)."""

    name = "desk"
    verbose_name = _("Agent workspace")
    default_auto_field = "django.db.models.BigAutoField"
