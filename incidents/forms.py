"""The supervisor's forms: declare or edit an incident (texts per language), resolve it."""
from django import forms
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from support.languages import LANGUAGE_CODES

from .models import Severity


def _language_name(code):
    """In the language itself (日本語, Русский): each field is for the person who writes that language."""
    return get_language_info(code)["name_local"]


def _per_language(form, name, label, *, widget, max_length, required_en):
    for code in LANGUAGE_CODES:
        form.fields[f"{name}_{code}"] = forms.CharField(
            label=f"{label} · {_language_name(code)}", max_length=max_length,
            required=required_en and code == "en", widget=widget)


def _texts(cleaned, name):
    return {code: cleaned.get(f"{name}_{code}", "") for code in LANGUAGE_CODES}


class IncidentForm(forms.Form):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MAJOR)
    keywords = forms.CharField(
        label=_("Keywords"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Words customers would use, in any language, separated by commas or new lines, for example: "
                    "withdrawal, 提现, retiro, вывод, 出金, 출금. A word also matches its longer forms "
                    "(withdraw matches withdrawals)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _per_language(self, "title", _("Title"), widget=forms.TextInput, max_length=200, required_en=True)
        _per_language(self, "notice", _("Notice"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                      required_en=True)

    def language_rows(self):
        """(code, language name, title field, notice field) per language, for the template's table."""
        return [(code, _language_name(code), self[f"title_{code}"], self[f"notice_{code}"]) for code in LANGUAGE_CODES]

    def titles(self):
        return _texts(self.cleaned_data, "title")

    def notices(self):
        return _texts(self.cleaned_data, "notice")


class ResolveForm(forms.Form):
    notify = forms.BooleanField(label=_("Tell every linked customer, in the app and by email"), required=False,
                                initial=True)
    solve_tickets = forms.BooleanField(label=_("Solve the linked tickets"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _per_language(self, "resolution", _("Message to customers"), widget=forms.Textarea(attrs={"rows": 2}),
                      max_length=2000, required_en=False)

    def language_fields(self):
        return [self[f"resolution_{code}"] for code in LANGUAGE_CODES]

    def resolutions(self):
        return {code: text for code, text in _texts(self.cleaned_data, "resolution").items() if text}
