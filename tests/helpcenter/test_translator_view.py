"""The translator's view in the article admin: filters by language state (counted and filtered in the database),
snapshots of the English source per translation and the diff of what changed since, readable dates, badges."""
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpcenter import services, translator
from helpcenter.models import Article, ArticleSourceSnapshot, ArticleStatus, Category, Section
from support.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/helpcenter/article/"
CSS = Path(__file__).resolve().parents[2] / "static" / "helpcenter" / "css" / "translator.css"


@pytest.fixture
def section():
    category = Category.objects.create(slug="funds", name_en="Funds")
    return Section.objects.create(category=category, slug="withdrawals", name_en="Withdrawals")


def make(section, key, **texts):
    """An article saved through the one write path, with the given texts (title_en/body_en by default)."""
    texts.setdefault("title_en", f"Title of {key}")
    texts.setdefault("body_en", f"Body of {key}.")
    return services.article_save(article=Article(section=section, key=key, status=ArticleStatus.PUBLISHED, **texts))


def edit(article, **texts):
    """Change some texts of a saved article as the admin does (previous = the row before the change)."""
    previous = Article.objects.get(pk=article.pk)
    for name, value in texts.items():
        setattr(article, name, value)
    return services.article_save(article=article, previous=previous)


def japanese(section, key):
    return make(section, key, title_ja=f"{key} の記事", body_ja="本文です。")


@pytest.fixture
def translator_ja(db):
    """A desk admin whose admin pages are in Japanese (their saved language; /admin/ has no language prefix)."""
    return UserFactory(email="translator@example.com", name="Translator", role=Role.ADMIN, language="ja")


@pytest.fixture
def translator_ru(db):
    return UserFactory(email="perevodchik@example.com", name="Переводчик", role=Role.ADMIN, language="ru")


@pytest.fixture
def library(section):
    """stale-ja (ja out of date), fresh-ja (ja up to date), no-ja (ja missing), stale-ru (ru out of date)."""
    stale = japanese(section, "stale-ja")
    japanese(section, "fresh-ja")
    make(section, "no-ja")
    ru = make(section, "stale-ru", title_ru="Статья", body_ru="Текст.")
    edit(stale, body_en="Body of stale-ja, now longer.")
    edit(ru, title_en="A new English title")
    return stale


def listed_keys(html):
    return set(re.findall(r'/admin/helpcenter/article/(\d+)/change/', html))


def test_needs_update_filter_lists_only_out_of_date_articles(client, translator_ja, library):
    """"Needs update in Japanese" lists the articles whose Japanese is older than their English, and nothing else."""
    client.force_login(translator_ja)
    html = client.get(LIST, {"needs_update": "ja"}).content.decode()
    assert listed_keys(html) == {str(library.pk)}
    html = client.get(LIST, {"missing_in": "ja"}).content.decode()
    assert listed_keys(html) == {str(pk) for pk in Article.objects.filter(key__in=["no-ja", "stale-ru"])
                                 .values_list("pk", flat=True)}


def test_filter_options_show_counts_in_the_admins_language(client, translator_ja, library):
    """Each option of both filters carries its count, and the names and headings are in Japanese."""
    client.force_login(translator_ja)
    html = client.get(LIST).content.decode()
    assert "日本語 (1)" in html  # needs update in Japanese: stale-ja
    assert "日本語 (2)" in html  # missing in Japanese: no-ja, stale-ru
    assert "ロシア語 (1)" in html  # needs update in Russian: stale-ru
    summary = html[html.index('data-testid="translation-summary"'):]
    summary = summary[:summary.index("</section>")]
    assert "日本語" in summary and "1 件要更新" in summary and "2 件未翻訳" in summary
    assert "Needs update" not in html and "needs update" not in html


def test_counts_and_filter_run_in_the_database_in_constant_queries(client, translator_ja, section, library):
    """The list asks the same number of queries for 4 articles in 1 section or 14 in 11: counting is one aggregate over JSON dates,
    filtering a WHERE clause, never a loop over articles in Python."""
    client.force_login(translator_ja)
    client.get(LIST, {"needs_update": "ja"})  # sessions, content types and the like warmed up

    def measure():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST, {"needs_update": "ja"})
        assert response.status_code == 200
        return [q["sql"] for q in queries.captured_queries]

    few = measure()
    for n in range(10):
        other = Section.objects.create(category=section.category, slug=f"more-{n}", name_en=f"More {n}")
        edit(japanese(other, f"more-{n}"), body_en=f"Changed English {n}.")
    many = measure()
    assert len(many) == len(few)
    counting = [sql for sql in many if "COUNT" in sql and "FILTER" in sql and "->>" in sql]
    assert len(counting) == 1  # both filters and the summary share one aggregate
    listing = [sql for sql in many if sql.startswith('SELECT "helpcenter_article"."id", "helpcenter_article"."section_id"')]
    assert listing and all("->>" in sql and "timestamp with time zone" in sql for sql in listing)
    assert len(listed_keys(client.get(LIST, {"needs_update": "ja"}).content.decode())) == 11


def test_translation_counts_is_one_query(section, library, django_assert_num_queries):
    """The counts per language and state agree with the article's own rules, in a single query."""
    with django_assert_num_queries(1):
        counts = translator.translation_counts(Article.objects.all())
    articles = list(Article.objects.all())
    for lang in translator.TRANSLATIONS:
        assert counts[lang]["stale"] == sum(a.needs_update(lang) for a in articles)
        assert counts[lang]["missing"] == sum(not a.has_language(lang) for a in articles)
    assert counts["ja"] == {"stale": 1, "missing": 2}


def test_counts_follow_the_other_filters(client, translator_ja, section, library):
    """Counts are of the articles the other filters leave: drafts out, their stale Japanese is not counted."""
    library.status = ArticleStatus.DRAFT
    edit(library)
    client.force_login(translator_ja)
    html = client.get(LIST, {"status__exact": "published"}).content.decode()
    assert "日本語 (0)" in html and "日本語 (1)" not in html


def test_an_unknown_language_in_the_filter_shows_every_article(client, translator_ja, library):
    """A code typed into the URL that is not ours is no error page: the list is simply not filtered."""
    client.force_login(translator_ja)
    response = client.get(LIST, {"needs_update": "xx"})
    assert response.status_code == 200
    assert len(listed_keys(response.content.decode())) == Article.objects.count()


def test_saving_a_translation_snapshots_the_english_it_was_made_from(section):
    """Each language saved with changed text records the English of that moment; an English edit leaves the
    translations' snapshots alone, so they keep what each was made from."""
    article = japanese(section, "fees")
    snapshot = ArticleSourceSnapshot.objects.get(article=article, language="ja")
    assert (snapshot.title, snapshot.body) == ("Title of fees", "Body of fees.")
    assert not ArticleSourceSnapshot.objects.filter(article=article, language="en").exists()
    edit(article, body_en="Fees changed on Monday.")
    snapshot.refresh_from_db()
    assert snapshot.body == "Body of fees." and article.needs_update("ja")
    edit(article, body_ja="月曜日に手数料が変わりました。")
    snapshot.refresh_from_db()
    assert snapshot.body == "Fees changed on Monday." and not article.needs_update("ja")
    assert ArticleSourceSnapshot.objects.filter(article=article).count() == 1


def test_the_form_shows_what_changed_in_english_since_the_japanese_translation(client, translator_ja, section):
    """An article translated into Japanese, then edited in English: the Japanese translator sees the removed and
    added words, for the body only (title unchanged), and the tab's data marks Japanese out of date."""
    article = japanese(section, "limits")
    edit(article, body_en="Withdrawals can wait for a security review for up to 24 hours.")
    edit(article, body_ja="出金は最大24時間の審査があります。")  # translated from that English
    edit(article, body_en="Withdrawals can wait for an extra security review for up to 48 hours.")
    client.force_login(translator_ja)
    html = client.get(f"/admin/helpcenter/article/{article.pk}/change/").content.decode()
    assert re.search(r"<del><span class=\"visually-hidden\" lang=\"ja\">削除： </span>24</del>", html)
    assert re.search(r"<ins><span class=\"visually-hidden\" lang=\"ja\">追加： </span>48</ins>", html)
    assert re.search(r"<ins>[^<]*<span[^>]*>[^<]*</span>an extra</ins>", html)
    assert "1 項目が変更されました" in html
    status = html[html.index('data-testid="translation-status"'):]
    assert "ja · 要更新" in status
    data = re.search(r'<script id="hc-translator" type="application/json">(.*?)</script>', html).group(1)
    assert '"stale": ["ja"]' in data and "要更新" in data.encode().decode("unicode_escape")


def test_the_form_reads_its_translator_view_in_one_query(section, django_assert_num_queries):
    """States, dates, sources and every diff of an article come from the article and one query (its snapshots)."""
    article = japanese(section, "one-query")
    make(section, "other")
    edit(article, title_en="New title", body_en="New body.")
    article = Article.objects.get(pk=article.pk)
    with django_assert_num_queries(1):
        view = translator.article_translator_view(article)
    assert [row["code"] for row in view["languages"] if row["state"] == "stale"] == ["ja"]
    assert {diff["field"] for diff in view["diffs"] if diff["html"]} == {"title", "body"}


def test_a_diff_escapes_script_in_the_body(client, translator_ja, section):
    """Bodies are untrusted: markup typed into the English body appears as text in the diff and the source."""
    article = japanese(section, "xss")
    edit(article, body_en="Body of xss. <script>alert('x')</script> <img src=x onerror=alert(1)>",
         title_en="Title <b onmouseover=alert(2)>bold</b>")
    client.force_login(translator_ja)
    html = client.get(f"/admin/helpcenter/article/{article.pk}/change/").content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html and "<b onmouseover" not in html
    assert "&lt;b onmouseover=alert(2)&gt;" in html  # the title's diff and the source beside the title
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_a_translation_older_than_the_snapshots_says_so_instead_of_a_diff(client, translator_ru, section):
    """Translated before snapshots were kept: the page says the earlier English is unknown, and shows no diff."""
    article = make(section, "old", title_ru="Старая", body_ru="Текст.")
    edit(article, body_en="Rewritten English.")
    ArticleSourceSnapshot.objects.filter(article=article).delete()
    client.force_login(translator_ru)
    html = client.get(f"/admin/helpcenter/article/{article.pk}/change/").content.decode()
    assert "Не записано" in html
    assert "<del>" not in html.replace("<del>удалено</del>", "")


def test_backfill_records_the_english_only_for_translations_that_are_up_to_date(section):
    """The migration's backfill: a translation newer than the English was made from today's English; an out-of-date
    one was made from an English no longer known, so it gets no snapshot."""
    from importlib import import_module

    fresh = japanese(section, "fresh")
    stale = japanese(section, "stale")
    edit(stale, body_en="Changed.")
    ArticleSourceSnapshot.objects.all().delete()
    import_module("helpcenter.migrations.0009_article_source_snapshots").backfill(apps, None)
    snapshots = {(s.article_id, s.language): s for s in ArticleSourceSnapshot.objects.all()}
    assert set(snapshots) == {(fresh.pk, "ja")}
    assert snapshots[(fresh.pk, "ja")].body == "Body of fresh."


@pytest.mark.parametrize("lang,expected", [("ja", "2025年3月4日5:06"), ("ru", "4 марта 2025 г. 5:06")])
def test_translation_dates_are_a_table_of_localised_dates(client, section, lang, expected):
    """"When last edited" per language reads as a date in the admin's language, not as JSON."""
    article = japanese(section, "dates")
    Article.objects.filter(pk=article.pk).update(translated_at={"en": "2025-03-04T05:06:00+00:00",
                                                                "ja": "2025-03-01T10:00:00.5+00:00"})
    client.force_login(UserFactory(role=Role.ADMIN, language=lang))
    html = client.get(f"/admin/helpcenter/article/{article.pk}/change/").content.decode()
    row = re.search(r'<tr data-lang="en">(.*?)</tr>', html, re.S).group(1)
    assert f'<time datetime="2025-03-04T05:06:00+00:00">{expected}</time>' in row
    assert '"en": "2025-03-04' not in html and "translated_at" not in html  # no raw JSON, no editable field


def test_diff_works_by_line_then_word_and_shortens_unchanged_text():
    """Changed lines are compared word by word; long unchanged stretches keep only some context."""
    old = "Intro line.\n" + "same " * 100 + "\nPay 10 USDT fee.\nLast line."
    new = "Intro line.\n" + "same " * 100 + "\nPay 12 USDT fee.\nLast line."
    segments = translator.diff_segments(old, new)
    assert ("delete", "10") in segments and ("insert", "12") in segments
    html = translator.diff_html(old, new)
    assert "hc-diff-gap" in html and html.count("same") < 60
    assert translator.diff_html("same text", "same text") == ""


def _luminance(hex_colour):
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("selector", [".hc-badge--ok", ".hc-badge--stale", ".hc-badge--missing", ".hc-tab-marker",
                                      ".hc-aside del", ".hc-aside ins", "a.hc-badge--none"])
def test_badges_and_diff_marks_have_enough_contrast(selector):
    """Text and background of every state colour meet WCAG AA for normal text (4.5:1)."""
    css = CSS.read_text()
    rule = re.search(r"(?:^|\n|, )" + re.escape(selector) + r"[^{]*\{([^}]*)\}", css).group(1)
    colour = re.search(r"(?<!-)color:\s*(#[0-9a-f]{6})", rule).group(1)
    background = re.search(r"background:\s*(#[0-9a-f]{6})", rule).group(1)
    lighter, darker = sorted([_luminance(colour), _luminance(background)], reverse=True)
    assert (lighter + 0.05) / (darker + 0.05) >= 4.5
    # A badge used as a link keeps its state's text colour (the admin's link colour would lower the contrast).
    state = re.match(r"\.hc-badge--(stale|missing)$", selector)
    if state:
        assert re.search(rf"a\.hc-badge--{state.group(1)}:link[^{{]*\{{\s*color:\s*{colour}", css)


def test_list_badges_say_the_state_in_words(client, translator_ja, library):
    """The Languages column: a badge per language with its state in words (not colour alone)."""
    client.force_login(translator_ja)
    html = client.get(LIST, {"needs_update": "ja"}).content.decode()
    assert '<span class="hc-badge hc-badge--stale">ja · 要更新</span>' in html
    assert re.search(r'<span class="hc-badge hc-badge--ok" title="[^"]+">en ✓<span class="visually-hidden">', html)
    assert '<span class="hc-badge hc-badge--missing">ko · 未翻訳</span>' in html




def test_an_article_without_dates_shows_no_date_and_is_not_out_of_date(client, translator_ja, section):
    """An article saved before dates were kept (translated_at empty) shows a dash, and counts as up to date."""
    article = japanese(section, "undated")
    Article.objects.filter(pk=article.pk).update(translated_at={})
    client.force_login(translator_ja)
    response = client.get(f"/admin/helpcenter/article/{article.pk}/change/")
    row = re.search(r'<tr data-lang="ja">(.*?)</tr>', response.content.decode(), re.S).group(1)
    assert "<time" not in row and "—" in row and "hc-badge--ok" in row
    assert translator.translation_counts(Article.objects.all())["ja"] == {"stale": 0, "missing": 0}


def test_a_new_article_form_has_no_translator_view_and_a_form_with_errors_shows_the_saved_source(
        client, translator_ja, section):
    """The add form has nothing to compare yet; a change form sent back with errors shows the saved English beside
    the fields, not what was typed."""
    client.force_login(translator_ja)
    response = client.get("/admin/helpcenter/article/add/")
    assert response.status_code == 200 and 'id="hc-translator"' not in response.content.decode()
    article = japanese(section, "errors")
    response = client.post(f"/admin/helpcenter/article/{article.pk}/change/",
                           {"key": "", "title_en": "Typed but not saved", "status": "published"})
    html = response.content.decode()
    assert response.status_code == 200 and 'id="hc-translator"' in html
    source = re.search(r'data-hc-source="title".*?</aside>', html, re.S).group(0)
    assert "Title of errors" in source and "Typed but not saved" not in source
