"""Pictures in articles: uploaded through the admin, checked by content, shown in the article, hidden with drafts."""
from html.parser import HTMLParser

import pytest

from helpcenter import services
from helpcenter.models import Article, ArticleImage, ArticleStatus, Category, Section
from support.uploads import AttachmentRejected
from tests.tickets.files import exe_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def article():
    category = Category.objects.create(slug="funds", name_en="Funds")
    section = Section.objects.create(category=category, slug="deposits", name_en="Deposits")
    article = Article(section=section, key="deposit-address", status=ArticleStatus.PUBLISHED,
                      title_en="Find your deposit address", body_en="Open **Wallet**.",
                      title_ko="입금 주소 찾기", body_ko="**지갑**을 여세요.")
    return services.article_save(article=article)


class _FormFields(HTMLParser):
    """The values a browser would submit from the admin change form (inputs, textareas, selected options)."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("file", "submit", "button", "checkbox"):
            self.data[name] = attrs.get("value", "")
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.data[name] = attrs.get("value", "on")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.setdefault(self._select, attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _admin_form(client, article):
    page = client.get(f"/admin/helpcenter/article/{article.pk}/change/")
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    return {k: v for k, v in parser.data.items() if not k.startswith("_") or k == "_save"}


def test_admin_uploads_a_picture_and_the_article_shows_it(client, desk_admin, article):
    client.force_login(desk_admin)
    data = _admin_form(client, article)
    prefix = "images"
    assert f"{prefix}-TOTAL_FORMS" in data
    data.update({f"{prefix}-0-alt": "Wallet menu", f"{prefix}-0-file": upload("wallet menu.PNG", png_bytes()),
                 "_save": "Save"})
    response = client.post(f"/admin/helpcenter/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    image = ArticleImage.objects.get(article=article)
    assert image.content_type == "image/png" and image.uploaded_by == desk_admin
    assert image.file.name == f"help/images/{image.pk}.png"  # the editor's file name never reaches the disk
    assert image.markdown() == f"![Wallet menu](/help/images/{image.pk}/)"
    # The change page offers the Markdown line to paste.
    assert image.markdown() in client.get(f"/admin/helpcenter/article/{article.pk}/change/").content.decode()

    article.body_ko = f"**지갑**을 여세요.\n\n{image.markdown()}"
    services.article_save(article=article, previous=Article.objects.get(pk=article.pk))
    client.logout()
    page = client.get(f"/ko/help/articles/{article.pk}/").content.decode()
    assert f'<img src="/help/images/{image.pk}/" alt="Wallet menu"' in page
    served = client.get(f"/help/images/{image.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff" and b"".join(served.streaming_content) == png_bytes()


def test_admin_refuses_what_is_not_an_image(client, desk_admin, article):
    client.force_login(desk_admin)
    for name, content in [("photo.png", exe_bytes()), ("logo.svg", b'<svg onload="alert(1)"></svg>'),
                          ("notes.txt", b"plain words")]:
        data = _admin_form(client, article)
        data.update({"images-0-file": upload(name, content), "_save": "Save"})
        response = client.post(f"/admin/helpcenter/article/{article.pk}/change/", data)
        assert response.status_code == 200  # the form comes back with the reason
        assert "is not an image" in response.content.decode() or "not allowed" in response.content.decode()
    assert not ArticleImage.objects.exists()


def test_picture_size_limit(settings, article):
    settings.HELP_IMAGE_MAX_BYTES = 100
    with pytest.raises(AttachmentRejected) as caught:
        services.image_add(article=article, upload=upload("big.png", png_bytes(size=(400, 400))))
    assert caught.value.code == "attachment_too_large"


def test_pictures_of_drafts_are_for_staff_only(client, desk_admin, customer, article):
    image = services.image_add(article=article, upload=upload("a.png", png_bytes()))
    assert client.get(image.url)["Cache-Control"].startswith("public")
    article.status = ArticleStatus.DRAFT
    services.article_save(article=article, previous=article)
    assert client.get(image.url).status_code == 404
    client.force_login(customer)
    assert client.get(image.url).status_code == 404
    client.force_login(desk_admin)
    response = client.get(image.url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_deleting_a_picture_or_its_article_removes_the_file(django_capture_on_commit_callbacks, article):
    first = services.image_add(article=article, upload=upload("a.png", png_bytes()))
    second = services.image_add(article=article, upload=upload("b.png", png_bytes(color=(0, 0, 200))))
    storage = first.file.storage
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert not storage.exists(first.file.name) and storage.exists(second.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert not storage.exists(second.file.name)
