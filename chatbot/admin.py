"""The bot's configuration in Django admin: thresholds, texts per language, intent phrases, human-only topics."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from .models import BotSettings, BotText, HumanOnlyTopic, IntentPhrase, MissingAnswer


@admin.register(BotSettings)
class BotSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "answer_threshold", "suggest_threshold", "unhelpful_limit"]

    def has_add_permission(self, request):
        return not BotSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BotText)
class BotTextAdmin(TabbedTranslationAdmin):
    list_display = ["key", "text"]
    search_fields = ["key", "text"]


@admin.register(IntentPhrase)
class IntentPhraseAdmin(admin.ModelAdmin):
    list_display = ["phrase", "intent", "language", "is_active"]
    list_filter = ["intent", "language", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["phrase"]


@admin.register(HumanOnlyTopic)
class HumanOnlyTopicAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_editable = ["is_active"]


@admin.register(MissingAnswer)
class MissingAnswerAdmin(admin.ModelAdmin):
    """Questions the bot could not answer, grouped: what to write next, and in which language."""

    list_display = ["question", "language", "count", "last_asked_at", "is_resolved"]
    list_filter = ["language", "is_resolved"]
    search_fields = ["question"]
    readonly_fields = ["language", "question", "count", "first_asked_at", "last_asked_at"]
    exclude = ["terms"]
    actions = ["mark_resolved"]

    @admin.action(description=_("Mark as answered (an article now covers it)"))
    def mark_resolved(self, request, queryset):
        queryset.update(is_resolved=True)

    def has_add_permission(self, request):
        return False
