"""An automation's name and description in six languages (django-modeltranslation adds name_en, name_ja, ...): the
desk's default automations are named in each, and supervisors read the list in theirs. Triggers are written by one
supervisor in one language, and keep one name."""
from modeltranslation.translator import TranslationOptions, register

from .models import Automation


@register(Automation)
class AutomationTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
