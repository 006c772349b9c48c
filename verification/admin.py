"""Django admin for the official list: staff type values as people see them; they are stored normalised."""
from django.contrib import admin

from support.admin import TranslatedAdmin

from .models import OfficialChannel


@admin.register(OfficialChannel)
class OfficialChannelAdmin(TranslatedAdmin):
    list_display = ["value", "kind", "platform", "label", "covers_email", "allow_subdomains", "is_active",
                    "created_at"]
    list_filter = ["kind", "platform", "is_active", "covers_email", "allow_subdomains"]
    search_fields = ["value", "label_en", "label_zh_hans", "label_es", "label_ru", "label_ja", "label_ko"]
    list_editable = ["is_active"]
    readonly_fields = ["created_at"]
    fields = ["kind", "platform", "value", "label", "covers_email", "allow_subdomains", "is_active", "created_at"]
