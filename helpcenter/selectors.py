"""Reads of the knowledge base. The public only ever sees published articles."""
from django.db.models import Count, Prefetch, Q

from support.roles import is_supervisor

from .models import Article, ArticleImage, ArticleStatus, Category, Section


def published():
    return Article.objects.filter(status=ArticleStatus.PUBLISHED)


def article_get_published(*, article_id):
    return published().select_related("section__category").get(pk=article_id)


def category_tree():
    """Categories with their sections and each section's published articles, in three queries."""
    articles = published().order_by("position", "id").only("id", "key", "position", "section_id", *[
        f"{f}_{s}" for f in ("title", "slug") for s in ("en", "zh_hans", "es", "ru", "ja", "ko")])
    sections = Section.objects.order_by("position", "slug").prefetch_related(Prefetch("articles", queryset=articles))
    return Category.objects.order_by("position", "slug").prefetch_related(Prefetch("sections", queryset=sections))


def popular(*, limit=6):
    return published().order_by("-view_count", "position", "id")[:limit]


def section_get(*, slug):
    return Section.objects.select_related("category").get(slug=slug)


def vote_counts(*, article):
    return article.votes.aggregate(yes=Count("id", filter=Q(helpful=True)), no=Count("id", filter=Q(helpful=False)))


def related_articles(*, article, limit=5):
    """The editor's chosen related articles, or else others from the same section; published only."""
    chosen = list(published().filter(pk__in=article.related.values("pk")).order_by("position", "id")[:limit])
    if chosen:
        return chosen
    return list(published().filter(section=article.section).exclude(pk=article.pk).order_by("position", "id")[:limit])


def image_get_for_viewer(*, image_id, user):
    """A picture of a published article for anyone; of a draft or archived one only for those who may edit it
    (staff in the admin, supervisors through the API), who preview it."""
    image = ArticleImage.objects.select_related("article").get(pk=image_id)
    if image.article.status != ArticleStatus.PUBLISHED and not (
            user.is_authenticated and (user.is_staff or is_supervisor(user))):
        raise ArticleImage.DoesNotExist
    return image
