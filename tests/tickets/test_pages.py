"""Ticket pages: customers file and follow their requests; agents work the inbox and ticket page."""
import json
import re

import pytest

from tickets import services
from tickets.models import Status, Ticket

from .files import exe_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def test_submit_a_request_with_a_screenshot(client, customer, category):
    client.force_login(customer)
    page = client.get("/en/requests/new/")
    assert page.status_code == 200 and "Deposits &amp; withdrawals" in page.content.decode()
    response = client.post("/en/requests/new/", {
        "subject": "Deposit missing", "category": category.slug, "body": "Sent 1 BTC yesterday",
        "attachments": [upload("shot.png", png_bytes(), "image/png")]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/requests/{ticket.ref}/"
    assert ticket.channel == "web" and ticket.language == "en" and ticket.category == category
    html = client.get(response["Location"]).content.decode()
    assert "Sent 1 BTC yesterday" in html and f"/attachments/{ticket.attachments.get().id}/thumbnail/" in html


def test_submit_form_language_sets_the_ticket_language(client, customer):
    client.force_login(customer)
    client.post("/ko/requests/new/", {"subject": "입금", "body": "입금이 안 됩니다"})
    assert Ticket.objects.get().language == "ko"


def test_refused_file_shows_a_readable_error_and_keeps_the_form(client, customer):
    client.force_login(customer)
    response = client.post("/en/requests/new/", {"subject": "Deposit missing", "body": "Body text",
                                                 "attachments": [upload("photo.png", exe_bytes())]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "photo.png is not an allowed file type" in html
    assert 'value="Deposit missing"' in html
    assert not Ticket.objects.exists()


def test_submit_requires_login(client):
    response = client.get("/en/requests/new/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_my_requests_lists_only_mine(client, customer, ticket, other_ticket):
    client.force_login(customer)
    html = client.get("/en/requests/").content.decode()
    assert ticket.ref in html and other_ticket.ref not in html and "Secret subject of B" not in html


def test_other_customers_ticket_page_is_404(client, customer, other_ticket):
    client.force_login(customer)
    response = client.get(f"/en/requests/{other_ticket.ref}/")
    assert response.status_code == 404
    assert "Secret subject of B" not in response.content.decode()
    response = client.post(f"/en/requests/{other_ticket.ref}/", {"body": "hijack"})
    assert response.status_code == 404
    assert not other_ticket.messages.filter(body="hijack").exists()


def test_customer_page_hides_internal_notes(client, customer, agent, ticket):
    services.ticket_reply(ticket=ticket, author=agent, body="INTERNAL-xyz fraud check", internal=True)
    services.ticket_reply(ticket=ticket, author=agent, body="We are on it")
    client.force_login(customer)
    html = client.get(f"/en/requests/{ticket.ref}/").content.decode()
    assert "We are on it" in html and "INTERNAL-xyz" not in html


def test_customer_replies_and_closes(client, customer, agent, ticket):
    client.force_login(customer)
    response = client.post(f"/en/requests/{ticket.ref}/", {"body": "More details"})
    assert response.status_code == 302
    assert ticket.messages.filter(author=customer, body="More details").exists()
    client.post(f"/en/requests/{ticket.ref}/status/", {"status": "solved"})
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    client.post(f"/en/requests/{ticket.ref}/status/", {"status": "open"})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_agent_pages_are_hidden_from_customers(client, customer, ticket):
    client.force_login(customer)
    assert client.get("/en/agent/tickets/").status_code == 404
    assert client.get(f"/en/agent/tickets/{ticket.ref}/").status_code == 404
    assert client.post(f"/en/agent/tickets/{ticket.ref}/update/", {"priority": "urgent"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_inbox_views_and_filters(client, agent, make_ticket, other_customer):
    mine = make_ticket(subject="Assigned to me")
    services.ticket_update(ticket=mine, actor=agent, assignee=agent)
    unassigned = make_ticket(subject="Nobody has it", language="ja")
    client.force_login(agent)

    def rows(query):
        html = client.get(f"/en/agent/tickets/?{query}").content.decode()
        return set(re.findall(r'href="/en/agent/tickets/(T-\d+)/"', html))

    assert rows("view=mine") == {mine.ref}
    assert rows("view=unassigned") == {unassigned.ref}
    assert rows("view=all&language=ja") == {unassigned.ref}
    assert rows("view=all&q=nobody") == {unassigned.ref}


def test_inbox_query_count_is_constant(client, agent, make_ticket, django_assert_max_num_queries):
    make_ticket()
    client.force_login(agent)
    with django_assert_max_num_queries(30) as few:
        client.get("/en/agent/tickets/?view=all")
    for _ in range(12):
        make_ticket()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/en/agent/tickets/?view=all")
    assert response.content.decode().count('data-testid="inbox-row"') == 13


def test_bulk_assign_and_status_from_the_inbox(client, agent, make_ticket):
    a, b = make_ticket(), make_ticket()
    client.force_login(agent)
    client.post("/en/agent/tickets/bulk/", {"tickets": [a.number, b.number], "action": "assign_me"})
    client.post("/en/agent/tickets/bulk/", {"tickets": [a.number], "action": "status", "status": "pending"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.assignee == agent and b.assignee == agent
    assert a.status == "pending" and b.status == "new"


def test_bulk_actions_return_only_to_this_site(client, agent, make_ticket):
    ticket = make_ticket()
    client.force_login(agent)
    for back, expected in [("/en/agent/tickets/?view=mine", "/en/agent/tickets/?view=mine"),
                           ("//evil.example/x", "/en/agent/tickets/"), ("https://evil.example/", "/en/agent/tickets/"),
                           ("/\\evil.example/", "/en/agent/tickets/")]:
        response = client.post("/en/agent/tickets/bulk/", {"tickets": [ticket.number], "action": "assign_me",
                                                           "back": back})
        assert response.status_code == 302 and response["Location"] == expected, back


def test_agent_replies_with_a_macro_and_an_internal_note(client, agent, customer, ticket, macro):
    client.force_login(agent)
    page = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert "macros-data" in page and "Please send the TxID." in page
    client.post(f"/en/agent/tickets/{ticket.ref}/", {"body": "Please send the TxID.", "macro": macro.pk,
                                                     "status": ""})
    client.post(f"/en/agent/tickets/{ticket.ref}/", {"body": "VIP customer", "internal": "on", "status": ""})
    ticket.refresh_from_db()
    assert ticket.status == "pending" and ticket.tags == ["needs-txid"]
    assert ticket.messages.filter(is_internal=True, body="VIP customer").exists()
    html = client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    assert "VIP customer" in html and "Internal note" in html
    assert 'data-testid="audit-trail"' in html and "changed status from New to Pending" in html


def test_macros_are_offered_in_the_ticket_language(client, agent, make_ticket, macro):
    ja_ticket = make_ticket(language="ja")
    client.force_login(agent)
    html = client.get(f"/en/agent/tickets/{ja_ticket.ref}/").content.decode()
    data = json.loads(re.search(r'<script id="macros-data" type="application/json">(.*?)</script>', html).group(1))
    assert data[0]["body"] == "TxIDを送ってください。"


def test_agent_changes_properties_and_assigns_to_self(client, agent, ticket, category):
    client.force_login(agent)
    client.post(f"/en/agent/tickets/{ticket.ref}/update/", {"assign_to_me": "1"})
    client.post(f"/en/agent/tickets/{ticket.ref}/update/", {
        "status": "on_hold", "priority": "high", "assignee": agent.pk, "category": category.pk, "tags": "a b"})
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.status, ticket.priority, ticket.category, ticket.tags) == (
        agent, "on_hold", "high", category, ["a", "b"])


def test_agent_sees_the_customers_other_open_tickets_and_merges(client, agent, make_ticket):
    first, second = make_ticket(subject="First"), make_ticket(subject="Second")
    client.force_login(agent)
    html = client.get(f"/en/agent/tickets/{second.ref}/").content.decode()
    assert 'data-testid="other-tickets"' in html and first.ref in html
    response = client.post(f"/en/agent/tickets/{second.ref}/merge/", {"into": first.ref, "confirm": "1"})
    assert response["Location"] == f"/en/agent/tickets/{first.ref}/"
    second.refresh_from_db()
    assert second.merged_into == first


@pytest.mark.parametrize("lang, text", [("zh-hans", "提交请求"), ("es", "Enviar una solicitud"),
                                        ("ru", "Отправить запрос"), ("ja", "お問い合わせ"), ("ko", "문의하기")])
def test_request_form_in_every_language(client, customer, lang, text):
    client.force_login(customer)
    assert text in client.get(f"/{lang}/requests/new/").content.decode()


def test_inbox_chrome_is_translated(client, agent):
    """View tabs and bulk actions follow the page language (labels are lazy, not frozen at import)."""
    client.force_login(agent)
    html = client.get("/ko/agent/tickets/").content.decode()
    assert "미배정" in html and ">Unassigned<" not in html
    assert "나에게 배정" in html


def test_ticket_references_made_of_other_digits_are_not_found(client, agent):
    """'²' and '①' are digits to str.isdigit() but not numbers: a 404 and an empty search, never a 500."""
    client.force_login(agent)
    assert client.get("/en/agent/tickets/T-²/").status_code == 404
    assert client.get("/en/agent/tickets/", {"q": "①"}).status_code == 200


def test_a_merge_asks_first_showing_both_tickets_in_the_pages_language(client, agent, make_ticket):
    """Issue #24: a merge on a typed number happened at once. The first POST shows both tickets and what will happen;
    only the confirmation merges."""
    from django.utils import translation

    first, second = make_ticket(subject="First"), make_ticket(subject="Second")
    client.force_login(agent)
    page = client.post(f"/ja/agent/tickets/{second.ref}/merge/", {"into": first.ref})
    html = page.content.decode()
    assert page.status_code == 200 and "First" in html and "Second" in html
    with translation.override("ja"):
        assert translation.gettext("Cancel") in html and translation.gettext("Cancel") != "Cancel"
    second.refresh_from_db()
    assert second.merged_into is None
    own = make_ticket(subject="Own")
    response = client.post(f"/ja/agent/tickets/{own.ref}/merge/", {"into": own.ref})  # the rules answer at once
    assert response.status_code == 302 and response["Location"] == f"/ja/agent/tickets/{own.ref}/"

