"""Supervisor reports: every figure for a period, read from the operational tables in a fixed number of grouped
queries (no per-row queries; see docs/performance.md for the 90-day benchmark).

Every table is a `Table` (columns with a kind, rows of plain values) so that the page, the CSV export and the API
render the same numbers from one computation. Definitions, stated once here and on the page:

- A chat belongs to the period by when it started (`created_at`), in the report's time zone.
- Offered: the chat entered a queue for a person (`queued_at` set; bot-only chats are not offered).
  Answered: an agent got it (`answered_at`, the first assignment). Abandoned: offered, never answered, closed
  without leaving a message. Left a message: offered, never answered, became a ticket.
- Queue wait: `answered_at - queued_at` of answered chats (p50/p90 are Postgres percentile_cont, interpolated).
- Handle time: `closed_at - answered_at` of answered, closed chats.
- Bot: chats that started with the bot; resolved by the bot = closed and never handed over.
- A ticket belongs to the period by when it was created; merged duplicates are left out. First response:
  `first_response_at - created_at`; resolution: `solved_at - created_at` of solved tickets; SLA achievement: met /
  finished timers of the period's tickets (tickets.sla.TIMER_MET).
- CSAT: chats answered and closed in the period were asked; ticket ratings requested in the period were asked.
  Score: the mean of 1-5 answers; satisfied: share of 4 and 5.
- Team: chats and per-agent figures by the agent's team; tickets by the ticket's team.

A package in layers, one module per family of figures (the lower two are shared, and import none of the others):

    tables    Column, Table and the cell helpers (percentages, rounding, language names)
    periods   Period, the period's rows, and the chat definitions above as query expressions
    chats     chats by language, the bot and its handovers, the queue-wait heatmap
    tickets   tickets by channel and category, response and resolution times, SLA
    fields    tickets per option of each custom dropdown and multi-select field, with their times
    trend     the day-by-day table
    csat      satisfaction per language
    overflow  language overflow with assist: offers and answers, waits with and without, CSAT translated vs native
    people    per team and per agent
    quality   quality review tables, and the permission-scoped reads of reviews
    live      the wallboard

This module assembles the whole report from them (`report`, `report_table`). Callers import `reports.selectors`;
the names below are its public face."""
import queue
import re
import threading

from django.conf import settings
from django.db import connection, transaction
from django.utils import translation

from .chats import HANDOVER_REASONS, bot_by_language, chats_by_language, handover_reasons, wait_heatmap
from .csat import csat_by_language
from .fields import field_parts, tickets_by_field
from .live import wallboard
from .overflow import overflow_by_language, overflow_parts
from .people import agent_figures, team_figures
from .periods import ABANDONED, ANSWERED, HANDLE, HANDLED, LEFT_MESSAGE, OFFERED, WAIT, Period
from .quality import quality_by_criterion, quality_by_week, review_get_for_user, review_list_for_user
from .tables import Column, Table
from .tickets import FIRST_RESPONSE, RESOLUTION, ticket_times, tickets_by_category, tickets_by_channel
from .trend import daily_trend

__all__ = [
    "ABANDONED", "ANSWERED", "FIRST_RESPONSE", "HANDLE", "HANDLED", "HANDOVER_REASONS", "LEFT_MESSAGE", "OFFERED",
    "REPORT_TABLES", "RESOLUTION", "WAIT", "Column", "Period", "Table", "agent_figures", "bot_by_language",
    "chats_by_language", "csat_by_language", "daily_trend", "field_parts", "handover_reasons", "overflow_by_language",
    "overflow_parts", "quality_by_criterion", "quality_by_week", "report", "report_table", "review_get_for_user",
    "review_list_for_user", "team_figures", "ticket_times", "tickets_by_category", "tickets_by_channel",
    "tickets_by_field", "wait_heatmap", "wallboard",
]

for _build, _key in [(chats_by_language, "chats"), (wait_heatmap, "heatmap"), (daily_trend, "trend"),
                    (bot_by_language, "bot"), (handover_reasons, "handover_reasons"),
                    (tickets_by_channel, "tickets_by_channel"), (tickets_by_category, "tickets_by_category"),
                    (ticket_times, "ticket_times"), (tickets_by_field, "fields"), (csat_by_language, "csat"),
                    (overflow_by_language, "overflow"),
                    (team_figures, "teams"), (agent_figures, "agents"),
                    (quality_by_week, "quality"), (quality_by_criterion, "quality_criteria")]:
    _build.table_key = _key  # the CSV export builds only the table it is asked for

REPORT_TABLES = [chats_by_language, wait_heatmap, daily_trend, bot_by_language, handover_reasons, tickets_by_channel,
                 tickets_by_category, ticket_times, tickets_by_field, csat_by_language, overflow_by_language, team_figures,
                 agent_figures, quality_by_week, quality_by_criterion]


def _sorting_memory():
    """Percentiles and grouping sort the period's rows; with Postgres' default work_mem (4 MB) a 90-day sort of a
    busy desk spills to disk. Reports are few and run by supervisors, so they get more memory for their own
    transaction only (set_config(..., true) is SET LOCAL)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.REPORTS_WORK_MEM])


def report(period):
    """Every table of the supervisor report for the period, by key, in page order.

    The tables are independent read-only queries, so with REPORTS_PARALLEL > 1 they run on that many database
    connections at once, all reading the same snapshot (exported by this transaction and imported by the workers),
    so the figures agree with each other exactly as in one transaction. Inside an enclosing transaction (e.g. a
    test's), other connections could not see its rows, so the tables are built here, one after another."""
    workers = min(settings.REPORTS_PARALLEL, len(REPORT_TABLES))
    with transaction.atomic():
        _sorting_memory()
        if workers <= 1 or _inside_test_block():
            return {table.key: table for table in (build(period) for build in REPORT_TABLES)}
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        return _build_in_parallel(period, snapshot, workers)


def _inside_test_block():
    """True when our transaction is nested in one we did not open (its rows are invisible to other connections)."""
    return len(connection.atomic_blocks) > 1


def _snapshot_id(snapshot):
    """pg_export_snapshot()'s id, checked before it is written into the statement (SET cannot take a parameter)."""
    if not re.fullmatch(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?", snapshot):
        raise ValueError(f"not a snapshot id: {snapshot!r}")
    return snapshot


def _build_in_parallel(period, snapshot, workers):
    todo = queue.Queue()
    for index, build in enumerate(REPORT_TABLES):
        todo.put((index, build))
    results, errors = {}, []
    # Threads do not inherit the request's language: each builds its tables in it (row labels such as a language's
    # name or a handover reason were English on every page, while the CSV, built in the request's thread, was not).
    language = translation.get_language()

    def work():
        translation.activate(language)
        try:
            while True:
                try:
                    index, build = todo.get_nowait()
                except queue.Empty:
                    return
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                        cursor.execute(f"SET TRANSACTION SNAPSHOT '{_snapshot_id(snapshot)}'")
                    _sorting_memory()
                    results[index] = build(period)
        except Exception as exc:  # noqa: BLE001 - re-raised in the caller's thread below
            errors.append(exc)
        finally:
            translation.deactivate()
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=work, name=f"report-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return {table.key: table for table in (results[i] for i in range(len(REPORT_TABLES)))}


def report_table(period, key):
    """One table by its key (for the CSV export); KeyError for an unknown key."""
    build = {b.table_key: b for b in REPORT_TABLES}[key]
    with transaction.atomic():
        _sorting_memory()
        return build(period)
