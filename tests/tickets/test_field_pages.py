"""The supervisors' pages for custom ticket fields (issue #26, "admin UI ... not only Django admin"): the list in
order (move, retire and bring back), the editor of every type with labels, help texts and options in six languages,
refusals beside their inputs in the page's language (never a 500), the key and type fixed once tickets carry the
field, every change in the audit log with who, when, before and after; the same rules in Django admin; and the
customer's own ticket (page and API) showing the fields they fill in, never the agents' own."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from support.models import AuditEvent
from tests.factories import AgentFactory, UserFactory
from tests.leaks import english_leaks, visible_text
from tickets import services
from tickets.demo_fields import seed_fields
from tickets.models import Category, FieldType, TicketField, TicketFieldOption
from tickets.services.field_admin import FieldDefinitionInvalid, ticket_field_errors, ticket_field_save

pytestmark = pytest.mark.django_db

FIELDS = "/en/agent/fields/"
SUFFIXES = ("en", "zh_hans", "es", "ru", "ja", "ko")
ERC20 = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"


def in_language(lang, text, *, context=None, **values):
    with translation.override(lang):
        translated = translation.pgettext(context, text) if context else translation.gettext(text)
    return translated % values if values else translated


def editor_data(*, key="memo", kind=FieldType.TEXT, labels=None, options=(), categories=(), customer_visible=True,
                required_for_customer=False, required_to_solve=False, active=True, **extra):
    """The editor's form as a browser posts it: the field's parts, then a row of inputs per option (value, a
    label per language, its number in the order)."""
    data = {"key": key, "type": kind, "categories": [c.pk for c in categories], **extra}
    data.update({f"label_{suffix}": text for suffix, text in (labels or {"en": key.title()}).items()})
    for flag, on in (("customer_visible", customer_visible), ("required_for_customer", required_for_customer),
                     ("required_to_solve", required_to_solve), ("is_active", active)):
        if on:
            data[flag] = "on"
    for n, option in enumerate(options):
        value, option_labels = option[0], option[1]
        data[f"o-{n}-value"] = value
        data[f"o-{n}-order"] = option[2] if len(option) > 2 else n + 1
        data.update({f"o-{n}-label_{suffix}": text for suffix, text in option_labels.items()})
    return data


def six(word):
    """A label in six languages."""
    return {"en": word, "zh_hans": f"{word}（中文）", "es": f"{word} (es)", "ru": f"{word} (рус)",
            "ja": f"{word}（日本語）", "ko": f"{word} (한국어)"}


def setup_changes(field=None):
    changes = AuditEvent.objects.filter(action=AuditEvent.Action.SETUP_CHANGE, object_type="ticket_field")
    return changes.filter(object_id=str(field.pk)) if field is not None else changes


@pytest.fixture
def lead(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.fixture
def category(db):
    return Category.objects.create(slug="deposits-withdrawals", name_en="Deposits & withdrawals",
                                   name_ja="入金と出金", name_ru="Пополнения и выводы")


@pytest.fixture
def demo(category):
    """The demo's fields (network, tx_hash, amount, asset, uid) on the deposits category."""
    seed_fields()
    return {field.key: field for field in TicketField.objects.all()}


# --- creating and editing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", [FieldType.TEXT, FieldType.NUMBER, FieldType.DECIMAL, FieldType.CHECKBOX,
                                  FieldType.DATE, FieldType.REGEX, FieldType.DROPDOWN, FieldType.MULTISELECT])
def test_a_supervisor_creates_a_field_of_each_type(lead, supervisor, category, kind):
    """Every type can be made from the editor; the new field is last in the order, in the request form of its
    category, and recorded as created by the supervisor."""
    TicketField.objects.create(key="first", type=FieldType.TEXT, label_en="First", position=4)
    options = [("a1", six("Alpha")), ("b2", six("Beta"))] if kind in ("dropdown", "multiselect") else []
    extra = {"pattern": "[0-9]{4,8}"} if kind == FieldType.REGEX else {}
    response = lead.post(f"{FIELDS}new/", editor_data(key=f"f_{kind}", kind=kind, labels=six("Thing"),
                                                      options=options, categories=[category], **extra))
    assert response.status_code == 302, response.content.decode()[-3000:]
    field = TicketField.objects.get(key=f"f_{kind}")
    assert response["Location"] == f"/en/agent/fields/{field.pk}/"
    assert field.type == kind and field.position == 5 and field.is_active and field.customer_visible
    assert field.label_ru == "Thing (рус)" and field.label_zh_hans == "Thing（中文）"
    assert list(field.categories.all()) == [category]
    assert [o.value for o in field.options.order_by("position")] == [o[0] for o in options]
    if kind == FieldType.REGEX:
        assert field.pattern == "[0-9]{4,8}"
    change = setup_changes(field).get()
    assert change.actor == supervisor and change.before is None and change.after["key"] == f"f_{kind}"
    form = lead.get("/ja/requests/new/").content.decode()
    assert f'name="cf_f_{kind}"' in form and "Thing（日本語）" in form


def test_options_carry_labels_in_six_languages_in_the_order_asked(lead, category):
    """Each option's label in every language is stored; the order numbers decide the order (no JavaScript)."""
    response = lead.post(f"{FIELDS}new/", editor_data(key="network", kind=FieldType.DROPDOWN, labels=six("Network"),
                                                      options=[("TRC20", six("Tron"), 2), ("ERC20", six("Ethereum"), 1)]))
    assert response.status_code == 302
    field = TicketField.objects.get(key="network")
    options = list(field.options.order_by("position"))
    assert [o.value for o in options] == ["ERC20", "TRC20"]
    for suffix, text in six("Tron").items():
        assert getattr(options[1], f"label_{suffix}") == text
    with translation.override("ko"):
        assert field.option_label("TRC20") == "Tron (한국어)"
    html = lead.get(f"/ko/agent/fields/{field.pk}/").content.decode()
    assert 'value="Ethereum (한국어)"' in html and html.index('value="ERC20"') < html.index('value="TRC20"')


def test_editing_adds_removes_and_reorders_options(lead, supervisor):
    """Rows posted again (one ticked for removal, one new, the order changed) become the options; the change is
    recorded with the options before and after."""
    field = ticket_field_save(actor=supervisor, values={"key": "asset", "type": "dropdown", "label_en": "Asset",
                                                        "customer_visible": True},
                              options=[{"value": v, "labels": {"en": v}} for v in ("usdt", "btc", "eth")])
    data = editor_data(key="asset", kind=FieldType.DROPDOWN, labels={"en": "Asset"},
                       options=[("usdt", {"en": "USDT"}, 3), ("btc", {"en": "Bitcoin"}, 1), ("eth", {"en": "x"}, 2),
                                ("sol", {"en": "Solana", "ja": "ソラナ"}, 2)])
    data["o-2-remove"] = "1"
    response = lead.post(f"{FIELDS}{field.pk}/", data)
    assert response.status_code == 302
    assert [(o.value, o.label_en) for o in field.options.order_by("position")] == [
        ("btc", "Bitcoin"), ("sol", "Solana"), ("usdt", "USDT")]
    change = setup_changes(field).latest("id")
    assert [o["value"] for o in change.before["options"]] == ["usdt", "btc", "eth"]
    assert [o["value"] for o in change.after["options"]] == ["btc", "sol", "usdt"]


def test_patterns_per_option_are_edited_and_checked_on_tickets(lead, demo, category, customer):
    """A pattern that depends on the network: one input per network option; tickets are then checked by it."""
    tx_hash = demo["tx_hash"]
    data = editor_data(key="tx_hash", kind=FieldType.REGEX, labels={"en": "Hash"}, categories=[category],
                       pattern_by="network", **{"pp-network-ERC20": "0x[0-9a-f]{64}", "pp-network-SOL": "",
                                                "invalid_message_en": "Not a {option} hash."})
    response = lead.post(f"{FIELDS}{tx_hash.pk}/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    tx_hash.refresh_from_db()
    assert tx_hash.patterns == {"ERC20": "0x[0-9a-f]{64}"} and tx_hash.invalid_message_en == "Not a {option} hash."
    html = lead.get(f"{FIELDS}{tx_hash.pk}/").content.decode()
    assert 'name="pp-network-ERC20" value="0x[0-9a-f]{64}"' in html and 'data-source="network"' in html
    with pytest.raises(services.FieldErrors) as caught:
        services.ticket_fields_clean(values={"network": "ERC20", "tx_hash": "abc"}, category=category,
                                     for_agent=True)
    assert "Ethereum (ERC20)" in caught.value.errors["tx_hash"][1]
    assert services.ticket_fields_clean(values={"network": "ERC20", "tx_hash": ERC20}, category=category,
                                        for_agent=True)["tx_hash"] == ERC20


def test_pattern_parts_are_dropped_when_the_type_is_not_a_pattern(lead):
    """Inputs of a hidden section (the pattern of a field that became a text) are not stored."""
    response = lead.post(f"{FIELDS}new/", editor_data(key="note", pattern="[0-9]+", invalid_message_en="No"))
    assert response.status_code == 302
    field = TicketField.objects.get(key="note")
    assert field.pattern == "" and field.invalid_message_en == ""


# --- refusals ------------------------------------------------------------------------------------------------------

def test_an_invalid_regex_is_refused_with_a_readable_message_in_russian(lead):
    """A pattern that does not compile, or would backtrack badly, is named beside the pattern in the page's language;
    nothing is stored and what was typed is kept."""
    response = lead.post("/ru/agent/fields/new/", editor_data(key="uid", kind=FieldType.REGEX, pattern="[0-9",
                                                              labels={"en": "UID", "ru": "UID аккаунта"}))
    assert response.status_code == 400
    html = response.content.decode()
    prefix = in_language("ru", "This is not a valid regular expression: %(error)s", error="").strip()
    assert prefix and prefix in html and 'data-testid="pattern-error"' in html
    problem = in_language("ru", "%(problem)s (at character %(position)s)",
                          problem=in_language("ru", "a [ has no closing ]"), position=1)
    assert problem in html and "unterminated" not in html  # what Python's re says, in Russian
    assert 'value="[0-9"' in html and 'value="UID аккаунта"' in html
    response = lead.post("/ru/agent/fields/new/", editor_data(key="uid", kind=FieldType.REGEX, pattern="(a+)+"))
    assert response.status_code == 400
    slow = in_language("ru", "Repetition inside repetition, a repeated alternation or a back-reference can make "
                             "matching very slow: write it with a character class, e.g. [0-9a-f]{64} rather than "
                             "(0|1|…)+.")
    assert slow.startswith("Повтор") and slow in response.content.decode()
    assert not TicketField.objects.exists() and not setup_changes().exists()


@pytest.mark.parametrize("data, testid, message", [
    (editor_data(key="Bad Key"), "key-error",
     "Start with a lower-case letter, then lower-case letters, digits or _ (at most 40 in all), e.g. tx_hash."),
    (editor_data(key="network"), "key-error", "Another field already has this key."),
    (editor_data(key="memo", labels={"ja": "メモ"}), "label-error",
     "Write the label in English at least: it is shown wherever a language has none."),
    (editor_data(key="memo", kind=FieldType.DROPDOWN, options=[("TRC 20", {"en": "Tron"})]), "option-error",
     "A value is stored on tickets: use letters, digits, - _ and . only, without spaces (at most 60), e.g. TRC20."),
    (editor_data(key="memo", kind=FieldType.DROPDOWN, options=[("a", {"en": "A"}), ("a", {"en": "B"})]),
     "option-error", "Another option already has the value %(value)s."),
    (editor_data(key="memo", kind=FieldType.MULTISELECT), "options-error",
     "Give a dropdown or multi-select field at least one option."),
    (editor_data(key="memo", customer_visible=False, required_for_customer=True), "required_for_customer-error",
     "A field customers do not see cannot be required of them."),
    (editor_data(key="memo", kind=FieldType.REGEX, pattern_by="amount"), "pattern-by-error",
     "No dropdown field has this key."),
])
def test_refusals_are_shown_beside_their_input_in_the_page_language(lead, demo, data, testid, message):
    """Each rule's refusal is a readable message (here in Japanese) next to what it is about, never a 500."""
    response = lead.post("/ja/agent/fields/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    expected = in_language("ja", message, value="a")
    assert f'data-testid="{testid}"' in html and expected in html
    assert english_leaks(visible_text(html), "ja", codes=True) == []
    assert TicketField.objects.count() == len(demo)


def test_the_key_and_type_are_fixed_once_tickets_carry_the_field(lead, supervisor, customer, category):
    """Before any ticket has a value both can change; after, the inputs are read-only and the service refuses."""
    field = ticket_field_save(actor=supervisor, values={"key": "memo", "type": "text", "label_en": "Memo",
                                                        "customer_visible": True})
    assert lead.post(f"{FIELDS}{field.pk}/", editor_data(key="note")).status_code == 302
    field.refresh_from_db()
    assert field.key == "note"
    services.ticket_create(requester=customer, subject="Hello", body="Body", custom_fields={"note": "kept"})
    html = lead.get(f"{FIELDS}{field.pk}/").content.decode()
    assert 'name="key" id="id_key"' in html and "disabled" in html[html.index('id="id_key"'):][:400]
    response = lead.post(f"{FIELDS}{field.pk}/", editor_data(key="renamed", kind=FieldType.NUMBER,
                                                            labels={"en": "Memo 2"}))
    assert response.status_code == 302  # the disabled inputs keep their values: only the label changed
    field.refresh_from_db()
    assert (field.key, field.type, field.label_en) == ("note", "text", "Memo 2")
    with pytest.raises(FieldDefinitionInvalid) as caught, translation.override("ru"):
        ticket_field_save(actor=supervisor, field=field, values={"key": "renamed", "type": "number",
                                                                 "label_en": "Memo"})
    assert set(caught.value.errors) == {"key", "type"}
    assert caught.value.errors["key"] == [in_language(
        "ru", "Tickets already carry this field, so its key can no longer change.")]


def test_an_option_tickets_carry_stays_and_a_key_other_patterns_use_is_fixed(lead, demo, customer, category):
    """Removing an option some ticket holds is refused (its labels may change); so is renaming the dropdown
    another field's patterns depend on."""
    network = demo["network"]
    errors = ticket_field_errors({"key": "chain", "type": "text", "label_en": "Network"}, field=network)
    assert "Transaction hash (TxID)" in errors["key"][0] and "Transaction hash (TxID)" in errors["type"][0]
    services.ticket_create(requester=customer, subject="Deposit", body="Missing", category=category,
                           custom_fields={"network": "SOL"})
    rows = [(o.value, {"en": o.label_en}) for o in network.options.order_by("position") if o.value != "SOL"]
    response = lead.post(f"{FIELDS}{network.pk}/", editor_data(key="network", kind=FieldType.DROPDOWN,
                                                              options=rows, labels={"en": "Network"}))
    assert response.status_code == 400
    assert in_language("en", "Tickets carry the option %(value)s, so it stays (its labels may change).",
                       value="SOL") in response.content.decode()
    assert network.options.filter(value="SOL").exists()
    rows = [(o.value, {"en": o.label_en}) for o in network.options.order_by("position") if o.value != "BEP20"]
    response = lead.post(f"{FIELDS}{network.pk}/", editor_data(key="network", kind=FieldType.DROPDOWN,
                                                              options=rows, labels={"en": "Network"}))
    assert response.status_code == 400
    assert in_language("en", "“%(field)s” has a pattern for the option %(value)s: remove that pattern first.",
                       field="Transaction hash (TxID)", value="BEP20") in response.content.decode()


# --- retire, reorder, audit -------------------------------------------------------------------------------------

def test_retiring_takes_a_field_out_of_forms_and_keeps_its_values_on_tickets(lead, agent, client, demo, customer,
                                                                             category):
    """A retired field leaves the request form and the agent's inputs; its values stay, shown read only to the agent
    and (a field customers fill in) to the customer; bringing it back restores the inputs."""
    amount = demo["amount"]
    ticket = services.ticket_create(requester=customer, subject="Deposit", body="Missing", category=category,
                                    custom_fields={"network": "BTC", "amount": "0.5"})
    response = lead.post(f"{FIELDS}{amount.pk}/toggle/", {"active": "0"})
    assert response.status_code == 302 and response["Location"] == FIELDS
    amount.refresh_from_db()
    assert not amount.is_active
    assert setup_changes(amount).get().after["is_active"] is False
    assert 'name="cf_amount"' not in lead.get("/en/requests/new/").content.decode()
    ticket.refresh_from_db()
    assert ticket.custom_fields["amount"] == "0.5"
    client.force_login(agent)
    html = client.get(f"/ja/agent/tickets/{ticket.ref}/").content.decode()
    assert 'name="cf_amount"' not in html and 'data-testid="retired-values"' in html
    assert "数量" in html and '<dd data-field="amount" translate="no">0.5</dd>' in html
    client.force_login(customer)
    html = client.get(f"/en/requests/{ticket.ref}/").content.decode()
    assert '<dd data-field="amount" translate="no">0.5</dd>' in html
    lead.force_login(AgentFactory(supervisor=True))
    assert lead.post(f"{FIELDS}{amount.pk}/toggle/", {"active": "1"}).status_code == 302
    amount.refresh_from_db()
    assert amount.is_active and setup_changes(amount).count() == 2
    assert lead.post(f"{FIELDS}{amount.pk}/toggle/", {"active": "1"}).status_code == 302  # already: nothing to record
    assert setup_changes(amount).count() == 2


def test_moving_a_field_swaps_it_with_its_neighbour_and_records_only_those_two(lead, demo):
    """Up/down like the rules list; the order is what forms use; the two fields that swapped are recorded."""
    order = list(TicketField.objects.order_by("position", "key").values_list("key", flat=True))
    assert order == ["network", "tx_hash", "amount", "asset", "uid"]
    response = lead.post(f"{FIELDS}{demo['amount'].pk}/move/", {"direction": "up"})
    assert response.status_code == 302
    order = list(TicketField.objects.order_by("position", "key").values_list("key", flat=True))
    assert order == ["network", "amount", "tx_hash", "asset", "uid"]
    moved = {change.after["key"] for change in setup_changes()}
    assert moved == {"amount", "tx_hash"}
    lead.post(f"{FIELDS}{demo['network'].pk}/move/", {"direction": "up"})  # the first cannot go up
    assert list(TicketField.objects.order_by("position", "key").values_list("key", flat=True)) == order
    html = lead.get("/en/requests/new/").content.decode()
    assert html.index('name="cf_amount"') < html.index('name="cf_tx_hash"')


def test_every_change_is_in_the_audit_log_and_the_editor_tells_it_in_words(lead, supervisor, demo):
    """Who, when, before and after, append-only in the audit log; the editor's history names each change."""
    uid = demo["uid"]
    data = editor_data(key="uid", kind=FieldType.REGEX, labels={**six("UID"), "ru": "Номер аккаунта"},
                       categories=[], pattern="[0-9]{6,10}", required_to_solve=True)
    assert lead.post(f"/ru/agent/fields/{uid.pk}/", data).status_code == 302
    change = setup_changes(uid).get()
    assert change.actor == supervisor and change.actor_email == supervisor.email and change.via == "page"
    assert change.before["pattern"] == "[0-9]{6,12}" and change.after["pattern"] == "[0-9]{6,10}"
    assert change.before["label"]["ru"] == "UID аккаунта" and change.after["label"]["ru"] == "Номер аккаунта"
    assert change.before["required_to_solve"] is False and change.after["required_to_solve"] is True
    html = lead.get(f"/ru/agent/fields/{uid.pk}/").content.decode()
    assert html.count('data-testid="history-item"') == 1
    assert in_language("ru", "Required to solve") in html and "Номер аккаунта" in html
    assert f"{in_language('ru', 'Label')} · " in html
    html = lead.get("/ru/agent/fields/").content.decode()
    assert html.count('data-testid="change-row"') == 1
    # Saving again unchanged records nothing.
    assert lead.post(f"/ru/agent/fields/{uid.pk}/", data).status_code == 302
    assert setup_changes(uid).count() == 1


def test_django_admin_follows_the_same_rules_and_is_audited(client, desk_admin, demo):
    """The admin's form refuses what the pages refuse (its check is the service's) and records its changes."""
    client.force_login(desk_admin)
    amount = demo["amount"]
    base = {"key": "amount", "type": "decimal", "label_en": "Amount", "position": 30, "is_active": "on",
            "customer_visible": "on", "patterns": "{}", "options-TOTAL_FORMS": "0", "options-INITIAL_FORMS": "0"}
    response = client.post(f"/admin/tickets/ticketfield/{amount.pk}/change/", {**base, "pattern": "[0-9]+"})
    assert response.status_code == 200
    assert "Only fields of the type “Text checked by a pattern” have one." in response.content.decode()
    response = client.post(f"/admin/tickets/ticketfield/{amount.pk}/change/", {**base, "label_en": "Sum"})
    assert response.status_code == 302
    change = setup_changes(amount).get()
    assert change.actor == desk_admin and change.before["label"]["en"] == "Amount"
    assert change.after["label"]["en"] == "Sum"


# --- who may ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who, expected", [("agent", 403), ("customer", 403), ("anonymous", 302)])
def test_only_supervisors_reach_the_field_pages_and_nothing_changes_for_others(client, demo, who, expected):
    """Agents and customers are refused (403), anonymous visitors sent to log in; their posts change nothing."""
    if who != "anonymous":
        client.force_login(AgentFactory() if who == "agent" else UserFactory())
    network = demo["network"]
    for path in (FIELDS, f"{FIELDS}new/", f"{FIELDS}{network.pk}/"):
        assert client.get(path).status_code == expected
    for path, data in ((f"{FIELDS}new/", editor_data(key="sneaky")), (f"{FIELDS}{network.pk}/toggle/", {"active": "0"}),
                       (f"{FIELDS}{network.pk}/move/", {"direction": "down"}),
                       (f"{FIELDS}{network.pk}/", editor_data(key="network", labels={"en": "Hacked"}))):
        assert client.post(path, data).status_code == expected
    network.refresh_from_db()
    assert network.is_active and network.label_en == "Network" and network.position == 10
    assert not TicketField.objects.filter(key="sneaky").exists() and not setup_changes().exists()


def test_a_missing_field_is_a_404_and_a_get_cannot_change_anything(lead, demo):
    assert lead.get(f"{FIELDS}999999/").status_code == 404
    assert lead.post(f"{FIELDS}999999/toggle/").status_code == 404
    assert lead.get(f"{FIELDS}{demo['uid'].pk}/toggle/").status_code == 405


# --- the customer's ticket -----------------------------------------------------------------------------------------

def test_the_customers_page_shows_the_fields_they_fill_in_and_never_agent_only_ones(client, agent, customer, demo,
                                                                                   category):
    """Labels and option names in the customer's language; an agents-only field's value is not on the page."""
    TicketField.objects.create(key="risk_score", type=FieldType.TEXT, label_en="Risk score", label_ja="リスク",
                               customer_visible=False)
    ticket = services.ticket_create(requester=customer, subject="Deposit", body="Missing", category=category,
                                    custom_fields={"network": "TRC20", "amount": "500"})
    services.ticket_update(ticket=ticket, actor=agent, custom_fields={"risk_score": "zq-high-risk-77"})
    client.force_login(customer)
    html = client.get(f"/ja/requests/{ticket.ref}/").content.decode()
    assert 'data-testid="request-details"' in html
    assert "ネットワーク" in html and "トロン (TRC20)" in html and '<dd data-field="amount" translate="no">500</dd>' in html
    assert "zq-high-risk-77" not in html and "リスク" not in html and "risk_score" not in html
    client.force_login(agent)
    assert "zq-high-risk-77" in client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()


def test_the_customer_api_hides_agent_only_fields_and_keeps_retired_ones_customers_filled_in(agent, customer, demo,
                                                                                            category):
    """The customer's API reads what their page shows: no agents-only field, a retired field's value kept."""
    TicketField.objects.create(key="risk_score", type=FieldType.TEXT, label_en="Risk score", customer_visible=False)
    ticket = services.ticket_create(requester=customer, subject="Deposit", body="Missing", category=category,
                                    custom_fields={"network": "BTC", "amount": "1"})
    services.ticket_update(ticket=ticket, actor=agent, custom_fields={"risk_score": "high"})
    TicketField.objects.filter(key="amount").update(is_active=False)
    api = APIClient()
    api.force_authenticate(customer)
    assert api.get(f"/api/v1/tickets/{ticket.ref}/").json()["custom_fields"] == {"network": "BTC", "amount": "1"}
    listed = api.get("/api/v1/tickets/").json()["results"]
    assert listed[0]["custom_fields"] == {"network": "BTC", "amount": "1"}
    api.force_authenticate(agent)
    assert api.get(f"/api/v1/tickets/{ticket.ref}/").json()["custom_fields"]["risk_score"] == "high"


# --- the list -------------------------------------------------------------------------------------------------------

def test_the_list_shows_each_field_in_the_readers_language(lead, demo, category):
    TicketField.objects.filter(key="uid").update(is_active=False, customer_visible=False)
    html = lead.get("/ko/agent/fields/").content.decode()
    assert html.count('data-testid="field-row"') == 5
    assert html.index("네트워크") < html.index("트랜잭션 해시 (TxID)") < html.index("계정 UID")
    assert '<code translate="no">tx_hash</code>' in html
    assert in_language("ko", "Dropdown") in html and in_language("ko", "Agents only") in html
    assert in_language("ko", "In the request form") in html and in_language("ko", "To solve") in html
    assert 'class="is-retired"' in html and in_language("ko", "Retired", context="ticket field") in html


def test_the_list_reads_the_same_number_of_queries_however_many_fields(lead, demo, category, supervisor):
    """Fields, their categories and the latest changes (with who made them) are read in one query each."""
    lead.get(FIELDS)  # the session's first request reads a little more
    with CaptureQueriesContext(connection) as few:
        assert lead.get(FIELDS).status_code == 200
    for n in range(12):
        field = ticket_field_save(actor=supervisor, values={"key": f"extra_{n}", "type": "dropdown",
                                                            "label_en": f"Extra {n}", "customer_visible": True},
                                  options=[{"value": "a", "labels": {"en": "A"}}], categories=[category])
        TicketFieldOption.objects.create(field=field, value="b", label_en="B", position=1)
    with CaptureQueriesContext(connection) as many:
        html = lead.get(FIELDS).content.decode()
    assert html.count('data-testid="field-row"') == 17
    assert len(many.captured_queries) == len(few.captured_queries), "\n".join(
        q["sql"][:200] for q in many.captured_queries)


@pytest.mark.parametrize("lang", ["zh-hans", "es", "ru", "ja", "ko"])
def test_the_pages_show_no_english_in_the_other_languages(lead, demo, supervisor, lang):
    """The list, a new field's editor and the demo fields' editors (options, patterns per network, history) read
    in the page's language."""
    ticket_field_save(actor=supervisor, field=demo["asset"], values={
        "key": "asset", "type": "text", "label_en": "Coin", "label_ja": "コイン", "customer_visible": True})
    pages = ["/agent/fields/", "/agent/fields/new/", *(f"/agent/fields/{demo[key].pk}/" for key in demo)]
    for path in pages:
        response = lead.get(f"/{lang}{path}")
        assert response.status_code == 200, path
        assert english_leaks(visible_text(response.content.decode()), lang, codes=True) == [], path


def test_whether_tickets_carry_a_key_is_answered_from_the_index():
    """The editor asks on every view whether any ticket carries the field's key: an index lookup, not a read of
    every ticket's values (the planner is told to avoid a sequential scan, which it prefers on a small table)."""
    from django.db import connection, transaction

    from tickets.custom_fields import field_key_used
    from tickets.models import Ticket

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            sql, params = Ticket.objects.filter(custom_fields__has_key="network").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "ticket_custom_fields_keys" in plan, plan
    assert field_key_used("network") is False

