"""Semantic retrieval: articles found by meaning, in any of the six languages, beside the full-text ranking.

Each published article has, per language it is written in (ArticleEmbedding), a passage vector: the normalised sum
of the embeddings of "title. summary keywords" and "title. summary opening of the body" (on the dev split better
than either alone), and one vector per sample question its editors wrote (how customers ask for it). Vectors live in a
Postgres column of our own (pgvector is not available here) and are searched in process: every process keeps, per
language, one float32 matrix of the published articles, loaded on the first search in that language and reloaded
when any article is re-embedded (a version number in the cache). An article with no text in the language is in that
language's matrix through its English vector, so a Korean question finds an English-only article (flagged as a
fallback when shown).

Memory and scale: 4 bytes x 384 dimensions = 1.5 KB per vector; 20,000 articles in six languages with no sample
questions are 184 MB per process if all six languages are searched (each sample question adds 1.5 KB), and a query
is two matrix-vector products (about 2 ms at 20,000 rows). Past a few hundred thousand article-languages an approximate index (or pgvector) is the next step.
"""
import hashlib
import threading
import uuid

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from support import embeddings
from support.languages import LANGUAGE_CODES
from support.markdown import markdown_words

from .models import ArticleEmbedding, ArticleStatus

VERSION_KEY = "helpcenter:vectors:version"
BODY_CHARS = 400  # the opening of the body that is embedded: what most customers' questions are about
MAX_QUESTIONS = 12  # sample questions embedded per article and language


def model_name():
    return settings.SEARCH_EMBEDDING_MODEL


def article_passages(article, lang):
    """The two passages an article-language is embedded from, or None when it has no text in the language."""
    if not article.has_language(lang):
        return None
    title, summary = article.text(lang, "title"), article.text(lang, "summary")
    keywords = article.text(lang, "keywords").replace(",", " ")
    head = f"{title}. {summary}".strip()
    return [f"{head} {keywords}".strip(), f"{head} {markdown_words(article.text(lang, 'body'))[:BODY_CHARS]}"]


def article_questions(article, lang):
    """The editor's sample questions of an article-language (one per line), at most MAX_QUESTIONS."""
    lines = [line.strip() for line in article.text(lang, "sample_questions").splitlines()]
    return [line for line in lines if line][:MAX_QUESTIONS]


def stored_texts(articles):
    """{kind: [text, ...]} every text articles_embed embeds for these articles (for a shipped cache)."""
    passages, questions = [], []
    for article in articles:
        for lang in LANGUAGE_CODES:
            found = article_passages(article, lang)
            if found is not None:
                passages.extend(found)
                questions.extend(article_questions(article, lang))
    return {"passage": passages, "query": questions}


def _hash(texts, name):
    return hashlib.sha256("\x1f".join([name, *texts]).encode()).hexdigest()


def articles_embed(articles, *, progress=None):
    """Embed the given articles in each language they are written in, skipping texts embedded before (by hash), and
    drop vectors of languages an article no longer has. An article-language's stored matrix is its passage vector
    (first row) and one row per sample question. Returns how many article-languages were embedded."""
    name = model_name()
    articles = list(articles)
    existing = {(row.article_id, row.language): row.text_hash for row in ArticleEmbedding.objects.filter(
        article__in=articles, model=name).only("article_id", "language", "text_hash")}
    todo, keep = [], set()
    for article in articles:
        for lang in LANGUAGE_CODES:
            passages = article_passages(article, lang)
            if passages is None:
                continue
            questions = article_questions(article, lang)
            keep.add((article.pk, lang))
            digest = _hash([*passages, *questions], name)
            if existing.get((article.pk, lang)) != digest:
                todo.append((article.pk, lang, digest, passages, questions))
    if todo:
        flat = [p for *_rest, passages, _questions in todo for p in passages]
        vectors = embeddings.encode_stored(
            name, flat, progress=None if progress is None else (lambda done, total: progress(done // 2, total // 2)))
        pairs = vectors.reshape(len(todo), 2, -1).sum(axis=1)
        pairs /= np.linalg.norm(pairs, axis=1, keepdims=True)
        asked = [q for *_rest, questions in todo for q in questions]
        question_vectors = embeddings.encode_stored(name, asked, kind="query")
        rows, start = [], 0
        for (pk, lang, digest, _passages, questions), passage in zip(todo, pairs):
            rows.append((pk, lang, digest, np.vstack([passage, question_vectors[start:start + len(questions)]])))
            start += len(questions)
        vectors_store(rows)
    stale = [(pk, lang) for pk, lang in existing if (pk, lang) not in keep]
    if stale:
        with transaction.atomic():
            for pk, lang in stale:
                ArticleEmbedding.objects.filter(article_id=pk, language=lang, model=name).delete()
            _changed()
    return len(todo)


def vectors_store(rows):
    """Write (article id, language, text hash, vectors) rows of the configured model (vectors: the passage vector,
    then any sample questions' vectors, as rows), replacing older ones, and tell every process's index."""
    name, now = model_name(), timezone.now()
    with transaction.atomic():
        ArticleEmbedding.objects.bulk_create(
            [ArticleEmbedding(article_id=pk, language=lang, model=name, text_hash=digest, updated_at=now,
                              vector=np.asarray(vector, dtype="<f4").tobytes()) for pk, lang, digest, vector in rows],
            update_conflicts=True, unique_fields=["article", "language", "model"],
            update_fields=["text_hash", "vector", "updated_at"], batch_size=500)
        _changed()


def _changed():
    # This process reloads at once (its own transaction sees the new rows); the others when the write commits.
    _INDEX.clear()
    transaction.on_commit(index_changed)


def index_changed():
    """Make every process reload its matrices on its next search (they compare this version with theirs)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    _INDEX.clear()


class _LanguageMatrix:
    """One language's published articles: their passage vectors (one row each), their sample questions' vectors
    (grouped by article, in article order: `question_starts` is where each owner's rows begin, `question_owners` the
    article row of each group), and the centroids a query's cross-lingual shift is computed from."""

    def __init__(self, ids, fallback, passages, questions, owners):
        self.ids, self.fallback, self.passages, self.questions = ids, fallback, passages, questions
        if len(owners):
            self.question_starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
            self.question_owners = owners[self.question_starts]
        else:
            self.question_starts = self.question_owners = np.empty(0, dtype=np.int64)
        own = passages[~fallback]
        # mean(P @ q) == mean(P) @ q: a centroid turns a matrix product per query into a dot product.
        self.own_centroid = own.mean(axis=0) if len(own) else None
        self.centroid = passages.mean(axis=0) if len(passages) else None


class VectorIndex:
    """Per-language matrices of the published articles' vectors, loaded lazily, reloaded on a version change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._version = None
        self._languages = {}

    def clear(self):
        with self._lock:
            self._languages = {}
            self._version = None

    def _current_version(self):
        version = cache.get(VERSION_KEY)
        if version is None:  # a flushed cache: start a new version, so every process reloads once
            version = uuid.uuid4().hex
            cache.add(VERSION_KEY, version, timeout=None)
            version = cache.get(VERSION_KEY) or version
        return version

    def matrix(self, lang):
        version = self._current_version()
        with self._lock:
            if version != self._version:
                self._languages, self._version = {}, version
            found = self._languages.get(lang)
        if found is None:
            found = _load(lang)
            with self._lock:
                if self._version == version:
                    self._languages[lang] = found
        return found


def _load(lang):
    """The published articles' vectors for a language: their own where they have one, else their English one."""
    rows = (ArticleEmbedding.objects.filter(model=model_name(), language__in={lang, "en"},
                                            article__status=ArticleStatus.PUBLISHED)
            .values_list("article_id", "language", "vector"))
    own, english = {}, {}
    for pk, language, vector in rows:
        (own if language == lang else english)[pk] = vector
    for pk in english:
        own.setdefault(pk, None)
    ids = np.array(sorted(own), dtype=np.int64)
    dim = embeddings.dim(model_name())
    passages = np.empty((len(ids), dim), dtype=np.float32)
    fallback = np.zeros(len(ids), dtype=bool)
    questions, owners = [], []
    for row, pk in enumerate(ids.tolist()):
        vector = own[pk]
        if vector is None:
            vector, fallback[row] = english[pk], True
        matrix = np.frombuffer(bytes(vector), dtype="<f4").reshape(-1, dim)
        passages[row] = matrix[0]
        if len(matrix) > 1:
            questions.append(matrix[1:])
            owners.extend([row] * (len(matrix) - 1))
    questions = np.vstack(questions) if questions else np.empty((0, dim), dtype=np.float32)
    return _LanguageMatrix(ids, fallback, passages, questions, np.array(owners, dtype=np.int64))


_INDEX = VectorIndex()


def dense_ranked(query, lang, limit):
    """[(article id, similarity, fallback)] best first: the articles closest in meaning to the query. An article's
    similarity is the mean of the query's cosine with its passage vector and with its closest sample question (on
    the dev split: top-1 0.87 -> 0.92 with full-text fusion, against the passage alone), or the passage's cosine
    when it has no sample questions."""
    found = _INDEX.matrix(lang)
    if not len(found.ids) or not (query or "").strip():
        return []
    vector = embeddings.encode_query(model_name(), query)
    passage = found.passages @ vector
    closest = passage.copy()
    if len(found.question_owners):
        # The closest sample question per article: one matrix product, then a maximum per contiguous group.
        closest[found.question_owners] = np.maximum.reduceat(found.questions @ vector, found.question_starts)
    similarities = (passage + closest) / 2
    if found.fallback.any() and found.own_centroid is not None:
        # A question and a text in different languages are less alike than the same texts in one language, so an
        # English-only article would always trail: its similarity is moved by how much closer the question is, on
        # average, to this language's articles than to the English ones (centring each on its own language).
        english = _INDEX.matrix("en").centroid
        if english is not None:
            similarities[found.fallback] += float((found.own_centroid - english) @ vector)
    limit = min(limit, len(similarities))
    best = np.argpartition(-similarities, limit - 1)[:limit]
    best = best[np.argsort(-similarities[best], kind="stable")]
    return [(int(found.ids[i]), float(similarities[i]), bool(found.fallback[i])) for i in best]
