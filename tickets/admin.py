"""Django admin: categories, macros and custom ticket fields in six languages (tabbed); tickets are worked in the
agent pages."""
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationTabularInline

from support.admin import RecordAdmin, TranslatedAdmin, slug_code, stored_text

from .models import (
    BusinessCalendar,
    BusinessHours,
    Category,
    Holiday,
    InboundEmail,
    Macro,
    SlaPolicy,
    Ticket,
    TicketEvent,
    TicketField,
    TicketFieldOption,
)
from .services.field_admin import ticket_field_audit, ticket_field_errors, ticket_field_snapshot


@admin.register(Category)
class CategoryAdmin(TranslatedAdmin):
    list_display = ["name", slug_code, "position", "is_active"]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name_en"]}
    search_fields = ["name", "slug"]


@admin.register(Macro)
class MacroAdmin(TranslatedAdmin):
    list_display = ["name", "set_status", "add_tags", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_active", "set_status"]
    search_fields = ["name", "body"]


class TicketFieldOptionInline(TranslationTabularInline):
    model = TicketFieldOption
    extra = 1
    fields = ["value", "label", "position"]


class TicketFieldAdminForm(forms.ModelForm):
    """A definition is checked by the rules the supervisors' pages follow (services.field_admin), each message
    beside its field unless the field's own check (a key's format, a required label) already said something."""

    def clean(self):
        cleaned = super().clean()
        for name, messages in ticket_field_errors(cleaned, field=self.instance if self.instance.pk else None).items():
            target = name if name in self.fields else None
            if target is None or target not in self._errors:
                for message in messages:
                    self.add_error(target, message)
        return cleaned


@admin.register(TicketField)
class TicketFieldAdmin(TranslatedAdmin):
    """Custom ticket fields: a tab per language for the label, help text and message; options inline (a
    dropdown's or multi-select's); a pattern (checked when saved) for "text checked by a pattern". Every change is
    recorded in the audit log, like the supervisors' pages' (services.field_admin)."""

    form = TicketFieldAdminForm

    list_display = ["label", "key_code", "type", "customer_visible", "required_for_customer", "required_to_solve",
                    "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["type", "is_active", "customer_visible", "required_to_solve", "categories"]
    search_fields = ["label", "key"]
    filter_horizontal = ["categories"]
    inlines = [TicketFieldOptionInline]
    fieldsets = [
        (None, {"fields": ["key", "type", "label", "help_text", "categories", "position", "is_active"]}),
        (_("Who fills it in"), {"fields": ["customer_visible", "required_for_customer", "required_to_solve"]}),
        (_("Pattern"), {"fields": ["pattern", "pattern_by", "patterns", "invalid_message"]}),
    ]

    @admin.display(description=_("key"), ordering="key")
    def key_code(self, field):
        """The key as written: a code, not words."""
        return stored_text(field.key)

    def save_model(self, request, obj, form, change):
        # The field as stored before this save (its options and categories change in save_related, recorded there);
        # kept on the request: the admin object is shared by every request.
        request.ticket_field_before = ticket_field_snapshot(TicketField.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        ticket_field_audit(actor=request.user, field_id=form.instance.pk, before=request.ticket_field_before,
                           after=ticket_field_snapshot(form.instance))

    def delete_model(self, request, obj):
        ticket_field_audit(actor=request.user, field_id=obj.pk, before=ticket_field_snapshot(obj), after=None)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for field in queryset:
            ticket_field_audit(actor=request.user, field_id=field.pk, before=ticket_field_snapshot(field), after=None)
        super().delete_queryset(request, queryset)


class TicketEventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "actor", "field", "old", "new"]

    def has_add_permission(self, request, obj=None):
        return False

    # Statuses and priorities by their names in the reader's language, not their codes (TicketEvent.old_display).
    @admin.display(description=TicketEvent._meta.get_field("old_value").verbose_name)
    def old(self, event):
        return event.old_display

    @admin.display(description=TicketEvent._meta.get_field("new_value").verbose_name)
    def new(self, event):
        return event.new_display


@admin.register(Ticket)
class TicketAdmin(RecordAdmin):
    """Read-only here: every change to a ticket goes through the services (audit trail, notifications)."""

    list_display = ["number", "subject", "requester", "status", "priority", "language", "assignee", "updated_at"]
    list_filter = ["status", "priority", "language", "channel", "category"]
    search_fields = ["subject", "requester__email"]
    list_select_related = ["requester", "assignee"]
    inlines = [TicketEventInline]


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Every mail received, with what became of it; the raw .eml can be downloaded for rejected ones."""

    list_display = ["created_at", "from_email", "subject", "status", "reason", "ticket"]
    list_filter = ["status"]
    search_fields = ["from_email", "subject", "message_id"]
    list_select_related = ["ticket"]
    readonly_fields = [f.name for f in InboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BusinessHoursInline(admin.TabularInline):
    model = BusinessHours
    extra = 1


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone"]
    inlines = [BusinessHoursInline, HolidayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "priorities", "languages", "first_response_minutes", "next_response_minutes",
                    "resolution_minutes", "calendar", "is_active"]
    list_editable = ["position", "is_active"]
    filter_horizontal = ["categories"]
