"""The supervisors' pages for outbound webhooks and notification addresses (issue #26: "not only Django admin"): the
list with each webhook's state and why, failures and last delivery; the form, whose refusals (an address the desk may
not reach, an unknown event, a bad URL) are form errors in the page's language; the secret shown once; pause, resume,
a test event, the deliveries' log with "send again"; the addresses rules may email; every change recorded in the
rules' history (TriggerChange), and who may do any of it."""
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from automation.models import NotifyAddress, TriggerChange
from automation.services import trigger_create, trigger_delete
from automation.webhook_services import notify_address_add, webhook_create_recorded
from support.webhooks.models import Webhook, WebhookDelivery
from tests.factories import AgentFactory, UserFactory
from tests.leaks import english_leaks, visible_text

pytestmark = pytest.mark.django_db

WEBHOOKS = "/en/agent/rules/webhooks/"
# An address literal on the internet: the SSRF guard passes it without asking a resolver (the tests run offline).
PUBLIC_URL = "https://93.184.216.34/hooks/desk"
LANGUAGES = ["en", "zh-hans", "es", "ru", "ja", "ko"]


def in_language(lang, text, **values):
    with translation.override(lang):
        translated = translation.gettext(text)
    return translated % values if values else translated


def form_data(*, name="CRM", url=PUBLIC_URL, events=("ticket.created", "chat.ended"), allow_private=False):
    data = {"name": name, "url": url, "events": list(events)}
    if allow_private:
        data["allow_private"] = "on"
    return data


def hook(name="CRM", *, actor=None, events=("ticket.created",), url=PUBLIC_URL, allow_private=False):
    webhook, _secret = webhook_create_recorded(actor=actor, name=name, url=url, events=list(events),
                                               allow_private=allow_private)
    return webhook


def delivery(webhook, *, state="delivered", code=200, minutes_ago=0, event="ticket.created", **fields):
    created = timezone.now() - timedelta(minutes=minutes_ago)
    return WebhookDelivery.objects.create(webhook=webhook, event=event, payload={"event": event}, state=state,
                                          last_status_code=code, created_at=created, attempts=1, **fields)


def checkbox(html, value):
    return re.search(rf'<input[^>]*value="{re.escape(value)}"[^>]*>', html).group(0)


def row_ids(html):
    return [int(pk) for pk in re.findall(r'data-testid="delivery-row" data-id="(\d+)"', html)]


@pytest.fixture
def lead(client, supervisor):
    client.force_login(supervisor)
    return client


def test_the_list_shows_state_and_why_failures_and_the_last_delivery(lead, supervisor, settings):
    """Name, URL, events in words, active or paused (after failures, or by someone), failures in a row, and the last
    delivery's state, response code and time."""
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 5
    crm = hook("CRM", actor=supervisor, events=("ticket.created", "chat.ended"))
    broken = hook("Broken", actor=supervisor, url="https://93.184.216.35/x")
    Webhook.objects.filter(pk=broken.pk).update(failure_count=5, paused_at=timezone.now())
    delivery(crm, minutes_ago=30, code=200)
    delivery(crm, state="failed", code=503, minutes_ago=1, last_error="HTTP 503")
    response = lead.get("/ko/agent/rules/webhooks/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(">Broken<") < html.index(">CRM<")  # by name
    assert PUBLIC_URL in html and "https://93.184.216.35/x" in html
    assert in_language("ko", "Ticket created") in html and in_language("ko", "Chat ended") in html
    assert in_language("ko", "Paused") in html and in_language("ko", "Active") in html
    why = translation.ngettext  # the reason names the limit, in Korean
    with translation.override("ko"):
        reason = why("Paused after %(count)s failed attempt in a row. Events wait until it is resumed.",
                     "Paused after %(count)s failed attempts in a row. Events wait until it is resumed.", 5)
    assert reason % {"count": 5} in html
    assert 'data-testid="failure-count">5<' in html
    # CRM's last delivery is the failed one (503), not the older success.
    assert "HTTP 503" in html and "HTTP 200" not in html and in_language("ko", "Failed") in html
    assert in_language("ko", "No deliveries yet") in html  # Broken's


def test_the_list_and_the_rules_page_link_to_each_other(lead):
    rules = lead.get("/ja/agent/rules/").content.decode()
    assert 'href="/ja/agent/rules/webhooks/"' in rules and 'href="/ja/agent/rules/addresses/"' in rules
    empty = lead.get("/ja/agent/rules/webhooks/").content.decode()
    assert 'data-testid="no-webhooks"' in empty and 'href="/ja/agent/rules/"' in empty


def test_a_supervisor_creates_a_webhook_and_sees_its_secret_exactly_once(lead, supervisor):
    """The secret is shown on the page after creating, and never again: not on a second view, not on the edit page,
    not in the history."""
    response = lead.post("/en/agent/rules/webhooks/new/", form_data())
    webhook = Webhook.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/agent/rules/webhooks/{webhook.pk}/secret/"
    assert (webhook.name, webhook.url, webhook.events) == ("CRM", PUBLIC_URL, ["ticket.created", "chat.ended"])
    assert webhook.created_by == supervisor and webhook.allow_private is False and len(webhook.secret) == 43
    first = lead.get(response["Location"])
    assert first.status_code == 200 and webhook.secret in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    second = lead.get(response["Location"])
    assert webhook.secret not in second.content.decode() and 'data-testid="secret-gone"' in second.content.decode()
    assert webhook.secret not in lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/").content.decode()
    change = TriggerChange.objects.get()
    assert (change.kind, change.action, change.actor, change.webhook) == ("webhook", "created", supervisor, webhook)
    assert change.after == {"name": "CRM", "url": PUBLIC_URL, "events": ["ticket.created", "chat.ended"],
                            "allow_private": False, "is_active": True}
    assert webhook.secret not in str(change.before) + str(change.after)


def test_another_webhooks_secret_is_not_shown_on_this_ones_page(lead):
    """The waiting secret belongs to one webhook: opening another's secret page neither shows nor spends it."""
    lead.post("/en/agent/rules/webhooks/new/", form_data(name="First"))
    first, other = Webhook.objects.get(), hook("Other")
    assert first.secret not in lead.get(f"/en/agent/rules/webhooks/{other.pk}/secret/").content.decode()
    assert first.secret in lead.get(f"/en/agent/rules/webhooks/{first.pk}/secret/").content.decode()


@pytest.mark.parametrize("lang", ["ko", "ja"])
def test_a_private_address_is_refused_as_a_form_error_in_the_page_language(lead, lang):
    """The SSRF guard's refusal is shown beside the URL, translated, with what was typed kept; nothing is stored."""
    response = lead.post(f"/{lang}/agent/rules/webhooks/new/", form_data(name="내부", url="https://127.0.0.1/hook"))
    html = response.content.decode()
    assert response.status_code == 400 and not Webhook.objects.exists() and not TriggerChange.objects.exists()
    with translation.override(lang):
        expected = translation.gettext("%(address)s is not a public address: allow private addresses for a receiver "
                                       "on this machine or your network.") % {"address": "127.0.0.1"}
    assert 'data-testid="url-error"' in html and expected in html
    assert 'value="https://127.0.0.1/hook"' in html and 'value="내부"' in html
    # Plain http needs private addresses allowed; a metadata address is refused even then.
    html = lead.post(f"/{lang}/agent/rules/webhooks/new/", form_data(url="http://93.184.216.34/")).content.decode()
    assert in_language(lang, "Use https: plain http is allowed only with private addresses.") in html
    html = lead.post(f"/{lang}/agent/rules/webhooks/new/",
                     form_data(url="http://169.254.169.254/latest", allow_private=True)).content.decode()
    assert in_language(lang, "This is a cloud metadata address.") in html
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("data, field, message", [
    (form_data(url="not a url"), "url", "Enter a valid URL."),
    (form_data(events=()), "events", "Choose at least one event to send."),
    (form_data(events=("ticket.created", "ticket.exploded")), "events",
     "Select a valid choice. %(value)s is not one of the available choices."),
    (form_data(name=""), "name", "This field is required."),
])
def test_bad_urls_and_events_are_form_errors_never_a_500(lead, data, field, message):
    response = lead.post("/es/agent/rules/webhooks/new/", data)
    assert response.status_code == 400 and not Webhook.objects.exists()
    html = response.content.decode()
    expected = in_language("es", message)
    if "%(value)s" in message:
        expected = expected % {"value": "ticket.exploded"}
    assert f'data-testid="{field}-error"' in html and expected in html


def test_editing_saves_checks_again_and_records_before_and_after(lead, supervisor):
    webhook = hook("CRM", actor=supervisor)
    page = lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/").content.decode()
    assert f'value="{PUBLIC_URL}"' in page
    assert "checked" in checkbox(page, "ticket.created") and "checked" not in checkbox(page, "chat.rated")
    refused = lead.post(f"/en/agent/rules/webhooks/{webhook.pk}/", form_data(url="https://10.0.0.8/hook"))
    assert refused.status_code == 400 and Webhook.objects.get().url == PUBLIC_URL
    response = lead.post(f"/en/agent/rules/webhooks/{webhook.pk}/",
                         form_data(name="CRM sync", url="http://10.0.0.8/hook", events=["chat.rated"],
                                   allow_private=True))
    assert response.status_code == 302 and response["Location"] == f"/en/agent/rules/webhooks/{webhook.pk}/"
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.events, webhook.allow_private) == (
        "CRM sync", "http://10.0.0.8/hook", ["chat.rated"], True)
    change = TriggerChange.objects.filter(action="updated").get()
    assert change.before["url"] == PUBLIC_URL and change.after["url"] == "http://10.0.0.8/hook"
    assert change.actor == supervisor and change.webhook == webhook
    # Saved unchanged: nothing more recorded.
    lead.post(f"/en/agent/rules/webhooks/{webhook.pk}/", form_data(name="CRM sync", url="http://10.0.0.8/hook",
                                                                   events=["chat.rated"], allow_private=True))
    assert TriggerChange.objects.filter(action="updated").count() == 1
    # The rules page's history shows it as a webhook's change, with what changed, linked to the webhook.
    rules = lead.get("/ko/agent/rules/").content.decode()
    assert f'href="/ko/agent/rules/webhooks/{webhook.pk}/"' in rules
    assert f'{in_language("ko", "webhook")}: <a href="/ko/agent/rules/webhooks/{webhook.pk}/"' in rules
    assert in_language("ko", "Receiver URL") in rules and in_language("ko", "Allow private addresses") in rules
    history = lead.get(f"/ko/agent/rules/webhooks/{webhook.pk}/").content.decode()
    assert history.count('data-testid="history-item"') == 2


def test_pause_and_resume_are_recorded_and_the_state_says_who_paused(lead, supervisor):
    webhook = hook(actor=supervisor)
    response = lead.post(f"/ja/agent/rules/webhooks/{webhook.pk}/pause/", {"back": "list"})
    assert response.status_code == 302 and response["Location"] == "/ja/agent/rules/webhooks/"
    webhook.refresh_from_db()
    assert webhook.is_paused
    html = lead.get(response["Location"]).content.decode()
    assert in_language("ja", "Paused by a supervisor. Events wait until it is resumed.") in html
    assert in_language("ja", "“%(name)s” is paused: events wait until you resume it.", name="CRM") in html
    lead.post(f"/ja/agent/rules/webhooks/{webhook.pk}/pause/")  # paused already: nothing more recorded
    Webhook.objects.filter(pk=webhook.pk).update(failure_count=4)
    response = lead.post(f"/ja/agent/rules/webhooks/{webhook.pk}/resume/")
    assert response["Location"] == f"/ja/agent/rules/webhooks/{webhook.pk}/"
    webhook.refresh_from_db()
    assert not webhook.is_paused and webhook.failure_count == 0
    actions = list(TriggerChange.objects.filter(webhook=webhook).order_by("id").values_list("action", "actor"))
    assert actions == [("created", supervisor.pk), ("paused", supervisor.pk), ("resumed", supervisor.pk)]


def test_send_test_queues_a_test_delivery_and_says_so(lead):
    webhook = hook()
    response = lead.post(f"/ru/agent/rules/webhooks/{webhook.pk}/test/")
    assert response.status_code == 302 and response["Location"] == f"/ru/agent/rules/webhooks/{webhook.pk}/deliveries/"
    sent = WebhookDelivery.objects.get(webhook=webhook)
    assert (sent.event, sent.state, sent.payload["data"]["webhook_id"]) == ("webhook.test", "pending", webhook.pk)
    html = lead.get(response["Location"]).content.decode()
    assert in_language("ru", "A test event was queued for “%(name)s”. Its result shows here in a few seconds.",
                       name="CRM") in html
    assert in_language("ru", "Test event") in html and 'data-state="pending"' in html
    assert lead.get(f"/ru/agent/rules/webhooks/{webhook.pk}/test/").status_code == 405  # a change is a POST


def test_a_failed_delivery_is_sent_again_and_nothing_else_is(lead):
    webhook, other = hook(), hook("Other")
    failed = delivery(webhook, state="failed", code=500, last_error="HTTP 500")
    failed.attempts = 6
    failed.save()
    done = delivery(webhook)
    page = lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/deliveries/").content.decode()
    assert page.count('data-testid="retry"') == 1 and "HTTP 500" in page
    response = lead.post(f"/en/agent/rules/webhooks/{webhook.pk}/deliveries/{failed.pk}/retry/", {"page": "1"})
    assert response["Location"] == f"/en/agent/rules/webhooks/{webhook.pk}/deliveries/?page=1"
    failed.refresh_from_db()
    assert (failed.state, failed.attempts, failed.last_error) == ("pending", 0, "")
    lead.post(f"/en/agent/rules/webhooks/{webhook.pk}/deliveries/{done.pk}/retry/")
    assert WebhookDelivery.objects.get(pk=done.pk).state == "delivered"
    assert "Only a failed delivery can be sent again." in lead.get(response["Location"]).content.decode()
    # Another webhook's delivery is not found through this one.
    assert lead.post(f"/en/agent/rules/webhooks/{other.pk}/deliveries/{failed.pk}/retry/").status_code == 404


def test_the_deliveries_log_is_newest_first_paginated_with_a_fixed_number_of_queries(lead):
    webhook = hook()
    for n in range(3):
        delivery(webhook, minutes_ago=100 + n, code=200 + n)
    lead.get(WEBHOOKS)  # the open incidents (for the banner) are cached from then on
    with CaptureQueriesContext(connection) as few:
        assert lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/deliveries/").status_code == 200
    for n in range(40):
        delivery(webhook, minutes_ago=n, event="chat.ended", state="failed" if n % 2 else "delivered", code=500)
    newest = delivery(webhook, minutes_ago=0, state="pending", code=None, event="ticket.agent_replied")
    with CaptureQueriesContext(connection) as many:
        response = lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/deliveries/")
    assert len(many) == len(few) <= 10, [q["sql"] for q in many.captured_queries]
    html = response.content.decode()
    expected = list(WebhookDelivery.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    assert row_ids(html) == expected[:25] and row_ids(html)[0] == newest.pk
    assert "Agent replied" in html and 'rel="next"' in html
    last = lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/deliveries/?page=2").content.decode()
    assert row_ids(last) == expected[25:] and len(expected) == 44
    # "Send again" on each failed one, and only there.
    failed = WebhookDelivery.objects.filter(state="failed").count()
    assert html.count('data-testid="retry"') + last.count('data-testid="retry"') == failed == 20


def test_a_new_secret_is_shown_once_and_recorded_without_itself(lead, supervisor):
    webhook = hook(actor=supervisor)
    old = webhook.secret
    response = lead.post(f"/en/agent/rules/webhooks/{webhook.pk}/secret/new/")
    assert response["Location"] == f"/en/agent/rules/webhooks/{webhook.pk}/secret/"
    webhook.refresh_from_db()
    assert webhook.secret != old
    assert webhook.secret in lead.get(response["Location"]).content.decode()
    assert webhook.secret not in lead.get(response["Location"]).content.decode()
    change = TriggerChange.objects.get(action="new_secret")
    assert change.actor == supervisor and webhook.secret not in str(change.after) and old not in str(change.after)
    assert lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/secret/new/").status_code == 405


def test_deleting_asks_first_refuses_while_a_rule_calls_it_and_keeps_the_history(lead, supervisor):
    webhook = hook("CRM", actor=supervisor)
    delivery(webhook)
    trigger = trigger_create(actor=supervisor, name="Tell the CRM", events=["ticket.created"],
                             actions=[{"type": "webhook", "value": webhook.pk}])
    page = lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/delete/").content.decode()
    assert 'data-testid="used-by"' in page and "Tell the CRM" in page and 'data-testid="confirm-delete"' not in page
    response = lead.post(f"/en/agent/rules/webhooks/{webhook.pk}/delete/")
    assert response["Location"] == f"/en/agent/rules/webhooks/{webhook.pk}/delete/" and Webhook.objects.exists()
    assert "Tell the CRM" in lead.get(response["Location"]).content.decode()
    trigger_delete(trigger=trigger, actor=supervisor)
    assert 'data-testid="confirm-delete"' in lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/delete/").content.decode()
    response = lead.post(f"/en/agent/rules/webhooks/{webhook.pk}/delete/")
    assert response["Location"] == WEBHOOKS
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()
    gone = TriggerChange.objects.get(kind="webhook", action="deleted")
    assert (gone.trigger_name, gone.webhook, gone.actor, gone.after) == ("CRM", None, supervisor, None)
    assert gone.before["url"] == PUBLIC_URL
    assert TriggerChange.objects.filter(kind="webhook").count() == 2  # created, deleted: kept after the webhook
    assert lead.get(f"/en/agent/rules/webhooks/{webhook.pk}/").status_code == 404


def test_a_supervisor_adds_and_removes_notification_addresses_each_recorded(lead, supervisor):
    response = lead.post("/en/agent/rules/addresses/", {"name": "Compliance", "email": "compliance@example.com",
                                                        "language": "ko"})
    assert response.status_code == 302 and response["Location"] == "/en/agent/rules/addresses/"
    address = NotifyAddress.objects.get()
    assert (address.name, address.email, address.language) == ("Compliance", "compliance@example.com", "ko")
    duplicate = lead.post("/ko/agent/rules/addresses/", {"name": "Again", "email": "compliance@example.com",
                                                         "language": "en"})
    assert duplicate.status_code == 400 and NotifyAddress.objects.count() == 1
    assert in_language("ko", "This address is on the list already.") in duplicate.content.decode()
    bad = lead.post("/ko/agent/rules/addresses/", {"name": "X", "email": "not-an-address", "language": "xx"})
    assert bad.status_code == 400 and 'data-testid="email-error"' in bad.content.decode()
    assert 'data-testid="language-error"' in bad.content.decode()
    html = lead.get("/ko/agent/rules/addresses/").content.decode()
    assert "compliance@example.com" in html and in_language("ko", "Korean") in html
    response = lead.post(f"/en/agent/rules/addresses/{address.pk}/remove/")
    assert response["Location"] == "/en/agent/rules/addresses/" and not NotifyAddress.objects.exists()
    changes = list(TriggerChange.objects.filter(kind="address").order_by("id").values_list("action", "actor",
                                                                                           "trigger_name"))
    assert changes == [("created", supervisor.pk, "Compliance"), ("deleted", supervisor.pk, "Compliance")]
    html = lead.get("/en/agent/rules/addresses/").content.decode()
    assert html.count('data-testid="change-row"') == 2 and "&lt;compliance@example.com&gt;" in html


def test_an_address_a_rule_emails_is_not_removed(lead, supervisor):
    address = notify_address_add(actor=supervisor, name="Leads", email="leads@example.com", language="en")
    trigger_create(actor=supervisor, name="Escalate", events=["ticket.created"], actions=[
        {"type": "notify", "target": "address", "address": address.pk, "via": "email", "message": {"en": "Look"}}])
    html = lead.get("/en/agent/rules/addresses/").content.decode()
    assert "Escalate" in html and "disabled" in html.split('data-testid="remove"')[1][:40]
    response = lead.post(f"/en/agent/rules/addresses/{address.pk}/remove/")
    assert NotifyAddress.objects.filter(pk=address.pk).exists()
    assert "Escalate" in lead.get(response["Location"]).content.decode()
    assert not TriggerChange.objects.filter(kind="address", action="deleted").exists()
    assert lead.post("/en/agent/rules/addresses/999999/remove/").status_code == 404


@pytest.mark.parametrize("who, expected", [("agent", 403), ("customer", 403), ("anonymous", 302)])
def test_only_supervisors_reach_the_pages_and_nothing_changes_for_others(client, who, expected):
    """Agents and customers are refused (403), anonymous visitors sent to log in; their posts change nothing."""
    webhook = hook("Guarded")
    failed = delivery(webhook, state="failed")
    address = notify_address_add(actor=None, name="Leads", email="leads@example.com", language="en")
    if who != "anonymous":
        client.force_login(AgentFactory() if who == "agent" else UserFactory())
    base = f"/en/agent/rules/webhooks/{webhook.pk}"
    for url in (WEBHOOKS, f"{WEBHOOKS}new/", f"{base}/", f"{base}/secret/", f"{base}/deliveries/", f"{base}/delete/",
                "/en/agent/rules/addresses/"):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 302:
            assert response["Location"].startswith("/en/accounts/login/")
    for url in (f"{WEBHOOKS}new/", f"{base}/", f"{base}/pause/", f"{base}/test/", f"{base}/secret/new/",
                f"{base}/delete/", f"{base}/deliveries/{failed.pk}/retry/", "/en/agent/rules/addresses/",
                f"/en/agent/rules/addresses/{address.pk}/remove/"):
        assert client.post(url, form_data(name="Taken over")).status_code == expected, url
    webhook.refresh_from_db()
    assert (webhook.name, webhook.is_paused) == ("Guarded", False)
    assert WebhookDelivery.objects.get().state == "failed" and Webhook.objects.count() == 1
    assert NotifyAddress.objects.count() == 1 and TriggerChange.objects.count() == 2  # the two made above


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pages_render_in_every_language(lead, supervisor, lang):
    """Each page in each of the six languages: its heading in that language and, outside English, no English left."""
    webhook = hook("결제 알림", actor=supervisor, events=("ticket.created", "chat.rated"))
    delivery(webhook, state="failed", code=500, last_error="HTTP 500")
    delivery(webhook, event="webhook.test")
    Webhook.objects.filter(pk=webhook.pk).update(paused_at=timezone.now())
    notify_address_add(actor=supervisor, name="준법감시", email="compliance@example.com", language="ko")
    base = f"/{lang}/agent/rules/webhooks/{webhook.pk}"
    pages = {f"/{lang}/agent/rules/webhooks/": "New webhook", f"/{lang}/agent/rules/webhooks/new/": "Create the webhook",
             f"{base}/": "Edit the webhook", f"{base}/deliveries/": "Deliveries", f"{base}/delete/": "Delete the webhook",
             f"{base}/secret/": "Signing secret", f"/{lang}/agent/rules/addresses/": "Notification addresses",
             f"/{lang}/agent/rules/": "Notification addresses"}
    for path, heading in pages.items():
        response = lead.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert in_language(lang, heading) in html, path
        if lang != "en":
            assert in_language(lang, heading) != heading, heading
            assert english_leaks(visible_text(html), lang, codes=True) == [], path
    refused = lead.post(f"/{lang}/agent/rules/webhooks/new/", form_data(url="https://127.0.0.1/", events=()))
    assert refused.status_code == 400
    if lang != "en":
        assert english_leaks(visible_text(refused.content.decode()), lang, codes=True) == []
