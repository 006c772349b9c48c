"""CSV for spreadsheets, shared by every export (report tables, tickets): cells a spreadsheet would run as a formula
are neutralised, the text starts with a byte-order mark so Excel reads Chinese, Japanese, Korean and Russian as UTF-8,
and a long export is streamed in chunks under ASGI as well as WSGI."""
import csv
import io

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse

BOM = "\ufeff"
# A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets (CSV injection):
# text cells that do are prefixed with an apostrophe, which spreadsheets show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_lines(rows):
    """Rows (lists of cells) as CSV text, every cell through safe_cell."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


_DONE = object()


def _next_part(iterator):
    return next(iterator, _DONE)


class CsvStreamingResponse(StreamingHttpResponse):
    """A CSV download made of chunks from a synchronous generator (each chunk: some rows read from the database).

    Django serves a synchronous iterator under ASGI by reading it whole into a list first (and warns), which would
    hold a 100,000-row export in memory. Served asynchronously, this response pulls one chunk at a time instead, each
    in the thread the view's database connection belongs to; served synchronously (WSGI, the test client), it is a
    plain streaming response."""

    def __init__(self, chunks, *, filename, **kwargs):
        super().__init__(chunks, content_type="text/csv; charset=utf-8", **kwargs)
        self["Content-Disposition"] = f'attachment; filename="{filename}"'
        self["Cache-Control"] = "no-store"  # customers' data: not for shared caches

    async def __aiter__(self):
        iterator = iter(self.streaming_content)
        pull = sync_to_async(_next_part, thread_sensitive=True)
        while (part := await pull(iterator)) is not _DONE:
            yield part
