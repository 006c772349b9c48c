"""What every report table is made of: typed columns and plain rows (`Column`, `Table`), and the small helpers that
turn counts into the cells all the tables share (percentages, rounding, language names)."""
from dataclasses import dataclass, field

from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


@dataclass
class Column:
    key: str
    label: str
    kind: str = "int"  # int, text, pct (0-100), seconds, minutes, score (1-5), date


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)

    def as_dict(self):
        return {"key": self.key, "title": str(self.title),
                "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns],
                "rows": self.rows}


def percent(part, whole):
    """`part` as a percentage of `whole` with one decimal; None when there is no whole (no data, not 0 %)."""
    return round(100.0 * part / whole, 1) if whole else None


def round_or_none(value, digits=1):
    """Rounded for display; an aggregate over no rows stays None (shown as a dash)."""
    return round(value, digits) if value is not None else None


def language_label(code):
    """The language's name in the reader's language (the CSV and the API carry it too)."""
    return str(get_language_info(code)["name_translated"]) if code else str(_("All languages"))
