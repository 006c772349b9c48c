"""Tickets as CSV for agents: the inbox's "Export CSV" link and GET /api/v1/tickets/export.csv.

What is exported is what the inbox shows for the same query: its filter form validates the parameters and
filters.filters_q turns them into the one condition the inbox's list applies (no second reading of the filters here),
over the tickets the agent may list (selectors.ticket_export_list_for_user).

Rows are read by keyset (`number > last`, in reference order, `batch_size` at a time), never by OFFSET, so memory is
one batch whatever the export's size, every batch costs the same, and tickets changed during a long export are
neither skipped nor repeated. Labels (headers, statuses, categories, the custom fields') are put in the agent's
language before the first row is read, so the rows, produced later and maybe in another thread, need no active
language and no query but the batch's own. At most `TICKET_EXPORT_MAX_ROWS` tickets; when there are more, the last
line says so (and the response's X-Export-Truncated header, from a bounded count made before streaming).
"""
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from support.csv_export import BOM, csv_lines
from support.models import Team

from . import selectors
from .filters import TicketFilter, filters_canonical, filters_q
from .models import REF_PREFIX, Category, Channel, FieldType, Priority, Status, Ticket

BATCH_SIZE = 1000
JOIN = "; "  # several values in one cell: tags, a multi-select's options
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # UTC, a form every spreadsheet reads as a date and time
VALUES = ("number", "subject", "status", "priority", "language", "channel", "category_id", "team_id",
          "assignee__email", "requester__email", "created_at", "updated_at", "solved_at", "tags", "custom_fields")


def export_condition(data, *, user, ticket_fields, strict):
    """The condition the inbox applies for these parameters (a QueryDict or dict), validated by the inbox's own
    filter form. `strict` (the API): a `field.<key>` no active field has is an error too, as on the list. Raises
    ValidationError with the messages per parameter."""
    filterset = TicketFilter(data, queryset=Ticket.objects.none(), ticket_fields=ticket_fields)
    errors = {}
    if not filterset.is_valid():
        errors.update({name: list(messages) for name, messages in filterset.form.errors.items()})
    if strict:
        errors.update({name: [_("Unknown field.")] for name in filterset.unknown_fields})
    if errors:
        raise ValidationError(errors)
    return filters_q(filters_canonical(filterset.form.cleaned_data), user=user)


def _time(value):
    return value.astimezone(dt.UTC).strftime(TIME_FORMAT) if value else ""


@dataclass
class FieldColumn:
    """A custom field's column: its definition read once, the words it needs in the agent's language."""

    key: str
    type: str
    category_ids: frozenset  # empty: every ticket carries the field
    yes: str
    no: str

    def cell(self, values, category_id):
        value = values.get(self.key)
        if self.type == FieldType.CHECKBOX:
            # A ticked box is stored, an unticked one is not: "No" where the ticket carries the field, else empty.
            if value is True:
                return self.yes
            return self.no if not self.category_ids or category_id in self.category_ids else ""
        if value is None:
            return ""
        if isinstance(value, list):
            return JOIN.join(str(item) for item in value)  # a multi-select's option values
        if isinstance(value, bool):
            return self.yes if value else self.no
        return value  # a dropdown's option value, text, a whole number, a decimal as stored ("0.5"), a date


class TicketExport:
    """One export: the header and the lookups in the agent's language, then the rows of `tickets` as CSV chunks."""

    def __init__(self, tickets, *, ticket_fields, max_rows=None, batch_size=BATCH_SIZE):
        self.tickets = tickets.order_by()
        self.max_rows = settings.TICKET_EXPORT_MAX_ROWS if max_rows is None else max_rows
        self.batch_size = batch_size
        self.statuses = {value: str(label) for value, label in Status.choices}
        self.priorities = {value: str(label) for value, label in Priority.choices}
        self.channels = {value: str(label) for value, label in Channel.choices}
        self.categories = {category.pk: str(category.name) for category in Category.objects.all()}
        self.teams = dict(Team.objects.values_list("pk", "name"))
        yes, no = _("Yes"), _("No")
        self.fields = [FieldColumn(field.key, field.type, frozenset(c.pk for c in field.categories.all()), yes, no)
                       for field in ticket_fields]
        self.header = [_("Reference"), _("Subject"), _("Status"), _("Priority"), _("Language"), _("Channel"),
                       _("Category"), _("Team"), _("Assignee"), _("Requester email"), _("Created (UTC)"),
                       _("Updated (UTC)"), _("Solved (UTC)"), _("Tags"),
                       *[f"{field.label} [{field.key}]" for field in ticket_fields]]
        self.cut_note = _("The export stops at %(count)s tickets; narrow the filters to export the rest.") % {
            "count": self.max_rows}

    def truncated(self):
        """Whether more tickets match than the export takes: one count, bounded by the limit."""
        return self.tickets[:self.max_rows + 1].count() > self.max_rows

    def row(self, values):
        (number, subject, status, priority, language, channel, category_id, team_id, assignee, requester, created,
         updated, solved, tags, custom) = values
        custom = custom if isinstance(custom, dict) else {}
        return [f"{REF_PREFIX}{number}", subject, self.statuses.get(status, status), self.priorities.get(priority, priority),
                language, self.channels.get(channel, channel), self.categories.get(category_id, ""),
                self.teams.get(team_id, ""), assignee or "", requester or "", _time(created), _time(updated),
                _time(solved), JOIN.join(tags or ()), *[field.cell(custom, category_id) for field in self.fields]]

    def chunks(self):
        """The CSV text in chunks: the byte-order mark and the header, then one chunk per batch of rows, then, when
        the limit cut the export, a last line that says so. One query per batch."""
        yield BOM + csv_lines([self.header])
        last, sent = None, 0
        while True:
            # In the last batch the limit allows, one row more tells whether the limit cut the export.
            want = min(self.batch_size, self.max_rows - sent + 1)
            batch = self.tickets if last is None else self.tickets.filter(number__gt=last)
            rows = list(batch.order_by("number").values_list(*VALUES)[:want])
            cut = sent + len(rows) > self.max_rows
            rows = rows[:self.max_rows - sent]
            if rows:
                yield csv_lines(self.row(values) for values in rows)
                sent += len(rows)
                last = rows[-1][0]
            if cut:
                yield csv_lines([[self.cut_note]])
                return
            if len(rows) < want:
                return


def ticket_export_for_user(*, user, condition, ticket_fields, **kwargs):
    """The export of the tickets `user` may list that meet `condition` (export_condition)."""
    tickets = selectors.ticket_export_list_for_user(user=user).filter(condition)
    return TicketExport(tickets, ticket_fields=ticket_fields, **kwargs)


def export_filename():
    return f"tickets-{timezone.now():%Y-%m-%d-%H%M}.csv"
