"""Tickets API at scale: list (agent inbox, customer's own) and create, with N tickets in the database; req/s at
saturation (closed loop) as a ratio of the trivial view on the same server, p99 at light load, and the query count
per request."""
import random
import time
from contextlib import contextmanager

from . import harness
from .baselines import http_load, measured, split

CUSTOMERS = 1000
BULK_LOAD_FROM = 50_000  # rows added at once from which a table's indexes are built after the load (bulk_loading)


def load_tickets(total, *, assignees=None, bulk_from=BULK_LOAD_FROM):
    """Top the bench database up to `total` tickets in one INSERT ... SELECT (with requesters, languages, statuses
    and times spread like a real desk's); their messages are not needed by the list and are left out. With
    `assignees` (user ids), ticket `id` goes to assignees[(id / 100) % len(assignees)]. A load of `bulk_from` tickets
    or more that more than doubles the table goes in without its secondary indexes and foreign keys, which are put
    back after it (a million tickets: 16 indexes built once each instead of 16 index inserts and two key checks per
    row)."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    from support.models import User
    from tickets.models import Ticket

    domain = "bench-customers.example.com"
    existing = User.objects.filter(email__endswith=domain).count()
    unusable = make_password(None)
    User.objects.bulk_create([User(email=f"c{n}@{domain}", name=f"Customer {n}", password=unusable)
                              for n in range(existing, CUSTOMERS)], batch_size=1000)
    have = Ticket.objects.count()
    if have >= total:
        return have
    started = time.monotonic()
    table = Ticket._meta.db_table
    large = total - have >= max(have + 1, bulk_from)
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(id) FROM support_user WHERE email LIKE %s", [f"%@{domain}"])
        requesters = cursor.fetchone()[0]
    with bulk_loading(table, large), connection.cursor() as cursor:
        # (%% is the modulo operator here: the statement has parameters. Ids are drawn in the subquery, in the
        # order the table's default would draw them, so that the assignee can follow the id.)
        cursor.execute("""
            INSERT INTO tickets_ticket (id, number, subject, language, priority, status, channel, identity, tags,
                                        custom_fields, awaiting_agent, created_at, updated_at, requester_id,
                                        assignee_id)
            SELECT id, nextval('ticket_number_seq'), 'Withdrawal pending ' || g,
                   (ARRAY['en','zh-hans','es','ru','ja','ko'])[1 + g %% 6],
                   (ARRAY['low','normal','normal','high'])[1 + g %% 4],
                   (ARRAY['new','open','open','pending','solved','closed','closed','closed'])[1 + g %% 8],
                   (ARRAY['web','email','chat','api'])[1 + g %% 4],
                   (ARRAY['account','address','address','account'])[1 + g %% 4], '{}', '{}'::jsonb, g %% 3 = 0,
                   now() - (g %% 180) * interval '1 day' - (g %% 86400) * interval '1 second',
                   now() - (g %% 180) * interval '1 day' + (g %% 3600) * interval '1 second',
                   (%(requesters)s::bigint[])[1 + g %% array_length(%(requesters)s::bigint[], 1)],
                   (%(assignees)s::bigint[])[1 + (id / 100) %% array_length(%(assignees)s::bigint[], 1)]
            FROM (SELECT nextval(pg_get_serial_sequence('tickets_ticket', 'id')) AS id, g
                  FROM generate_series(1, %(count)s) AS g) AS numbered""",
                       {"requesters": requesters, "assignees": list(assignees or []) or None, "count": total - have})
        if large:
            print(f"  inserted {total - have:,} tickets in {time.monotonic() - started:.1f} s; indexing ...",
                  flush=True)
    # What autovacuum does soon after a bulk insert on a live database (visibility map, statistics): without it the
    # inbox's COUNT cannot use an index-only scan (12 ms -> 3 ms at 100k tickets).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket" if connection.in_atomic_block else "VACUUM ANALYZE tickets_ticket")
    print(f"  loaded {total - have:,} tickets in {time.monotonic() - started:.1f} s", flush=True)
    return total


@contextmanager
def bulk_loading(table, large=True):
    """For a large load into `table`: its foreign keys and secondary indexes away during the block, put back after
    it (with a progress bar); nothing for a small one."""
    from support import bulk

    if not large:
        yield
        return
    with bulk.without_foreign_keys(table), bulk.without_indexes(table, progress=harness.progress):
        yield
    print("", flush=True)


def _tokens():
    from rest_framework.authtoken.models import Token

    from support import services
    from support.models import User

    agent = User.objects.filter(email="bench.agent@example.com").first() or services.agent_create(
        email="bench.agent@example.com", password=None, languages=["en"])
    from tickets.models import Ticket

    # A customer with tickets of their own to list: the requester of the newest ticket.
    customer = User.objects.get(pk=Ticket.objects.order_by("-id").values_list("requester", flat=True)[0])
    return (Token.objects.get_or_create(user=agent)[0].key, Token.objects.get_or_create(user=customer)[0].key)


def _queries_per_list(token):
    """Queries one list request makes, counted in this process through the same stack."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/tickets/?status=open")
    assert response.status_code == 200, response.status_code
    return len(queries)


def new_ticket(n, i):
    return {"subject": f"Bench ticket {n}-{i}-{random.random():.6f}", "body": "My withdrawal is pending.",
            "language": "en"}


def run(results, *, rates, tickets, seconds, connections, processes=2, rounds=1, servers=("wsgi",)):
    """The same requests on each kind of HTTP server given (WSGI: gunicorn, as deployed; ASGI: uvicorn, for the
    comparison that decided the deployment, `--size tickets_api_asgi=1`), each compared with the trivial view on that
    same kind of server."""
    total = load_tickets(tickets)
    agent_token, customer_token = _tokens()
    for kind in servers:
        _run_on(results, kind, rates.get("trivial_view_wsgi" if kind == "wsgi" else "trivial_view"), total,
                agent_token, customer_token, seconds, split(connections, processes), rounds)
    results.add("tickets_api", "queries per list request", _queries_per_list(agent_token), "queries",
                note="the same at any number of tickets (tests/tickets assert it)")


def _run_on(results, kind, trivial, total, agent_token, customer_token, seconds, per_process, rounds):
    with harness.http_server(kind) as (base, proc):
        for name, token, path in (("agent inbox list", agent_token, "/api/v1/tickets/?status=open"),
                                  ("customer own list", customer_token, "/api/v1/tickets/")):
            headers = {"Authorization": f"Token {token}"}
            saturated = measured(http_load, [(base + path, n, seconds, "GET", headers) for n in per_process], rounds)
            light = measured(http_load, [(base + path, 1, seconds, "GET", headers)])  # one client: one run
            ratio = round(saturated["rate"] / trivial, 2) if trivial else None
            results.add("tickets_api", f"{name} ({kind}): throughput", saturated["rate"], "req/s", tickets=total,
                        ratio_to_trivial_view=ratio, target=">= 0.5 x trivial view",
                        ok=ratio >= 0.5 if ratio is not None else None, errors=saturated["errors"],
                        p99_ms=saturated["p99_ms"], runs=saturated["runs"], server=kind)
            answered = light["count"] > 0  # no answer at all is a failure, not a fast p99
            results.add("tickets_api", f"{name} ({kind}): p99 at light load", light["p99_ms"] if answered else None,
                        "ms", p50_ms=light["p50_ms"], target="< 50 ms", ok=answered and light["p99_ms"] < 50,
                        tickets=total, errors=light["errors"], server=kind)
        headers = {"Authorization": f"Token {customer_token}"}
        created = measured(http_load, [(base + "/api/v1/tickets/", n, seconds, "POST", headers, new_ticket)
                                       for n in per_process], rounds)
        ratio = round(created["rate"] / trivial, 2) if trivial else None
        results.add("tickets_api", f"create ({kind}): throughput", created["rate"], "req/s", p99_ms=created["p99_ms"],
                    ratio_to_trivial_view=ratio, target=">= 0.33 x trivial view",
                    ok=ratio >= 0.33 if ratio is not None else None, errors=created["errors"], server=kind,
                    server_rss_mb=harness.tree_rss_mb(proc.pid))
