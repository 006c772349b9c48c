"""Custom ticket fields (issue #26): typed values per category, checked by one service whatever the channel (the
request form, the API, the agent's card), in the request's language; required of customers or to solve; filtered in
the inbox, the API and saved views; audited per field; edited by admins in six languages."""
import re
import time

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient

from tickets import services
from tickets.demo_fields import seed_fields
from tickets.field_values import FieldValueError, value_parse
from tickets.filters import saved_filters_clean
from tickets.models import Category, FieldType, Ticket, TicketEvent, TicketField, TicketFieldOption
from tickets.regexes import pattern_validate
from tickets.services.field_admin import ticket_field_errors

pytestmark = pytest.mark.django_db

ERC20 = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
HEX = "4f1c7e2b9a0d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6"
SOL = "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def fields(category):
    """The demo's fields (network, tx_hash, amount, asset, uid) on the deposits-and-withdrawals category."""
    seed_fields()
    return {field.key: field for field in TicketField.objects.all()}


@pytest.fixture
def other_category(db):
    return Category.objects.create(slug="trading", name_en="Trading")


def make_field(key, kind, *, options=(), **kwargs):
    field = TicketField.objects.create(key=key, type=kind, label_en=key.title(), **kwargs)
    for position, value in enumerate(options):
        TicketFieldOption.objects.create(field=field, value=value, label_en=value.title(), position=position)
    return field


def clean(values, category, *, for_agent=False, **kwargs):
    return services.ticket_fields_clean(values=values, category=category, for_agent=for_agent, **kwargs)


def problems(call):
    with pytest.raises(services.FieldErrors) as caught:
        call()
    return {key: code for key, (code, _message) in caught.value.errors.items()}


# --- each type ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, raw, stored", [
    (FieldType.TEXT, "  USDT  on   Tron ", "USDT on Tron"),
    (FieldType.NUMBER, "42", 42),
    (FieldType.NUMBER, 7, 7),
    (FieldType.DECIMAL, "250.50", "250.5"),
    (FieldType.DECIMAL, "0,1", "0.1"),  # a comma as the decimal separator (es, ru)
    (FieldType.DECIMAL, "1 000.000000000000000001", "1000.000000000000000001"),
    (FieldType.DECIMAL, "100", "100"),
    (FieldType.DATE, "2026-02-28", "2026-02-28"),
    (FieldType.CHECKBOX, "on", True),
    (FieldType.CHECKBOX, False, None),
    (FieldType.DROPDOWN, "b", "b"),
    (FieldType.MULTISELECT, ["c", "a", "a"], ["a", "c"]),  # options' order, no repeats
    (FieldType.TEXT, "", None),
    (FieldType.TEXT, "US\x00DT", "US DT"),  # PostgreSQL's JSON cannot hold NUL
])
def test_each_type_stores_its_canonical_form(kind, raw, stored):
    """What is stored is one form per value, so a filter or a trigger finds it however it was typed."""
    field = make_field("f", kind, options=("a", "b", "c") if kind in ("dropdown", "multiselect") else ())
    assert value_parse(field, raw) == stored


@pytest.mark.parametrize("kind, raw, code", [
    (FieldType.NUMBER, "4.5", "invalid_number"),
    (FieldType.NUMBER, "10000000000000000", "invalid_number"),
    (FieldType.DECIMAL, "abc", "invalid_number"),
    (FieldType.DECIMAL, "-5", "invalid_number"),
    (FieldType.DECIMAL, "1,000.5", "invalid_number"),  # two separators: ambiguous, refused
    (FieldType.DECIMAL, "0." + "1" * 19, "invalid_number"),
    (FieldType.DATE, "2026-02-30", "invalid_date"),
    (FieldType.DATE, "28.02.2026", "invalid_date"),
    (FieldType.CHECKBOX, "maybe", "invalid_choice"),
    (FieldType.DROPDOWN, "z", "invalid_choice"),
    (FieldType.MULTISELECT, ["a", "z"], "invalid_choice"),
    (FieldType.MULTISELECT, [{"a": 1}], "invalid_choice"),
    (FieldType.TEXT, "x" * 501, "too_long"),
    (FieldType.REGEX, "x" * 201, "too_long"),
    (FieldType.TEXT, {"nested": "object"}, "invalid"),
    (FieldType.NUMBER, True, "invalid"),
])
def test_each_type_refuses_what_it_cannot_hold(kind, raw, code):
    field = make_field("f", kind, options=("a", "b") if kind in ("dropdown", "multiselect") else ())
    with pytest.raises(FieldValueError) as caught:
        value_parse(field, raw)
    assert caught.value.code == code


@pytest.mark.parametrize("network, tx_hash, ok", [
    ("ERC20", ERC20, True), ("BEP20", ERC20, True), ("ERC20", HEX, False),
    ("TRC20", HEX, True), ("TRC20", ERC20, False),
    ("BTC", HEX, True), ("BTC", HEX[:-1], False),
    ("SOL", SOL, True), ("SOL", SOL.replace("V", "0", 1), False),  # 0 is not in base58
])
def test_the_transaction_hash_is_checked_by_its_network(fields, category, network, tx_hash, ok):
    """The hash's pattern is the one of the network chosen in the same ticket (pattern_by)."""
    values = {"network": network, "tx_hash": tx_hash}
    if ok:
        assert clean(values, category)["tx_hash"] == tx_hash
    else:
        assert problems(lambda: clean(values, category)) == {"tx_hash": "invalid_format"}


def test_a_hash_checked_again_when_an_agent_changes_the_network(fields, agent, make_ticket, category):
    """Changing only the network re-checks the stored hash against the new network's pattern."""
    ticket = make_ticket(category=category, custom_fields={"network": "TRC20", "tx_hash": HEX})
    with pytest.raises(services.FieldErrors) as caught:
        services.ticket_update(ticket=ticket, actor=agent, custom_fields={"network": "ERC20"})
    assert caught.value.field == "custom_fields.tx_hash"
    ticket.refresh_from_db()
    assert ticket.custom_fields["network"] == "TRC20"


# --- patterns admins write ----------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, code", [
    ("[0-9", "pattern_invalid"), ("(a+)+$", "pattern_slow"), ("(a|aa)*", "pattern_slow"), (r"(a)\1", "pattern_slow"),
    ("a" * 301, "pattern_too_long"),
])
def test_patterns_that_do_not_compile_or_backtrack_badly_are_refused(pattern, code):
    with pytest.raises(ValidationError) as caught:
        pattern_validate(pattern)
    assert caught.value.code == code


def test_allowed_patterns_match_long_hostile_input_quickly(fields, category):
    """With repetition never nested, the longest input a field accepts is matched at once."""
    for pattern in ("[0-9]{6,12}", "0x[0-9a-fA-F]{64}", "[1-9A-HJ-NP-Za-km-z]{87,88}", "(?:0x)?[0-9a-f]+z"):
        pattern_validate(pattern)
    start = time.perf_counter()
    with pytest.raises(services.FieldErrors):
        clean({"network": "SOL", "tx_hash": "1" * 200}, category)
    assert time.perf_counter() - start < 0.5


def test_a_field_admins_save_has_patterns_keyed_by_the_options_of_an_existing_dropdown(fields):
    """The definition's rules (services.field_admin, for the supervisors' pages and the admin alike)."""
    tx_hash = fields["tx_hash"]
    values = {"key": "tx_hash", "type": "regex", "label_en": "Hash", "pattern_by": "network",
              "patterns": tx_hash.patterns, "customer_visible": True}
    assert ticket_field_errors(values, field=tx_hash) == {}  # the demo's: valid
    assert "patterns" in ticket_field_errors({**values, "patterns": {"DOGE": "[0-9a-f]{64}"}}, field=tx_hash)
    errors = ticket_field_errors({**values, "patterns": {"TRC20": "[0-9a-f]{64}"}, "pattern_by": "amount"},
                                 field=tx_hash)  # not a dropdown
    assert "pattern_by" in errors


# --- who may set what, and what is required -----------------------------------------------------------------

def test_customers_must_fill_in_required_fields_and_agents_need_not(fields, category):
    assert problems(lambda: clean({"amount": "5"}, category)) == {"network": "required"}
    assert clean({"amount": "5"}, category, for_agent=True) == {"amount": "5"}


def test_fields_of_another_category_or_hidden_from_customers_are_refused(fields, category, other_category):
    make_field("risk", FieldType.CHECKBOX, customer_visible=False)
    assert problems(lambda: clean({"network": "BTC", "risk": True}, category)) == {"risk": "unknown_field"}
    assert clean({"network": "BTC", "risk": True}, category, for_agent=True)["risk"] is True
    assert problems(lambda: clean({"network": "BTC"}, other_category)) == {"network": "not_applicable"}
    assert problems(lambda: clean({"nope": 1}, category, for_agent=True)) == {"nope": "unknown_field"}


def test_email_and_chat_tickets_need_no_fields(fields, customer, category):
    """A channel without a form (custom_fields=None) requires nothing."""
    ticket = services.ticket_create(requester=customer, subject="Deposit", body="Missing", category=category,
                                    channel="email")
    assert ticket.custom_fields == {}


def test_an_agent_cannot_solve_while_a_field_required_to_solve_is_empty(fields, agent, customer, make_ticket,
                                                                         category):
    """Required to solve: by the properties and by a reply that solves; the requester may still close their own."""
    ticket = make_ticket(category=category, custom_fields={"network": "BTC"})
    with pytest.raises(services.FieldErrors) as caught:
        services.ticket_update(ticket=ticket, actor=agent, status="solved")
    assert caught.value.code == "required_to_solve" and caught.value.field == "custom_fields.asset"
    with pytest.raises(services.FieldErrors):
        services.ticket_reply(ticket=ticket, author=agent, body="Done", status="solved")
    ticket.refresh_from_db()
    assert ticket.status == "new" and not ticket.messages.filter(author=agent).exists()
    services.ticket_update(ticket=ticket, actor=agent, status="solved", custom_fields={"asset": "BTC"})
    ticket.refresh_from_db()
    assert ticket.status == "solved" and ticket.custom_fields["asset"] == "BTC"
    other = make_ticket(category=category, custom_fields={"network": "BTC"})
    services.ticket_update(ticket=other, actor=customer, status="solved")
    other.refresh_from_db()
    assert other.status == "solved"


def test_an_agents_change_writes_one_audit_event_per_changed_field(fields, agent, make_ticket, category):
    ticket = make_ticket(category=category, custom_fields={"network": "TRC20", "tx_hash": HEX, "amount": "5"})
    services.ticket_update(ticket=ticket, actor=agent, custom_fields={
        "network": "ERC20", "tx_hash": ERC20, "amount": "5.0", "asset": "USDT", "uid": ""})
    events = {e.key: (e.old_value, e.new_value) for e in TicketEvent.objects.filter(ticket=ticket, field="custom_field")}
    assert events == {"network": ("TRC20", "ERC20"), "tx_hash": (HEX, ERC20), "asset": ("", "USDT")}
    services.ticket_update(ticket=ticket, actor=agent, custom_fields={"amount": "5"})
    assert TicketEvent.objects.filter(ticket=ticket, field="custom_field").count() == 3  # nothing changed


def test_customers_cannot_change_fields_after_filing(fields, customer, make_ticket, category):
    ticket = make_ticket(category=category, custom_fields={"network": "BTC"})
    with pytest.raises(services.NotAllowed):
        services.ticket_update(ticket=ticket, actor=customer, custom_fields={"network": "SOL"})


# --- six languages ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang, number, choice, tx_hash", [
    ("en", "Enter a whole number.", "Choose one of the options.",
     "This transaction hash does not look like a TRON (TRC20) hash."),
    ("zh-hans", "请输入整数。", "请从选项中选择。", "这看起来不是 波场 (TRC20) 的交易哈希。"),
    ("es", "Introduce un número entero.", "Elige una de las opciones.",
     "Este hash no parece un hash de transacción de TRON (TRC20)."),
    ("ru", "Введите целое число.", "Выберите один из вариантов.", "Это не похоже на хеш транзакции в сети TRON (TRC20)."),
    ("ja", "整数を入力してください。", "選択肢から選んでください。", "トロン (TRC20) のトランザクションハッシュの形式ではありません。"),
    ("ko", "정수를 입력하세요.", "옵션 중에서 선택하세요.", "트론 (TRC20) 트랜잭션 해시 형식이 아닙니다."),
])
def test_errors_are_in_the_requests_language(fields, category, lang, number, choice, tx_hash):
    make_field("count", FieldType.NUMBER)
    with translation.override(lang), pytest.raises(services.FieldErrors) as caught:
        clean({"network": "TRC20", "tx_hash": ERC20, "count": "4.5"}, category)
    messages = {key: message for key, (_code, message) in caught.value.errors.items()}
    assert messages == {"count": number, "tx_hash": tx_hash}
    with translation.override(lang), pytest.raises(services.FieldErrors) as caught:
        clean({"network": "DOGE"}, category)
    assert caught.value.detail == choice


# --- the request form and the agent's card ------------------------------------------------------------------------

def test_the_request_form_shows_the_fields_and_keeps_errors_beside_them_in_korean(client, customer, fields,
                                                                                   category, other_category):
    client.force_login(customer)
    html = client.get("/ko/requests/new/").content.decode()
    assert 'name="cf_network"' in html and 'data-field-categories="deposits-withdrawals"' in html
    assert "트랜잭션 해시 (TxID)" in html and "tickets/js/custom_fields.js" in html
    response = client.post("/ko/requests/new/", {
        "subject": "출금", "body": "출금이 도착하지 않았습니다", "category": category.slug,
        "cf_network": "TRC20", "cf_tx_hash": ERC20, "cf_amount": "100"})
    html = response.content.decode()
    assert response.status_code == 200 and not Ticket.objects.exists()
    block = re.search(r'<div class="field has-error">\s*<label for="id_cf_tx_hash">.*?</div>', html, re.S).group(0)
    assert "트론 (TRC20) 트랜잭션 해시 형식이 아닙니다." in block
    assert 'value="100"' in html  # what was typed is kept
    client.post("/ko/requests/new/", {
        "subject": "출금", "body": "출금이 도착하지 않았습니다", "category": category.slug,
        "cf_network": "TRC20", "cf_tx_hash": HEX, "cf_amount": "100"})
    assert Ticket.objects.get().custom_fields == {"network": "TRC20", "tx_hash": HEX, "amount": "100"}


def test_the_request_form_ignores_fields_of_other_categories(client, customer, fields, other_category):
    """Without JavaScript every field is on the page; only the chosen category's are read."""
    client.force_login(customer)
    response = client.post("/en/requests/new/", {
        "subject": "Order", "body": "Order stuck", "category": other_category.slug, "cf_network": "BTC"})
    assert response.status_code == 302 and Ticket.objects.get().custom_fields == {}


def test_the_agents_card_shows_and_changes_the_values_in_japanese(client, agent, fields, make_ticket, category):
    ticket = make_ticket(category=category, custom_fields={"network": "TRC20", "tx_hash": HEX})
    client.force_login(agent)
    html = client.get(f"/ja/agent/tickets/{ticket.ref}/").content.decode()
    card = re.search(r'data-testid="custom-fields".*?</section>', html, re.S).group(0)
    assert "ネットワーク" in card and "トロン (TRC20)" in card and HEX in card and "解決に必須" in card
    response = client.post(f"/ja/agent/tickets/{ticket.ref}/update/", {
        "part": "fields", "cf_network": "TRC20", "cf_tx_hash": HEX, "cf_asset": "USDT", "cf_amount": "abc"})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "数量: 数値を入力してください。" in html
    client.post(f"/ja/agent/tickets/{ticket.ref}/update/", {
        "part": "fields", "cf_network": "TRC20", "cf_tx_hash": HEX, "cf_asset": "USDT"})
    ticket.refresh_from_db()
    assert ticket.custom_fields["asset"] == "USDT"
    history = client.get(f"/ja/agent/tickets/{ticket.ref}/").content.decode()
    assert re.search(r"通貨.{0,40}USDT", history, re.S)


# --- the API --------------------------------------------------------------------------------------------------

def test_api_create_with_fields_and_the_error_shape(fields, customer, category):
    client = client_for(customer)
    base = {"subject": "Withdrawal", "body": "Not arrived", "category": category.slug}
    response = client.post("/api/v1/tickets/?lang=ja", {**base, "custom_fields": {
        "network": "ERC20", "tx_hash": HEX, "amount": "-1"}}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {"custom_fields.tx_hash": ["イーサリアム (ERC20) のトランザクションハッシュの形式ではありません。"],
                               "custom_fields.amount": ["0以上の数量を入力してください。"]}
    assert error["code"] in ("invalid_format", "invalid_number")
    assert client.post("/api/v1/tickets/", {**base, "custom_fields": "x"}, format="json").status_code == 400
    response = client.post("/api/v1/tickets/", {**base, "custom_fields": {"network": "ERC20", "tx_hash": ERC20}},
                           format="json")
    assert response.status_code == 201
    assert response.json()["custom_fields"] == {"network": "ERC20", "tx_hash": ERC20}


def test_api_multipart_create_reads_custom_fields_by_path(fields, customer, category):
    response = client_for(customer).post("/api/v1/tickets/", {
        "subject": "Deposit", "body": "Missing", "category": category.slug, "custom_fields.network": "BTC",
        "custom_fields.amount": "0.5"}, format="multipart")
    assert response.status_code == 201, response.json()
    assert Ticket.objects.get().custom_fields == {"network": "BTC", "amount": "0.5"}


def test_api_customers_read_only_the_fields_they_fill_in(fields, customer, agent, make_ticket, category):
    make_field("risk", FieldType.CHECKBOX, customer_visible=False)
    ticket = make_ticket(category=category, custom_fields={"network": "BTC"})
    services.ticket_update(ticket=ticket, actor=agent, custom_fields={"risk": "true"})
    assert client_for(customer).get(f"/api/v1/tickets/{ticket.ref}/").json()["custom_fields"] == {"network": "BTC"}
    assert client_for(agent).get(f"/api/v1/tickets/{ticket.ref}/").json()["custom_fields"] == {
        "network": "BTC", "risk": True}
    customers = client_for(customer).get("/api/v1/ticket-fields/").json()
    assert "risk" not in {f["key"] for f in customers} and "customer_visible" not in customers[0]
    network = next(f for f in client_for(agent).get("/api/v1/ticket-fields/?lang=ko").json() if f["key"] == "network")
    assert network["label"] == "네트워크" and network["categories"] == [category.slug]
    assert {"value": "TRC20", "label": "트론 (TRC20)"} in network["options"]


def test_api_update_by_agents_only_with_field_paths(fields, customer, agent, make_ticket, category):
    ticket = make_ticket(category=category, custom_fields={"network": "BTC"})
    refused = client_for(customer).patch(f"/api/v1/tickets/{ticket.ref}/", {"custom_fields": {"network": "SOL"}},
                                         format="json")
    assert refused.status_code == 400 and "custom_fields" in refused.json()["error"]["fields"]
    response = client_for(agent).patch(f"/api/v1/tickets/{ticket.ref}/", {"status": "solved"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "required_to_solve"
    assert list(response.json()["error"]["fields"]) == ["custom_fields.asset"]
    response = client_for(agent).patch(f"/api/v1/tickets/{ticket.ref}/", {
        "status": "solved", "custom_fields": {"asset": "BTC", "uid": None}}, format="json")
    assert response.status_code == 200 and response.json()["custom_fields"] == {"network": "BTC", "asset": "BTC"}


def test_api_list_filters_by_a_field(fields, agent, make_ticket, category):
    trc = make_ticket(category=category, custom_fields={"network": "TRC20", "amount": "5"})
    make_ticket(category=category, custom_fields={"network": "BTC", "amount": "5"})
    client = client_for(agent)

    def refs(query):
        return {t["ref"] for t in client.get(f"/api/v1/tickets/?{query}").json()["results"]}

    assert refs("view=all&field.network=TRC20") == {trc.ref}
    assert refs("view=all&field.amount=5.00") == refs("view=all") and len(refs("view=all")) == 2
    response = client.get("/api/v1/tickets/?field.nope=1")
    assert response.status_code == 400 and "field.nope" in response.json()["error"]["fields"]
    assert client.get("/api/v1/tickets/?field.network=DOGE").status_code == 400


# --- the inbox and saved views ----------------------------------------------------------------------------------

def test_inbox_filters_by_fields_with_a_constant_number_of_queries(client, agent, fields, make_ticket, category,
                                                                   django_assert_max_num_queries):
    make_field("vip", FieldType.CHECKBOX)
    make_field("assets", FieldType.MULTISELECT, options=("usdt", "btc"))
    make_ticket(category=category, custom_fields={"network": "TRC20", "vip": True, "assets": ["usdt", "btc"]})
    client.force_login(agent)
    query = "view=all&field.network=TRC20&field.vip=true&field.assets=btc"
    with django_assert_max_num_queries(40) as few:
        client.get(f"/en/agent/tickets/?{query}")
    for _ in range(10):
        make_ticket(category=category, custom_fields={"network": "TRC20", "vip": True, "assets": ["btc"]})
        make_ticket(category=category, custom_fields={"network": "BTC"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/en/agent/tickets/?{query}")
    html = response.content.decode()
    assert html.count('data-testid="inbox-row"') == 11
    assert 'name="field.network"' in html  # offered in the filter form
    html = client.get("/en/agent/tickets/?view=all&field.vip=false").content.decode()
    assert html.count('data-testid="inbox-row"') == 10


def test_saved_views_keep_field_filters(fields, agent, make_ticket, category):
    make_field("vip", FieldType.CHECKBOX)
    make_ticket(category=category, custom_fields={"network": "SOL", "vip": True})
    make_ticket(category=category, custom_fields={"network": "BTC"})
    filters = saved_filters_clean({"view": "all", "field.network": "SOL", "field.vip": "true"})
    assert filters == {"view": "all", "sort": "due", "field.network": "SOL", "field.vip": True}
    with pytest.raises(ValidationError) as caught:
        saved_filters_clean({"field.nope": "x"})
    assert "field.nope" in caught.value.message_dict
    response = client_for(agent).post("/api/v1/ticket-views/", {
        "name": "Solana VIP", "filters": {"view": "all", "field.network": "SOL", "field.vip": "true"}},
        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["count"] == 1 and "field.network=SOL" in body["url"] and "field.vip=true" in body["url"]


# --- admin and demo ---------------------------------------------------------------------------------------------

def test_admin_pages_render_with_tabs_and_options(client, desk_admin, fields):
    client.force_login(desk_admin)
    assert "network" in client.get("/admin/tickets/ticketfield/").content.decode()
    html = client.get("/admin/tickets/ticketfield/add/").content.decode()
    for lang in ("en", "zh_hans", "es", "ru", "ja", "ko"):
        assert f'name="label_{lang}"' in html and f'name="options-0-label_{lang}"' in html
    html = client.get(f"/admin/tickets/ticketfield/{fields['network'].pk}/change/").content.decode()
    assert 'value="TRC20"' in html


def test_admin_refuses_a_slow_pattern(client, desk_admin):
    client.force_login(desk_admin)
    response = client.post("/admin/tickets/ticketfield/add/", {
        "key": "memo", "type": "regex", "label_en": "Memo", "pattern": "(a+)+", "position": 0, "is_active": "on",
        "customer_visible": "on", "patterns": "{}", "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0"})
    assert response.status_code == 200 and not TicketField.objects.filter(key="memo").exists()
    response = client.post("/admin/tickets/ticketfield/add/", {
        "key": "memo", "type": "regex", "label_en": "Memo", "label_ko": "메모", "pattern": "[0-9]{1,20}",
        "position": 0, "is_active": "on", "customer_visible": "on", "patterns": "{}",
        "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TicketField.objects.get(key="memo").label_ko == "메모"


@pytest.mark.parametrize("lang", ["zh-hans", "es", "ru", "ja", "ko"])
def test_the_fields_admin_pages_have_no_english_in_other_languages(client, desk_admin, fields, lang):
    """The list, a field's page with its options and the add form read in the admin's language (tests/leaks.py)."""
    from tests.leaks import english_leaks, visible_text

    desk_admin.language = lang
    desk_admin.name = "佐藤 花子"  # a name is data: an English one would be found as the catalogue's "Admin"
    desk_admin.save(update_fields=["language", "name"])
    client.force_login(desk_admin)
    for path in ("/admin/tickets/ticketfield/", "/admin/tickets/ticketfield/add/",
                 f"/admin/tickets/ticketfield/{fields['network'].pk}/change/",
                 f"/admin/tickets/ticketfield/{fields['tx_hash'].pk}/change/"):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        main = html[html.index('<main id="content-start"'):html.index("</main>")]  # not the other apps' sidebar
        assert "ticketfield" in main or "options" in main
        assert english_leaks(visible_text(main), lang, codes=True) == [], path
