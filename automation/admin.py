"""Triggers in the Django admin, for admins (supervisors use the agent area's pages): the list, and read-only logs
of firings, cut passes and changes. Changes made here go through the same services (checked, recorded)."""
import json

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from support.admin import TranslatedAdmin

# Conditions and actions are data (codes, and texts in the languages they were written in): edited as JSON, marked as
# not to be translated, so a screen reader or a browser's translator leaves them be.
JSON_AS_DATA = {models.JSONField: {"widget": forms.Textarea(attrs={"translate": "no", "rows": 8, "cols": 80})}}


def json_data(value):
    return format_html('<pre translate="no">{}</pre>', json.dumps(value, indent=2, ensure_ascii=False))

from .actions import ActionInvalid, actions_clean
from .conditions import ConditionInvalid
from .models import Automation, AutomationRun, NotifyAddress, RulesPass, Trigger, TriggerChange, TriggerFiring
from .services import TriggerInvalid, trigger_create, trigger_delete, trigger_update
from .sweep import automation_conditions_clean


@admin.register(Trigger)
class TriggerAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_AS_DATA
    list_display = ["name", "position", "is_active", "events", "fire_count", "last_fired_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    readonly_fields = ["fire_count", "last_fired_at", "created_by", "created_at", "updated_at"]
    fields = ["name", "description", "is_active", "position", "events", "match", "conditions", "actions",
              *readonly_fields]

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data.get(field) for field in
                  ("name", "description", "is_active", "events", "match", "conditions", "actions")}
        try:
            saved = (trigger_update(trigger=obj, actor=request.user, **values) if change
                     else trigger_create(actor=request.user, **values))
        except TriggerInvalid as exc:
            self.message_user(request, exc.detail, level=messages.ERROR)
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        trigger_delete(trigger=obj, actor=request.user)  # recorded, and every process's engine told

    def delete_queryset(self, request, queryset):
        for trigger in queryset:
            trigger_delete(trigger=trigger, actor=request.user)


@admin.register(Automation)
class AutomationAdmin(TranslatedAdmin):
    """Names in six languages (tabs); conditions and actions checked as automation.services does."""

    formfield_overrides = JSON_AS_DATA
    list_display = ["name", "position", "is_active", "fire_count", "last_fired_at"]
    readonly_fields = ["fire_count", "last_fired_at", "created_at", "updated_at"]
    fields = ["name", "description", "is_active", "position", "conditions", "actions", *readonly_fields]

    def save_model(self, request, obj, form, change):
        try:
            obj.conditions = automation_conditions_clean(form.cleaned_data.get("conditions"))
            obj.actions = actions_clean(form.cleaned_data.get("actions"))
        except (ConditionInvalid, ActionInvalid) as exc:
            self.message_user(request, str(exc), level=messages.ERROR)
            return
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TriggerFiring)
class TriggerFiringAdmin(ReadOnlyAdmin):
    list_display = ["fired_at", "trigger", "ticket", "event", "round", "outcome"]
    list_select_related = ["trigger", "ticket"]
    list_filter = ["event"]


@admin.register(AutomationRun)
class AutomationRunAdmin(ReadOnlyAdmin):
    list_display = ["acted_at", "automation", "ticket", "outcome"]
    list_select_related = ["automation", "ticket"]


@admin.register(RulesPass)
class RulesPassAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "ticket", "event", "rounds", "fired", "cut"]


@admin.register(TriggerChange)
class TriggerChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "trigger_name", "action", "actor"]
    list_select_related = ["actor"]
    fields = ["created_at", "trigger", "trigger_name", "action", "actor", "before_data", "after_data"]
    readonly_fields = fields

    @admin.display(description=_("before"))
    def before_data(self, change):
        return json_data(change.before)

    @admin.display(description=_("after"))
    def after_data(self, change):
        return json_data(change.after)


@admin.register(NotifyAddress)
class NotifyAddressAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "language"]
    verbose_name = _("notification address")
