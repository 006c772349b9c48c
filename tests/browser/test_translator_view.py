"""The translator's view in the admin (issue #24): a staff translator whose admin is in Japanese or Russian filters
the articles whose translation needs an update, sees how many there are, opens one, finds its language's tabs
marked, the English source beside the field and what changed in English since the last translation.
Screenshots: test-artifacts/test_translator_finds_and_updates_*.png."""
import re

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from helpcenter import services
from helpcenter.models import Article, ArticleSourceSnapshot, ArticleStatus, Category, Section
from support.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.leaks import english_leaks

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "ja": {"title": "出金が保留中の場合", "body": "出金はセキュリティ審査のため最大24時間保留されることがあります。",
           "updated": "出金は追加のセキュリティ審査のため最大48時間保留されることがあります。"},
    "ru": {"title": "Вывод средств задерживается", "body": "Вывод может ждать проверки безопасности до 24 часов.",
           "updated": "Вывод может ждать дополнительной проверки безопасности до 48 часов."},
}


def said(lang, text, context=None):
    with translation.override(lang):
        return translation.pgettext(context, text) if context else translation.gettext(text)


def state(lang, text):
    return said(lang, text, "translation state")


# The page's own part (not the admin's sidebar of every app): its text, hidden parts included, without the article's
# English text (marked lang="en": the source beside the fields, the diff) and without form fields' contents.
CONTENT_TEXT_JS = """() => {
  const lang = document.documentElement.lang;
  const main = document.querySelector('#content-main').cloneNode(true);
  main.querySelectorAll('script, style, template, textarea, input, select').forEach((e) => e.remove());
  main.querySelectorAll('[lang]').forEach((e) => { if (e.getAttribute('lang') !== lang) e.remove(); });
  return main.textContent;
}"""


def english_in_content(page):
    return english_leaks(page.evaluate(CONTENT_TEXT_JS), page.locator("html").get_attribute("lang"))


def counted(lang, singular, plural, count):
    with translation.override(lang):
        return translation.ngettext(singular, plural, count) % {"count": count}


def language_name(lang):
    with translation.override(lang):
        return str(dict(settings.LANGUAGES)[lang])


def edit(article, **texts):
    previous = Article.objects.get(pk=article.pk)
    for name, value in texts.items():
        setattr(article, name, value)
    return services.article_save(article=article, previous=previous)


def articles(lang):
    """One article whose `lang` text is out of date (English changed after it), one up to date, one untranslated."""
    suffix = lang.replace("-", "_")
    category = Category.objects.create(slug="funds", name_en="Funds", name_ja="入出金", name_ru="Ввод и вывод")
    section = Section.objects.create(category=category, slug="withdrawals", name_en="Withdrawals", name_ja="出金",
                                     name_ru="Вывод")

    def new(key, title_en, body_en, **texts):
        return services.article_save(article=Article(section=section, key=key, status=ArticleStatus.PUBLISHED,
                                                     title_en=title_en, body_en=body_en, **texts))

    stale = new("withdrawal-pending", "Withdrawal pending", "Withdrawals can wait for a security review for up to 24 "
                "hours.", **{f"title_{suffix}": TEXTS[lang]["title"], f"body_{suffix}": TEXTS[lang]["body"]})
    edit(stale, body_en="Withdrawals can wait for an extra security review for up to 48 hours.\n\nContact support "
                        "if it takes longer.")
    new("deposit-missing", "Deposit missing", "Check the network.",
        **{f"title_{suffix}": TEXTS[lang]["title"] + " (2)", f"body_{suffix}": TEXTS[lang]["body"]})
    new("api-keys", "API keys", "Create a key in the settings.")
    return stale


@pytest.mark.parametrize("lang", ["ja", "ru"])
def test_translator_finds_and_updates_an_out_of_date_translation(new_page, screenshot, lang):
    """Filter "needs update" in the translator's language, open the article, read the source and the diff beside
    the field, update the translation: the article no longer needs an update."""
    suffix = lang.replace("-", "_")
    stale = articles(lang)
    name = language_name(lang)
    UserFactory(email="translator@example.com", name="Translator", role=Role.ADMIN, language=lang)
    page = new_page(locale=lang)
    log_in(page, "translator@example.com", PASSWORD, lang=lang)

    page.goto("/admin/helpcenter/article/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    summary = page.get_by_test_id("translation-summary")
    expect(summary.locator("li").filter(has_text=name)).to_contain_text(
        counted(lang, "%(count)s needs update", "%(count)s need update", 1))
    needs_update = page.locator("#changelist-filter details").filter(
        has_text=said(lang, "translation needing update"))
    needs_update.get_by_role("link", name=f"{name} (1)").click()
    expect(page).to_have_url(re.compile(rf"needs_update={lang}"))
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".hc-badge--stale")).to_have_text(f"{lang} · {state(lang, 'needs update')}")
    assert english_in_content(page) == []
    screenshot(f"list-{lang}", tab=page)

    rows.first.locator("th a").click()
    expect(page).to_have_url(re.compile(rf"/admin/helpcenter/article/{stale.pk}/change/"))
    # Every tab of this language (title, summary, body) carries the marker in words; other languages' do not.
    marker = state(lang, "needs update")
    body_tab = page.locator(f'a[href="#tab_id_body_{suffix}"]')
    expect(body_tab).to_contain_text(marker)
    expect(page.locator(f'a[href="#tab_id_title_{suffix}"]')).to_contain_text(marker)
    expect(page.locator('a[href="#tab_id_body_ko"] .hc-tab-marker')).to_have_count(0)
    body_tab.click()
    row = page.locator(f".form-row.field-body_{suffix}")
    aside = row.locator(".hc-aside")
    expect(aside).to_be_visible()
    expect(aside.locator(".hc-source--rendered")).to_contain_text("Contact support if it takes longer.")
    diff = aside.get_by_test_id("field-diff")
    expect(diff.locator("del").filter(has_text="24")).to_be_visible()
    expect(diff.locator("ins").filter(has_text="48")).to_be_visible()
    expect(diff.locator("ins").filter(has_text="extra")).to_be_visible()
    # Beside, not below: the English source sits to the right of the translation's textarea.
    box, textarea = aside.bounding_box(), page.locator(f"#id_body_{suffix}").bounding_box()
    assert box["x"] >= textarea["x"] + textarea["width"] - 1 and abs(box["y"] - textarea["y"]) < 80
    status = page.get_by_test_id("translation-status")
    expect(status.locator(f'tr[data-lang="{lang}"] time')).to_be_visible()
    expect(status.locator('tr[data-lang="en"] time')).to_be_visible()
    assert english_in_content(page) == []
    screenshot(f"form-{lang}", tab=page)

    page.locator(f"#id_body_{suffix}").fill(TEXTS[lang]["updated"])
    page.locator("input[name='_continue']").click()
    page.wait_for_load_state()
    expect(page.locator(f'a[href="#tab_id_body_{suffix}"] .hc-tab-marker')).to_have_count(0)
    stale.refresh_from_db()
    assert not stale.needs_update(lang)
    snapshot = ArticleSourceSnapshot.objects.get(article=stale, language=lang)
    assert "extra security review" in snapshot.body
    page.goto(f"/admin/helpcenter/article/?needs_update={lang}")
    expect(page.locator("#result_list tbody tr")).to_have_count(0)
