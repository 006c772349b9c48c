"""Cross-site scripting and CSV formula injection: people's text stays text wherever the desk shows it.

Every place a customer, visitor, agent or admin writes text that someone else reads (tickets, replies, chats, names,
help articles, macros, notifications, emails, reports) gets each payload of the corpus through the real services,
and the page that shows it is read back as a browser would parse it. A check passes only when no payload became
markup (no script, event handler, javascript: URL or injected element) AND the payload is still there as visible
text, so dropping the text would fail it too. JSON APIs must return the text unchanged with a JSON content type
and nosniff (static/livechat/js and static/tickets/js put it in pages with textContent, never as HTML).

The CSV exports of the reports must neutralise every text cell a spreadsheet would run as a formula.
"""
import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.test import Client
from rest_framework.test import APIClient

from helpcenter import services as help_services
from helpcenter.models import Article, ArticleStatus, Section
from helpcenter.models import Category as HelpCategory
from livechat import services as chat_services
from livechat.models import Conversation
from reports import services as report_services
from reports.exports import safe_cell
from reports.models import ReviewCriterion
from support import services as core_services
from support.models import AgentProfile, OutboundEmail, Presence
from tests.factories import AgentFactory, UserFactory
from tickets import services as ticket_services
from tickets.csat import rating_url
from tickets.models import Category, Macro, Status

pytestmark = pytest.mark.django_db


# --- the corpus ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    id: str
    text: str
    # Raw substrings that can only be in the HTML if the payload became markup (escaped text never contains them).
    markers: tuple
    # What a reader sees once Markdown has rendered the text, when it differs from the text itself.
    md_text: str | None = None

    def shown(self, markdown=False):
        return self.md_text if markdown and self.md_text is not None else self.text


CORPUS = [
    Payload("script", "<script>alert(1)</script>", ("<script>alert(1)",)),
    Payload("img-onerror", "<img src=x onerror=alert(1)>", ("<img src=x",)),
    Payload("attr-breakout-svg", '"><svg onload=alert(1)>', ("<svg onload",)),
    Payload("md-javascript-link", "[click me](javascript:alert(1))", ('href="javascript:', "href=javascript:")),
    Payload("a-javascript-href", '<a href="javascript:alert(1)">x</a>', ('<a href="javascript:',)),
    Payload("xss-locator", "'';!--\"<XSS>=&{()}", ("<XSS>", "<xss>")),
    Payload("iframe", '<iframe src="https://evil.example/"></iframe>', ("<iframe",)),
    Payload("event-handler", '<div onmouseover="alert(1)">hover</div>', ("<div onmouseover",)),
    Payload("body-onload", "<body onload=alert(1)>", ("<body onload",)),
    Payload("textarea-breakout", "</textarea><script>alert(1)</script>", ("</textarea><script>", "<script>alert(1)")),
    Payload("template-injection", '{{ "tmpl-inj"|upper }} {% now "Y" %} ${7+7}', ("TMPL-INJ",)),
    Payload("cjk-mixed", '中文<script>alert("日本語")</script>한국어', ('<script>alert("日本語")',)),
    Payload("cyrillic-img", "Привет<img src=x onerror=alert('ру')>", ("<img src=x",)),
    Payload("mixed-case-js", '<a href=" JaVaScRiPt:alert(1)">x</a>', ('<a href=" JaVaScRiPt',)),
    Payload("svg-script", "<svg><script>alert(1)</script></svg>", ("<svg><script>",)),
    Payload("style", "<style>*{background:url(javascript:alert(1))}</style>", ("<style>*",)),
    Payload("entity-encoded", "&lt;script&gt;alert(1)&lt;/script&gt;", ("<script>alert(1)",),
            md_text="<script>alert(1)</script>"),
    Payload("fullwidth-cjk", "＜script＞alert(1)＜/script＞ 表示テスト", ()),
]

each_payload = pytest.mark.parametrize("payload", CORPUS, ids=[p.id for p in CORPUS])


# --- reading a page as a browser would -----------------------------------------------------------------------

_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}
_BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
_BANNED_TAGS = {"xss", "iframe", "frame", "frameset", "object", "embed", "math", "base", "style"}


class Dom(HTMLParser):
    """The elements, text nodes and script bodies of an HTML document (character references decoded)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements, self.texts, self.raw = [], [], []
        self._open_raw = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag in ("script", "style"):
            self._open_raw = (tag, dict(attrs), [])

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if self._open_raw is not None and tag == self._open_raw[0]:
            kind, attrs, chunks = self._open_raw
            self.raw.append((kind, attrs, "".join(chunks)))
            self._open_raw = None

    def handle_data(self, data):
        if self._open_raw is not None:
            self._open_raw[2].append(data)
        else:
            self.texts.append(data)

    def shows(self, text):
        return any(text in node for node in self.texts)

    def json_script(self, element_id):
        for kind, attrs, body in self.raw:
            if kind == "script" and attrs.get("id") == element_id:
                return json.loads(body)
        raise AssertionError(f"no json_script #{element_id}")

    def problems(self):
        """Everything in the document that runs code or loads a frame: it must be none of the payloads'."""
        found = []
        for tag, attrs in self.elements:
            if tag in _BANNED_TAGS:
                found.append(f"<{tag}> element")
            for name, value in attrs:
                if name.startswith("on"):
                    found.append(f"<{tag} {name}=...> event handler")
                if name in _URL_ATTRS and value:
                    url = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                    if url.startswith(_BAD_SCHEMES):
                        found.append(f"<{tag} {name}={value!r}>")
        for kind, attrs, body in self.raw:
            if kind != "script" or attrs.get("type") == "application/json":
                continue
            if "src" in attrs:
                if not attrs["src"].startswith("/") or attrs["src"].startswith("//"):  # our own scripts only
                    found.append(f"<script src={attrs['src']!r}>")
            elif body.strip():
                found.append(f"inline <script>{body[:60]}")
        return found


def assert_safe(html, payload, *, shown=True, markdown=False):
    """No payload markup in the HTML, nothing executable, and (when `shown`) the payload visible as text."""
    for marker in payload.markers:
        assert marker not in html, f"unescaped {marker!r} in the page"
    dom = Dom(html)
    assert dom.problems() == []
    if shown:
        assert dom.shows(payload.shown(markdown)), f"{payload.shown(markdown)!r} is not shown as text"
    return dom


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def api_json(client, url, **headers):
    """A JSON answer: served as JSON, never sniffed as HTML, the text in it unchanged."""
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    return response.json()


def strings_in(value):
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return [value] if isinstance(value, str) else []


def emails(topic):
    return list(OutboundEmail.objects.filter(topic=topic).order_by("created_at"))


# --- helpers that go through the real services ---------------------------------------------------------------


def online(agent):
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)


def chat_with_agent(*, customer, agent, topic=""):
    chat = chat_services.conversation_start(language="en", topic=topic, customer=customer, with_bot=False)
    online(agent)
    chat_services.conversation_pick(conversation_id=chat.pk, agent=agent)
    return chat


# --- tickets -------------------------------------------------------------------------------------------------


@each_payload
def test_ticket_subject_is_text_on_customer_and_agent_pages(client, customer, agent, payload):
    """A subject is shown as text in the customer's list and request, the inbox, the ticket, the customer page and
    the agents' search results (which also repeat the query)."""
    ticket = ticket_services.ticket_create(requester=customer, subject=payload.text, body="Hello")
    ticket_services.ticket_create(requester=customer, subject=payload.text, body="Again")  # two hits: a result list
    client.force_login(customer)
    assert_safe(page(client, "/en/requests/"), payload)
    assert_safe(page(client, f"/en/requests/{ticket.ref}/"), payload)
    client.force_login(agent)
    assert_safe(page(client, "/en/agent/tickets/?view=all"), payload)
    assert_safe(page(client, f"/en/agent/tickets/{ticket.ref}/"), payload)
    assert_safe(page(client, f"/en/agent/customers/{customer.pk}/"), payload)
    assert_safe(page(client, f"/en/agent/search/?{urlencode({'q': payload.text})}"), payload)


@each_payload
def test_ticket_body_markdown_is_sanitised_for_customer_and_agent(client, customer, agent, payload):
    """The first message goes through Markdown: the requester and the agent see the text, never markup."""
    ticket = ticket_services.ticket_create(requester=customer, subject="Deposit", body=payload.text)
    client.force_login(customer)
    assert_safe(page(client, f"/en/requests/{ticket.ref}/"), payload, markdown=True)
    client.force_login(agent)
    assert_safe(page(client, f"/en/agent/tickets/{ticket.ref}/"), payload, markdown=True)


@each_payload
def test_ticket_replies_and_internal_notes_are_sanitised(client, customer, agent, payload):
    """Agent replies, customer replies and internal notes: shown as text to whoever may read them."""
    ticket = ticket_services.ticket_create(requester=customer, subject="Deposit", body="Hello")
    ticket_services.ticket_reply(ticket=ticket, author=agent, body=payload.text)
    ticket_services.ticket_reply(ticket=ticket, author=customer, body=payload.text + " (customer)")
    ticket_services.ticket_reply(ticket=ticket, author=agent, body=payload.text + " (note)", internal=True)
    client.force_login(customer)
    html = page(client, f"/en/requests/{ticket.ref}/")
    dom = assert_safe(html, payload, markdown=True)
    assert not dom.shows(payload.shown(markdown=True) + " (note)")  # the internal note stays internal
    client.force_login(agent)
    dom = assert_safe(page(client, f"/en/agent/tickets/{ticket.ref}/"), payload, markdown=True)
    assert dom.shows(payload.shown(markdown=True) + " (note)")


@pytest.mark.parametrize("source", [
    "![a\" onerror=\"alert(1)](https://example.com/i.png)",
    "<javascript:alert(1)>",
    "[x](&#106;avascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](https://example.com/\" onmouseover=\"alert(1))",
    "[ok](https://example.com/ \"title\\\" onclick=\\\"alert(1)\")",
])
def test_markdown_tricks_never_produce_handlers_or_script_urls(client, customer, source):
    """Markdown's own syntax (images, autolinks, entities in URLs, titles) cannot smuggle a handler or a script URL."""
    ticket = ticket_services.ticket_create(requester=customer, subject="Markdown", body=source)
    client.force_login(customer)
    assert Dom(page(client, f"/en/requests/{ticket.ref}/")).problems() == []


@each_payload
def test_csat_rating_page_shows_the_subject_as_text(client, customer, agent, payload):
    """The signed rating link's page names the request by its subject."""
    ticket = ticket_services.ticket_create(requester=customer, subject=payload.text, body="Hello")
    ticket_services.ticket_update(ticket=ticket, actor=agent, assignee=agent)
    ticket_services.ticket_update(ticket=ticket, actor=agent, status=Status.SOLVED)
    rating = ticket.ratings.get()
    assert_safe(page(client, rating_url(rating)), payload)


@each_payload
def test_search_queries_are_reflected_as_text(client, agent, payload):
    """What people type in a search box comes back in the page (the box, "no results for ...") as text only."""
    query = urlencode({"q": payload.text})
    assert_safe(page(client, f"/en/help/search/?{query}"), payload)
    client.force_login(agent)
    dom = assert_safe(page(client, f"/en/agent/tickets/?{query}&{urlencode({'status': payload.text})}"), payload,
                      shown=False)
    boxes = [dict(attrs) for tag, attrs in dom.elements if tag == "input" and dict(attrs).get("id") == "inbox-q"]
    assert [box["value"] for box in boxes] == [payload.text]  # the whole query, inside its attribute
    assert_safe(page(client, f"/en/agent/search/?{query}"), payload)


# --- macros --------------------------------------------------------------------------------------------------


@each_payload
def test_macro_name_and_text_are_text_for_agents(client, customer, agent, payload):
    """Macros are written by admins in the Django admin (there is no service): the agent page lists the name as
    text, carries the body as JSON (json_script), and the chat context API returns both unchanged."""
    macro = Macro.objects.create(name_en=payload.text, body_en=payload.text)
    ticket = ticket_services.ticket_create(requester=customer, subject="Deposit", body="Hello")
    client.force_login(agent)
    dom = assert_safe(page(client, f"/en/agent/tickets/{ticket.ref}/"), payload)  # the name, in the macro menu
    assert [m["body"] for m in dom.json_script("macros-data") if m["id"] == macro.pk] == [payload.text]
    # Using the macro sends its text as a reply: Markdown, sanitised like any reply.
    ticket_services.ticket_reply(ticket=ticket, author=agent, body=macro.body, macro=macro)
    client.force_login(customer)
    assert_safe(page(client, f"/en/requests/{ticket.ref}/"), payload, markdown=True)
    chat = chat_with_agent(customer=customer, agent=agent)
    client.force_login(agent)
    context = api_json(client, f"/api/v1/chats/{chat.pk}/context/")
    assert {"name": macro.name, "body": payload.text} in context["canned_replies"]


# --- live chat -----------------------------------------------------------------------------------------------


@each_payload
def test_chat_messages_are_text_in_the_console_the_apis_and_the_transcripts(client, customer, agent, supervisor,
                                                                            payload):
    """Chat messages reach browsers as JSON (rendered with textContent by static/livechat/js) and as HTML in the
    review page's transcript and the transcript email, the rating comment on the customer page: never as markup."""
    chat = chat_with_agent(customer=customer, agent=agent)
    chat_services.customer_message_post(conversation_id=chat.pk, body=payload.text, sender=customer)
    chat_services.message_post(conversation_id=chat.pk, sender_kind="agent", sender=agent, body=payload.text)
    client.force_login(agent)
    assert_safe(page(client, "/en/agent/chats/"), payload, shown=False)
    history = api_json(client, f"/api/v1/chats/{chat.pk}/messages/")
    assert [m["body"] for m in history["messages"]] == [payload.text, payload.text]
    client.force_login(customer)
    assert_safe(page(client, "/en/chat/"), payload, shown=False)
    assert [m["body"] for m in api_json(client, f"/api/v1/chats/{chat.pk}/messages/")["messages"]] == [
        payload.text, payload.text]
    chat_services.conversation_close(conversation_id=chat.pk, by="agent", actor=agent)
    chat_services.conversation_rate(conversation_id=chat.pk, score=2, comment=payload.text)
    client.force_login(agent)
    assert_safe(page(client, f"/en/agent/customers/{customer.pk}/"), payload)  # the rating's comment
    client.force_login(supervisor)
    assert_safe(page(client, f"/en/agent/reviews/new/?chat={chat.pk}"), payload)
    chat_services.conversation_transcript_send(conversation_id=chat.pk)
    [email] = emails(f"chat:{chat.pk}")
    assert_safe(email.body_html, payload)
    assert payload.text in email.body_text  # the text part is plain text: the payload as typed


@each_payload
def test_visitor_name_topic_and_messages_are_text_everywhere_agents_see_them(client, agent, payload):
    """A visitor types a name, a topic and messages through the public API; agents read them in the context API,
    the workspace search, and, once the chat becomes a ticket, in the inbox and the ticket (the transcript is the
    ticket's Markdown body); the transcript email to the visitor's unproven address carries none of it (our fixed
    text and a link, tests/livechat/test_api.py), and the page the link opens shows it as text."""
    visitor = APIClient()
    started = visitor.post("/api/v1/chats/", {"language": "en", "name": payload.text, "email": "vis@example.com",
                                              "topic": payload.text}, format="json")
    assert started.status_code == 201, started.content
    chat_id, token = started.json()["id"], started.json()["token"]
    posted = visitor.post(f"/api/v1/chats/{chat_id}/messages/", {"body": payload.text}, format="json",
                          HTTP_X_CHAT_TOKEN=token)
    assert posted.status_code == 201 and posted.json()["body"] == payload.text
    own = api_json(visitor, f"/api/v1/chats/{chat_id}/messages/", HTTP_X_CHAT_TOKEN=token)
    assert [m["body"] for m in own["messages"]] == [payload.text]
    online(agent)
    chat_services.conversation_pick(conversation_id=chat_id, agent=agent)
    client.force_login(agent)
    context = api_json(client, f"/api/v1/chats/{chat_id}/context/")
    assert (context["customer_name"], context["topic"]) == (payload.text, payload.text)
    ticket = chat_services.conversation_leave_message(conversation_id=chat_id, by="agent", actor=agent)
    assert_safe(page(client, "/en/agent/search/?q=vis%40example.com"), payload)
    assert_safe(page(client, "/en/agent/tickets/?view=all"), payload)
    assert_safe(page(client, f"/en/agent/tickets/{ticket.ref}/"), payload, markdown=True)
    assert_safe(page(client, f"/en/agent/customers/{ticket.requester_id}/"), payload)
    chat_services.conversation_transcript_send(conversation_id=chat_id)
    [email] = emails(f"chat:{chat_id}")
    assert payload.text not in email.body_html and payload.text not in email.body_text
    link = re.search(r"/en/chat/transcript/[^/\s\"]+/", email.body_text).group(0)
    assert_safe(page(Client(), link), payload)


# --- names ---------------------------------------------------------------------------------------------------


@each_payload
def test_customer_and_agent_names_are_text(client, agent, supervisor, payload):
    """People choose their own names: the page header, the inbox, the ticket (requester and audit trail), the
    customer page and the chat context all show them as text."""
    customer = UserFactory(email="named@example.com", name=payload.text)
    named_agent = AgentFactory(email="named.agent@example.com", name=payload.text)
    ticket = ticket_services.ticket_create(requester=customer, subject="Deposit", body="Hello")
    ticket_services.ticket_update(ticket=ticket, actor=supervisor, assignee=named_agent)
    ticket_services.ticket_reply(ticket=ticket, author=named_agent, body="We are on it.")
    client.force_login(customer)
    assert_safe(page(client, f"/en/requests/{ticket.ref}/"), payload)  # header and the agent's reply
    client.force_login(agent)
    assert_safe(page(client, "/en/agent/tickets/?view=all"), payload)
    assert_safe(page(client, f"/en/agent/tickets/{ticket.ref}/"), payload)
    assert_safe(page(client, f"/en/agent/customers/{customer.pk}/"), payload)
    chat = chat_with_agent(customer=customer, agent=agent)
    assert api_json(client, f"/api/v1/chats/{chat.pk}/context/")["customer_name"] == payload.text


# --- help center ---------------------------------------------------------------------------------------------


@each_payload
def test_help_article_title_and_body_are_sanitised(client, payload):
    """Article bodies are Markdown from admins, rendered by support/markdown.py (markdown-it without HTML, then
    nh3); titles and category and section names are text. The article page, the section, the home page, search
    results and the search API (JSON) show them safely."""
    category = HelpCategory.objects.create(slug="xss-cat", name_en=payload.text)
    section = Section.objects.create(category=category, slug="xss-section", name_en=payload.text)
    article = Article(section=section, key="xss-article", status=ArticleStatus.PUBLISHED,
                      title_en=f"Xylophone {payload.text}", body_en=f"Xylophone tuning.\n\n{payload.text}")
    help_services.article_save(article=article)
    html = page(client, f"/en/help/articles/{article.pk}/")
    assert_safe(html, payload)  # the title, the breadcrumbs
    assert_safe(html, payload, markdown=True)  # the body
    assert_safe(page(client, "/en/help/sections/xss-section/"), payload)
    assert_safe(page(client, "/en/help/"), payload)
    dom = assert_safe(page(client, "/en/help/search/?q=xylophone"), payload)
    assert ("mark", []) in dom.elements  # the snippet (the only |safe of the page) was built, with its highlight
    api = api_json(client, "/api/v1/help/articles/?q=xylophone&lang=en")
    assert [hit["title"] for hit in api["results"]] == [f"Xylophone {payload.text}"]


@each_payload
def test_help_article_admin_preview_is_sanitised(client, desk_admin, payload):
    """The article admin's preview (helpcenter/admin.py marks it safe) holds the title escaped by format_html and
    the body from support/markdown.py: no payload markup even for the admins who wrote it."""
    category = HelpCategory.objects.create(slug="xss-admin-cat", name_en="Account")
    section = Section.objects.create(category=category, slug="xss-admin-section", name_en="Security")
    article = Article(section=section, key="xss-admin-article", status=ArticleStatus.DRAFT,
                      title_en=payload.text, body_en=payload.text)
    help_services.article_save(article=article)
    client.force_login(desk_admin)
    html = page(client, f"/admin/helpcenter/article/{article.pk}/change/")
    assert_safe(html, payload)
    assert_safe(html, payload, markdown=True)


# --- notifications -------------------------------------------------------------------------------------------


@each_payload
def test_notifications_are_text_on_the_page_the_api_and_the_workspace(client, customer, agent, supervisor, payload):
    """Notification texts carry subjects and, for kinds written by a person, their whole title and body."""
    ticket = ticket_services.ticket_create(requester=customer, subject=payload.text, body="Hello")
    core_services.notification_create(user=customer, kind="message",
                                      params={"title": payload.text, "body": payload.text})
    ticket_services.ticket_update(ticket=ticket, actor=supervisor, assignee=agent)
    client.force_login(customer)
    dom = assert_safe(page(client, "/en/notifications/"), payload)
    assert dom.shows(f"“{payload.text}”")  # the subject inside the "we received your request" text
    items = api_json(client, "/api/v1/notifications/")
    texts = strings_in(items)
    assert payload.text in texts and any(f"“{payload.text}”" in s for s in texts)
    client.force_login(agent)
    assert_safe(page(client, "/en/agent/"), payload)
    assert_safe(page(client, "/en/notifications/"), payload)


# --- emails --------------------------------------------------------------------------------------------------


@each_payload
def test_ticket_emails_escape_the_html_part(customer, agent, payload):
    """The outbox's HTML part shows subjects, names and Markdown replies as text; the text part carries them as
    typed (plain text is not interpreted)."""
    named = UserFactory(email="mail.reader@example.com", name=payload.text)
    ticket = ticket_services.ticket_create(requester=named, subject=payload.text, body="Hello")
    ticket_services.ticket_reply(ticket=ticket, author=agent, body=payload.text)
    received, reply = emails(f"ticket:{ticket.ref}")
    assert_safe(received.body_html, payload)
    assert payload.text in received.body_text and payload.text in received.subject
    assert_safe(reply.body_html, payload, markdown=True)
    assert payload.text in reply.body_text


# --- reports -------------------------------------------------------------------------------------------------


@pytest.fixture
def criterion(db):
    """The rubric of this test: one criterion (the data migration's criteria are set aside in this transaction)."""
    ReviewCriterion.objects.update(is_active=False)
    return ReviewCriterion.objects.create(name="Accuracy", weight=1)


def _reviewed_work(*, payload_text, customer, supervisor, criterion, category_name=None):
    """An agent called `payload_text` in a team of that name: a solved ticket in a category, a handled chat, and a
    quality review with that comment, all through the services."""
    team = core_services.team_get_or_create(name=payload_text[:100])
    worker = AgentFactory(email="worker@example.com", name=payload_text, team=team)
    category = Category.objects.create(slug="xss-category", name_en=category_name or payload_text)
    ticket = ticket_services.ticket_create(requester=customer, subject=payload_text, body=payload_text,
                                           category=category)
    ticket_services.ticket_update(ticket=ticket, actor=supervisor, assignee=worker, team=team)
    ticket_services.ticket_reply(ticket=ticket, author=worker, body=payload_text, status=Status.SOLVED)
    chat = chat_with_agent(customer=customer, agent=worker)
    chat_services.customer_message_post(conversation_id=chat.pk, body=payload_text, sender=customer)
    chat = chat_services.conversation_close(conversation_id=chat.pk, by="agent", actor=worker)
    review = report_services.review_create(reviewer=supervisor, scores={criterion.pk: 4}, comment=payload_text,
                                           ticket=ticket)
    report_services.review_create(reviewer=supervisor, scores={criterion.pk: 3}, comment=payload_text,
                                  conversation=chat)
    return {"worker": worker, "team": team, "category": category, "ticket": ticket, "chat": chat, "review": review}


@each_payload
def test_report_and_review_pages_show_names_and_comments_as_text(client, customer, supervisor, criterion, payload):
    """Reports list agent, team and category names; reviews show comments, subjects and the reviewed messages."""
    criterion.name = payload.text[:100]
    criterion.save()
    work = _reviewed_work(payload_text=payload.text, customer=customer, supervisor=supervisor, criterion=criterion)
    client.force_login(supervisor)
    html = page(client, "/en/agent/reports/")
    dom = assert_safe(html, payload)
    tables = "\x00".join(dom.texts)
    assert tables.count(payload.text) >= 5  # agent, team and category names, quality by week and by criterion
    assert_safe(page(client, "/en/agent/reviews/"), payload)
    assert_safe(page(client, f"/en/agent/reviews/{work['review'].pk}/"), payload)
    html = page(client, f"/en/agent/reviews/new/?ticket={work['ticket'].ref}")
    assert_safe(html, payload)  # the subject
    assert_safe(html, payload, markdown=True)  # the ticket's messages
    assert_safe(page(client, f"/en/agent/reviews/new/?chat={work['chat'].pk}"), payload)  # the chat transcript
    assert_safe(page(client, "/en/agent/wallboard/"), payload, shown=False)
    client.force_login(work["worker"])
    assert_safe(page(client, "/en/agent/reviews/"), payload)


# --- CSV formula injection -----------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
REPORT_KEYS = ["chats", "heatmap", "trend", "bot", "handover_reasons", "tickets_by_channel", "tickets_by_category",
               "ticket_times", "csat", "overflow", "teams", "agents", "quality", "quality_criteria"]


def _csv(client, key):
    response = client.get(f"/en/agent/reports/{key}.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"), newline="")))


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("formula", FORMULAS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_csv_exports_neutralise_formula_cells(client, customer, supervisor, criterion, formula):
    """A name that starts like a formula (agent, team, category, rubric criterion) is exported with a leading
    apostrophe in every CSV, so a spreadsheet shows it as text; no cell of any export starts a formula."""
    criterion.name = formula
    criterion.save()
    agent_name = formula.strip() or "x"  # people's names are stored stripped: a tab or CR cannot start one
    work = _reviewed_work(payload_text=agent_name, customer=customer, supervisor=supervisor, criterion=criterion,
                          category_name=formula)
    work["team"].name = formula
    work["team"].save()
    client.force_login(supervisor)
    exports = {key: _csv(client, key) for key in REPORT_KEYS}
    for key, rows in exports.items():
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (key, cell)
                assert not cell.startswith("-") or _is_number(cell), (key, cell)
    neutral = "'" + formula
    assert neutral in [row[0] for row in exports["tickets_by_category"][1:]]
    assert neutral in [row[0] for row in exports["teams"][1:]]
    assert neutral in [row[0] for row in exports["quality_criteria"][1:]]
    agents = {row[0]: row for row in exports["agents"][1:]}
    assert "'" + agent_name in agents and agents["'" + agent_name][1] == neutral
    assert "'" + agent_name in [row[0] for row in exports["quality"][1:]]


def test_csv_negative_numbers_in_numeric_columns_stay_numbers(client, customer, agent, supervisor):
    """A negative figure (here a queue wait from a clock skew) is a number in the CSV, not text: no apostrophe."""
    chat = chat_with_agent(customer=customer, agent=agent)
    chat_services.conversation_close(conversation_id=chat.pk, by="agent", actor=agent)
    queued = Conversation.objects.get(pk=chat.pk).queued_at
    Conversation.objects.filter(pk=chat.pk).update(answered_at=queued - dt.timedelta(seconds=30))
    client.force_login(supervisor)
    rows = _csv(client, "chats")
    header, english = rows[0], next(row for row in rows[1:] if row[0] == "English")
    wait = english[header.index("Queue wait, median (seconds)")]
    assert wait == "-30.0" and float(wait) < 0
    assert safe_cell(-5) == -5 and safe_cell(-0.5) == -0.5 and safe_cell("-5") == "'-5"
