"""Incidents in Django admin are for looking only: declaring, changing and resolving go through the desk's pages
and API (agent/incidents/), whose services keep every channel's banner and the linking in step."""
from django.contrib import admin

from support.admin import RecordAdmin

from .models import Incident, IncidentLink


class IncidentLinkInline(admin.TabularInline):
    model = IncidentLink
    fields = ["channel", "object_id", "label", "customer", "email", "language", "linked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    max_num = 0


@admin.register(Incident)
class IncidentAdmin(RecordAdmin):
    list_display = ["id", "title", "severity", "status", "declared_at", "resolved_at"]
    list_filter = ["status", "severity"]
    search_fields = ["title_en", "title_zh_hans", "title_es", "title_ru", "title_ja", "title_ko", "keywords"]
    inlines = [IncidentLinkInline]
