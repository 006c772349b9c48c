"""Fields admins write in all six languages (django-modeltranslation adds name_en, name_ja, ...)."""
from modeltranslation.translator import TranslationOptions, register

from .models import Category, Macro, TicketField, TicketFieldOption


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(Macro)
class MacroTranslation(TranslationOptions):
    fields = ("name", "body")
    required_languages = ("en",)


@register(TicketField)
class TicketFieldTranslation(TranslationOptions):
    fields = ("label", "help_text", "invalid_message")
    required_languages = ("en",)


@register(TicketFieldOption)
class TicketFieldOptionTranslation(TranslationOptions):
    fields = ("label",)
    required_languages = ("en",)
