"""Help-center search in six languages on Postgres full-text search.

English, Spanish and Russian use Postgres' own dictionaries (stemming, stop words). Chinese, Japanese and Korean
have no spaces, and every stock parser keeps a run of CJK characters as one token, so we index character
unigrams and bigrams of each CJK run (as Elasticsearch's cjk analyzer does) with the 'simple' configuration; a
query is cut the same way. Latin words inside CJK text (USDT, 2FA, API) are indexed as words.

Each article has one tsvector column per language (GIN-indexed), where title, summary and body carry the
weights A, B and C. Ranking does not run ts_rank over the matches: a customer's question ORs its words, and
common words match most of a large knowledge base, so ts_rank had to read and score thousands of vectors per
query (140-200 ms p95 at 20,000 articles). Instead the vectors are unnested, when an article is saved, into a
ranked term index (ArticleTerm: term, article, weight) with per-term document counts kept by triggers
(TermStat); a query reads the best few hundred articles of each of its terms from a B-tree in weight order and
sums weight x inverse document frequency, as a search engine's impact-ordered postings do.
"""
import html
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.html import escape

from support.languages import LANGUAGE_CODES
from support.markdown import markdown_words, render_markdown

from . import semantic
from .models import Article, ArticleStatus, ArticleTerm, TermStat, field_suffix

DICTIONARIES = {"en": "english", "es": "spanish", "ru": "russian"}
# Never load the search columns back into Python: they are large and only Postgres needs them.
SEARCH_COLUMNS = [f"search_{field_suffix(lang)}" for lang in LANGUAGE_CODES]
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


def cjk_query_terms(query):
    """A query's terms: bigrams of its CJK runs (a one-character run stays a unigram) and its other words."""
    terms = []
    for run in _CJK_RUN.findall(query):
        terms.extend([run] if len(run) == 1 else [run[i:i + 2] for i in range(len(run) - 1)])
    terms.extend(word.lower() for word in _WORD.findall(_CJK_RUN.sub(" ", query)))
    return list(dict.fromkeys(terms))


def plain_text(markdown):
    return html.unescape(re.sub(r"<[^>]+>", " ", render_markdown(markdown)))


def article_index(article):
    """Recompute the article's six search columns and its ranked terms from its current texts."""
    articles_index([article])


def articles_index(articles):
    """Recompute the search columns of these articles (one UPDATE each), then their ranked terms at once."""
    for article in articles:
        sets, params = [], []
        for lang in LANGUAGE_CODES:
            column = f"search_{field_suffix(lang)}"
            title, summary, keywords, body = (article.text(lang, f) for f in ("title", "summary", "keywords", "body"))
            summary = f"{summary} {keywords.replace(',', ' ')}".strip()  # keywords weigh like the summary
            # Sample questions weigh like the body: customers' words, but many of them.
            body = f"{plain_text(body)} {article.text(lang, 'sample_questions')}"
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
            cursor.execute(f"UPDATE {Article._meta.db_table} SET {', '.join(sets)} WHERE id = %s",
                           [*params, article.pk])
    terms_index([article.pk for article in articles])


# A term's weight in an article: 1 if it is in the title, 0.4 if in the summary, and for the body 0.2 growing
# slowly with repetition, so that one title word outweighs a word repeated across the body.
_TERM_WEIGHT = ("(CASE WHEN 'A' = ANY(u.weights) THEN 1.0 ELSE 0 END"
                " + CASE WHEN 'B' = ANY(u.weights) THEN 0.4 ELSE 0 END"
                " + 0.2 * ln(1 + coalesce(cardinality(array_positions(u.weights, 'C')), 0)))")


def terms_index(article_ids):
    """Rebuild the ranked term index (ArticleTerm) of these articles from their search columns: published
    articles get one row per term and language, plus an empty-term row per language they are written in (which
    counts the articles of that language); any other status gets none, so drafts can never be found."""
    columns = ", ".join(f"('{lang}', a.search_{field_suffix(lang)})" for lang in LANGUAGE_CODES)
    table, terms = Article._meta.db_table, ArticleTerm._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {terms} WHERE article_id = ANY(%s)", [list(article_ids)])
        cursor.execute(
            f"INSERT INTO {terms} (article_id, language, term, weight) "
            f"SELECT a.id, v.language, u.lexeme, {_TERM_WEIGHT} "
            f"FROM {table} a CROSS JOIN LATERAL (VALUES {columns}) v(language, vector), unnest(v.vector) u "
            f"WHERE a.id = ANY(%s) AND a.status = %s "
            f"UNION ALL SELECT a.id, v.language, '', 0 "
            f"FROM {table} a CROSS JOIN LATERAL (VALUES {columns}) v(language, vector) "
            f"WHERE a.id = ANY(%s) AND a.status = %s AND length(v.vector) > 0",
            [list(article_ids), ArticleStatus.PUBLISHED, list(article_ids), ArticleStatus.PUBLISHED])


@dataclass
class SearchHit:
    article: Article
    score: float
    snippet: str
    # 0-1: how much of the question the article covers (its score over an ideal article's).
    confidence: float = 0.0
    similarity: float = 0.0  # cosine of the question and the article's vector (0 when found by full text alone)
    language: str = ""  # the language it is shown in: the asked one, or English for a fallback
    fallback: bool = False  # not written in the asked language: shown in English


@dataclass
class SearchResult:
    hits: list
    language: str
    fallback: bool  # True when every hit is an English fallback (nothing is written in the asked language)


def _query_terms(query, lang):
    """(terms sql, all-terms tsquery sql, params, how many terms) for the query as the index stores it, or None
    when it has no terms. Dictionary languages stem with Postgres (stop words drop out); CJK queries are cut into
    bigrams here."""
    if lang in CJK_LANGUAGES:
        terms = cjk_query_terms(query)
        if not terms:
            return None
        # Each term is quoted as a lexeme so characters like ' or : cannot break the tsquery syntax.
        every = " & ".join("'" + t.replace("'", "''") + "'" for t in terms)
        return "%s::text[]", "to_tsquery('simple', %s)", [terms, every], len(terms)
    words = _WORD.findall(query)
    if not words:
        return None
    config, text = DICTIONARIES[lang], " ".join(words)
    return (f"tsvector_to_array(to_tsvector('{config}', %s))", f"plainto_tsquery('{config}', %s)", [text, text],
            len(words))


# How many of each term's best articles are read. A term's list is ordered by weight (title, then summary, then
# body), so reading its head finds the articles it marks most; an article far down every list of the query's
# terms cannot reach the top results anyway. The budget is shared among the terms of a long query. Articles that
# contain every term of the query are found besides, through the GIN index of the search column, so they are
# never lost below the heads.
TERMS_READ_BUDGET = 3000
MIN_PER_TERM, MAX_PER_TERM = 100, 1000
ALL_TERMS_CANDIDATES = 50


def _ranked(query, lang, limit):
    """[(article id, score)] best first: the sum over the query's terms of term weight x inverse document
    frequency, read from the ranked term index (one index range per term, never a scan of all matches)."""
    built = _query_terms(query, lang)
    if built is None:
        return []
    terms_sql, every_sql, (terms_param, every_param), count = built
    per_term = max(MIN_PER_TERM, min(MAX_PER_TERM, TERMS_READ_BUDGET // count))
    article, term, stat = Article._meta.db_table, ArticleTerm._meta.db_table, TermStat._meta.db_table
    column = f"search_{field_suffix(lang)}"
    sql = (f"WITH terms AS MATERIALIZED (SELECT s.term, s.documents FROM {stat} s "
           f"  WHERE s.language = %(lang)s AND s.term = ANY({terms_sql.replace('%s', '%(terms)s')}) "
           f"  AND s.term <> ''), "
           f"total AS (SELECT coalesce(max(documents), 0) AS n FROM {stat} WHERE language = %(lang)s AND term = ''), "
           f"heads AS (SELECT p.article_id, t.term, p.weight FROM terms t CROSS JOIN LATERAL ("
           f"  SELECT article_id, weight FROM {term} p WHERE p.language = %(lang)s AND p.term = t.term "
           f"  ORDER BY p.weight DESC, p.article_id LIMIT %(per_term)s) p), "
           f"every AS (SELECT a.id FROM {article} a WHERE a.status = %(published)s "
           f"  AND a.{column} @@ {every_sql.replace('%s', '%(every)s')} LIMIT %(every_limit)s), "
           f"exact AS (SELECT p.article_id, p.term, p.weight FROM every e JOIN {term} p ON p.article_id = e.id "
           f"  AND p.language = %(lang)s AND p.term IN (SELECT term FROM terms)), "
           f"scored AS (SELECT * FROM heads UNION SELECT * FROM exact) "
           f"SELECT s.article_id, sum(s.weight * ln(1 + total.n::float / t.documents)) AS score, "
           # What an article holding every known term of the query in its title would score: confidence = score
           # / ideal says how much of the question an answer covers (the chatbot's measure).
           f"  (SELECT sum(ln(1 + total.n::float / t2.documents)) FROM terms t2) AS ideal "
           f"FROM scored s JOIN terms t ON t.term = s.term CROSS JOIN total "
           f"GROUP BY s.article_id, total.n ORDER BY score DESC, s.article_id LIMIT %(limit)s")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"lang": lang, "terms": terms_param, "every": every_param, "per_term": per_term,
                             "published": ArticleStatus.PUBLISHED, "every_limit": ALL_TERMS_CANDIDATES,
                             "limit": limit})
        rows = cursor.fetchall()
    return [(pk, score, ideal) for pk, score, ideal in rows]


def _hits(rows, lang, terms):
    """rows: (article id, score, confidence, similarity, fallback); fallback hits are shown in English."""
    articles = (Article.objects.defer(*SEARCH_COLUMNS).filter(status=ArticleStatus.PUBLISHED)
                .in_bulk([row[0] for row in rows]))
    hits = []
    for pk, score, confidence, similarity, fallback in rows:
        if pk in articles:
            shown = "en" if fallback else lang
            hits.append(SearchHit(articles[pk], float(score), snippet(articles[pk], shown, terms), float(confidence),
                                  similarity=similarity, language=shown, fallback=fallback))
    return hits


def _query_words(query, lang):
    return cjk_query_terms(query) if lang in CJK_LANGUAGES else [w for w in _WORD.findall(query) if len(w) > 2]


def _full_text_rows(query, lang, limit):
    """[(article id, score, confidence)] from the ranked term index, else from typo-tolerant titles."""
    rows = [(pk, score, min(1.0, score / ideal) if ideal else 0.0) for pk, score, ideal in _ranked(query, lang, limit)]
    return rows or _typo_tolerant(query, lang, limit)


TYPO_SIMILARITY = 0.3


def _typo_tolerant(query, lang, limit):
    """Titles that look like the query despite typos (pg_trgm word similarity), for en, es and ru."""
    if lang not in DICTIONARIES or not _WORD.search(query):
        return []
    column = f"title_{field_suffix(lang)}"
    with transaction.atomic(), connection.cursor() as cursor:
        # The <% operator uses this threshold and can use the title's trigram index.
        # (set_config(..., true) is SET LOCAL; a SET cannot take a bound parameter.)
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)", [str(TYPO_SIMILARITY)])
        cursor.execute(
            f"SELECT id, word_similarity(%s, {column}) AS score FROM {Article._meta.db_table} "
            f"WHERE status = %s AND %s <%% {column} ORDER BY score DESC, position, id LIMIT %s",
            [query, ArticleStatus.PUBLISHED, query, limit])
        # Scaled below full-text scores: a title that merely looks like the query is a weaker answer.
        return [(pk, score / 10, score * 0.6) for pk, score in cursor.fetchall()]


# Hybrid ranking: reciprocal rank fusion of the full-text ranking and the semantic one (each read this deep). RRF
# needs no common scale between a term-weight sum and a cosine; k = 60 is the usual constant, and on the dev split
# it did as well as any other (docs/architecture.md).
FUSION_DEPTH = 20
RRF_K = 60
SEMANTIC_WEIGHT = 1.0  # the semantic ranking's share against the full-text one's 1.0
QUERY_MAX_CHARS = 200  # the full-text side reads this much of a question; the semantic side reads up to 2,000


def article_search(query, lang, *, limit=10):
    """Published articles for `query` in `lang`, best first: full-text and semantic rankings fused. Articles not
    written in `lang` are found through their English text and flagged as fallbacks. Without vectors (none embedded
    yet) it is the full-text ranking alone, with English results (flagged) when nothing matches in the language."""
    query = (query or "").strip()
    lang = lang if lang in DICTIONARIES or lang in CJK_LANGUAGES else "en"
    text_query = query[:QUERY_MAX_CHARS]
    dense = semantic.dense_ranked(query, lang, FUSION_DEPTH)
    if not dense:
        return _full_text_only(text_query, lang, limit)
    terms = _query_words(text_query, lang)
    full_text = _full_text_rows(text_query, lang, FUSION_DEPTH)
    # Only articles that are still published take part: a process's matrix may lag a moment behind a deletion.
    # Their ids first (one indexed query); only the articles shown are loaded whole.
    published = set(Article.objects.filter(
        status=ArticleStatus.PUBLISHED, pk__in={pk for pk, *_rest in full_text} | {pk for pk, *_rest in dense})
        .values_list("pk", flat=True))
    fused, confidence, similarity, fallback = {}, {}, {}, {}
    for rank, (pk, _score, text_confidence) in enumerate(r for r in full_text if r[0] in published):
        fused[pk] = fused.get(pk, 0.0) + 1.0 / (RRF_K + rank)
        confidence[pk] = text_confidence
    for rank, (pk, cosine, is_fallback) in enumerate(r for r in dense if r[0] in published):
        # The full-text side cannot read an article that is not written in the language: for such an article the
        # semantic rank counts for both sides.
        fused[pk] = fused.get(pk, 0.0) + (SEMANTIC_WEIGHT + is_fallback) / (RRF_K + rank)
        similarity[pk], fallback[pk] = cosine, is_fallback
    if not fused:
        return _full_text_only(text_query, lang, limit)
    best = sorted(fused, key=lambda pk: (-fused[pk], -similarity.get(pk, 0.0), pk))[:limit]
    articles = Article.objects.defer(*SEARCH_COLUMNS).in_bulk(best)
    hits = []
    for pk in (pk for pk in best if pk in articles):
        shown = "en" if fallback.get(pk, False) else lang
        hits.append(SearchHit(articles[pk], fused[pk], snippet(articles[pk], shown, terms), confidence.get(pk, 0.0),
                              similarity=similarity.get(pk, 0.0), language=shown, fallback=fallback.get(pk, False)))
    every_fallback = all(hit.fallback for hit in hits)
    return SearchResult(hits, "en" if every_fallback else lang, every_fallback)


def _full_text_only(text_query, lang, limit):
    """The full-text ranking alone, with English results (flagged) when nothing matches in the language."""
    full_text = _full_text_rows(text_query, lang, limit)
    hits = _hits([(pk, score, confidence, 0.0, False) for pk, score, confidence in full_text], lang,
                 _query_words(text_query, lang))
    if hits or lang == "en":
        return SearchResult(hits, lang, False)
    english = _full_text_rows(text_query, "en", limit)
    hits = _hits([(pk, s, c, 0.0, True) for pk, s, c in english], "en", _query_words(text_query, "en"))
    return SearchResult(hits, "en", bool(hits))


def snippet(article, lang, terms, width=160):
    """A short, escaped excerpt of the body around the first matched term, with the terms in <mark>."""
    text = markdown_words(article.text(lang, "body"))
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
