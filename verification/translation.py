"""The label visitors read is written in all six languages (django-modeltranslation adds label_en, label_ja, ...)."""
from modeltranslation.translator import TranslationOptions, register

from .models import OfficialChannel


@register(OfficialChannel)
class OfficialChannelTranslation(TranslationOptions):
    fields = ("label",)
    required_languages = ("en",)
