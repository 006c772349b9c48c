"""The bot's configuration in Django admin: thresholds, texts per language, intent phrases, human-only topics."""
from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from .models import BotSettings, BotText, HumanOnlyTopic, IntentPhrase


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
