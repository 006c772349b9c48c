"""What supervisors do to outbound webhooks and to the list of notification addresses from the rules pages, each
change recorded in the rules' history (TriggerChange, `kind` webhook or address: who, when, before and after), in the
transaction of the change. The webhooks' own rules (the address check, the secret, the outbox) stay in
support.webhooks.services; this module adds the record and the refusals that concern rules (an address or a webhook
a rule still uses is not removed: the rule would lose its action without anyone noticing)."""
from django.db import transaction
from django.utils.translation import gettext as _

from support.services import DomainError
from support.webhooks import services as webhooks
from support.webhooks.models import Webhook

from .models import NotifyAddress, TriggerChange
from .webhook_selectors import rules_using_address, rules_using_webhook

Action = TriggerChange.Action


class InUse(DomainError):
    code = "in_use"


def webhook_snapshot(webhook):
    """A webhook as the rules' history keeps it: never its secret."""
    return {"name": webhook.name, "url": webhook.url, "events": list(webhook.events),
            "allow_private": webhook.allow_private, "is_active": webhook.is_active}


def address_snapshot(address):
    return {"name": address.name, "email": address.email, "language": address.language}


def _record_webhook(webhook, actor, action, before, after):
    TriggerChange.objects.create(kind=TriggerChange.Kind.WEBHOOK, actor=actor, action=action, before=before,
                                 after=after, webhook=None if action == Action.DELETED else webhook,
                                 trigger_name=(after or before)["name"][:120])


def webhook_create_recorded(*, actor, name, url, events, allow_private=False):
    """Register a webhook (checked by support.webhooks: known events, a URL it may reach) and record it; returns
    (webhook, its secret), the secret's only showing. Raises DomainError with the field it is about."""
    with transaction.atomic():
        webhook, secret = webhooks.webhook_create(name=name, url=url, events=events, allow_private=allow_private,
                                                  created_by=actor)
        _record_webhook(webhook, actor, Action.CREATED, None, webhook_snapshot(webhook))
    return webhook, secret


def webhook_update_recorded(*, actor, webhook, name, url, events, allow_private):
    """Change a webhook's name, URL, events or address policy, checked again; recorded when something changed. The
    row is locked while it is written, so a worker counting a failure meanwhile is neither lost nor undone."""
    with transaction.atomic():
        locked = Webhook.objects.select_for_update().get(pk=webhook.pk)
        before = webhook_snapshot(locked)
        locked.name, locked.url, locked.events, locked.allow_private = name, url, list(events), allow_private
        webhooks.webhook_save(webhook=locked)
        if webhook_snapshot(locked) != before:
            _record_webhook(locked, actor, Action.UPDATED, before, webhook_snapshot(locked))
    return locked


def webhook_pause_recorded(*, actor, webhook):
    """Stop posting to a webhook; recorded, and False (nothing recorded) if it was paused already."""
    with transaction.atomic():
        paused = webhooks.webhook_pause(webhook=webhook)
        if paused:
            _record_webhook(webhook, actor, Action.PAUSED, webhook_snapshot(webhook), webhook_snapshot(webhook))
    return paused


def webhook_resume_recorded(*, actor, webhook):
    """Post to a paused webhook again (what waited goes now); recorded, False if it was not paused."""
    with transaction.atomic():
        resumed = webhooks.webhook_resume(webhook=webhook)
        if resumed:
            _record_webhook(webhook, actor, Action.RESUMED, webhook_snapshot(webhook), webhook_snapshot(webhook))
    return resumed


def webhook_secret_rotate_recorded(*, actor, webhook):
    """A new signing secret, returned this once (the history says it changed, never what it is)."""
    with transaction.atomic():
        secret = webhooks.webhook_secret_rotate(webhook=webhook)
        _record_webhook(webhook, actor, Action.NEW_SECRET, webhook_snapshot(webhook), webhook_snapshot(webhook))
    return secret


def webhook_delete_recorded(*, actor, webhook):
    """Delete a webhook and its deliveries' log, unless a rule still calls it (InUse names them)."""
    with transaction.atomic():
        locked = Webhook.objects.select_for_update().get(pk=webhook.pk)
        users = rules_using_webhook(webhook_id=locked.pk)
        if users:
            raise InUse(_("Rules still call this webhook: %(rules)s. Change them first, or pause the webhook.")
                        % {"rules": ", ".join(users)})
        _record_webhook(locked, actor, Action.DELETED, webhook_snapshot(locked), None)
        locked.delete()


def notify_address_add(*, actor, name, email, language):
    """Put an address on the list rules may email (the form has checked it: a name, a unique address, one of the
    six languages); recorded."""
    with transaction.atomic():
        address = NotifyAddress.objects.create(name=name, email=email, language=language)
        TriggerChange.objects.create(kind=TriggerChange.Kind.ADDRESS, actor=actor, action=Action.CREATED,
                                     before=None, after=address_snapshot(address), trigger_name=name[:120])
    return address


def notify_address_remove(*, actor, address):
    """Take an address off the list, unless a rule still emails it (InUse names them); recorded."""
    with transaction.atomic():
        locked = NotifyAddress.objects.select_for_update().get(pk=address.pk)
        users = rules_using_address(address_id=locked.pk)
        if users:
            raise InUse(_("Rules still email this address: %(rules)s. Change them first.")
                        % {"rules": ", ".join(users)})
        TriggerChange.objects.create(kind=TriggerChange.Kind.ADDRESS, actor=actor, action=Action.DELETED,
                                     before=address_snapshot(locked), after=None, trigger_name=locked.name[:120])
        locked.delete()
