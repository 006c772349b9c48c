"""Help-center pages: home, section, article (with feedback), search."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from support.languages import LANGUAGE_CODES
from support.markdown import render_markdown
from support.uploads import stored_file_response

from . import search, selectors, services
from .models import Article, ArticleImage, ArticleStatus, Section


def _lang():
    return translation.get_language()


def home(request):
    return render(request, "helpcenter/home.html", {"categories": selectors.category_tree(),
                                                    "popular": selectors.popular()})


def section_detail(request, slug):
    try:
        section = selectors.section_get(slug=slug)
    except Section.DoesNotExist as exc:
        raise Http404 from exc
    articles = selectors.published().filter(section=section).order_by("position", "id")
    return render(request, "helpcenter/section.html", {"section": section, "articles": articles})


def article_detail(request, article_id, slug=""):
    try:
        article = selectors.article_get_published(article_id=article_id)
    except Article.DoesNotExist as exc:
        raise Http404 from exc
    lang = _lang()
    shown = article.display_language(lang)
    services.article_viewed(article=article)
    alternates = [(code, reverse("helpcenter:article", kwargs={"article_id": article.pk}).replace(
        f"/{lang}/", f"/{code}/", 1)) for code in LANGUAGE_CODES if article.has_language(code)]
    return render(request, "helpcenter/article.html", {
        "article": article, "shown_language": shown, "fallback": shown != lang,
        "title": article.text(shown, "title"), "body_html": render_markdown(article.text(shown, "body")),
        "alternates": alternates,
        "related": selectors.related_articles(article=article),
        "voted": request.session.get(f"voted-{article.pk}"),
    })


@require_POST
def article_feedback(request, article_id):
    try:
        article = selectors.article_get_published(article_id=article_id)
    except Article.DoesNotExist as exc:
        raise Http404 from exc
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        messages.error(request, _("Choose yes or no."))
        return redirect("helpcenter:article", article_id=article.pk)
    if not request.session.session_key:
        request.session.save()
    services.article_vote(article=article, helpful=helpful == "yes", language=_lang(), user=request.user,
                          session_key=request.session.session_key)
    request.session[f"voted-{article.pk}"] = helpful
    messages.success(request, _("Thank you for your feedback."))
    return redirect("helpcenter:article", article_id=article.pk)


def search_page(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]  # Postgres text cannot hold NUL
    result = search.article_search(query, _lang()) if query else None
    return render(request, "helpcenter/search.html", {"query": query, "result": result})


def article_image(request, image_id):
    try:
        image = selectors.image_get_for_viewer(image_id=image_id, user=request.user)
    except ArticleImage.DoesNotExist as exc:
        raise Http404 from exc
    # A picture's bytes never change under its id; drafts' pictures are not cached by shared caches.
    public = image.article.status == ArticleStatus.PUBLISHED
    return stored_file_response(image.file, content_type=image.content_type, filename=image.filename,
                                cache="public, max-age=3600" if public else "private, no-store")
