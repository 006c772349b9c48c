"""Reads for the supervisors' pages of webhooks and notification addresses (automation.webhook_views): webhooks with
their last delivery, one webhook's deliveries newest first, which rules use a webhook or an address, and the changes
recorded for them. Each list is a fixed number of queries, however many rows it shows."""
from django.db.models import OuterRef, Subquery

from support.webhooks.models import Webhook, WebhookDelivery

from .models import Automation, NotifyAddress, Trigger, TriggerChange

DELIVERIES_PER_PAGE = 25


def webhook_list():
    """Every webhook, by name, with its last delivery's time, state and response code (one query)."""
    latest = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-id")
    return Webhook.objects.order_by("name", "id").annotate(
        last_delivery_at=Subquery(latest.values("created_at")[:1]),
        last_delivery_state=Subquery(latest.values("state")[:1]),
        last_delivery_code=Subquery(latest.values("last_status_code")[:1]))


def webhook_get(*, webhook_id):
    """The webhook, or Webhook.DoesNotExist."""
    return Webhook.objects.get(pk=webhook_id)


def webhook_deliveries(*, webhook):
    """A webhook's deliveries, newest first (the index webhook_delivery_log), without their payloads."""
    return WebhookDelivery.objects.filter(webhook=webhook).defer("payload").order_by("-created_at", "-id")


def webhook_delivery_get(*, webhook, delivery_id):
    """One delivery of this webhook, or WebhookDelivery.DoesNotExist (another webhook's is not found either)."""
    return WebhookDelivery.objects.defer("payload").get(pk=delivery_id, webhook=webhook)


def _names(*querysets):
    return [name for queryset in querysets for name in queryset.order_by("name", "id").values_list("name", flat=True)]


def rules_using_webhook(*, webhook_id):
    """The names of the triggers and automations with a "call this webhook" action."""
    action = [{"type": "webhook", "value": webhook_id}]
    return _names(Trigger.objects.filter(actions__contains=action), Automation.objects.filter(actions__contains=action))


def rules_using_address(*, address_id):
    """The names of the triggers and automations that email this address."""
    action = [{"type": "notify", "target": "address", "address": address_id}]
    return _names(Trigger.objects.filter(actions__contains=action), Automation.objects.filter(actions__contains=action))


def notify_address_list():
    """Every address on the list, by name, each with the names of the rules that email it (three queries)."""
    used = {}
    for model in (Trigger, Automation):
        for name, actions in model.objects.filter(actions__contains=[{"target": "address"}]).values_list("name",
                                                                                                         "actions"):
            for action in actions:
                if action.get("type") == "notify" and action.get("target") == "address":
                    used.setdefault(action.get("address"), []).append(name)
    addresses = list(NotifyAddress.objects.order_by("name", "email"))
    for address in addresses:
        address.used_by = sorted(set(used.get(address.pk, [])))
    return addresses


def notify_address_get(*, address_id):
    return NotifyAddress.objects.get(pk=address_id)


def webhook_changes(*, webhook, limit=50):
    """The recorded changes of one webhook, newest first."""
    return (TriggerChange.objects.filter(webhook=webhook).select_related("actor")
            .order_by("-created_at", "-id")[:limit])


def address_changes(*, limit=20):
    """The latest changes to the list of notification addresses."""
    return (TriggerChange.objects.filter(kind=TriggerChange.Kind.ADDRESS).select_related("actor")
            .order_by("-created_at", "-id")[:limit])
