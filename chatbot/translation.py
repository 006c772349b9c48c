"""The bot's texts and the names of human-only topics in all six languages (django-modeltranslation adds text_en,
text_zh_hans, ...)."""
from modeltranslation.translator import TranslationOptions, register

from .models import BotText, HumanOnlyTopic


@register(BotText)
class BotTextTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("en",)


@register(HumanOnlyTopic)
class HumanOnlyTopicTranslation(TranslationOptions):
    fields = ("name",)  # the agent reads it on the bot's handover card, in the agent's language
    required_languages = ("en",)
