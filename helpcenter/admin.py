"""Django admin for the knowledge base: tabbed translations, per-language status and preview, publish actions."""
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from support.languages import LANGUAGE_CODES
from support.markdown import render_markdown

from . import services
from .models import Article, ArticleStatus, Category, Section


@admin.register(Category)
class CategoryAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]


@admin.register(Section)
class SectionAdmin(TabbedTranslationAdmin):
    list_display = ["name", "category", "slug", "position"]
    list_filter = ["category"]
    list_editable = ["position"]


@admin.register(Article)
class ArticleAdmin(TabbedTranslationAdmin):
    list_display = ["title", "section", "status", "languages_state", "view_count", "updated_at"]
    list_filter = ["status", "section__category", "section"]
    search_fields = ["key", "title", "title_en", "title_zh_hans", "title_ja", "title_ko", "title_ru", "title_es"]
    readonly_fields = ["preview", "translated_at", "view_count", "created_at", "updated_at"]
    filter_horizontal = ["related"]
    actions = ["publish", "unpublish"]
    list_select_related = ["section"]

    @admin.display(description=_("Languages"))
    def languages_state(self, article):
        """Each language: ok, missing, or needs update (older than the English text)."""
        items = []
        for lang in LANGUAGE_CODES:
            if not article.has_language(lang):
                items.append((lang, "lang-missing", _("missing")))
            elif article.needs_update(lang):
                items.append((lang, "lang-stale", _("needs update")))
            else:
                items.append((lang, "lang-ok", "✓"))
        return format_html_join(" ", '<span class="{}" title="{}">{}</span>',
                                ((css, label, f"{lang} {label}" if css != "lang-ok" else f"{lang} ✓")
                                 for lang, css, label in items))

    @admin.display(description=_("Preview"))
    def preview(self, article):
        blocks = []
        for lang in LANGUAGE_CODES:
            if article.has_language(lang):
                blocks.append(format_html('<details><summary>{} — {}</summary><div lang="{}">{}</div></details>',
                                          lang, article.text(lang, "title"), lang,
                                          mark_safe(render_markdown(article.text(lang, "body")))))  # sanitised
        return mark_safe("".join(str(b) for b in blocks)) if blocks else "—"  # each block built by format_html

    def save_model(self, request, obj, form, change):
        previous = Article.objects.get(pk=obj.pk) if change else None
        if not change and obj.author_id is None:
            obj.author = request.user
        services.article_save(article=obj, previous=previous)

    @admin.action(description=_("Publish"))
    def publish(self, request, queryset):
        for article in queryset:
            article.status = ArticleStatus.PUBLISHED
            services.article_save(article=article, previous=article)

    @admin.action(description=_("Unpublish (back to draft)"))
    def unpublish(self, request, queryset):
        queryset.update(status=ArticleStatus.DRAFT)
