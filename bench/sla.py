"""SLA scan: one beat run (`tickets.sla.sla_scan`, what the beat task calls) with N tickets, each with a running
resolution timer, 1 % of them past due. The due ones are re-armed before each round so every round does the same
work: find them among N (the partial index), mark each breached exactly once, alert the assignee in-site and by
email (the outbox row; delivery is the worker's job). The tickets are spread over 100 assignees, so a person with
more than SLA_ALERT_DIGEST_AFTER alerts in a scan gets a digest, as on a desk in a surge."""
import statistics
import time

from .tickets_api import BULK_LOAD_FROM, bulk_loading, load_tickets

DUE_SHARE = 0.01
MARK = 1439  # the target (minutes) of the benchmark's own timers, which tells them from other rows in the database
AGENTS = 100  # the tickets are spread over this many assignees, like a desk's agents


def _agents():
    """The AGENTS bench agents' ids (made once), in id order."""
    from support import services
    from support.models import User

    emails = [f"bench.sla{n}@example.com" for n in range(AGENTS)]
    have = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    for email in emails:
        if email not in have:
            services.agent_create(email=email, password=None, languages=["en"])
    return list(User.objects.filter(email__in=emails).order_by("pk").values_list("pk", flat=True))


def _timers(total, agents):
    """One running resolution timer per ticket (added for tickets that have none); 1 % due, the rest in a week.
    Each ticket is assigned to one of the agents (by id / 100, so the due ones, every 100th, are spread too):
    load_tickets assigned the tickets it loaded so; this assigns any that are not."""
    from django.db import connection

    from tickets.models import SlaTimer

    started = time.monotonic()
    every = round(1 / DUE_SHARE)
    with connection.cursor() as cursor:
        cursor.execute("""UPDATE tickets_ticket SET assignee_id = (%s::bigint[])[1 + (id / 100) %% %s]
                          WHERE assignee_id IS DISTINCT FROM (%s::bigint[])[1 + (id / 100) %% %s]""",
                       [agents, len(agents), agents, len(agents)])
        # Only the benchmark's timers run: any other running timer (demo history, other benchmarks) is cancelled.
        cursor.execute("""UPDATE tickets_slatimer SET cancelled_at = now()
                          WHERE target_minutes <> %s AND fulfilled_at IS NULL AND cancelled_at IS NULL""", [MARK])
        cursor.execute("SELECT count(*) FROM tickets_slatimer WHERE target_minutes = %s", [MARK])
        have = cursor.fetchone()[0]
    table = SlaTimer._meta.db_table
    with bulk_loading(table, large=total - have >= max(have + 1, BULK_LOAD_FROM)), connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO tickets_slatimer (ticket_id, kind, target_minutes, started_at, paused_seconds, due_at, warn_at)
            SELECT t.id, 'resolution', %s, now() - interval '1 day', 0,
                   CASE WHEN t.id %% %s = 0 THEN now() - interval '1 minute' ELSE now() + interval '7 days' END,
                   CASE WHEN t.id %% %s = 0 THEN now() - interval '2 hours' ELSE now() + interval '6 days' END
            FROM tickets_ticket t
            WHERE NOT EXISTS (SELECT 1 FROM tickets_slatimer s WHERE s.ticket_id = t.id AND s.target_minutes = %s)""",
                       [MARK, every, every, MARK])
        inserted = cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tickets_slatimer") if not connection.in_atomic_block else None
    if inserted:
        print(f"  added {inserted:,} SLA timers in {time.monotonic() - started:.1f} s", flush=True)


def _rearm():
    """Due timers back to running and unbreached; the alerts of the previous round removed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""UPDATE tickets_slatimer SET breached_at = NULL, warned_at = now()
                          WHERE target_minutes = %s AND due_at <= now() AND fulfilled_at IS NULL""", [MARK])
        due = cursor.rowcount
        cursor.execute("DELETE FROM support_notification WHERE kind IN ('sla_breach', 'sla_warning')")
        cursor.execute("DELETE FROM support_outboundemail WHERE topic LIKE 'sla:%%'")
    return due


def run(results, *, tickets, rounds=3):
    from tickets.sla import sla_scan

    agents = _agents()
    total = load_tickets(tickets, assignees=agents)
    _timers(total, agents)
    times, due = [], 0
    for _ in range(rounds):
        due = _rearm()
        started = time.perf_counter()
        warnings, breaches = sla_scan()
        times.append(time.perf_counter() - started)
        assert breaches == due, (breaches, due)
    _rearm()
    median = statistics.median(times)
    results.add("sla", f"one beat scan, {total:,} tickets, {due:,} due", round(median * 1000, 1), "ms",
                target="< 1000 ms", ok=median < 1.0, breaches_marked=due,
                per_breach_ms=round(median * 1000 / due, 3) if due else None,
                runs_ms=[round(t * 1000, 1) for t in times])
