"""Django admin for outbound webhooks: desk admins register endpoints (the secret is shown once, in the message after
creating), send a test, pause and resume; the deliveries are a read-only log (event, state, attempts, last answer)."""
import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.db.models import OuterRef, Subquery
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from support.admin import RecordAdmin, stored_text
from support.domain_events import EVENTS
from support.services import DomainError

from . import services
from .models import Webhook, WebhookDelivery


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=capfirst(Webhook._meta.get_field("url").verbose_name), max_length=500,
                         assume_scheme="https", help_text=Webhook._meta.get_field("url").help_text)
    events = forms.MultipleChoiceField(label=capfirst(Webhook._meta.get_field("events").verbose_name),
                                       choices=[(name, name) for name in EVENTS], widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Webhook
        fields = ["name", "url", "events", "allow_private", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.webhook_check(url=cleaned["url"], events=cleaned["events"],
                                   allow_private=cleaned.get("allow_private", False))
        except DomainError as exc:
            self.add_error(exc.field, exc.detail)
        return cleaned


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["name", "target", "state", "failure_count", "last_delivery"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret_note", "failure_count", "paused_at", "created_by", "created_at"]
    actions = ["send_test", "pause", "resume"]

    def get_queryset(self, request):
        latest = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-id")
        return super().get_queryset(request).annotate(
            last_delivery_at=Subquery(latest.values("created_at")[:1]),
            last_delivery_state=Subquery(latest.values("state")[:1]))

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        secret = services.webhook_save(webhook=obj, created_by=None if change else request.user)
        if secret:
            self.message_user(request, format_html(
                "{} <code translate=\"no\">{}</code>",
                _("Its signing secret, shown this once (copy it to the receiver now):"), secret), messages.WARNING)

    @admin.display(description=Webhook._meta.get_field("url").verbose_name, ordering="url")
    def target(self, webhook):
        return stored_text(webhook.url)

    @admin.display(description=_("state"))
    def state(self, webhook):
        if webhook.is_paused:
            return _("Paused")
        return _("Active") if webhook.is_active else _("Off")

    @admin.display(description=_("last delivery"), ordering="last_delivery_at")
    def last_delivery(self, webhook):
        if webhook.last_delivery_at is None:
            return "-"
        state = WebhookDelivery.State(webhook.last_delivery_state).label
        return format_html("{} ({})", display_for_value(webhook.last_delivery_at, "-"), state)

    @admin.display(description=_("signing secret"))
    def secret_note(self, webhook):
        return _("Shown once, when the webhook was created. To change it, create a new webhook.")

    @admin.action(description=_("Send a test event"))
    def send_test(self, request, queryset):
        for webhook in queryset:
            services.webhook_send_test(webhook=webhook)
        count = len(queryset)
        self.message_user(request, ngettext("A test event was queued for %(count)s webhook.",
                                            "A test event was queued for %(count)s webhooks.", count) % {"count": count})

    @admin.action(description=_("Pause"))
    def pause(self, request, queryset):
        count = sum(services.webhook_pause(webhook=webhook) for webhook in queryset)
        self.message_user(request, ngettext("%(count)s webhook paused.", "%(count)s webhooks paused.", count)
                          % {"count": count})

    @admin.action(description=_("Resume"))
    def resume(self, request, queryset):
        count = sum(services.webhook_resume(webhook=webhook) for webhook in queryset)
        self.message_user(request, ngettext("%(count)s webhook resumed.", "%(count)s webhooks resumed.", count)
                          % {"count": count})


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(RecordAdmin):
    """The deliveries' log: what was posted where, how it was answered and how long it took. Failed deliveries can
    be queued again."""

    list_display = ["created_at", "webhook", "event_name", "state", "attempts", "last_status_code", "last_duration_ms",
                    "delivered_at"]
    list_filter = ["state", "event", "webhook"]
    list_select_related = ["webhook"]
    search_fields = ["=idempotency_key"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name if f.name != "payload" else "body" for f in WebhookDelivery._meta.fields]
    exclude = ["payload"]  # shown as "body"
    actions = ["retry"]
    show_full_result_count = False  # the log only grows

    @admin.display(description=WebhookDelivery._meta.get_field("payload").verbose_name)
    def body(self, delivery):
        # What was sent, as JSON: codes and ids, not words (marked so, not to be translated or read as prose).
        return format_html('<pre translate="no">{}</pre>', json.dumps(delivery.payload, indent=2, ensure_ascii=False))

    @admin.display(description=_("event"), ordering="event")
    def event_name(self, delivery):
        return stored_text(delivery.event)  # an API name, not words

    @admin.action(description=_("Send again"))
    def retry(self, request, queryset):
        count = services.webhook_deliveries_retry(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, ngettext("%(count)s delivery queued again.", "%(count)s deliveries queued again.",
                                            count) % {"count": count})
