"""Demo knowledge base: categories and sections, and the articles in helpcenter/demo_content/articles_*.json."""
import json
from pathlib import Path

from django.db import transaction

from support import embeddings

from .models import Article, ArticleStatus, Category, Section, field_suffix
from .semantic import articles_embed, model_name, stored_texts
from .services import article_save

CONTENT = Path(__file__).parent / "demo_content"
VECTORS = CONTENT / "vectors-e5.npz"


def load_articles():
    articles = []
    for path in sorted(CONTENT.glob("articles_*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        articles.extend(data if isinstance(data, list) else [data])
    return articles


def seed(progress):
    structure = json.loads((CONTENT / "categories.json").read_text(encoding="utf-8"))
    with transaction.atomic():
        for category_data in structure:
            category, _ = Category.objects.get_or_create(
                slug=category_data["slug"],
                defaults={"position": category_data["position"],
                          **{f"name_{field_suffix(k)}": v for k, v in category_data["name"].items()}})
            for section_data in category_data["sections"]:
                Section.objects.get_or_create(
                    slug=section_data["slug"],
                    defaults={"category": category, "position": section_data["position"],
                              **{f"name_{field_suffix(k)}": v for k, v in section_data["name"].items()}})
        articles = load_articles()
        sections = {s.slug: s for s in Section.objects.all()}
        for index, data in enumerate(articles, start=1):
            progress(index, len(articles), data["slug"])
            if Article.objects.filter(key=data["slug"]).exists():
                continue
            article = Article(key=data["slug"], section=sections[data["section"]], position=data.get("position", 0),
                              tags=data.get("tags", []), status=ArticleStatus.PUBLISHED)
            for lang, texts in data["translations"].items():
                for field in ("title", "summary", "body"):
                    setattr(article, f"{field}_{field_suffix(lang)}", texts[field])
                setattr(article, f"keywords_{field_suffix(lang)}", texts.get("keywords", ""))
                setattr(article, f"sample_questions_{field_suffix(lang)}", "\n".join(texts.get("sample_questions", [])))
            article_save(article=article)
    # Embedded here, not only by the Celery task each save queues: the demo must answer by meaning at once, with
    # or without a worker (the task then finds the texts embedded and skips them).
    published = list(Article.objects.filter(status=ArticleStatus.PUBLISHED, key__in=[a["slug"] for a in articles]))
    # The demo's vectors ship with it (VECTORS, float16): a fresh machine embeds only texts changed since.
    embeddings.cache_load(VECTORS, model_name(), stored_texts(published))
    articles_embed(published, progress=lambda done, total: progress(done, total, "embedding articles"))


def vectors_write():
    """Write the shipped cache of the demo articles' vectors (after changing demo content: `manage.py
    helpcenter_embed --write-demo-vectors`)."""
    published = list(Article.objects.filter(key__in=[a["slug"] for a in load_articles()]))
    embeddings.cache_write(VECTORS, model_name(), stored_texts(published))
