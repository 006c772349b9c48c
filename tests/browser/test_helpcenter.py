"""A visitor switches to Korean, searches the help center, opens an article and votes it helpful; a customer
filing a request is shown matching articles as they type."""
import re

import pytest
from playwright.sync_api import expect

from helpcenter import services
from helpcenter.models import Article, ArticleStatus, ArticleVote, Category, Section
from tests.conftest import staff_code, staff_device
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


def test_admin_uploads_a_picture_that_the_korean_article_shows(page, screenshot, settings, tmp_path):
    """An editor uploads a picture in the article's admin page, pastes its Markdown line into the Korean body, and
    a Korean visitor sees the picture in the article."""
    from support.roles import Role
    from tests.tickets.files import png_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    article = make_article()
    editor = UserFactory(email="editor@example.com", name="Editor", role=Role.ADMIN, language="ko")
    staff_device(editor)  # the editor's authenticator, set up on an earlier day
    page.goto("/admin/login/")
    page.locator("#id_username").fill("editor@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.goto(f"/admin/helpcenter/article/{article.pk}/change/")
    # Staff finish signing in with their authenticator's code, then land where they were going.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/\?next="))
    page.locator("#id_code").fill(staff_code(editor))
    page.locator("form.stacked-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/admin/helpcenter/article/{article.pk}/change/$"))
    picture = tmp_path / "wallet.png"
    picture.write_bytes(png_bytes(size=(240, 120)))
    page.locator("input[name='images-0-file']").set_input_files(str(picture))
    page.locator("input[name='images-0-alt']").fill("출금 내역 화면")
    page.locator("input[name='_continue']").click()
    line = page.locator("td.field-markdown_line code").first
    expect(line).to_contain_text("![출금 내역 화면](/help/images/")
    screenshot("admin-article-image")
    markdown = line.inner_text()
    body = page.locator("#id_body_ko")
    # modeltranslation shows one language per tab: open the Korean tab of the body group.
    page.locator(".ui-tabs").filter(has=body).get_by_role("tab", name="ko", exact=False).click()
    body.fill(body.input_value() + "\n\n" + markdown)
    page.locator("input[name='_continue']").click()
    page.goto(f"/ko/help/articles/{article.pk}/")
    image = page.locator("article img[alt='출금 내역 화면']")
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector(\"article img\").naturalWidth") == 240
    screenshot("article-image-ko")
