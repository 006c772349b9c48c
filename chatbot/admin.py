"""The bot's configuration in Django admin: thresholds, texts per language, intent phrases, human-only topics."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from support.admin import TranslatedAdmin, stored_text

from . import services
from .models import BotSettings, BotText, HumanOnlyTopic, IntentExample, IntentPhrase, MissingAnswer


@admin.register(BotSettings)
class BotSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "answer_threshold", "suggest_threshold", "handover_threshold", "out_of_scope_threshold",
                    "unhelpful_limit"]

    def has_add_permission(self, request):
        return not BotSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BotText)
class BotTextAdmin(TranslatedAdmin):
    list_display = ["key_code", "text"]
    search_fields = ["key", "text"]

    @admin.display(description=BotText._meta.get_field("key").verbose_name, ordering="key")
    def key_code(self, bot_text):
        return stored_text(bot_text.key)  # the code the bot looks the text up by


@admin.register(IntentPhrase)
class IntentPhraseAdmin(admin.ModelAdmin):
    list_display = ["phrase_as_written", "intent", "language", "is_active"]
    list_filter = ["intent", "language", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["phrase"]

    @admin.display(description=IntentPhrase._meta.get_field("phrase").verbose_name, ordering="phrase")
    def phrase_as_written(self, phrase):
        return stored_text(phrase.phrase, phrase.language)


@admin.register(IntentExample)
class IntentExampleAdmin(admin.ModelAdmin):
    """What the intent classifier learns from; any change retrains it (chatbot.services.intent_examples_changed)."""

    list_display = ["text_as_written", "label", "language", "is_active"]
    list_filter = ["label", "language", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["text"]

    @admin.display(description=IntentExample._meta.get_field("text").verbose_name, ordering="text")
    def text_as_written(self, example):
        return stored_text(example.text, example.language)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.intent_examples_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.intent_examples_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.intent_examples_changed()

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        services.intent_examples_changed()

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "POST" and getattr(response, "status_code", 200) == 302:  # list_editable saved
            services.intent_examples_changed()
        return response


@admin.register(HumanOnlyTopic)
class HumanOnlyTopicAdmin(TranslatedAdmin):
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
