"""Help center: sanitised bodies, language fallback, one vote per person, needs-update flags, drafts hidden,
search in all six languages including one- and two-character CJK queries, and English fallback."""
import pytest

from helpcenter import search, services
from helpcenter.models import Article, ArticleStatus, ArticleTerm, ArticleVote, Category, Section, TermStat

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    category = Category.objects.create(slug="account", name_en="Account", name_ja="アカウント")
    return Section.objects.create(category=category, slug="security", name_en="Security", name_ja="セキュリティ")


def make(section, key, status=ArticleStatus.PUBLISHED, **texts):
    article = Article(section=section, key=key, status=status)
    for name, value in texts.items():
        setattr(article, name, value)
    return services.article_save(article=article)


@pytest.fixture
def reset_password(section):
    return make(section, "reset-password",
                title_en="Reset a forgotten password", body_en="Open the login page and choose **Forgot password**.",
                title_zh_hans="重置忘记的密码", body_zh_hans="打开登录页面，点击“忘记密码”。",
                title_ja="パスワードを忘れた場合の再設定", body_ja="ログイン画面で「パスワードをお忘れですか」を選びます。",
                title_ko="비밀번호 재설정", body_ko="로그인 화면에서 비밀번호 찾기를 누르세요.",
                title_ru="Сброс забытого пароля", body_ru="Откройте страницу входа и выберите «Забыли пароль».",
                title_es="Restablecer una contraseña olvidada", body_es="Abre la página de inicio y elige «Olvidé mi contraseña».")


@pytest.fixture
def two_factor(section):
    return make(section, "two-factor", title_en="Set up two-factor authentication",
                body_en="Install an authenticator app and scan the QR code.",
                title_ja="二段階認証の設定", body_ja="認証アプリをインストールしてQRコードを読み取ります。")


def test_bodies_are_sanitised_even_from_admins(client, section):
    article = make(section, "xss", title_en="Safe", body_en='<script>alert(1)</script>[x](javascript:alert(1))')
    html = client.get(f"/en/help/articles/{article.pk}/").content.decode()
    assert "<script>alert(1)" not in html and 'href="javascript' not in html


def test_missing_translation_falls_back_to_english_with_a_notice(client, two_factor):
    html = client.get(f"/ko/help/articles/{two_factor.pk}/").content.decode()
    assert "Set up two-factor authentication" in html and 'data-testid="fallback-notice"' in html
    html = client.get(f"/ja/help/articles/{two_factor.pk}/").content.decode()
    assert "二段階認証の設定" in html and 'data-testid="fallback-notice"' not in html
    assert 'hreflang="en"' in html and 'hreflang="ja"' in html and 'hreflang="ko"' not in html


def test_readable_slugs_in_every_script(reset_password):
    assert reset_password.slug_zh_hans == "重置忘记的密码"
    assert reset_password.slug_ru == "сброс-забытого-пароля"
    assert reset_password.slug_en == "reset-a-forgotten-password"


def test_one_vote_per_visitor_session_and_per_user(client, reset_password, customer):
    url = f"/en/help/articles/{reset_password.pk}/feedback/"
    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "no"})
    assert ArticleVote.objects.count() == 1 and ArticleVote.objects.get().helpful is False
    client.force_login(customer)
    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "yes"})
    assert ArticleVote.objects.filter(user=customer).count() == 1
    assert client.post(url, {"helpful": "maybe"}).status_code == 302
    assert ArticleVote.objects.count() == 2


def test_a_translation_older_than_the_english_text_needs_update(reset_password):
    assert not reset_password.needs_update("ja")
    previous = Article.objects.get(pk=reset_password.pk)
    reset_password.body_en = "New steps: open Settings first."
    services.article_save(article=reset_password, previous=previous)
    assert reset_password.needs_update("ja") and not reset_password.needs_update("en")
    previous = Article.objects.get(pk=reset_password.pk)
    reset_password.body_ja = "新しい手順：まず設定を開きます。"
    services.article_save(article=reset_password, previous=previous)
    assert not reset_password.needs_update("ja") and reset_password.needs_update("ko")


def test_drafts_are_never_public(client, section):
    draft = make(section, "draft", status=ArticleStatus.DRAFT, title_en="Secret draft", body_en="Unreleased fee")
    assert client.get(f"/en/help/articles/{draft.pk}/").status_code == 404
    assert "Secret draft" not in client.get("/en/help/").content.decode()
    assert search.article_search("unreleased fee", "en").hits == []


@pytest.mark.parametrize("lang, query", [
    ("en", "forgot my password"), ("es", "olvidé contraseña"), ("ru", "забыл пароль"),
    ("zh-hans", "忘记密码"), ("zh-hans", "密码"), ("ja", "パスワード 忘れた"), ("ko", "비밀번호"),
])
def test_search_finds_the_article_in_each_language(reset_password, two_factor, lang, query):
    result = search.article_search(query, lang)
    assert not result.fallback and result.hits[0].article == reset_password


def test_one_character_cjk_query(reset_password):
    assert search.article_search("码", "zh-hans").hits[0].article == reset_password


def test_title_matches_rank_above_body_matches(section):
    body_only = make(section, "a", title_en="Account limits", body_en="Withdrawal limits depend on verification.")
    in_title = make(section, "b", title_en="Withdrawal guide", body_en="How to send crypto out.")
    hits = search.article_search("withdrawal", "en").hits
    assert [h.article for h in hits] == [in_title, body_only]


def test_search_falls_back_to_english_and_says_so(client, two_factor):
    result = search.article_search("authenticator", "ko")
    assert result.fallback and result.hits[0].article == two_factor
    html = client.get("/ko/help/search/?q=authenticator").content.decode()
    assert 'data-testid="search-fallback"' in html


def test_snippets_highlight_terms_and_escape_html(section):
    article = make(section, "x", title_en="Phishing", body_en="Never trust <b>fake</b> support emails about phishing.")
    hit = search.article_search("phishing", "en").hits[0]
    assert "<mark>phishing</mark>" in hit.snippet.lower() and "<b>" not in hit.snippet
    assert article.pk == hit.article.pk


def test_hostile_queries_do_not_break_search(reset_password):
    for query in ["'", "a & b | !c", "密码'):*", "", "   ", "<script>", "\\"]:
        search.article_search(query, "zh-hans")
        search.article_search(query, "en")


@pytest.mark.parametrize("lang", ["en", "zh-hans", "es", "ru", "ja", "ko"])
def test_help_pages_render_in_every_language(client, reset_password, lang):
    assert client.get(f"/{lang}/help/").status_code == 200
    assert client.get(f"/{lang}/help/sections/security/").status_code == 200
    assert client.get(f"/{lang}/help/articles/{reset_password.pk}/").status_code == 200
    assert client.get(f"/{lang}/help/search/?q=x").status_code == 200


def test_search_api_returns_ranked_results_with_urls(api_client, reset_password):
    body = api_client.get("/api/v1/help/articles/", {"q": "密码", "lang": "zh-hans"}).json()
    assert body["language"] == "zh-hans" and not body["fallback"]
    hit = body["results"][0]
    assert hit["id"] == reset_password.pk and hit["title"] == "重置忘记的密码"
    assert hit["url"].startswith(f"/zh-hans/help/articles/{reset_password.pk}/") and "<mark>" in hit["snippet"]
    assert api_client.get("/api/v1/help/articles/", {"q": " "}).status_code == 400


def test_article_api_falls_back_and_hides_drafts(api_client, two_factor, section):
    body = api_client.get(f"/api/v1/help/articles/{two_factor.pk}/", {"lang": "ru"}).json()
    assert body["fallback"] and body["language"] == "en" and body["title"] == "Set up two-factor authentication"
    draft = make(section, "draft", status=ArticleStatus.DRAFT, title_en="Draft", body_en="x")
    assert api_client.get(f"/api/v1/help/articles/{draft.pk}/").status_code == 404


def test_feedback_api_votes_once(api_client, reset_password):
    url = f"/api/v1/help/articles/{reset_password.pk}/feedback/"
    assert api_client.post(url, {"helpful": True}, format="json").status_code == 204
    assert api_client.post(url, {"helpful": False}, format="json").status_code == 204
    assert ArticleVote.objects.count() == 1 and not ArticleVote.objects.get().helpful
    assert api_client.post(url, {"helpful": "perhaps"}, format="json").status_code == 400
    # A form post that does not say which is refused, not counted as "not helpful".
    empty = api_client.post(url, {}, format="multipart")
    assert empty.status_code == 400 and "helpful" in empty.json()["error"]["fields"]
    assert api_client.post(url, {"helpful": "true"}, format="multipart").status_code == 204
    assert ArticleVote.objects.count() == 1 and ArticleVote.objects.get().helpful


def test_staff_import_articles_with_per_language_fields(section, supervisor, customer):
    from rest_framework.test import APIClient

    client = APIClient()
    payload = {"key": "api-keys", "section": "security", "status": "published", "title_en": "API keys",
               "body_en": "Create keys in settings.", "title_ja": "APIキー", "body_ja": "設定でキーを作成します。"}
    client.force_authenticate(customer)
    assert client.post("/api/v1/help/articles/", payload, format="json").status_code == 403
    assert not Article.objects.exists()
    client.force_authenticate(supervisor)
    response = client.post("/api/v1/help/articles/", payload, format="json")
    assert response.status_code == 201, response.json()
    article = Article.objects.get(key="api-keys")
    assert article.title_ja == "APIキー" and search.article_search("キー", "ja").hits[0].article == article
    response = client.patch(f"/api/v1/help/articles/{article.pk}/", {"body_ko": "설정에서 키를 만듭니다.",
                                                                      "title_ko": "API 키"}, format="json")
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.title_ko == "API 키"
    bad = client.patch(f"/api/v1/help/articles/{article.pk}/", {"title_xx": "?"}, format="json")
    assert bad.status_code == 400 and "title_xx" in bad.json()["error"]["fields"]
    assert client.post("/api/v1/help/articles/", {**payload}, format="json").status_code == 400
    other = client.post("/api/v1/help/articles/", {**payload, "key": "api-keys-2"}, format="json").json()
    taken = client.patch(f"/api/v1/help/articles/{other['id']}/", {"key": "api-keys"}, format="json")
    assert taken.status_code == 400 and taken.json()["error"]["fields"] == {"key": ["Another article has this key."]}


@pytest.mark.parametrize("lang, query", [("en", "pasword resset"), ("es", "contrasena olvidda"),
                                        ("ru", "сбро пароля")])
def test_small_typos_still_find_the_article(reset_password, lang, query):
    hits = search.article_search(query, lang).hits
    assert hits and hits[0].article == reset_password


def test_reading_only_the_head_of_each_term_list_keeps_title_matches_first(section, monkeypatch):
    """Ranking reads each term's best articles in weight order, not every match: title matches come first."""
    for n in range(4):
        make(section, f"noise-{n}", title_en=f"Account notes {n}", body_en="Your password is private. Password!")
    wanted = make(section, "forgot", title_en="Forgotten password", body_en="Use the reset link.")
    monkeypatch.setattr(search, "MIN_PER_TERM", 1)
    monkeypatch.setattr(search, "MAX_PER_TERM", 1)
    hits = search.article_search("forgotten password", "en", limit=3).hits
    assert [h.article for h in hits] == [wanted]


def test_a_rare_word_outweighs_a_common_one(section):
    for n in range(5):
        make(section, f"fees-{n}", title_en=f"Fees {n}", body_en="Trading fees explained.")
    staking = make(section, "staking", title_en="Staking rewards", body_en="How staking pays.")
    fees_and_more = make(section, "fees-x", title_en="Fees", body_en="Fees for everything.")
    hits = search.article_search("staking fees", "en").hits
    assert hits[0].article == staking and fees_and_more in [h.article for h in hits]


def test_term_counts_follow_saves_unpublishing_and_deletion(section, reset_password):
    def documents(term, lang="en"):
        return TermStat.objects.filter(language=lang, term=term).values_list("documents", flat=True).first() or 0

    total = documents("")
    other = make(section, "other", title_en="Another password article", body_en="Words.", title_ja="別の記事",
                 body_ja="言葉。")
    assert documents("password") == 2 and documents("") == total + 1 and documents("記事", "ja") == 1
    other.status = ArticleStatus.DRAFT
    services.article_save(article=other, previous=other)
    assert documents("password") == 1 and not ArticleTerm.objects.filter(article=other).exists()
    assert search.article_search("another", "en").hits == []
    other.status = ArticleStatus.PUBLISHED
    services.article_save(article=other, previous=other)
    assert search.article_search("another", "en").hits[0].article == other
    other.delete()
    assert documents("password") == 1 and documents("") == total and documents("記事", "ja") == 0


def test_categories_api_in_the_asked_language(api_client, reset_password, section, django_assert_max_num_queries):
    make(section, "draft-two", status=ArticleStatus.DRAFT, title_en="Hidden", body_en="x")
    with django_assert_max_num_queries(4):
        body = api_client.get("/api/v1/help/categories/", {"lang": "ja"}).json()
    assert body == [{"slug": "account", "name": "アカウント",
                     "sections": [{"slug": "security", "name": "セキュリティ", "article_count": 1}]}]


def test_related_articles_prefer_the_editors_choice(client, reset_password, two_factor, section):
    other = make(section, "other", title_en="Other article", body_en="Something else.")
    reset_password.related.add(other)
    html = client.get(f"/en/help/articles/{reset_password.pk}/").content.decode()
    related = html.split("Related articles", 1)[1]
    assert "Other article" in related and "Set up two-factor" not in related


def test_search_keywords_find_an_article_but_are_never_shown(client, section):
    """Editors add the words customers use ("신원 인증") when the text says it differently ("본인 인증")."""
    article = make(section, "kyc", title_ko="본인 인증 단계", body_ko="본인 인증을 완료하세요.",
                   keywords_ko="신원 확인, 운전면허증", title_en="Verification levels", body_en="Verify yourself.")
    hits = search.article_search("운전면허증 되나요", "ko").hits
    assert hits and hits[0].article == article
    page = client.get(f"/ko/help/articles/{article.pk}/").content.decode()
    assert "운전면허증" not in page and "운전면허증" not in hits[0].snippet
    article.keywords_ko = ""
    services.article_save(article=article, previous=Article.objects.get(pk=article.pk))
    assert not search.article_search("운전면허증", "ko").hits
    assert not article.needs_update("ko")  # keywords are not prose: no translation goes stale over them


def test_the_search_page_takes_any_typed_text(client, two_factor):
    """A NUL byte (which Postgres text cannot hold) and other odd input in the search box: a page, never a 500."""
    for query in ("fee\x00", "²", "' OR 1=1 --", "ａ" * 500):
        assert client.get("/en/help/search/", {"q": query}).status_code == 200, query
