"""Report values for people: durations as h:mm:ss, percentages with one decimal, a dash for no data."""
from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

register = template.Library()

UNIT_HINTS = {"seconds": _("seconds"), "minutes": _("minutes"), "pct": "%", "score": "1–5"}


def _clock(total_seconds):
    total_seconds = int(round(total_seconds))
    hours, rest = divmod(total_seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@register.filter
def report_value(value, kind):
    if value is None or value == "":
        return "—"
    if kind == "seconds":
        return _clock(value)
    if kind == "minutes":
        return _clock(value * 60)
    if kind == "pct":
        return f"{number_format(value, 1)} %"
    if kind == "score":
        return number_format(value, 2)
    return value


@register.filter
def unit_hint(kind):
    return {"seconds": _("m:ss"), "minutes": _("h:mm:ss")}.get(kind, "")


@register.filter
def get_item(row, key):
    return row.get(key)
