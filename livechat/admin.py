"""Admin for live chat: overflow rules, and a read-only view of conversations for supervisors."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from support.admin import stored_text

from .models import ChatMessage, Conversation, LanguageOverflow, OverflowOffer


@admin.register(LanguageOverflow)
class LanguageOverflowAdmin(admin.ModelAdmin):
    list_display = ["language", "overflow_to", "after_seconds", "offer_above_seconds", "is_active"]
    list_editable = ["after_seconds", "offer_above_seconds", "is_active"]


@admin.register(OverflowOffer)
class OverflowOfferAdmin(admin.ModelAdmin):
    """What customers were offered and chose (read-only: the record of their answers)."""

    list_display = ["offered_at", "language", "overflow_to", "wait_estimate_seconds", "choice", "chosen_at"]
    list_filter = ["language", "overflow_to", "choice"]
    date_hierarchy = "offered_at"
    readonly_fields = ["conversation", "language", "overflow_to", "offered_at", "wait_estimate_seconds", "choice",
                       "chosen_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChatMessageInline(admin.TabularInline):
    model = ChatMessage
    fields = ["seq", "sender_kind", "sender", "message", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sender", "conversation")

    @admin.display(description=ChatMessage._meta.get_field("body").verbose_name)
    def message(self, message):
        return stored_text(message.body, message.conversation.language)  # written in the chat's language


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Conversations are changed by the desk (routing, agents), never by hand here: everything is read-only."""

    list_display = ["id", "language", "status", "agent", "customer_label", "created_at", "csat_score"]
    list_filter = ["status", "language", "overflowed"]
    search_fields = ["visitor_email", "customer__email", "topic"]
    list_select_related = ["agent", "customer"]
    inlines = [ChatMessageInline]

    @admin.display(description=_("customer"))
    def customer_label(self, conversation):
        return conversation.customer.email if conversation.customer_id else conversation.visitor_email

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Conversation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
