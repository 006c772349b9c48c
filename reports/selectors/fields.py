"""Custom ticket fields (issue #26): for each active dropdown and multi-select field, the period's tickets per option
(labelled in the reader's language), how many were solved, and the median first response and resolution, the
figures ticket_times gives per language.

Definitions (also on the page, under "How the figures are counted"):

- The period's tickets, as every ticket table: created in the period, narrowed to its language and team, merged
  duplicates left out.
- A dropdown's ticket counts under its option; a multi-select's under each option it has, so a field's rows may add
  up to more than its tickets. "Not set": tickets that carry the field (their category is one of the field's, or the
  field is every ticket's) and have no value in it.
- First response and resolution as in ticket_times (`first_response_at - created_at`, `solved_at - created_at` of
  solved tickets), medians interpolated (percentile_cont), in minutes.

One query for every field and option, whatever their number: each ticket of the period is joined laterally to its
(field, option) pairs, then grouped. An option no ticket has still gets its row, with zeros."""
from django.db import connection
from django.utils.translation import gettext_lazy as _

from tickets.custom_fields import ticket_fields_active
from tickets.models import FieldType

from .periods import tickets_in_period
from .tables import Column, Table, round_or_none

CHOICE_TYPES = (FieldType.DROPDOWN, FieldType.MULTISELECT)
_FIGURES = """
    SELECT pairs.key, pairs.value, COUNT(*), COUNT(*) FILTER (WHERE t.solved_at IS NOT NULL),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM t.first_response_at - t.created_at))
               FILTER (WHERE t.first_response_at IS NOT NULL),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM t.solved_at - t.created_at))
               FILTER (WHERE t.solved_at IS NOT NULL)
    FROM ({tickets}) AS t
    CROSS JOIN LATERAL ({pairs}) AS pairs (key, value)
    GROUP BY pairs.key, pairs.value
"""


def _carries(field):
    """SQL (and its parameters) true for a ticket `t` that carries the field."""
    ids = sorted(category.pk for category in field.categories.all())
    return ("t.category_id = ANY(%s)", [ids]) if ids else ("TRUE", [])


def _pairs(field):
    """SQL (and its parameters) giving a ticket's (key, option value) pairs for one field; (key, NULL) once when the
    ticket carries the field and has no value in it."""
    carries, carries_params = _carries(field)
    key = field.key
    if field.type == FieldType.MULTISELECT:
        chosen = ("SELECT %s, item FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(t.custom_fields -> %s) = "
                  "'array' THEN t.custom_fields -> %s ELSE '[]'::jsonb END) AS item", [key, key, key])
    else:
        chosen = ("SELECT %s, t.custom_fields ->> %s WHERE jsonb_exists(t.custom_fields, %s)", [key, key, key])
    unset = (f"SELECT %s, NULL WHERE NOT jsonb_exists(t.custom_fields, %s) AND {carries}", [key, key, *carries_params])
    return f"{chosen[0]} UNION ALL {unset[0]}", [*chosen[1], *unset[1]]


def _figures(period, fields):
    """{(key, option value or None): (tickets, solved, first response p50, resolution p50 in seconds)}: one query."""
    tickets_sql, tickets_params = (tickets_in_period(period)
                                   .values("created_at", "first_response_at", "solved_at", "category_id",
                                           "custom_fields").query.sql_with_params())
    pairs = [_pairs(field) for field in fields]
    sql = _FIGURES.format(tickets=tickets_sql, pairs=" UNION ALL ".join(part for part, _params in pairs))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*tickets_params, *(p for _part, params in pairs for p in params)])
        return {(key, value): figures for key, value, *figures in cursor.fetchall()}


def _minutes(seconds):
    return round_or_none(seconds / 60 if seconds is not None else None)


def tickets_by_field(period):
    """Per active dropdown and multi-select field, in the fields' order: a row per option (in the options' order,
    zeros included; a value no longer among the options after them), then "Not set"."""
    fields = [field for field in ticket_fields_active() if field.type in CHOICE_TYPES]
    figures = _figures(period, fields) if fields else {}
    rows = []
    for field in fields:
        options = [(option.value, str(option.label)) for option in field.options.all()]
        known = {value for value, _label in options}
        options += sorted((value, value) for key, value in figures if key == field.key and value is not None
                          and value not in known)
        for value, label in [*options, (None, str(_("Not set")))]:
            tickets, solved, first, resolution = figures.get((field.key, value), (0, 0, None, None))
            rows.append({"field": str(field.label), "option": label, "tickets": tickets, "solved": solved,
                         "first_p50": _minutes(first), "resolution_p50": _minutes(resolution),
                         "field_key": field.key, "value": value})
    return Table("fields", _("Custom fields"), [
        Column("field", _("Field"), "text"), Column("option", _("Option"), "text"),
        Column("tickets", _("Tickets")), Column("solved", _("Solved")),
        Column("first_p50", _("First response, median"), "minutes"),
        Column("resolution_p50", _("Resolution, median"), "minutes")], rows)


def field_parts(table):
    """The table as the page shows it: per field (key, label, Table of its rows without the field column), each
    beneath its chart."""
    columns = table.columns[1:]
    parts = {}
    for row in table.rows:
        parts.setdefault(row["field_key"], (row["field"], []))[1].append(row)
    return [(key, label, Table(f"{table.key}-{key}", label, columns, rows)) for key, (label, rows) in parts.items()]
