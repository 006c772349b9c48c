"""The forms of the webhooks and notification addresses pages (templates/automation/webhook_form.html,
addresses.html). They check the shape (a URL, known events as checkboxes with their names in the page's language, an
address); whether a URL may be reached is for support.webhooks to say when the webhook is saved."""
from django import forms
from django.utils.translation import gettext_lazy as _

from support.domain_events import EVENTS
from support.languages import language_choices

from .forms import EVENT_LABELS
from .models import NotifyAddress


def event_choices():
    """Every domain event a webhook may hear of, labelled in the page's language, in the order of EVENTS."""
    return [(name, EVENT_LABELS.get(name, name)) for name in EVENTS]


class WebhookForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("Receiver URL"), max_length=500, assume_scheme="https",
                         help_text=_("Where the events are posted, for example https://example.com/hooks/desk."))
    events = forms.MultipleChoiceField(label=_("Events to send"), choices=event_choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": _("Choose at least one event to send.")})
    allow_private = forms.BooleanField(label=_("Allow private addresses"), required=False)

    def values(self):
        return {key: self.cleaned_data[key] for key in ("name", "url", "events", "allow_private")}


class NotifyAddressForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language of the emails"), choices=language_choices, initial="en")

    class Meta:
        model = NotifyAddress
        fields = ["name", "email", "language"]
        labels = {"name": _("Name"), "email": _("Email address")}
        error_messages = {"email": {"unique": _("This address is on the list already.")}}
