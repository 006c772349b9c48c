"""Fields written in all six languages (django-modeltranslation adds title_en, title_ja, ...)."""
from modeltranslation.translator import TranslationOptions, register

from .models import Article, Category, Section


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(Section)
class SectionTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(Article)
class ArticleTranslation(TranslationOptions):
    fields = ("title", "slug", "summary", "keywords", "body", "sample_questions")
