"""What customers read is written per language (django-modeltranslation adds title_en, title_ja, ...)."""
from modeltranslation.translator import TranslationOptions, register

from .models import Incident


@register(Incident)
class IncidentTranslation(TranslationOptions):
    fields = ("title", "notice", "resolution")
    required_languages = ("en",)
