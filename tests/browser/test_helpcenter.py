"""A visitor switches to Korean, searches the help center, opens an article and votes it helpful; a customer
filing a request is shown matching articles as they type."""
import pytest
from playwright.sync_api import expect

from helpcenter import services
from helpcenter.models import Article, ArticleStatus, ArticleVote, Category, Section
from tests.factories import PASSWORD, UserFactory

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_article():
    category = Category.objects.create(slug="funds", name_en="Funds", name_ko="입출금")
    section = Section.objects.create(category=category, slug="withdrawals", name_en="Withdrawals", name_ko="출금")
    article = Article(section=section, key="withdrawal-pending", status=ArticleStatus.PUBLISHED,
                      title_en="Withdrawal pending or under review",
                      body_en="Withdrawals can wait for a security review for up to 24 hours.",
                      title_ko="출금이 대기 중이거나 검토 중일 때",
                      body_ko="보안 검토로 인해 출금이 최대 24시간 대기할 수 있습니다.\n\n1. 출금 내역을 확인하세요.")
    return services.article_save(article=article)


def test_korean_visitor_searches_reads_and_votes(page, screenshot):
    article = make_article()
    page.goto("/en/help/")
    page.get_by_label("Language").select_option("ko")
    page.wait_for_url("**/ko/help/")
    page.locator("#help-q").fill("출금 대기")
    page.locator("form.hero-search button").click()
    results = page.get_by_test_id("search-result")
    expect(results.first).to_contain_text("출금이 대기 중이거나 검토 중일 때")
    expect(results.first.locator("mark").first).to_be_visible()
    screenshot("search-ko")
    results.first.locator("a").click()
    expect(page.locator("h1")).to_have_text("출금이 대기 중이거나 검토 중일 때")
    page.get_by_role("button", name="예").click()
    expect(page.get_by_test_id("feedback-thanks")).to_be_visible()
    screenshot("article-ko")
    vote = ArticleVote.objects.get()
    assert vote.article_id == article.pk and vote.helpful and vote.language == "ko"


def test_request_form_suggests_articles_while_typing(new_page):
    make_article()
    UserFactory(email="writer@example.com", language="en")
    tab = new_page()
    log_in(tab, "writer@example.com", PASSWORD)
    tab.goto("/en/requests/new/")
    tab.locator("#id_subject").fill("my withdrawal is pending")
    suggestions = tab.locator("#article-suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions.locator("a")).to_have_text(["Withdrawal pending or under review"])
