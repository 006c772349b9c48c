from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivechatConfig(AppConfig):
    name = "livechat"
    verbose_name = _("Live chat")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from verification.selectors import register_customer_conversations

        from .selectors import agents_in_customer_chats

        register_customer_conversations(agents_in_customer_chats)
