"""What a report is asked for: the period, language, team and time zone, validated with readable errors."""
import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.languages import language_choices
from support.models import Team

from .models import SCORE_CHOICES, ReviewCriterion
from .selectors import Period

COMMON_TIME_ZONES = ["UTC", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Asia/Singapore", "Europe/Moscow",
                     "Europe/Madrid", "Europe/London", "America/New_York", "America/Mexico_City",
                     "America/Los_Angeles"]


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(label=_("Language"), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False,
                                  empty_label=_("All teams"))
    tz = forms.CharField(label=_("Time zone"), required=False, max_length=64,
                         widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}))

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["language"].choices = [("", _("All languages")), *language_choices()]

    def clean_tz(self):
        name = (self.cleaned_data.get("tz") or settings.REPORTS_TIME_ZONE).strip()
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(_("Unknown time zone: use a name such as Asia/Tokyo or UTC.")) from exc

    def clean(self):
        data = super().clean()
        tz = data.get("tz")
        if tz is None:
            return data
        today = timezone.now().astimezone(tz).date()
        # A desk's figures lie between 2000 and next year: a date outside (9999-12-31, 0001-01-01) is a typing
        # error, and would overflow the day arithmetic of the period.
        earliest, latest = dt.date(2000, 1, 1), today + dt.timedelta(days=366)
        for name in ("start", "end"):
            value = data.get(name)
            if value is not None and not earliest <= value <= latest:
                self.add_error(name, forms.ValidationError(forms.DateField.default_error_messages["invalid"],
                                                           code="invalid"))
                return data
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=settings.REPORTS_DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if (end - start).days >= settings.REPORTS_MAX_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most {days} days.").format(days=settings.REPORTS_MAX_DAYS))
        data["start"], data["end"] = start, end
        return data

    def period(self):
        data = self.cleaned_data
        return Period(start=data["start"], end=data["end"], tz=data["tz"], language=data.get("language") or None,
                      team=data.get("team"))


class ReviewForm(forms.Form):
    """One 1-5 choice per active rubric criterion, and a comment for the agent."""

    comment = forms.CharField(label=_("Comment for the agent"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(ReviewCriterion.objects.filter(is_active=True))
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.name, help_text=criterion.description, choices=SCORE_CHOICES, coerce=int,
                widget=forms.RadioSelect)

    def scores(self):
        return {c.pk: self.cleaned_data[f"criterion_{c.pk}"] for c in self.criteria}
