"""The supervisors' pages for outbound webhooks and the list of notification addresses (issue #26, "not only Django
admin"), under /<lang>/agent/rules/: the webhooks with their state and last delivery, the form (a refused URL or an
unknown event is a form error in the page's language), the signing secret shown once after it is made, pause and
resume, a test event, the deliveries' log with "send again", and the addresses rules may email. Thin: parse, call
automation.webhook_services (which records every change in the rules' history) or a selector, render."""
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from support.domain_events import EVENTS
from support.permissions import supervisor_required
from support.services import DomainError
from support.webhooks.models import TEST_EVENT, Webhook, WebhookDelivery
from support.webhooks.services import webhook_deliveries_retry, webhook_send_test

from . import webhook_selectors as selectors
from .forms import EVENT_LABELS
from .models import NotifyAddress
from .selectors import change_fields
from .webhook_forms import NotifyAddressForm, WebhookForm
from .webhook_services import (
    InUse,
    notify_address_add,
    notify_address_remove,
    webhook_create_recorded,
    webhook_delete_recorded,
    webhook_pause_recorded,
    webhook_resume_recorded,
    webhook_secret_rotate_recorded,
    webhook_update_recorded,
)

# The secret made by a create or a rotation waits here for the one page that shows it, and is taken out as it is.
SECRET_SESSION_KEY = "automation.webhook_secret"


def _webhook(webhook_id):
    try:
        return selectors.webhook_get(webhook_id=webhook_id)
    except Webhook.DoesNotExist as exc:
        raise Http404 from exc


def event_labels(names):
    """The events as words in the page's language ("All events" when it is every one of them)."""
    if set(names) >= set(EVENTS):
        return [_("All events")]
    return [EVENT_LABELS.get(name, _("Test event") if name == TEST_EVENT else name) for name in names]


def webhook_state(webhook):
    """(code, label, why) of a webhook's state: active, paused (after failures, or by someone) or off (in the admin
    site)."""
    if not webhook.is_active:
        return "off", _("Off"), _("Turned off in the admin site: nothing is sent to it.")
    if webhook.is_paused:
        limit = settings.WEBHOOK_PAUSE_AFTER_FAILURES
        if webhook.failure_count >= limit:
            return "paused", _("Paused"), ngettext(
                "Paused after %(count)s failed attempt in a row. Events wait until it is resumed.",
                "Paused after %(count)s failed attempts in a row. Events wait until it is resumed.",
                limit) % {"count": limit}
        return "paused", _("Paused"), _("Paused by a supervisor. Events wait until it is resumed.")
    return "active", _("Active"), ""


def _delivery_state(state):
    return WebhookDelivery.State(state).label if state in WebhookDelivery.State.values else state


@supervisor_required
def webhook_list(request):
    """Every webhook: its URL, events, state and why, failures in a row and its last delivery."""
    rows = [(webhook, event_labels(webhook.events), webhook_state(webhook),
             _delivery_state(webhook.last_delivery_state) if webhook.last_delivery_at else "")
            for webhook in selectors.webhook_list()]
    return render(request, "automation/webhooks.html", {"rows": rows})


def _form(request, webhook=None):
    """New or existing webhook: saved through the services; a refusal (an address it may not reach, an unknown
    event) shows beside its field, in the page's language, with what was typed kept."""
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                if webhook is None:
                    webhook, secret = webhook_create_recorded(actor=request.user, **form.values())
                    request.session[SECRET_SESSION_KEY] = {"id": webhook.pk, "secret": secret}
                    messages.success(request, _("“%(name)s” was saved.") % {"name": webhook.name})
                    return redirect("automation:webhook_secret", webhook.pk)
                webhook = webhook_update_recorded(actor=request.user, webhook=webhook, **form.values())
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": webhook.name})
                return redirect("automation:webhook_edit", webhook.pk)
    elif webhook is None:
        form = WebhookForm(initial={"events": ["ticket.created"]})
    else:
        form = WebhookForm(initial={"name": webhook.name, "url": webhook.url, "events": webhook.events,
                                    "allow_private": webhook.allow_private})
    history = []
    if webhook is not None:
        history = [(change, change_fields(change)) for change in selectors.webhook_changes(webhook=webhook)]
    return render(request, "automation/webhooks_form.html", {
        "form": form, "webhook": webhook, "history": history,
        "state": webhook_state(webhook) if webhook is not None else None,
    }, status=400 if form.errors else 200)


@supervisor_required
def webhook_new(request):
    return _form(request)


@supervisor_required
def webhook_edit(request, webhook_id):
    return _form(request, _webhook(webhook_id))


@never_cache
@supervisor_required
def webhook_secret(request, webhook_id):
    """The signing secret, the one time after it was made (taken out of the session as it is shown); afterwards the
    page only offers to make a new one."""
    webhook = _webhook(webhook_id)
    waiting = request.session.get(SECRET_SESSION_KEY)
    secret = None
    if waiting and waiting.get("id") == webhook.pk:
        secret = request.session.pop(SECRET_SESSION_KEY)["secret"]
    return render(request, "automation/webhooks_secret.html", {"webhook": webhook, "secret": secret})


@require_POST
@supervisor_required
def webhook_rotate(request, webhook_id):
    """Replace the signing secret; the new one is shown once, on the next page."""
    webhook = _webhook(webhook_id)
    secret = webhook_secret_rotate_recorded(actor=request.user, webhook=webhook)
    request.session[SECRET_SESSION_KEY] = {"id": webhook.pk, "secret": secret}
    return redirect("automation:webhook_secret", webhook.pk)


def _back(request, webhook):
    if request.POST.get("back") == "list":
        return redirect("automation:webhooks")
    return redirect("automation:webhook_edit", webhook.pk)


@require_POST
@supervisor_required
def webhook_pause(request, webhook_id):
    webhook = _webhook(webhook_id)
    if webhook_pause_recorded(actor=request.user, webhook=webhook):
        messages.success(request, _("“%(name)s” is paused: events wait until you resume it.") % {"name": webhook.name})
    else:
        messages.info(request, _("“%(name)s” was paused already.") % {"name": webhook.name})
    return _back(request, webhook)


@require_POST
@supervisor_required
def webhook_resume(request, webhook_id):
    webhook = _webhook(webhook_id)
    if webhook_resume_recorded(actor=request.user, webhook=webhook):
        messages.success(request, _("“%(name)s” is resumed: what waited is being sent.") % {"name": webhook.name})
    else:
        messages.info(request, _("“%(name)s” was not paused.") % {"name": webhook.name})
    return _back(request, webhook)


@require_POST
@supervisor_required
def webhook_test(request, webhook_id):
    """Queue a test event to the webhook (paused or not) and show it in the log."""
    webhook = _webhook(webhook_id)
    webhook_send_test(webhook=webhook)
    messages.success(request, _("A test event was queued for “%(name)s”. Its result shows here in a few seconds.")
                     % {"name": webhook.name})
    return redirect("automation:webhook_deliveries", webhook.pk)


@supervisor_required
def webhook_deliveries(request, webhook_id):
    """The webhook's deliveries, newest first, a page at a time; failed ones can be sent again."""
    webhook = _webhook(webhook_id)
    page = Paginator(selectors.webhook_deliveries(webhook=webhook),
                     selectors.DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(delivery, event_labels([delivery.event])[0], _delivery_state(delivery.state)) for delivery in page]
    return render(request, "automation/webhooks_deliveries.html", {
        "webhook": webhook, "page": page, "rows": rows, "state": webhook_state(webhook)})


@require_POST
@supervisor_required
def webhook_delivery_retry(request, webhook_id, delivery_id):
    """Send a failed delivery again, from its first attempt (the receiver was fixed)."""
    webhook = _webhook(webhook_id)
    try:
        delivery = selectors.webhook_delivery_get(webhook=webhook, delivery_id=delivery_id)
    except WebhookDelivery.DoesNotExist as exc:
        raise Http404 from exc
    if webhook_deliveries_retry(ids=[delivery.pk]):
        messages.success(request, _("The delivery was queued again."))
    else:
        messages.error(request, _("Only a failed delivery can be sent again."))
    response = redirect("automation:webhook_deliveries", webhook.pk)
    page = request.POST.get("page", "")
    if page.isdigit():
        response["Location"] += f"?page={page}"
    return response


@supervisor_required
def webhook_delete(request, webhook_id):
    """Ask first (GET), naming the rules that call it; then delete (POST), unless a rule still does."""
    webhook = _webhook(webhook_id)
    if request.method == "POST":
        try:
            webhook_delete_recorded(actor=request.user, webhook=webhook)
        except InUse as exc:
            messages.error(request, exc.detail)
            return redirect("automation:webhook_delete", webhook.pk)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": webhook.name})
        return redirect("automation:webhooks")
    return render(request, "automation/webhooks_delete.html", {
        "webhook": webhook, "used_by": selectors.rules_using_webhook(webhook_id=webhook.pk)})


@supervisor_required
def addresses(request):
    """The addresses rules may email: the list, which rules use each, a form to add one and the latest changes."""
    form = NotifyAddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        address = notify_address_add(actor=request.user, **form.cleaned_data)
        messages.success(request, _("%(email)s was added to the list.") % {"email": address.email})
        return redirect("automation:addresses")
    changes = [(change, change_fields(change)) for change in selectors.address_changes()]
    return render(request, "automation/addresses.html", {
        "form": form, "addresses": selectors.notify_address_list(), "changes": changes,
    }, status=400 if form.errors else 200)


@require_POST
@supervisor_required
def address_remove(request, address_id):
    try:
        address = selectors.notify_address_get(address_id=address_id)
    except NotifyAddress.DoesNotExist as exc:
        raise Http404 from exc
    try:
        notify_address_remove(actor=request.user, address=address)
    except InUse as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("%(email)s was removed from the list.") % {"email": address.email})
    return redirect("automation:addresses")
