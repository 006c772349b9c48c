"""python manage.py helpcenter_embed [--force] — embed every published article for semantic search, with a
progress bar. Texts embedded before are skipped unless --force (after changing SEARCH_EMBEDDING_MODEL nothing is
skipped: vectors are stored per model)."""
from django.core.management.base import BaseCommand

from helpcenter.demo import vectors_write
from helpcenter.models import Article, ArticleEmbedding, ArticleStatus
from helpcenter.search import SEARCH_COLUMNS
from helpcenter.semantic import articles_embed, model_name
from support.progress import draw_progress

BATCH = 64


class Command(BaseCommand):
    help = "Embed the published help-center articles (semantic search)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="embed again even texts that did not change")
        parser.add_argument("--write-demo-vectors", action="store_true",
                            help="write the demo content's shipped vector cache (helpcenter/demo_content)")

    def handle(self, *args, **options):
        if options["force"]:
            ArticleEmbedding.objects.filter(model=model_name()).delete()
        ids = list(Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("id").values_list("id", flat=True))
        embedded = 0
        for start in range(0, len(ids), BATCH):
            batch = Article.objects.defer(*SEARCH_COLUMNS).filter(pk__in=ids[start:start + BATCH])
            embedded += articles_embed(batch)
            draw_progress(self.stdout, min(start + BATCH, len(ids)), len(ids), "articles")
        self.stdout.write("")
        self.stdout.write(f"{embedded} article-languages embedded with {model_name()!r} "
                          f"({len(ids)} published articles).")
        if options["write_demo_vectors"]:
            vectors_write()
            self.stdout.write("Wrote the demo content's vector cache.")
