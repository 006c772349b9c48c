"""python manage.py bench_helpcenter_search [--articles 20000] — search latency at scale, per language.

Generates published articles in six languages by recombining the demo knowledge base's sentences (so the
vocabulary is real), indexes them through the same service the admin uses, then times the demo questions through
`article_search` and prints p50/p95 per language with a bar chart; results go to bench/results/.
Run it against a throwaway database (`make bench` does): it adds rows, and removes them unless --keep.
"""
import json
import random
import re
import statistics
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, as_completed, wait

import numpy as np
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpcenter import semantic
from helpcenter.demo import load_articles, seed
from helpcenter.models import Article, ArticleEmbedding, ArticleStatus, ArticleTerm, Section, field_suffix
from helpcenter.search import article_search, articles_index
from support import bulk, embeddings
from support.languages import LANGUAGE_CODES
from support.progress import bench_results_dir, draw_progress

PREFIX = "bench-"
# Connections indexing batches at once: Postgres does most of the work (to_tsvector, the term rows), one core each.
WORKERS = 2


def _store(rows):
    """Write a batch of generated articles and index them, in one transaction."""
    with transaction.atomic():
        bulk.copy_objects(rows)
        articles_index(rows)
    return len(rows)


def _store_apart(rows):
    """_store on a worker thread's own connection, given back when done."""
    try:
        return _store(rows)
    finally:
        connection.close()


def _sentences(body):
    return [s for s in re.split(r"(?<=[.!?。！？])\s*", body or "") if s.strip()]


class Command(BaseCommand):
    help = "Measure help-center search latency with many articles in six languages."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=20000)
        parser.add_argument("--rounds", type=int, default=3, help="passes over the question set")
        parser.add_argument("--keep", action="store_true", help="keep the generated articles")

    def handle(self, *args, **options):
        seed(progress=lambda *a: None)
        demo = load_articles()
        if not demo:
            self.stderr.write("no demo content to build articles from")
            sys.exit(1)
        self._generate(demo, options["articles"])
        self._embed_generated(demo)
        with connection.cursor() as cursor:
            cursor.execute(("" if connection.in_atomic_block else "VACUUM ") + "ANALYZE helpcenter_article")
        results = self._measure(demo, options["rounds"])
        floors = self._database_floor(demo)
        self._report(results, options["articles"], floors)
        if not options["keep"]:
            Article.objects.filter(key__startswith=PREFIX).delete()
            if not connection.in_atomic_block:
                # Millions of deleted term rows would otherwise bloat the index for whatever runs next.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE helpcenter_articleterm")
                    cursor.execute("VACUUM ANALYZE helpcenter_termstat")

    def _generate(self, demo, total):
        """Top the generated articles up to `total`, as a bulk import would: rows by COPY, their search columns and
        ranked terms through the admin's own indexing (articles_index), in batches committed as they go (a run that
        stopped resumes) and indexed by WORKERS connections at once, while the term table's foreign key and
        secondary indexes are away: they come back at the end, in one validating join and one sorted build each,
        instead of a check and two random B-tree inserts for each of the 18 million term rows."""
        have = {int(key[len(PREFIX):]) for key in Article.objects.filter(key__startswith=PREFIX)
                .values_list("key", flat=True) if key[len(PREFIX):].isdigit()}
        numbers = [n for n in range(total) if n not in have]
        if not numbers:
            return
        terms = ArticleTerm._meta.db_table
        with bulk.without_foreign_keys(terms), bulk.without_indexes(terms, progress=self._bar):
            self._insert(demo, numbers)
            self.stdout.write("")
        self.stdout.write("")
        if not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {terms}")

    def _articles(self, demo, numbers, batch=1000):
        """The articles numbered `numbers`, unsaved (ids reserved), in batches: each a demo title and eight demo
        sentences per language, from one seeded generator."""
        rng = random.Random(42)
        sections = list(Section.objects.all())
        sentences = {lang: [s for d in demo for s in _sentences(d["translations"][lang]["body"])]
                     for lang in LANGUAGE_CODES}
        titles = {lang: [d["translations"][lang]["title"] for d in demo] for lang in LANGUAGE_CODES}
        for offset in range(0, len(numbers), batch):
            chunk = numbers[offset:offset + batch]
            rows = []
            for n, pk in zip(chunk, bulk.ids_reserve(Article, len(chunk))):
                article = Article(pk=pk, key=f"{PREFIX}{n}", section=rng.choice(sections),
                                  status=ArticleStatus.PUBLISHED)
                for lang in LANGUAGE_CODES:
                    suffix = field_suffix(lang)
                    setattr(article, f"title_{suffix}", f"{rng.choice(titles[lang])} ({n})")
                    setattr(article, f"body_{suffix}", " ".join(rng.sample(sentences[lang], 8)))
                rows.append(article)
            yield rows

    def _insert(self, demo, numbers):
        done, total = 0, len(numbers)
        if connection.in_atomic_block:  # (a test's transaction: another connection would not see its rows)
            for rows in self._articles(demo, numbers):
                _store(rows)
                done += len(rows)
                self._bar(done, total, "articles generated and indexed")
            return
        with ThreadPoolExecutor(WORKERS) as pool:
            running = set()
            for rows in self._articles(demo, numbers):
                running.add(pool.submit(_store_apart, rows))
                while len(running) >= 2 * WORKERS:
                    finished, running = wait(running, return_when=FIRST_COMPLETED)
                    done += sum(future.result() for future in finished)
                    self._bar(done, total, "articles generated and indexed")
            for future in as_completed(running):
                done += future.result()
                self._bar(done, total, "articles generated and indexed")

    def _embed_generated(self, demo):
        """Vectors for the generated articles that have none, composed from the demo articles' own vectors (the seed
        embedded those): a generated article is a demo title plus eight demo sentences, so its vector is the
        normalised sum of its title's article vector and the mean of its sentences' article vectors. Embedding
        120,000 article-languages as passages would take hours on two cores, and search latency does not depend on
        the vectors' values, only on their number."""
        name = semantic.model_name()
        todo = list(Article.objects.filter(key__startswith=PREFIX).exclude(
            pk__in=ArticleEmbedding.objects.filter(model=name, language="en").values("article_id"))
            .order_by("id").values_list("id", flat=True))
        if not todo:
            return
        dim = embeddings.dim(name)
        demo_vectors = {(key, lang): np.frombuffer(bytes(vector), dtype="<f4")[:dim] for key, lang, vector in
                        ArticleEmbedding.objects.filter(model=name, article__key__in=[d["slug"] for d in demo])
                        .values_list("article__key", "language", "vector")}
        owner = {}
        for d in demo:
            for lang in LANGUAGE_CODES:
                owner[(lang, d["translations"][lang]["title"])] = d["slug"]
                for sentence in _sentences(d["translations"][lang]["body"]):
                    owner[(lang, sentence)] = d["slug"]
        batch, now = 500, timezone.now()
        for offset in range(0, len(todo), batch):
            ids = todo[offset:offset + batch]
            texts = Article.objects.filter(pk__in=ids).values_list(
                "id", *[f"{f}_{field_suffix(lang)}" for lang in LANGUAGE_CODES for f in ("title", "body")])
            rows = []
            for pk, *fields in texts:
                for index, lang in enumerate(LANGUAGE_CODES):
                    title, body = fields[2 * index], fields[2 * index + 1]
                    parts = [demo_vectors.get((owner.get((lang, title.rsplit(" (", 1)[0])), lang))]
                    parts += [demo_vectors.get((owner.get((lang, sentence)), lang)) for sentence in _sentences(body)]
                    parts = [p for p in parts if p is not None]
                    if parts:
                        vector = parts[0] + np.mean(parts[1:] or [parts[0]], axis=0)
                        vector = np.asarray(vector / np.linalg.norm(vector), dtype="<f4")
                        rows.append(ArticleEmbedding(article_id=pk, language=lang, model=name, text_hash="composed",
                                                     updated_at=now, vector=vector.tobytes()))
            # New rows only (these articles have no vectors), so COPY stands for vectors_store's upsert.
            with transaction.atomic():
                bulk.copy_objects(rows)
            self._bar(min(offset + batch, len(todo)), len(todo), "generated articles given vectors")
        semantic.index_changed()  # what vectors_store does: every process reloads its matrices
        self.stdout.write("")

    def _measure(self, demo, rounds):
        questions = [(lang, q) for d in demo for lang, qs in d["questions"].items() for q in qs]
        for lang, question in questions[:50]:  # warm up caches and the connection
            article_search(question, lang)
        timings = {lang: [] for lang in LANGUAGE_CODES}
        total = len(questions) * rounds
        for index, (lang, question) in enumerate(questions * rounds, start=1):
            if index % len(questions) == 1:
                # Every round asks afresh: the question's embedding is computed, not read from the process cache.
                embeddings.QUERY_CACHE.clear()
            started = time.perf_counter()
            article_search(question, lang)
            timings[lang].append((time.perf_counter() - started) * 1000)
            if index % 50 == 0 or index == total:
                self._bar(index, total, "queries")
        self.stdout.write("")
        return timings

    def _database_floor(self, demo, per_language=8):
        """The database's own share: the exact SQL each search ran, replayed under EXPLAIN ANALYZE (Postgres'
        execution time, without the round trips and Python); the median per language, in ms."""
        floors = {}
        for lang in LANGUAGE_CODES:
            questions = [q for d in demo for q in d["questions"].get(lang, [])][:per_language]
            totals = []
            for question in questions:
                with CaptureQueriesContext(connection) as captured:
                    article_search(question, lang)
                total = 0.0
                with connection.cursor() as cursor:
                    for query in captured.captured_queries:
                        if not query["sql"].lstrip().upper().startswith("SELECT"):
                            continue
                        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query["sql"])
                        plan = cursor.fetchone()[0]
                        plan = json.loads(plan) if isinstance(plan, str) else plan
                        total += plan[0]["Execution Time"] + plan[0].get("Planning Time", 0)
                totals.append(total)
            floors[lang] = round(statistics.median(totals), 3) if totals else None
        return floors

    def _report(self, timings, articles, floors=None):
        floors = floors or {}
        results = []
        width = 40
        worst = max(statistics.quantiles(t, n=20)[18] for t in timings.values() if len(t) > 1)
        self.stdout.write(f"\nHelp-center search, {articles} articles x 6 languages (target: p95 < 30 ms)")
        self.stdout.write(f"{'language':<10}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'SQL ms':>9}  p95")
        for lang, values in timings.items():
            p50 = statistics.median(values)
            p95 = statistics.quantiles(values, n=20)[18]
            bar = "#" * max(1, round(width * p95 / max(worst, 30)))
            mark = "ok" if p95 < 30 else "SLOW"
            floor = floors.get(lang)
            shown = f"{floor:>9.2f}" if floor is not None else f"{'-':>9}"
            self.stdout.write(f"{lang:<10}{len(values):>8}{p50:>9.2f}{p95:>9.2f}{shown}  {bar} {mark}")
            results.append({"benchmark": "helpcenter_search", "language": lang, "articles": articles,
                            "queries": len(values), "p50_ms": round(p50, 3), "p95_ms": round(p95, 3),
                            "sql_explain_analyze_ms": floor})
        out = bench_results_dir()
        (out / "helpcenter_search.json").write_text(json.dumps(results, indent=2))
        for row in results:
            self.stdout.write(json.dumps(row))

    def _bar(self, done, total, label):
        draw_progress(self.stdout, done, total, label)
