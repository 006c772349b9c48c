"""The bot's texts in all six languages (django-modeltranslation adds text_en, text_zh_hans, ...)."""
from modeltranslation.translator import TranslationOptions, register

from .models import BotText


@register(BotText)
class BotTextTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("en",)
