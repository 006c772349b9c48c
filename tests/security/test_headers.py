"""Browser-side defences: a Content-Security-Policy that allows scripts only from our own files (and templates
that need nothing more: no inline script, no inline event handlers, no javascript: links), framing refused except
the chat page for allowed sites, and the other security headers on pages and the API alike."""
import re
from pathlib import Path

import pytest
from django.conf import settings

from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict(response):
    csp = policy(response)
    assert csp["script-src"] == ["'self'"], csp  # no 'unsafe-inline', no 'unsafe-eval', no other hosts
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_every_kind_of_page_and_the_api_carry_the_policy(client, customer, agent, supervisor):
    ticket = ticket_services.ticket_create(requester=customer, subject="Deposit missing", body="Where is it?",
                                           channel="web")
    pages = {None: ["/en/", "/zh-hans/help/", "/ja/accounts/login/", "/ko/chat/", "/api/v1/help/articles/?q=x",
                    "/api/docs/", "/healthz", "/en/no-such-page/"],
             customer: ["/es/requests/", f"/ru/requests/{ticket.ref}/", "/en/notifications/"],
             agent: ["/en/agent/", "/en/agent/chats/", "/en/agent/tickets/", f"/en/agent/tickets/{ticket.ref}/"],
             supervisor: ["/en/agent/reports/", "/en/agent/wallboard/"]}
    for user, urls in pages.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404, 503), (url, response.status_code)
            assert_strict(response)
            framing = policy(response)["frame-ancestors"]
            assert framing == (["'self'"] if url == "/ko/chat/" else ["'none'"]), (url, framing)


def test_api_docs_need_no_inline_script(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.content.decode(), re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts), scripts
    for attrs, _body in scripts:
        src = re.search(r'src="([^"]+)"', attrs).group(1).replace("&amp;", "&")
        if src.startswith("/"):
            assert client.get(src).status_code == 200, src


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR).glob("*/templates")]


def test_no_template_has_inline_script_handlers_or_javascript_links():
    """What the policy would block in a browser, found before a browser does: every <script> has a src, no element
    has an on...= handler, and no link is a javascript: URL."""
    problems = []
    files = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]
    assert len(files) > 30  # the scan really looks at the project's templates
    for path in files:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1) and "application/json" not in match.group(1):
                problems.append(f"{path}: inline <script{match.group(1)}>")
        for match in re.finditer(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", text):
            problems.append(f"{path}: event handler attribute {match.group(0)[:60]!r}")
        if re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", text, re.I):
            problems.append(f"{path}: javascript: URL")
    assert not problems, "\n".join(problems)
