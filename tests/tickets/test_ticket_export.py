"""The tickets' CSV export (issue #26): the inbox's "Export CSV" and GET /api/v1/tickets/export.csv export exactly the
tickets the inbox shows for the same filters (custom fields included), one column per active custom field, in the
agent's language, safe to open in a spreadsheet, for agents alone, streamed by keyset in a fixed number of queries
whatever the number of rows, and cut at TICKET_EXPORT_MAX_ROWS with a line that says so."""
import csv
import io
import urllib.request
import warnings

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from support.models import AuditEvent, Team
from tests.factories import AgentFactory
from tickets import services
from tickets.exports import ticket_export_for_user
from tickets.models import Category, FieldType, Ticket, TicketField, TicketFieldOption

pytestmark = pytest.mark.django_db

PAGE = "/en/agent/tickets/export.csv"
API = "/api/v1/tickets/export.csv"


def make_field(key, kind, *, labels, options=(), categories=(), position=0, **kwargs):
    field = TicketField.objects.create(key=key, type=kind, position=position,
                                       **{f"label_{lang}": text for lang, text in labels.items()}, **kwargs)
    for index, value in enumerate(options):
        TicketFieldOption.objects.create(field=field, value=value, label_en=f"{value} network",
                                         label_ja=f"{value} ネットワーク", position=index)
    field.categories.set(categories)
    return field


@pytest.fixture
def deposits(db):
    return Category.objects.create(slug="deposits", name_en="Deposits", name_ja="入金")


@pytest.fixture
def fields(deposits):
    """A dropdown, a multi-select, a checkbox (deposits only), a text field and an inactive one."""
    return {
        "network": make_field("network", FieldType.DROPDOWN, labels={"en": "Network", "ja": "ネットワーク"},
                              options=["ERC20", "TRC20", "BTC"], position=1),
        "assets": make_field("assets", FieldType.MULTISELECT, labels={"en": "Assets", "ja": "通貨"},
                             options=["USDT", "USDC", "ETH"], position=2),
        "urgent": make_field("urgent", FieldType.CHECKBOX, labels={"en": "Urgent", "ja": "至急"},
                             categories=[deposits], position=3),
        "note": make_field("note", FieldType.TEXT, labels={"en": "Note", "ja": "メモ"}, position=4),
        "old": make_field("old", FieldType.TEXT, labels={"en": "Old"}, position=5, is_active=False),
    }


@pytest.fixture
def ja_agent(db):
    return AgentFactory(email="yuki@example.com", name="Yuki", languages=["ja"])


def make(customer, subject, **kwargs):
    return services.ticket_create(requester=customer, subject=subject, body="…", **kwargs)


def read(response):
    """The CSV's rows, checking the byte-order mark and UTF-8 on the way."""
    assert response.status_code == 200, response
    assert response["Content-Type"] == "text/csv; charset=utf-8" and response.streaming
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def subjects(rows):
    return [row[1] for row in rows[1:]]


@pytest.fixture
def desk(customer, deposits, fields, agent):
    """Five tickets: two on TRC20 (one pending, one assigned to `agent`), one ERC20, one BTC, one without fields."""
    tickets = {
        "trc_open": make(customer, "TRC open", category=deposits,
                         custom_fields={"network": "TRC20", "assets": ["USDT", "ETH"], "urgent": True}),
        "trc_pending": make(customer, "TRC pending", category=deposits, custom_fields={"network": "TRC20"}),
        "erc": make(customer, "ERC", category=deposits, custom_fields={"network": "ERC20", "note": "call back"}),
        "btc": make(customer, "BTC", custom_fields={"network": "BTC"}),
        "plain": make(customer, "Plain"),
    }
    services.ticket_update(ticket=tickets["trc_pending"], actor=agent, status="pending")
    services.ticket_update(ticket=tickets["trc_open"], actor=agent, assignee=agent, tags=["vip", "chain"])
    return tickets


def test_the_export_has_the_tickets_the_inbox_shows_for_the_same_query(client, agent, desk):
    """The inbox's defaults (view `open`), its filters and `field.<key>` select the same tickets in the export as on
    the page; the rows come in reference order, whatever the sort."""
    client.force_login(agent)
    for query in ("", "view=all", "view=all&field.network=TRC20", "view=pending&field.network=TRC20",
                  "view=all&field.assets=ETH", "view=all&field.urgent=true", "view=all&field.urgent=false&q=TRC",
                  "view=mine", "view=all&category=deposits&sort=-created"):
        shown = [ticket.subject for ticket in client.get(f"/en/agent/tickets/?{query}").context["page"].object_list]
        exported = subjects(read(client.get(f"{PAGE}?{query}")))
        assert sorted(exported) == sorted(shown), query
        numbers = [int(row[0][2:]) for row in read(client.get(f"{PAGE}?{query}"))[1:]]
        assert numbers == sorted(numbers)
    assert subjects(read(client.get(f"{PAGE}?view=all&field.network=TRC20"))) == ["TRC open", "TRC pending"]
    assert subjects(read(client.get(f"{PAGE}?view=all&field.urgent=false&q=TRC"))) == ["TRC pending"]
    assert subjects(read(client.get(f"{PAGE}?view=mine"))) == ["TRC open"]


def test_the_inbox_links_to_the_export_of_its_own_query(client, agent, desk):
    client.force_login(agent)
    page = client.get("/en/agent/tickets/?view=all&field.network=TRC20&page=1").content.decode()
    assert 'href="/en/agent/tickets/export.csv?view=all&amp;field.network=TRC20"' in page
    assert 'data-testid="inbox-export"' in page


def test_columns_and_custom_field_values(client, agent, desk):
    """The fixed columns, then one per active custom field (label and key); a dropdown's option as its value, a
    multi-select's joined with "; ", a checkbox Yes or No where the ticket carries the field (empty elsewhere)."""
    team = Team.objects.create(name="Payments", slug="payments")
    Ticket.objects.filter(pk=desk["trc_open"].pk).update(team=team)
    client.force_login(agent)
    rows = read(client.get(f"{PAGE}?view=all"))
    assert rows[0] == ["Reference", "Subject", "Status", "Priority", "Language", "Channel", "Category", "Team",
                       "Assignee", "Requester email", "Created (UTC)", "Updated (UTC)", "Solved (UTC)", "Tags",
                       "Network [network]", "Assets [assets]", "Urgent [urgent]", "Note [note]"]
    by_subject = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    trc = by_subject["TRC open"]
    ticket = Ticket.objects.get(pk=desk["trc_open"].pk)
    assert trc["Reference"] == ticket.ref and trc["Status"] == "New" and trc["Priority"] == "Normal"
    assert (trc["Language"], trc["Channel"], trc["Category"], trc["Team"]) == ("en", "Web", "Deposits", "Payments")
    assert trc["Assignee"] == agent.email and trc["Requester email"] == ticket.requester.email
    assert trc["Created (UTC)"] == ticket.created_at.strftime("%Y-%m-%d %H:%M:%S") and trc["Solved (UTC)"] == ""
    assert trc["Tags"] == "vip; chain"
    assert (trc["Network [network]"], trc["Assets [assets]"], trc["Urgent [urgent]"]) == ("TRC20", "USDT; ETH", "Yes")
    assert by_subject["TRC pending"]["Urgent [urgent]"] == "No"  # a deposit: carries the box, not ticked
    assert by_subject["BTC"]["Urgent [urgent]"] == ""  # no category: the box is not one of its fields
    assert by_subject["ERC"]["Note [note]"] == "call back"
    assert by_subject["Plain"]["Network [network]"] == "" and by_subject["TRC pending"]["Status"] == "Pending"


def test_japanese_headers_and_values_survive_the_round_trip(client, ja_agent, customer, deposits, fields):
    """UTF-8 with a byte-order mark (Excel opens CJK correctly): headers, labels and subjects in Japanese come back
    exactly; the custom field's header is its Japanese label with the key."""
    make(customer, "入金が反映されません", category=deposits, language="ja",
         custom_fields={"network": "TRC20", "urgent": True, "note": "至急対応 😀"})
    client.force_login(ja_agent)
    response = client.get("/ja/agent/tickets/export.csv?view=all")
    rows = read(response)
    with translation.override("ja"):
        assert rows[0][:3] == [translation.gettext("Reference"), translation.gettext("Subject"),
                               translation.gettext("Status")]
        yes = translation.gettext("Yes")
    assert rows[0][0] != "Reference" and yes != "Yes"
    assert rows[0][-4:] == ["ネットワーク [network]", "通貨 [assets]", "至急 [urgent]", "メモ [note]"]
    assert rows[1][1] == "入金が反映されません" and rows[1][6] == "入金"
    assert rows[1][-4:] == ["TRC20", "", yes, "至急対応 😀"]


def test_cells_a_spreadsheet_would_run_are_neutralised(client, agent, customer, fields):
    """Subjects, emails, tags and text fields starting with = + - @ are prefixed with an apostrophe (the guard the
    report exports use); whole numbers stay numbers."""
    make(customer, "=HYPERLINK(\"http://evil.example\",\"click\")", custom_fields={"note": "+cmd|' /C calc'!A0"})
    make(customer, "@SUM(1+1)", custom_fields={"note": "-2+3"})
    client.force_login(agent)
    rows = read(client.get(f"{PAGE}?view=all"))
    assert subjects(rows) == ["'=HYPERLINK(\"http://evil.example\",\"click\")", "'@SUM(1+1)"]
    assert [row[-1] for row in rows[1:]] == ["'+cmd|' /C calc'!A0", "'-2+3"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_only_agents_export(client, customer, other_customer, desk):
    """Customers (even the requester of every ticket) get the page's 404 and the API's 403, anonymous the login and
    401; no row leaks and no export is recorded. An agent's export is recorded in the audit log."""
    client.force_login(customer)
    response = client.get(f"{PAGE}?view=all")
    assert response.status_code == 404 and b"TRC" not in response.content
    api = APIClient()
    api.force_authenticate(customer)
    response = api.get(f"{API}?view=all")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert APIClient().get(API).status_code == 401
    client.logout()
    assert client.get(PAGE)["Location"].startswith("/en/accounts/login/")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    agent = AgentFactory(languages=["ko"])
    client.force_login(agent)
    read(client.get(f"{PAGE}?view=all&field.network=TRC20"))
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.object_type, event.object_id, event.via) == (
        agent, "tickets", "view=all&field.network=TRC20", "page")


def test_the_api_exports_with_the_lists_filters_and_refuses_bad_ones_in_the_error_shape(agent, desk):
    api = APIClient()
    api.force_authenticate(agent)
    response = api.get(f"{API}?field.network=TRC20&status=pending", HTTP_ACCEPT="text/csv")
    assert subjects(read(response)) == ["TRC pending"]
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-')
    assert subjects(read(api.get(API))) == ["TRC open", "TRC pending", "ERC", "BTC", "Plain"]  # no view: all
    for query, name in (("field.nope=1", "field.nope"), ("status=bogus", "status"), ("field.network=XRP",
                                                                                       "field.network")):
        response = api.get(f"{API}?{query}", HTTP_ACCEPT="text/csv")
        assert response.status_code == 400 and response["Content-Type"] == "application/json", query
        error = response.json()["error"]
        assert error["code"] == "invalid" and list(error["fields"]) == [name]


def test_bad_filters_on_the_page_send_the_agent_back_to_the_inbox(client, agent, desk):
    client.force_login(agent)
    response = client.get(f"{PAGE}?view=all&status=bogus")
    assert response.status_code == 302 and response["Location"] == "/en/agent/tickets/?view=all&status=bogus"
    page = client.get(response["Location"]).content.decode()
    assert "Correct the filters, then export again." in page


def test_the_query_count_does_not_grow_with_the_rows(client, agent, customer, fields):
    """Fields, categories, teams, the bounded count, the audit row and one batch: the same queries for 3 tickets as
    for 40."""
    for i in range(3):
        make(customer, f"first {i}", custom_fields={"network": "BTC", "assets": ["USDT"]})
    client.force_login(agent)
    client.get("/en/agent/tickets/")  # the session's first read of the agent's permissions, out of the count
    with CaptureQueriesContext(connection) as few:
        assert len(read(client.get(f"{PAGE}?view=all"))) == 4
    for i in range(37):
        make(customer, f"more {i}", custom_fields={"network": "ERC20", "assets": ["USDC", "ETH"]})
    with CaptureQueriesContext(connection) as many:
        assert len(read(client.get(f"{PAGE}?view=all"))) == 41
    assert len(many) == len(few)
    batches = [q["sql"] for q in many.captured_queries if '"tickets_ticket"."number" AS' in q["sql"]
               or 'SELECT "tickets_ticket"."number"' in q["sql"]]
    assert len(batches) == 1 and "OFFSET" not in batches[0]


def test_rows_are_read_by_keyset_one_query_per_batch(agent, customer):
    """With batches of two, seven tickets take four row queries (2+2+2+1), each after the last reference read, none
    with OFFSET; every ticket comes once, in reference order."""
    made = [make(customer, f"t{i}") for i in range(7)]
    export = ticket_export_for_user(user=agent, condition=Q(), ticket_fields=[], batch_size=2)
    with CaptureQueriesContext(connection) as queries:
        text = "".join(export.chunks())
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [t.ref for t in made]
    assert len(queries) == 4 and all("OFFSET" not in q["sql"] for q in queries)
    assert all('"number" >' in q["sql"] for q in queries.captured_queries[1:])


def test_the_export_is_cut_at_the_limit_and_says_so(client, agent, customer, settings):
    settings.TICKET_EXPORT_MAX_ROWS = 3
    made = [make(customer, f"t{i}") for i in range(5)]
    client.force_login(agent)
    response = client.get(f"{PAGE}?view=all")
    rows = read(response)
    assert response["X-Export-Truncated"] == "true" and response["X-Export-Row-Limit"] == "3"
    assert [row[0] for row in rows[1:4]] == [t.ref for t in made[:3]]
    assert rows[4] == ["The export stops at 3 tickets; narrow the filters to export the rest."] and len(rows) == 5
    Ticket.objects.filter(pk__in=[t.pk for t in made[3:]]).delete()
    response = client.get(f"{PAGE}?view=all")
    rows = read(response)
    assert len(rows) == 4 and "X-Export-Truncated" not in response


def test_served_asynchronously_it_is_pulled_chunk_by_chunk(client, agent, customer):
    """Under ASGI (uvicorn) the response is read through __aiter__: every chunk, in order, without Django's
    read-it-all-into-a-list fallback for synchronous iterators (which would hold a whole export in memory)."""
    for i in range(3):
        make(customer, f"async {i}")
    client.force_login(agent)
    response = client.get(f"{PAGE}?view=all")

    async def collect():
        return [part async for part in response]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "must consume synchronous iterators" would fail here
        parts = async_to_sync(collect)()
    assert len(parts) == 2  # the header, then the one batch
    rows = list(csv.reader(io.StringIO(b"".join(parts).decode("utf-8-sig"))))
    assert subjects(rows) == ["async 0", "async 1", "async 2"]


@pytest.mark.django_db(transaction=True)
def test_a_long_export_streams_through_a_real_asgi_server(asgi_server, customer):
    """uvicorn running the deployment's ASGI application: 2,100 tickets, a limit of 2,050, batches of 1,000, so the
    rows come from three keyset batches pulled one by one on the server's database connection; the last line says
    the export was cut, and the headers told so before the first row."""
    agent = AgentFactory(languages=["en"])
    token = Token.objects.create(user=agent)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('ticket_number_seq') FROM generate_series(1, 2100)")
        numbers = [row[0] for row in cursor.fetchall()]
    Ticket.objects.bulk_create([Ticket(number=n, requester=customer, subject=f"bulk {n}") for n in numbers])
    server = asgi_server.start(TICKET_EXPORT_MAX_ROWS="2050")
    request = urllib.request.Request(f"{server}{API}", headers={"Authorization": f"Token {token.key}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["X-Export-Truncated"] == "true"
        assert response.headers.get("Transfer-Encoding") == "chunked"  # streamed, no Content-Length
        rows = list(csv.reader(io.StringIO(response.read().decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:2051]] == [f"T-{n}" for n in numbers[:2050]]
    assert rows[2051] == ["The export stops at 2050 tickets; narrow the filters to export the rest."]
    assert len(rows) == 2052
    Ticket.objects.all().delete()
