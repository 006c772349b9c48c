"""Attachments: type by content, size limit, safe names, thumbnails, and served only to those who may see them."""
import zipfile

import pytest
from rest_framework.test import APIClient

from support.uploads import AttachmentRejected, check_upload, safe_filename
from tickets import services
from tickets.models import Attachment

from .files import bomb_png, exe_bytes, pdf_bytes, png_bytes, upload, zip_of

pytestmark = pytest.mark.django_db


def zip_bytes():
    """A small stored ZIP, the same bytes in every test worker (files.zip_of fixes the members' dates)."""
    return zip_of({"log.txt": "hello"}, compression=zipfile.ZIP_STORED)


@pytest.mark.parametrize("name, content, kind, content_type", [
    ("shot.png", png_bytes(), "image", "image/png"),
    ("doc.pdf", pdf_bytes(), "document", "application/pdf"),
    ("logs.zip", zip_bytes(), "archive", "application/zip"),
    ("app.log", "2026-11-23 ERROR 提现失败 ошибка\n".encode(), "document", "text/plain"),
    ("notes.txt", "Bonjour, 你好, こんにちは, 안녕하세요".encode("utf-8"), "document", "text/plain"),
])
def test_allowed_types_are_recognised_by_content(name, content, kind, content_type):
    checked = check_upload(upload(name, content))
    assert (checked.kind, checked.content_type) == (kind, content_type)


@pytest.mark.parametrize("name, content, code", [
    ("photo.png", exe_bytes(), "attachment_type_not_allowed"),          # an .exe renamed .png
    ("setup.exe", exe_bytes(), "attachment_type_not_allowed"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "attachment_type_not_allowed"),
    ("page.html", b"<!doctype html><html><script>alert(1)</script></html>", "attachment_type_not_allowed"),
    ("page.txt", b"<html><body onload=alert(1)></body></html>", "attachment_type_not_allowed"),
    ("image.svg.txt", b'<?xml version="1.0"?><svg></svg>', "attachment_type_not_allowed"),
    ("shot.pdf", png_bytes(), "attachment_type_mismatch"),              # content and extension disagree
    ("empty.txt", b"", "attachment_rejected"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "attachment_rejected"),
    ("bomb.png", bomb_png(), "attachment_rejected"),                    # 20000 x 20000 pixels declared
])
def test_disallowed_or_disguised_files_are_refused(name, content, code):
    with pytest.raises(AttachmentRejected) as exc:
        check_upload(upload(name, content))
    assert exc.value.code == code
    assert exc.value.detail


def test_size_limit_is_configurable_and_clear(settings):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(AttachmentRejected) as exc:
        check_upload(upload("big.txt", b"a" * (1024 * 1024 + 1)))
    assert exc.value.code == "attachment_too_large"
    assert "1.0 MB" in exc.value.detail


def test_too_many_files_are_refused(customer, settings):
    settings.TICKET_ATTACHMENT_MAX_FILES = 2
    files = [upload(f"{i}.png", png_bytes(), "image/png") for i in range(3)]
    with pytest.raises(AttachmentRejected):
        services.ticket_create(requester=customer, subject="s", body="b", attachments=files)
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("raw, expected", [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\me\\shot.png", "shot.png"),
    (".htaccess", "htaccess"),
    ("a\x00b\nc.txt", "abc.txt"),
    ("", "attachment"),
    ("截图 2026.png", "截图 2026.png"),
])
def test_filenames_are_made_safe(raw, expected):
    assert safe_filename(raw) == expected


def test_file_is_stored_under_an_opaque_name_with_a_reencoded_thumbnail(customer, screenshot_file):
    ticket = services.ticket_create(requester=customer, subject="s", body="b", attachments=[screenshot_file])
    attachment = ticket.attachments.get()
    assert attachment.file.name.endswith(attachment.id.hex)
    assert "screenshot" not in attachment.file.name
    assert attachment.thumbnail and attachment.thumbnail.read(8) == b"\x89PNG\r\n\x1a\n"


def test_a_rejected_file_leaves_no_ticket_and_no_stored_file(customer, settings, tmp_path):
    good = upload("ok.png", png_bytes(), "image/png")
    bad = upload("bad.png", exe_bytes())
    with pytest.raises(AttachmentRejected):
        services.ticket_create(requester=customer, subject="s", body="b", attachments=[good, bad])
    assert not customer.tickets.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def _attachment_on(ticket, author, internal=False, name="shot.png", content=None):
    message = services.ticket_reply(ticket=ticket, author=author, body="see file", internal=internal,
                                    attachments=[upload(name, content or png_bytes(), "image/png")])
    return message.attachments.get()


def test_images_are_served_inline_with_nosniff_other_files_as_downloads(client, customer, ticket):
    image = _attachment_on(ticket, customer)
    pdf = _attachment_on(ticket, customer, name="statement.pdf", content=pdf_bytes())
    client.force_login(customer)
    response = client.get(f"/attachments/{image.id}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == png_bytes()
    response = client.get(f"/attachments/{pdf.id}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert "sandbox" in response["Content-Security-Policy"]
    assert client.get(f"/attachments/{image.id}/thumbnail/").status_code == 200


def test_customers_cannot_open_others_attachments_or_internal_ones(client, customer, other_customer, agent,
                                                                   ticket, other_ticket):
    theirs = _attachment_on(other_ticket, other_customer)
    internal = _attachment_on(ticket, agent, internal=True)
    mine = _attachment_on(ticket, customer)
    client.force_login(customer)
    assert client.get(f"/attachments/{theirs.id}/").status_code == 404
    assert client.get(f"/attachments/{internal.id}/").status_code == 404
    assert client.get(f"/attachments/{mine.id}/").status_code == 200
    api = APIClient()
    api.force_authenticate(customer)
    assert api.get(f"/api/v1/attachments/{theirs.id}/").status_code == 404
    assert api.get(f"/api/v1/attachments/{internal.id}/").status_code == 404
    assert api.get(f"/api/v1/attachments/{mine.id}/").status_code == 200
    api.force_authenticate(agent)
    assert api.get(f"/api/v1/attachments/{internal.id}/").status_code == 200


def test_attachments_need_login(client, customer, ticket):
    attachment = _attachment_on(ticket, customer)
    response = client.get(f"/attachments/{attachment.id}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_picture_declaring_billions_of_pixels_is_a_clear_error_on_the_api(customer_api):
    response = customer_api.post("/api/v1/tickets/", {"subject": "Error", "body": "See the screenshot.",
                                                      "attachments": [upload("bomb.png", bomb_png(), "image/png")]},
                                 format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "attachment_rejected"
    assert "too many pixels" in str(response.json()["error"])
