"""Help-center API: search and read published articles, vote, list categories. Public (no login needed)."""
from django.db import IntegrityError
from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from support.languages import LANGUAGE_CODES, normalize_language
from support.markdown import render_markdown
from support.permissions import IsSupervisor
from support.schema import errors
from support.serializers import StrictInputSerializer

from . import search, selectors, services
from .models import Article, ArticleStatus, Section, field_suffix


def _lang(request):
    return normalize_language(request.query_params.get("lang")) or translation.get_language() or "en"


class HitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField()
    language = serializers.CharField(help_text="the language the title and snippet are in")
    fallback = serializers.BooleanField(help_text="the article is not written in the asked language: shown in English")


class SearchOutputSerializer(serializers.Serializer):
    language = serializers.CharField()
    fallback = serializers.BooleanField()
    results = HitSerializer(many=True)


class ArticleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    language = serializers.CharField()
    fallback = serializers.BooleanField()
    title = serializers.CharField()
    summary = serializers.CharField()
    body = serializers.CharField()
    body_html = serializers.CharField()
    section = serializers.CharField()
    category = serializers.CharField()
    updated_at = serializers.DateTimeField()
    url = serializers.CharField()


class ArticleWrittenOutputSerializer(serializers.Serializer):
    """What a staff import gets back for an article it created or changed."""

    id = serializers.IntegerField()
    key = serializers.CharField()
    status = serializers.ChoiceField(choices=ArticleStatus.choices)


class RequiredBooleanField(serializers.BooleanField):
    """DRF reads a boolean missing from form data as false (an unticked checkbox); a vote must say which."""

    default_empty_html = serializers.empty


class FeedbackInputSerializer(StrictInputSerializer):
    helpful = RequiredBooleanField()


class SearchQuerySerializer(serializers.Serializer):  # query parameters: ?lang= comes along
    # A CharField also refuses NUL characters, which PostgreSQL text cannot hold (the search query reaches SQL).
    q = serializers.CharField(error_messages={"required": "Enter something to search for.",
                                              "blank": "Enter something to search for."})


def _url(article, lang):
    slug = article.text(lang, "slug") or article.text("en", "slug")
    path = reverse("helpcenter:article", kwargs={"article_id": article.pk})
    return path.replace(f"/{translation.get_language()}/", f"/{lang}/", 1) + (f"{slug}/" if slug else "")


class ArticleSearchApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[SearchQuerySerializer,
                               OpenApiParameter("lang", str, description=", ".join(LANGUAGE_CODES))],
                   responses={200: SearchOutputSerializer, **errors(400, 401)}, tags=["help center"],
                   operation_id="help_articles_search")
    def get(self, request):
        """Ranked published articles for a query; English results (with `fallback: true`) when none match."""
        lang = _lang(request)
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = search.article_search(query.validated_data["q"], lang)
        return Response({"language": result.language, "fallback": result.fallback, "results": [
            {"id": hit.article.pk, "slug": hit.article.text(hit.language or result.language, "slug"),
             "title": hit.article.text(hit.language or result.language, "title"), "snippet": hit.snippet,
             "url": _url(hit.article, result.language), "score": round(hit.score, 4),
             "language": hit.language or result.language, "fallback": hit.fallback} for hit in result.hits]})


class ArticleDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("lang", str)],
                   responses={200: ArticleOutputSerializer, **errors(401, 404)}, tags=["help center"])
    def get(self, request, article_id):
        """One published article in the asked language (English, flagged, when it has no translation)."""
        try:
            article = selectors.article_get_published(article_id=article_id)
        except Article.DoesNotExist as exc:
            raise NotFound() from exc
        lang = _lang(request)
        shown = article.display_language(lang)
        with translation.override(shown):
            section, category = str(article.section.name), str(article.section.category.name)
        return Response({
            "id": article.pk, "key": article.key, "language": shown, "fallback": shown != lang,
            "title": article.text(shown, "title"), "summary": article.text(shown, "summary"),
            "body": article.text(shown, "body"), "body_html": render_markdown(article.text(shown, "body")),
            "section": section, "category": category, "updated_at": article.updated_at, "url": _url(article, shown),
        })


class ArticleFeedbackApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=FeedbackInputSerializer, responses={204: None, **errors(400, 401, 403, 404, 415)},
                   tags=["help center"])
    def post(self, request, article_id):
        """Was it helpful? One vote per user, or per session for visitors; voting again changes the answer."""
        try:
            article = selectors.article_get_published(article_id=article_id)
        except Article.DoesNotExist as exc:
            raise NotFound() from exc
        data = FeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not request.user.is_authenticated and not request.session.session_key:
            request.session.save()
        services.article_vote(article=article, helpful=data.validated_data["helpful"], language=_lang(request),
                              user=request.user, session_key=request.session.session_key or "")
        return Response(status=204)


def _translated_fields():
    return [f"{name}_{field_suffix(lang)}" for name in ("title", "summary", "keywords", "body")
            for lang in LANGUAGE_CODES]


class ArticleWriteSerializer(StrictInputSerializer):
    """Staff import: per-language fields such as title_en, title_zh_hans, body_ja."""

    key = serializers.SlugField(max_length=100, required=False)
    section = serializers.SlugField()
    status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in _translated_fields():
            limit = {"title": 200, "summary": 300, "keywords": 300}.get(name.split("_", 1)[0])
            self.fields[name] = serializers.CharField(required=False, allow_blank=True, max_length=limit)


class ArticleCreateApi(ArticleSearchApi):
    """Search for everyone (GET); create for staff with the admin permission (POST)."""

    def get_permissions(self):
        return [IsSupervisor()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(request=ArticleWriteSerializer,
                   responses={201: ArticleWrittenOutputSerializer, **errors(400, 401, 403, 415)}, tags=["help center"],
                   operation_id="help_articles_create")
    def post(self, request):
        data = ArticleWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not values.get("key"):
            raise serializers.ValidationError({"key": ["This field is required."]})
        if Article.objects.filter(key=values["key"]).exists():
            raise serializers.ValidationError({"key": ["An article with this key exists; PATCH it instead."]})
        if not values.get("title_en") or not values.get("body_en"):
            raise serializers.ValidationError({"title_en": ["English title and body are required."]})
        article = Article(author=request.user)
        _apply(article, values)
        _save(article)
        return Response({"id": article.pk, "key": article.key, "status": article.status}, status=201)


class ArticleUpdateApi(ArticleDetailApi):
    def get_permissions(self):
        return [IsSupervisor()] if self.request.method == "PATCH" else [AllowAny()]

    @extend_schema(request=ArticleWriteSerializer,
                   responses={200: ArticleWrittenOutputSerializer, **errors(400, 401, 403, 404, 415)},
                   tags=["help center"])
    def patch(self, request, article_id):
        """Change any fields of an article, drafts included (staff)."""
        article = Article.objects.filter(pk=article_id).first()
        if article is None:
            raise NotFound()
        data = ArticleWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        previous = Article.objects.get(pk=article.pk)
        values = dict(data.validated_data)
        if "key" in values and Article.objects.filter(key=values["key"]).exclude(pk=article.pk).exists():
            raise serializers.ValidationError({"key": ["Another article has this key."]})
        _apply(article, values)
        _save(article, previous=previous)
        return Response({"id": article.pk, "key": article.key, "status": article.status})


def _save(article, previous=None):
    """Save through the service; two writers taking the same key at once: the second is told, not a 500."""
    try:
        services.article_save(article=article, previous=previous)
    except IntegrityError as exc:
        if Article.objects.filter(key=article.key).exclude(pk=article.pk).exists():
            raise serializers.ValidationError({"key": ["Another article has this key."]}) from exc
        raise


def _apply(article, values):
    if "section" in values:
        section = Section.objects.filter(slug=values.pop("section")).first()
        if section is None:
            raise serializers.ValidationError({"section": ["Unknown section."]})
        article.section = section
    for name, value in values.items():
        setattr(article, name, value)


class SectionOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    article_count = serializers.IntegerField()


class CategoryOutputSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    sections = SectionOutputSerializer(many=True)


class CategoryListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("lang", str)],
                   responses={200: CategoryOutputSerializer(many=True), **errors(401)}, tags=["help center"])
    def get(self, request):
        """Categories and their sections, named in the asked language, with counts of published articles."""
        with translation.override(_lang(request)):
            return Response([
                {"slug": c.slug, "name": str(c.name), "sections": [
                    {"slug": s.slug, "name": str(s.name), "article_count": len(s.articles.all())}
                    for s in c.sections.all()]}
                for c in selectors.category_tree()])
