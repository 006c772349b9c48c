"""Django admin for the knowledge base: tabbed translations, per-language status and preview, publish actions, and
the translator's view (filters by language state with counts, the English source and its diff beside each
translation: helpcenter/translator.py)."""
from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from support.admin import TranslatedAdmin, slug_code, stored_text
from support.languages import LANGUAGE_CODES
from support.markdown import render_markdown
from support.uploads import AttachmentRejected

from . import services, translator
from .models import Article, ArticleImage, ArticleStatus, Category, Section


@admin.register(Category)
class CategoryAdmin(TranslatedAdmin):
    list_display = ["name", slug_code, "position"]
    list_editable = ["position"]


@admin.register(Section)
class SectionAdmin(TranslatedAdmin):
    list_display = ["name", "category", slug_code, "position"]
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


class TranslationStateFilter(admin.SimpleListFilter):
    """Articles whose translation into the chosen language is in `state`, filtered in the database; each option
    shows its count (changelist.translation_counts, one query for both filters and the summary)."""

    state = None

    def lookups(self, request, model_admin):
        return [(lang, translator.language_name(lang)) for lang in translator.TRANSLATIONS]

    def queryset(self, request, queryset):
        lang = self.value()
        if lang not in translator.TRANSLATIONS:
            return queryset  # no choice, or an unknown code typed into the URL: all articles
        return queryset.filter(translator.state_condition(lang, self.state))

    def choices(self, changelist):
        counts = getattr(changelist, "translation_counts", {})
        yield {"selected": self.value() not in translator.TRANSLATIONS,
               "query_string": changelist.get_query_string(remove=[self.parameter_name]), "display": _("All")}
        for lang, name in self.lookup_choices:
            count = counts.get(lang, {}).get(self.state)
            yield {"selected": self.value() == lang,
                   "query_string": changelist.get_query_string({self.parameter_name: lang}),
                   "display": name if count is None else f"{name} ({count})"}


class NeedsUpdateFilter(TranslationStateFilter):
    title = _("translation needing update")
    parameter_name = "needs_update"
    state = translator.STALE


class MissingFilter(TranslationStateFilter):
    title = _("missing translation")
    parameter_name = "missing_in"
    state = translator.MISSING


TRANSLATION_FILTERS = (NeedsUpdateFilter, MissingFilter)


class SectionFilter(admin.RelatedFieldListFilter):
    """Sections are named with their category: read both in one query, not one query per section."""

    def field_choices(self, field, request, model_admin):
        return [(section.pk, str(section)) for section in Section.objects.select_related("category")]


@admin.register(Article)
class ArticleAdmin(TranslatedAdmin):
    list_display = ["title_as_written", "section", "status", "languages_state", "view_count", "updated_at"]
    list_filter = [NeedsUpdateFilter, MissingFilter, "status", "section__category", ("section", SectionFilter)]
    search_fields = ["key", "title", "title_en", "title_zh_hans", "title_ja", "title_ko", "title_ru", "title_es"]
    readonly_fields = ["preview", "view_count", "created_at", "updated_at"]
    exclude = ["translated_at"]  # shown as a table of dates at the top of the form (translation_status.html)
    filter_horizontal = ["related"]
    actions = ["publish", "unpublish"]
    list_select_related = ["section__category"]  # the Section column prints its category too
    inlines = [ArticleImageInline]

    class Media:
        css = {"all": ["helpcenter/css/translator.css"]}
        # Listed with what it needs first, so the merged media load it after modeltranslation has built its tabs.
        js = ["admin/js/jquery.init.js", "modeltranslation/js/tabbed_translation_fields.js",
              "helpcenter/js/translator.js"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "related":
            field.widget.attrs["translate"] = "no"  # other articles' titles: stored text
        return field

    def get_changelist_instance(self, request):
        """Counts per language and state for the filters and the summary above the list: one query over the
        articles the other filters and the search leave."""
        changelist = super().get_changelist_instance(request)
        base = changelist.get_queryset(request, exclude_parameters=[f.parameter_name for f in TRANSLATION_FILTERS])
        changelist.translation_counts = counts = translator.translation_counts(base)
        changelist.translation_summary = [
            {"name": translator.language_name(lang), "counts": [
                (state, counts[lang][state], changelist.get_query_string(
                    {f.parameter_name: lang}, remove=[g.parameter_name for g in TRANSLATION_FILTERS]))
                for f, state in ((NeedsUpdateFilter, translator.STALE), (MissingFilter, translator.MISSING))]}
            for lang in translator.TRANSLATIONS]
        return changelist

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            # A form sent back with errors has written its values into obj: the source and diffs are the saved ones.
            saved = Article.objects.get(pk=obj.pk) if request.method == "POST" else obj
            context["translator"] = translator.article_translator_view(saved)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @admin.display(description=Article._meta.get_field("title").verbose_name, ordering="title")
    def title_as_written(self, article):
        language = article.display_language(get_language())  # the reader's, else the English source
        return stored_text(article.text(language, "title"), language)

    @admin.display(description=_("Languages"))
    def languages_state(self, article):
        """Each language: ok, missing, or needs update (older than the English text), as badges."""
        return format_html('<span class="hc-badges">{}</span>', format_html_join(
            " ", "{}", ((translator.state_badge(lang, translator.language_state(article, lang)),)
                        for lang in LANGUAGE_CODES)))

    @admin.display(description=_("Preview"))
    def preview(self, article):
        blocks = []
        for lang in LANGUAGE_CODES:
            if article.has_language(lang):
                blocks.append(format_html('<details><summary>{} — <span lang="{}">{}</span></summary>'
                                          '<div lang="{}">{}</div></details>',
                                          lang, lang, article.text(lang, "title"), lang,
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
