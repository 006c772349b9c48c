"""The knowledge base: categories, sections and articles in six languages, with per-language search columns."""
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.languages import LANGUAGE_CODES


def field_suffix(lang):
    """modeltranslation's column suffix for a language code: zh-hans -> zh_hans."""
    return lang.replace("-", "_")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("help category")
        verbose_name_plural = _("help categories")
        ordering = ["position", "slug"]

    def __str__(self):
        return self.name


class Section(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections",
                                 verbose_name=_("category"))
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["category__position", "position", "slug"]

    def __str__(self):
        return f"{self.category} › {self.name}"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles",
                                verbose_name=_("section"))
    key = models.SlugField(_("key"), max_length=100, unique=True,
                           help_text=_("A stable English identifier, e.g. reset-password."))
    title = models.CharField(_("title"), max_length=200, blank=True)
    slug = models.SlugField(_("slug"), max_length=200, blank=True, allow_unicode=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    # Words customers use that the text does not (synonyms, slang, other names): searched like the summary, never
    # shown. Editors add them when "missing answers" show customers asking in words the article lacks.
    keywords = models.CharField(_("search keywords"), max_length=300, blank=True,
                                help_text=_("Other words customers use for this topic, separated by commas; "
                                            "searched but never shown."))
    body = models.TextField(_("body (Markdown)"), blank=True)
    # How customers ask for what the article answers, in their words: matched by meaning against each question
    # (helpcenter/semantic.py), never shown.
    sample_questions = models.TextField(
        _("sample questions"), blank=True,
        help_text=_("One per line: how customers ask for this, in their own words. Matched by meaning; never shown."))
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related articles"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("author"))
    # When each language's text last changed: a translation older than the English source "needs update".
    translated_at = models.JSONField(_("translated at"), default=dict, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # One search column per language (see helpcenter/search.py), kept current by the article service.
    search_en = SearchVectorField(null=True, editable=False)
    search_zh_hans = SearchVectorField(null=True, editable=False)
    search_es = SearchVectorField(null=True, editable=False)
    search_ru = SearchVectorField(null=True, editable=False)
    search_ja = SearchVectorField(null=True, editable=False)
    search_ko = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["section", "position", "id"]
        indexes = [GinIndex(fields=[f"search_{field_suffix(lang)}"], name=f"article_search_{field_suffix(lang)}")
                   for lang in LANGUAGE_CODES] + [models.Index(fields=["status"], name="article_status")]

    def __str__(self):
        return self.title or self.key

    def text(self, lang, field):
        return getattr(self, f"{field}_{field_suffix(lang)}", "") or ""

    def has_language(self, lang):
        return bool(self.text(lang, "title") and self.text(lang, "body"))

    def display_language(self, lang):
        """The language to show for a visitor of `lang`: theirs when translated, else English (the source)."""
        return lang if self.has_language(lang) else "en"

    def needs_update(self, lang):
        """A translation edited before the latest English edit is out of date."""
        if lang == "en" or not self.has_language(lang):
            return False
        source, translated = self.translated_at.get("en"), self.translated_at.get(lang)
        return bool(source and translated and translated < source)


class ArticleSourceSnapshot(models.Model):
    """The English source (title, summary, body) as it was when one language of an article was last translated:
    what "needs update" is measured against, so a translator sees what changed in English since (helpcenter/
    translator.py). Written by `article_save` whenever that language's text changes; no row means it is unknown
    (translated before snapshots were kept)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="source_snapshots")
    language = models.CharField(max_length=8)
    title = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "language"], name="article_source_snapshot_once")]


def _image_path(image, filename):
    # Opaque names: what an editor called the file never reaches the disk or the URL.
    return f"help/images/{image.pk}.{image.extension}"


class ArticleImage(models.Model):
    """A picture uploaded through the admin for an article's body; the body refers to it in Markdown."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images",
                                verbose_name=_("article"))
    file = models.FileField(_("image"), upload_to=_image_path, max_length=200)
    alt = models.CharField(_("description (alt text)"), max_length=200, blank=True)
    content_type = models.CharField(max_length=50, editable=False)
    filename = models.CharField(max_length=150, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["created_at"]

    def __str__(self):
        return self.filename

    @property
    def extension(self):
        return {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}.get(
            self.content_type, "bin")

    @property
    def url(self):
        return reverse("help-image", args=[self.pk])

    def markdown(self):
        """What an editor pastes into the body to show this picture."""
        alt = (self.alt or self.filename).replace("[", "(").replace("]", ")")
        return f"![{alt}]({self.url})"


class ArticleTerm(models.Model):
    """The ranked search index: one row per term of a published article's text in one language, with how
    strongly the term marks the article (title > summary > body). Rows come from the article's search column
    (helpcenter/search.py); read per term in weight order, they give the best articles for a term without
    scoring every article that contains it."""

    pk = models.CompositePrimaryKey("article", "language", "term")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    term = models.TextField()
    weight = models.FloatField()

    class Meta:
        indexes = [models.Index("language", "term", models.F("weight").desc(), "article", name="article_term_rank")]


class TermStat(models.Model):
    """How many published articles contain a term in a language (for inverse document frequency); the empty
    term counts the articles indexed in the language. Kept exact by triggers on ArticleTerm (migration 0003)."""

    pk = models.CompositePrimaryKey("language", "term")
    language = models.CharField(max_length=8)
    term = models.TextField()
    documents = models.IntegerField()


class ArticleVote(models.Model):
    """One "was this helpful?" answer per user, or per browser session for visitors."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+")
    session_key = models.CharField(max_length=64, blank=True)
    helpful = models.BooleanField()
    language = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], condition=models.Q(user__isnull=False),
                                    name="vote_once_per_user"),
            models.UniqueConstraint(fields=["article", "session_key"],
                                    condition=models.Q(user__isnull=True), name="vote_once_per_session"),
        ]


class ArticleEmbedding(models.Model):
    """An article's meaning in one language as one vector of a sentence-embedding model (helpcenter/semantic.py):
    the sum of its title-and-summary and its title-and-opening passages, normalised. Written when the article is
    saved (a Celery task) or by `manage.py helpcenter_embed`; `text_hash` skips texts already embedded."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="embeddings")
    language = models.CharField(max_length=8)
    model = models.CharField(max_length=40)
    text_hash = models.CharField(max_length=64)
    vector = models.BinaryField()  # float32, little-endian, the model's dimensions
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "language", "model"], name="article_embedding_once")]
        indexes = [models.Index(fields=["model", "language"], name="article_embedding_lookup")]
