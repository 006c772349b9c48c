"""The reports' "Custom fields" section (issue #26) against figures worked out by hand: tickets created per option of
each active dropdown and multi-select field, solved, median first response and resolution; a multi-select's ticket
counted under each of its options; "Not set" for tickets that carry the field without a value; labels in the
reader's language; the CSV export; one query whatever the number of fields, options and tickets.

The fixture week (Monday 2 to Sunday 8 March 2026, UTC); network is a dropdown of the deposits category, assets a
multi-select of every ticket (first response and resolution in minutes after creation):

    ticket  category  language  network   assets        first response  resolution
    a       deposits  en        TRC20     USDT          10              60
    b       deposits  en        TRC20     USDT, ETH     30              120
    c       deposits  en        TRC20     -             50              -
    d       deposits  ja        ERC20     ETH           20              600
    e       deposits  en        -         -             -               -
    f       trading   en        (not its field) USDC    5               5
    g       -         en        BTC (kept from before)  -   -           -
    before  deposits  en        TRC20 (the Sunday before: outside)
    dup     deposits  en        TRC20 (merged into a: left out)
"""
import csv
import datetime as dt
import io
import json
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from reports import selectors
from reports.history import History
from reports.selectors import Period
from tests.factories import AgentFactory, UserFactory
from tests.leaks import english_leaks, strings_in, visible_text
from tickets.demo_fields import seed_fields
from tickets.models import Category, FieldType, Ticket, TicketField, TicketFieldOption

from .conftest import MONDAY, at, make_ticket

QUERY = "start=2026-03-02&end=2026-03-08"
NETWORKS = {"ERC20": ("Ethereum (ERC20)", "イーサリアム (ERC20)"), "TRC20": ("TRON (TRC20)", "トロン (TRC20)"),
            "BTC": ("Bitcoin (BTC)", "ビットコイン (BTC)")}
ASSETS = {"USDT": ("Tether", "テザー"), "USDC": ("USD Coin", "USDコイン"), "ETH": ("Ether", "イーサ")}


def make_field(key, kind, labels, options=None, categories=(), position=0, **kwargs):
    field = TicketField.objects.create(key=key, type=kind, label_en=labels[0], label_ja=labels[1],
                                       position=position, **kwargs)
    for index, (value, (en, ja)) in enumerate((options or {}).items()):
        TicketFieldOption.objects.create(field=field, value=value, label_en=en, label_ja=ja, position=index)
    field.categories.set(categories)
    return field


def ticket(customer, created, values, **kwargs):
    made = make_ticket(customer, created, **kwargs)
    Ticket.objects.filter(pk=made.pk).update(custom_fields=values)
    return made


@pytest.fixture
def fields_week(db):
    customer = UserFactory(email="fields@example.com")
    deposits = Category.objects.create(name="Deposits", slug="deposits")
    trading = Category.objects.create(name="Trading", slug="trading")
    make_field("network", FieldType.DROPDOWN, ("Network", "ネットワーク"), NETWORKS, [deposits], position=1,
               label_es="Red")
    make_field("assets", FieldType.MULTISELECT, ("Assets", "通貨"), ASSETS, position=2, label_es="Activos")
    make_field("urgent", FieldType.CHECKBOX, ("Urgent", "至急"), position=3)
    make_field("note", FieldType.TEXT, ("Note", "メモ"), position=4)
    make_field("legacy", FieldType.DROPDOWN, ("Legacy", "旧"), {"X": ("X", "X")}, position=0, is_active=False)
    a = ticket(customer, at(0, 9), {"network": "TRC20", "assets": ["USDT"], "urgent": True}, category=deposits,
               first_response=10, resolution=60)
    ticket(customer, at(0, 10), {"network": "TRC20", "assets": ["USDT", "ETH"]}, category=deposits,
           first_response=30, resolution=120)
    ticket(customer, at(1, 9), {"network": "TRC20", "note": "x"}, category=deposits, first_response=50)
    ticket(customer, at(2, 9), {"network": "ERC20", "assets": ["ETH"]}, category=deposits, language="ja",
           first_response=20, resolution=600)
    ticket(customer, at(3, 9), {}, category=deposits)
    ticket(customer, at(4, 9), {"assets": ["USDC"]}, category=trading, first_response=5, resolution=5)
    ticket(customer, at(5, 9), {"network": "BTC"})
    ticket(customer, MONDAY - dt.timedelta(seconds=1), {"network": "TRC20"}, category=deposits)
    ticket(customer, at(0, 11), {"network": "TRC20", "assets": ["USDT"]}, category=deposits, merged_into=a)
    return {"deposits": deposits}


def rows_of(table, key):
    return {row["value"]: row for row in table.rows if row["field_key"] == key}


def figures(row):
    return row["tickets"], row["solved"], row["first_p50"], row["resolution_p50"]


def test_tickets_per_option_of_a_dropdown(fields_week, week):
    """Options in their order, zeros included, then "Not set" (e: a deposit without a network; f is not a deposit,
    so it has no network to set). g keeps the BTC it was given although tickets without a category do not carry
    the field. Minutes: TRC20's first responses 10, 30, 50 (median 30), resolutions 60 and 120 (median 90)."""
    table = selectors.tickets_by_field(week)
    network = rows_of(table, "network")
    assert list(network) == ["ERC20", "TRC20", "BTC", None]
    assert [row["option"] for row in network.values()] == ["Ethereum (ERC20)", "TRON (TRC20)", "Bitcoin (BTC)",
                                                           "Not set"]
    assert figures(network["ERC20"]) == (1, 1, 20.0, 600.0)
    assert figures(network["TRC20"]) == (3, 2, 30.0, 90.0)
    assert figures(network["BTC"]) == (1, 0, None, None)
    assert figures(network[None]) == (1, 0, None, None)
    assert {row["field"] for row in network.values()} == {"Network"}


def test_a_multi_select_counts_a_ticket_under_each_of_its_options(fields_week, week):
    """b has USDT and ETH, so it counts twice; assets is every ticket's field, so c, e and g are "Not set". The
    rows add up to 8 for 7 tickets."""
    assets = rows_of(selectors.tickets_by_field(week), "assets")
    assert list(assets) == ["USDT", "USDC", "ETH", None]
    assert figures(assets["USDT"]) == (2, 2, 20.0, 90.0)
    assert figures(assets["USDC"]) == (1, 1, 5.0, 5.0)
    assert figures(assets["ETH"]) == (2, 2, 25.0, 360.0)
    assert figures(assets[None]) == (3, 0, 50.0, None)
    assert sum(row["tickets"] for row in assets.values()) == 8


def test_only_active_choice_fields_in_their_order(fields_week, week):
    table = selectors.tickets_by_field(week)
    assert list(dict.fromkeys(row["field_key"] for row in table.rows)) == ["network", "assets"]
    assert [c.key for c in table.columns] == ["field", "option", "tickets", "solved", "first_p50", "resolution_p50"]


def test_the_reports_language_narrows_it(fields_week, week):
    table = selectors.tickets_by_field(replace(week, language="ja"))
    assert [row["tickets"] for row in rows_of(table, "network").values()] == [1, 0, 0, 0]
    assert [row["tickets"] for row in rows_of(table, "assets").values()] == [0, 0, 1, 0]


def test_a_value_no_longer_among_the_options_keeps_its_row(fields_week, week):
    """An option an admin removed: its tickets still count, under the stored value, after the options."""
    TicketFieldOption.objects.filter(value="BTC").delete()
    network = rows_of(selectors.tickets_by_field(week), "network")
    assert list(network) == ["ERC20", "TRC20", "BTC", None] and network["BTC"]["option"] == "BTC"
    assert network["BTC"]["tickets"] == 1


def test_labels_in_the_readers_language(fields_week, week):
    with translation.override("ja"):
        table = selectors.tickets_by_field(week)
        not_set = translation.gettext("Not set")
        title = str(table.title)
    network = rows_of(table, "network")
    assert [row["option"] for row in network.values()] == ["イーサリアム (ERC20)", "トロン (TRC20)",
                                                           "ビットコイン (BTC)", not_set]
    assert not_set != "Not set" and title != "Custom fields"
    assert {row["field"] for row in table.rows} == {"ネットワーク", "通貨"}


def test_one_query_however_many_fields_options_and_tickets(fields_week, week):
    """The fields are read once (three queries, options and categories included), the figures in one more."""
    with CaptureQueriesContext(connection) as before:
        selectors.tickets_by_field(week)
    customer = Ticket.objects.first().requester
    make_field("kyc", FieldType.MULTISELECT, ("KYC", "KYC"), {f"L{i}": (f"Level {i}", f"レベル{i}") for i in range(8)},
               position=9)
    for i in range(12):
        ticket(customer, at(6, 1, i), {"network": "BTC", "assets": ["USDC", "ETH"], "kyc": ["L1", "L2"]},
               category=fields_week["deposits"], first_response=i, resolution=2 * i)
    with CaptureQueriesContext(connection) as after:
        table = selectors.tickets_by_field(week)
    assert len(before) == len(after) == 4
    assert rows_of(table, "network")["BTC"]["tickets"] == 13 and rows_of(table, "kyc")["L2"]["tickets"] == 12


def test_no_choice_field_no_rows_and_no_figures_query(db, week):
    with CaptureQueriesContext(connection) as queries:
        table = selectors.tickets_by_field(week)
    assert table.rows == [] and len(queries) == 1


@pytest.fixture
def boss(db):
    return AgentFactory(email="boss@example.com", name="Boss", supervisor=True)


def csv_rows(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))


def test_csv_export(client, fields_week, boss):
    client.force_login(boss)
    response = client.get(f"/en/agent/reports/fields.csv?{QUERY}")
    rows = csv_rows(response)
    assert 'filename="fields-2026-03-02-2026-03-08.csv"' in response["Content-Disposition"]
    assert rows[0] == ["Field", "Option", "Tickets", "Solved", "First response, median (minutes)",
                       "Resolution, median (minutes)"]
    assert rows[1:5] == [["Network", "Ethereum (ERC20)", "1", "1", "20.0", "600.0"],
                         ["Network", "TRON (TRC20)", "3", "2", "30.0", "90.0"],
                         ["Network", "Bitcoin (BTC)", "1", "0", "", ""], ["Network", "Not set", "1", "0", "", ""]]
    assert rows[5][:3] == ["Assets", "Tether", "2"] and len(rows) == 9


def test_csv_export_in_japanese_and_neutralised(client, fields_week, boss):
    """Labels in the page's language (the field's and the options' own translations too); an option label a
    spreadsheet would run as a formula is prefixed with an apostrophe (reports.exports' guard)."""
    client.force_login(boss)
    rows = csv_rows(client.get(f"/ja/agent/reports/fields.csv?{QUERY}"))
    with translation.override("ja"):
        assert rows[0][:2] == [translation.gettext("Field"), translation.gettext("Option")] != ["Field", "Option"]
    assert rows[2][:3] == ["ネットワーク", "トロン (TRC20)", "3"]
    assert english_leaks(" ".join(rows[0]), "ja") == []
    TicketFieldOption.objects.filter(value="ERC20").update(label_en="=HYPERLINK(\"http://x\")")
    rows = csv_rows(client.get(f"/en/agent/reports/fields.csv?{QUERY}"))
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")"


def test_agents_cannot_read_it(client, fields_week):
    client.force_login(AgentFactory(languages=["ja"]))
    response = client.get(f"/en/agent/reports/fields.csv?{QUERY}")
    assert response.status_code == 403 and b"TRC20" not in response.content


def test_the_api_has_the_table(fields_week, boss):
    api = APIClient()
    api.force_authenticate(boss)
    tables = {t["key"]: t for t in api.get(f"/api/v1/reports/?{QUERY}").json()["tables"]}
    keys = list(tables)
    assert keys.index("fields") == keys.index("ticket_times") + 1
    assert tables["fields"]["rows"][1] == {
        "field": "Network", "option": "TRON (TRC20)", "tickets": 3, "solved": 2, "first_p50": 30.0,
        "resolution_p50": 90.0, "field_key": "network", "value": "TRC20"}


@pytest.mark.parametrize("language", ["ja", "es"])
def test_the_page_shows_a_chart_and_a_table_per_field(client, fields_week, boss, language):
    client.force_login(boss)
    response = client.get(f"/{language}/agent/reports/?{QUERY}")
    assert response.status_code == 200
    page = response.content.decode()
    for part in ("fields-section", "field-network", "field-network-chart", "field-assets-chart",
                 "table-fields-network", "table-fields-assets", "csv-fields"):
        assert f'data-testid="{part}"' in page
    assert 'data-testid="field-urgent"' not in page and 'data-testid="field-legacy"' not in page
    assert english_leaks(visible_text(page), language, codes=True) == []
    data = json.loads(page.split('<script id="report-data" type="application/json">')[1].split("</script>")[0])
    assert english_leaks("\n".join(strings_in(data["strings"])), language) == []
    assert [(r["field_key"], r["value"], r["tickets"]) for r in data["fields"][:4]] == [
        ("network", "ERC20", 1), ("network", "TRC20", 3), ("network", "BTC", 1), ("network", None, 1)]


def test_the_demo_history_gives_deposits_their_networks(db):
    """With the demo's fields, the generated history's deposit tickets carry a network (most of them, TRC20 the most
    used), other tickets none; the report counts them. The rest of the history is what it was without fields."""
    Category.objects.create(slug="deposits-withdrawals", name_en="Deposits & withdrawals")
    Category.objects.create(slug="account", name_en="Account")
    seed_fields()
    end = dt.datetime(2026, 3, 9, tzinfo=dt.UTC)
    History(days=7, chats_per_day=2, tickets_per_day=40, seed=5, end=end).run()
    deposits = Ticket.objects.filter(category__slug="deposits-withdrawals")
    others = Ticket.objects.exclude(category__slug="deposits-withdrawals")
    assert deposits.count() > 50 and not others.filter(custom_fields__has_key="network").exists()
    with_network = deposits.filter(custom_fields__has_key="network").count()
    assert 0.75 * deposits.count() < with_network < deposits.count()
    network = rows_of(selectors.tickets_by_field(Period(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 8),
                                                        tz=ZoneInfo("UTC"))), "network")
    counts = {value: row["tickets"] for value, row in network.items()}
    assert max(counts, key=counts.get) == "TRC20" and sum(counts.values()) == deposits.count()
    assert network["BTC"]["resolution_p50"] > network["SOL"]["resolution_p50"]
