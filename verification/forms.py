"""The check form of /verify/. It is a GET form, so a link (?kind=email&value=...) fills and answers it."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AGENT_CODE, ChannelKind, Platform
from .normalize import MAX_INPUT

KIND_CHOICES = [*ChannelKind.choices, (AGENT_CODE, _("Agent's verification code"))]


class CheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("What do you want to check?"), choices=KIND_CHOICES, initial=ChannelKind.EMAIL,
                             widget=forms.RadioSelect)
    platform = forms.ChoiceField(label=_("Platform"), required=False,
                                 choices=[("", _("Any platform")), *Platform.choices],
                                 help_text=_("Only for social media accounts."))
    value = forms.CharField(label=_("Address, number or name"), max_length=MAX_INPUT,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                          "autocapitalize": "none"}))
