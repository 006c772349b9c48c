"""Help-center search in six languages on Postgres full-text search.

English, Spanish and Russian use Postgres' own dictionaries (stemming, stop words). Chinese, Japanese and Korean
have no spaces, and every stock parser keeps a run of CJK characters as one token, so we index character
unigrams and bigrams of each CJK run (as Elasticsearch's cjk analyzer does) with the 'simple' configuration; a
query is cut the same way. Latin words inside CJK text (USDT, 2FA, API) are indexed as words. Title matches
weigh more than the summary, which weighs more than the body. Queries OR their terms and rank by ts_rank, so a
customer's conversational question still finds the article that shares most of its words.
"""
import html
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.html import escape

from support.markdown import render_markdown

from .models import Article, ArticleStatus, field_suffix

DICTIONARIES = {"en": "english", "es": "spanish", "ru": "russian"}
# Never load the search columns back into Python: they are large and only Postgres needs them.
SEARCH_COLUMNS = [f"search_{field_suffix(lang)}" for lang in ("en", "zh-hans", "es", "ru", "ja", "ko")]
CJK_LANGUAGES = {"zh-hans", "ja", "ko"}
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def cjk_tokens(text):
    """Unigrams and bigrams of every CJK run, plus the other words lower-cased."""
    tokens = []
    for run in _CJK_RUN.findall(text or ""):
        tokens.extend(run)
        tokens.extend(run[i:i + 2] for i in range(len(run) - 1))
    rest = _CJK_RUN.sub(" ", text or "")
    tokens.extend(word.lower() for word in _WORD.findall(rest))
    return tokens


def _query_terms_cjk(query):
    """A query's terms: bigrams of its CJK runs (a one-character run stays a unigram) and its other words."""
    terms = []
    for run in _CJK_RUN.findall(query):
        terms.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
    terms.extend(word.lower() for word in _WORD.findall(_CJK_RUN.sub(" ", query)))
    return list(dict.fromkeys(terms))


def plain_text(markdown):
    return html.unescape(re.sub(r"<[^>]+>", " ", render_markdown(markdown)))


def article_index(article):
    """Recompute the article's six search columns from its current texts (one UPDATE)."""
    sets, params = [], []
    for lang in ("en", "zh-hans", "es", "ru", "ja", "ko"):
        column = f"search_{field_suffix(lang)}"
        title, summary, body = (article.text(lang, f) for f in ("title", "summary", "body"))
        body = plain_text(body)
        if lang in CJK_LANGUAGES:
            parts = [" ".join(cjk_tokens(t)) for t in (title, summary, body)]
            config = "simple"
        else:
            parts = [title, summary, body]
            config = DICTIONARIES[lang]
        sets.append(f"{column} = setweight(to_tsvector(%s::regconfig, %s), 'A') || "
                    f"setweight(to_tsvector(%s::regconfig, %s), 'B') || "
                    f"setweight(to_tsvector(%s::regconfig, %s), 'C')")
        params.extend([config, parts[0], config, parts[1], config, parts[2]])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Article._meta.db_table} SET {', '.join(sets)} WHERE id = %s", [*params, article.pk])


@dataclass
class SearchHit:
    article: Article
    score: float
    snippet: str


@dataclass
class SearchResult:
    hits: list
    language: str
    fallback: bool  # True when nothing matched in the asked language and these are English results


def _tsquery(query, lang, weight=""):
    """(sql, params) of an OR query in the language's configuration, or None when the query has no terms.
    With weight="A" the terms match titles only."""
    label = f":{weight}" if weight else ""
    if lang in CJK_LANGUAGES:
        terms = _query_terms_cjk(query)
        if not terms:
            return None
        # Each term is quoted as a lexeme so characters like ' or : cannot break the tsquery syntax.
        return "to_tsquery('simple', %s)", [" | ".join("'" + t.replace("'", "''") + "'" + label for t in terms)]
    words = [w.lower() for w in _WORD.findall(query)]
    if not words:
        return None
    # Each word goes through the dictionary (stemming, stop words); empty results are dropped by Postgres.
    return f"to_tsquery('{DICTIONARIES[lang]}', %s)", [" | ".join(w + label for w in words)]


# Ranking computes ts_rank for every candidate, so the candidate set is bounded. Below this many matches the
# ranking is exact; above it (common words in a large knowledge base) the articles whose titles match are ranked
# instead, which is where the best answers are.
MAX_CANDIDATES = 500


def _ranked(tsquery_sql, params, column, rank_sql, rank_params, limit):
    sql = (f"WITH q AS (SELECT {tsquery_sql} AS q), "
           f"c AS (SELECT a.id, a.position, a.{column} AS v FROM {Article._meta.db_table} a, q "
           f"WHERE a.status = %s AND a.{column} @@ q.q LIMIT %s) "
           f"SELECT c.id, ts_rank(c.v, {rank_sql}) AS score, (SELECT count(*) FROM c) AS n FROM c "
           f"ORDER BY score DESC, c.position, c.id LIMIT %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, ArticleStatus.PUBLISHED, MAX_CANDIDATES, *rank_params, limit])
        rows = cursor.fetchall()
    return [(pk, score) for pk, score, _n in rows], (rows[0][2] if rows else 0)


def _run(query, lang, limit):
    built = _tsquery(query, lang)
    if built is None:
        return []
    tsquery_sql, params = built
    column = f"search_{field_suffix(lang)}"
    rows, candidates = _ranked(tsquery_sql, params, column, tsquery_sql, params, limit)
    if candidates >= MAX_CANDIDATES:
        title_sql, title_params = _tsquery(query, lang, weight="A")
        title_rows, _count = _ranked(title_sql, title_params, column, tsquery_sql, params, limit)
        if len(title_rows) >= limit:
            rows = title_rows
    articles = Article.objects.defer(*SEARCH_COLUMNS).in_bulk([row[0] for row in rows])
    terms = _query_terms_cjk(query) if lang in CJK_LANGUAGES else [w for w in _WORD.findall(query) if len(w) > 2]
    return [SearchHit(articles[pk], float(score), snippet(articles[pk], lang, terms)) for pk, score in rows
            if pk in articles]


TYPO_SIMILARITY = 0.3


def _typo_tolerant(query, lang, limit):
    """Titles that look like the query despite typos (pg_trgm word similarity), for en, es and ru."""
    if lang not in DICTIONARIES or not _WORD.search(query):
        return []
    column = f"title_{field_suffix(lang)}"
    with transaction.atomic(), connection.cursor() as cursor:
        # The <% operator uses this threshold and can use the title's trigram index.
        cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = %s", [TYPO_SIMILARITY])
        cursor.execute(
            f"SELECT id, word_similarity(%s, {column}) AS score FROM {Article._meta.db_table} "
            f"WHERE status = %s AND %s <%% {column} ORDER BY score DESC, position, id LIMIT %s",
            [query, ArticleStatus.PUBLISHED, query, limit])
        rows = cursor.fetchall()
    articles = Article.objects.defer(*SEARCH_COLUMNS).in_bulk([row[0] for row in rows])
    return [SearchHit(articles[pk], float(score) / 10, snippet(articles[pk], lang, [])) for pk, score in rows
            if pk in articles]


def article_search(query, lang, *, limit=10):
    """Published articles matching `query` in `lang`, best first; then typo-tolerant title matches; English
    results (flagged) when nothing matches in the language."""
    query = (query or "").strip()[:200]
    lang = lang if lang in DICTIONARIES or lang in CJK_LANGUAGES else "en"
    hits = _run(query, lang, limit) or _typo_tolerant(query, lang, limit)
    if hits or lang == "en":
        return SearchResult(hits, lang, False)
    english = _run(query, "en", limit) or _typo_tolerant(query, "en", limit)
    return SearchResult(english, "en", bool(english))


def snippet(article, lang, terms, width=160):
    """A short, escaped excerpt of the body around the first matched term, with the terms in <mark>."""
    text = re.sub(r"\s+", " ", plain_text(article.text(lang, "body"))).strip()
    lowered = text.lower()
    positions = [lowered.find(t.lower()) for t in terms if t and lowered.find(t.lower()) >= 0]
    start = max(0, min(positions) - width // 3) if positions else 0
    excerpt = text[start:start + width]
    marked = escape(excerpt)
    wanted = sorted({str(escape(t)) for t in terms if t}, key=len, reverse=True)
    if wanted:
        # One pass, longest first, so marks never nest or land inside a tag.
        pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE)
        marked = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", marked)
    return ("…" if start else "") + marked + ("…" if start + width < len(text) else "")
