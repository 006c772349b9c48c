"""Django admin for the knowledge base: tabbed translations, per-language status and preview, publish actions."""
from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from support.languages import LANGUAGE_CODES
from support.markdown import render_markdown
from support.uploads import AttachmentRejected

from . import services
from .models import Article, ArticleImage, ArticleStatus, Category, Section


@admin.register(Category)
class CategoryAdmin(TabbedTranslationAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]


@admin.register(Section)
class SectionAdmin(TabbedTranslationAdmin):
    list_display = ["name", "category", "slug", "position"]
    list_filter = ["category"]
    list_editable = ["position"]


class ArticleImageForm(forms.ModelForm):
    class Meta:
        model = ArticleImage
        fields = ["file", "alt"]
        # No "currently: <link>" (media files have no public URL); the Markdown column shows the picture.
        widgets = {"file": forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"})}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload is not self.initial.get("file"):  # a new file was chosen
            try:
                checked = services.image_check(upload)
            except AttachmentRejected as exc:
                raise forms.ValidationError(exc.detail) from exc
            self.instance.content_type, self.instance.filename = checked.content_type, checked.filename
        return upload


class ArticleImageInline(admin.TabularInline):
    """Upload pictures here, then paste their Markdown line into a body (any language)."""

    model = ArticleImage
    form = ArticleImageForm
    extra = 1
    fields = ["file", "alt", "markdown_line"]
    readonly_fields = ["markdown_line"]
    verbose_name_plural = _("Images (upload, then paste the Markdown line into a body)")

    @admin.display(description=_("Markdown"))
    def markdown_line(self, image):
        if not image.pk or not image.content_type:
            return "—"
        return format_html('<code>{}</code><br><img src="{}" alt="" style="max-height:80px">', image.markdown(),
                           image.url)


@admin.register(Article)
class ArticleAdmin(TabbedTranslationAdmin):
    list_display = ["title", "section", "status", "languages_state", "view_count", "updated_at"]
    list_filter = ["status", "section__category", "section"]
    search_fields = ["key", "title", "title_en", "title_zh_hans", "title_ja", "title_ko", "title_ru", "title_es"]
    readonly_fields = ["preview", "translated_at", "view_count", "created_at", "updated_at"]
    filter_horizontal = ["related"]
    actions = ["publish", "unpublish"]
    list_select_related = ["section"]
    inlines = [ArticleImageInline]

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

    def save_formset(self, request, form, formset, change):
        images = formset.save(commit=False)
        for image in images:
            if isinstance(image, ArticleImage) and image.uploaded_by_id is None:
                image.uploaded_by = request.user
            image.save()
        for image in formset.deleted_objects:
            image.delete()  # its file goes with it (services.image_file_remove)
        formset.save_m2m()

    @admin.action(description=_("Publish"))
    def publish(self, request, queryset):
        for article in queryset:
            article.status = ArticleStatus.PUBLISHED
            services.article_save(article=article, previous=article)

    @admin.action(description=_("Unpublish (back to draft)"))
    def unpublish(self, request, queryset):
        for article in queryset:
            article.status = ArticleStatus.DRAFT
            services.article_save(article=article, previous=article)  # also takes it out of the search index
