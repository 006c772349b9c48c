"""Writes to the knowledge base: saving articles (slugs, translation dates, search), images, votes, views."""
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from support.languages import LANGUAGE_CODES
from support.uploads import check_upload

from .models import Article, ArticleImage, ArticleSourceSnapshot, ArticleVote, field_suffix
from .search import article_index
from .semantic import articles_embed

TRANSLATED_FIELDS = ("title", "summary", "body")  # what "needs update" compares; keywords are not prose


def _fingerprint(article, lang):
    return tuple(article.text(lang, f) for f in TRANSLATED_FIELDS)


def article_save(*, article, previous=None):
    """Save an article: readable slugs per language, a fresh 'translated at' per language whose text changed (with a
    snapshot of the English source it was translated from), and the six search columns recomputed in the same
    transaction."""
    now = timezone.now()
    dates = dict(article.translated_at or {})
    retranslated = []
    for lang in LANGUAGE_CODES:
        suffix = field_suffix(lang)
        title = article.text(lang, "title")
        if title and not getattr(article, f"slug_{suffix}", ""):
            # allow_unicode keeps Chinese, Japanese, Korean and Cyrillic titles readable instead of empty.
            setattr(article, f"slug_{suffix}", slugify(title, allow_unicode=True)[:200] or article.key)
        changed = previous is None or _fingerprint(previous, lang) != _fingerprint(article, lang)
        if title and changed:
            dates[lang] = now.isoformat()
            if lang != "en":
                retranslated.append(lang)
    article.translated_at = dates
    article.updated_at = now
    with transaction.atomic():
        article.save()
        _source_snapshots_take(article, retranslated, now)
        article_index(article)
        transaction.on_commit(lambda: _embed_later(article.pk))
    return article


def _source_snapshots_take(article, languages, now):
    # What each newly translated language was translated from: the diff a translator sees once English moves on.
    # One upsert; the unique (article, language) keeps a single, latest snapshot per language.
    if not languages:
        return
    source = {field: article.text("en", field) for field in TRANSLATED_FIELDS}
    ArticleSourceSnapshot.objects.bulk_create(
        [ArticleSourceSnapshot(article=article, language=lang, taken_at=now, **source) for lang in languages],
        update_conflicts=True, unique_fields=["article", "language"],
        update_fields=[*TRANSLATED_FIELDS, "taken_at"])


def _embed_later(article_id):
    # cycle: the Celery task <-> service pair (tasks call this module)
    from .tasks import article_embed as task

    task.delay(article_id)


def article_embed(*, article_id):
    """Embed an article's current texts (semantic search); a deleted article embeds nothing. Returns how many
    article-languages were (re)embedded."""
    article = Article.objects.filter(pk=article_id).first()
    return articles_embed([article]) if article is not None else 0


def article_vote(*, article, helpful, language, user=None, session_key=""):
    """Record "was this helpful?": one vote per user or visitor session; voting again changes the answer."""
    if user is not None and user.is_authenticated:
        lookup = {"article": article, "user": user}
    else:
        lookup = {"article": article, "user": None, "session_key": session_key}
    try:
        with transaction.atomic():
            vote, _created = ArticleVote.objects.update_or_create(
                **lookup, defaults={"helpful": helpful, "language": language})
    except IntegrityError:
        vote = ArticleVote.objects.get(**lookup)
    return vote


def article_viewed(*, article):
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def image_check(upload):
    """Check a picture for an article (an image by its content, within the size limit); raises
    AttachmentRejected with a readable reason."""
    return check_upload(upload, images_only=True, max_bytes=settings.HELP_IMAGE_MAX_BYTES, field="file")


def image_add(*, article, upload, alt="", user=None):
    """Store a checked picture for an article under an opaque name; returns the ArticleImage."""
    checked = image_check(upload)
    image = ArticleImage(article=article, alt=alt, content_type=checked.content_type, filename=checked.filename,
                         uploaded_by=user if user is not None and user.is_authenticated else None)
    image.file.save("", upload, save=False)  # the name comes from _image_path
    image.save()
    return image


def image_file_remove(sender, instance, **kwargs):
    """post_delete of an ArticleImage (directly, or with its article): remove its bytes once the delete commits."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))
