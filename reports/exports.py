"""CSV export of report tables, safe to open in a spreadsheet."""
import csv
import io

from support.csv_export import BOM, FORMULA_STARTS, safe_cell  # the guard every export shares (tickets' too)

from .templatetags.reports import UNIT_HINTS

__all__ = ["FORMULA_STARTS", "safe_cell", "table_csv"]


def table_csv(table):
    """The table as CSV text: a header of column labels, then one line per row (numbers as numbers, durations in
    seconds or minutes as the label says, percentages 0-100). Starts with a byte-order mark so spreadsheet programs
    read Chinese, Japanese, Korean and Russian names correctly."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([safe_cell(_header(column)) for column in table.columns])
    for row in table.rows:
        writer.writerow([safe_cell(row.get(column.key)) for column in table.columns])
    return out.getvalue()


def _header(column):
    hint = UNIT_HINTS.get(column.kind)
    return f"{column.label} ({hint})" if hint else str(column.label)
