"""The database and how each process holds its connections.

Every process borrows connections from a bounded pool of its own (psycopg's pool, Django's "pool" option): at most
DATABASE_POOL_MAX_SIZE connections, whatever the number of threads. Under ASGI each request's synchronous work runs
on a thread of its own, so persistent per-thread connections (CONN_MAX_AGE) grew with every thread and leaked
(57 connections held by one idle uvicorn process); a pooled connection goes back to the pool at the end of each
request, each websocket frame's database call and each Celery task. A request that finds every connection busy
waits up to DATABASE_POOL_TIMEOUT seconds, and beyond DATABASE_POOL_MAX_WAITING waiting requests it is refused at
once: both answer 503 with Retry-After (support.views.server_error), never 500. docs/capacity.md budgets them.
DATABASE_POOL=0 turns pooling off (then DATABASE_CONN_MAX_AGE applies, for a synchronous server whose threads
are fixed, or behind PgBouncer in transaction mode, see docs/capacity.md).
"""
import dj_database_url

from .env import env_bool, env_float, env_int, env_str

__all__ = ["DATABASES", "DATABASE_POOL", "DATABASE_PREPARE_THRESHOLD"]

DATABASE_POOL = env_bool("DATABASE_POOL", True)

_default = dj_database_url.parse(
    env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/support"),
    conn_max_age=0 if DATABASE_POOL else env_int("DATABASE_CONN_MAX_AGE", 60),
    # With the pool, its check before each borrow (support/postgres/base.py) replaces Django's health check.
    conn_health_checks=not DATABASE_POOL,
)
_default["ENGINE"] = "support.postgres"  # Django's backend, with a cheaper check of pooled connections
_default.setdefault("OPTIONS", {})
# Seen in pg_stat_activity: which kind of process holds a connection (web, worker, ...).
_default["OPTIONS"]["application_name"] = env_str("DATABASE_APPLICATION_NAME", "support")
# Statements Django runs again and again (a list's page, the token lookup) are prepared on each connection after
# DATABASE_PREPARE_THRESHOLD runs, so Postgres stops planning them every time (planning the inbox's page took 4 ms
# of a 0.6 ms statement). That needs server-side parameter binding. 0 turns both off (e.g. behind a PgBouncer older
# than 1.21, which cannot keep prepared statements apart across clients: docs/capacity.md).
DATABASE_PREPARE_THRESHOLD = env_int("DATABASE_PREPARE_THRESHOLD", 5)
# Behind PgBouncer in transaction mode, Django's server-side cursors (.iterator()) break: docs/capacity.md.
_default["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_DISABLE_SERVER_SIDE_CURSORS", False)
if DATABASE_PREPARE_THRESHOLD > 0:
    _default["OPTIONS"]["server_side_binding"] = True
    _default["OPTIONS"]["prepare_threshold"] = DATABASE_PREPARE_THRESHOLD
if DATABASE_POOL:
    _default["OPTIONS"]["pool"] = {
        "min_size": env_int("DATABASE_POOL_MIN_SIZE", 1),
        # An ASGI process: ASYNC_DB_THREADS (8) for the sockets, REPORTS_PARALLEL (3) for a report, 1 for the rest.
        "max_size": env_int("DATABASE_POOL_MAX_SIZE", 12),
        "timeout": env_float("DATABASE_POOL_TIMEOUT", 5.0),
        "max_waiting": env_int("DATABASE_POOL_MAX_WAITING", 200),
        "max_idle": env_float("DATABASE_POOL_MAX_IDLE", 300.0),
        # How long one attempt to grow the pool retries a database that refuses connections before the next
        # request starts a fresh attempt: short, so a process is serving again seconds after the database is back.
        "reconnect_timeout": 4.0,
    }

DATABASES = {"default": _default}
