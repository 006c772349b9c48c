"""Admins edit categories and macros in six languages in Django admin, with every asset served by us."""
import re

import pytest

from tickets.models import Macro

pytestmark = pytest.mark.django_db


def test_macro_admin_has_tabs_for_six_languages_and_no_cdn(client, desk_admin):
    client.force_login(desk_admin)
    html = client.get("/admin/tickets/macro/add/").content.decode()
    for lang in ("en", "zh_hans", "es", "ru", "ja", "ko"):
        assert f'name="body_{lang}"' in html
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert any("jquery-ui.min.js" in src for src in scripts)
    assert all(src.startswith(("/static/", "/admin/jsi18n/")) for src in scripts), scripts


def test_admin_creates_a_translated_macro(client, desk_admin):
    client.force_login(desk_admin)
    response = client.post("/admin/tickets/macro/add/", {
        "name_en": "Thanks", "body_en": "Thank you!", "name_ja": "お礼", "body_ja": "ありがとうございます。",
        "set_status": "solved", "add_tags": "", "position": 1, "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:3000]
    macro = Macro.objects.get()
    assert (macro.body_ja, macro.set_status) == ("ありがとうございます。", "solved")


def test_ticket_admin_is_read_only(client, desk_admin, ticket):
    client.force_login(desk_admin)
    assert client.get("/admin/tickets/ticket/").status_code == 200
    assert client.post(f"/admin/tickets/ticket/{ticket.pk}/change/", {"subject": "x"}).status_code == 403
