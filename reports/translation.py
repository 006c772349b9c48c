"""The rubric in all six languages (django-modeltranslation adds name_en, name_zh_hans, ...)."""
from modeltranslation.translator import TranslationOptions, register

from .models import ReviewCriterion


@register(ReviewCriterion)
class ReviewCriterionTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)
