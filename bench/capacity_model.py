"""The capacity model of docs/capacity.md: the unit costs the capacity suite measured (bench/capacity.py), times an
exchange's load, give the processes, cores, connections and bandwidth each part needs. Only arithmetic: every input
is a measured row of the results file or an assumption named below.

    python -m bench.capacity_model [bench/results/latest.json]   prints the table, writes capacity.svg beside it
"""
import json
import math
import sys
from pathlib import Path

from . import harness

# The load (issue #27) and what it is assumed to mean.
CHATS = 50_000  # concurrent chats: one customer socket each
AGENTS = 1_000  # one agent socket each
TICKETS_PER_S = 200  # new tickets a second
MESSAGE_EVERY_S = 5  # each side of a chat sends one message every 5 s (a busy conversation; the design peak)
REPLIES_PER_TICKET = 3  # over its life: 2 agent replies and 1 customer reply, each costed as an agent's reply
AGENT_REQUEST_EVERY_S = 10  # each agent loads a ticket list or page every 10 s
UTILISATION = 0.6  # plan each core to 60 % busy: queues stay short (latency targets met at about that load)
REDIS_UTILISATION = 0.5  # one Redis main thread, planned to half a core

# Measured elsewhere, with their source (docs/performance.md, "Latest figures", gunicorn 2 workers x 4 threads on
# one server core, 2026-11-24): requests a second one core serves.
GUNICORN_PER_CORE = {"create": 49, "list": 58}
QUERIES_PER_LIST = 5  # tickets_api "queries per list request"
ASGI_POOL, GUNICORN_THREADS, REPORTS_PARALLEL, CELERY_POOL = 12, 4, 3, 2  # DATABASE_POOL_MAX_SIZE per process
MAX_CONNECTIONS = 100  # Postgres' default max_connections (also this machine's)


def measured(rows, prefix, key="value"):
    for row in rows:
        if row["benchmark"] == "capacity" and row["measure"].startswith(prefix):
            return row[key]
    raise KeyError(f"no capacity result starting {prefix!r}: run `python -m bench --only capacity`")


def needs(rows):
    """Each part's demand at the load above, from the measured unit costs: a list of dicts for the table and the
    chart (cores where a part is CPU-bound)."""
    m = lambda prefix, key="value": measured(rows, prefix, key)  # noqa: E731
    msgs = CHATS * 2 / MESSAGE_EVERY_S
    sockets = CHATS + AGENTS
    replies, lists = TICKETS_PER_S * REPLIES_PER_TICKET, AGENTS / AGENT_REQUEST_EVERY_S
    create, reply = "ticket create (API, in process)", "agent's first reply (API, in process)"

    # Websockets: CPU for messages and idle sockets, then memory.
    asgi_cpu = msgs * m("ASGI process CPU per chat message") / 1000 + sockets * m("CPU per idle socket") / 1e6
    asgi = math.ceil(asgi_cpu / UTILISATION)
    base_mb = m("memory per idle customer socket", "rss_mb_without")
    per_process_mb = base_mb + sockets / asgi * m("memory per idle customer socket") / 1024
    reconnect_s = sockets * m("CPU to open a customer socket") / 1000 / asgi

    # HTTP: cores from gunicorn's measured rate per core; a reply costs what a create does, scaled by their CPU.
    reply_per_core = GUNICORN_PER_CORE["create"] * m(f"{create}: ms CPU") / m(f"{reply}: ms CPU")
    http_cores = (TICKETS_PER_S / GUNICORN_PER_CORE["create"] + replies / reply_per_core
                  + lists / GUNICORN_PER_CORE["list"]) / UTILISATION
    gunicorn = 2 * math.ceil(http_cores)  # workers: 2 per core, 4 threads each, as measured

    # Celery: one email per ticket action (measured), each a task; a process sends one at a time.
    emails = TICKETS_PER_S * m(f"{create}: outbox emails") + replies * m(f"{reply}: outbox emails")
    celery_processes = math.ceil(emails * m("outbox email delivered by its task (in process, local SMTP sink): time")
                                 / 1000 / UTILISATION)
    celery_cpu = emails * m("outbox email delivered by its task (in process, local SMTP sink): CPU") / 1000
    email_statements = m("outbox email delivered by its task (in process, local SMTP sink): CPU", "statements")

    # Postgres.
    statements = (msgs * m("Postgres statements per chat message") + TICKETS_PER_S * m(f"{create}: statements")
                  + replies * m(f"{reply}: statements") + lists * QUERIES_PER_LIST + emails * email_statements)
    pg_cpu = (msgs * m("Postgres backend CPU per chat message") + TICKETS_PER_S * m(f"{create}: ms Postgres CPU")
              + replies * m(f"{reply}: ms Postgres CPU")) / 1000
    # WAL: the closed loop's figure carries the full-page images written after each checkpoint; the batch in
    # process may have none. The larger of the two.
    wal_message = max(v for v in (m("WAL per chat message (measured"), m("WAL per chat message (in process)")) if v)
    wal = (msgs * wal_message + TICKETS_PER_S * m(f"{create}: bytes WAL")
           + replies * m(f"{reply}: bytes WAL")) / 1e6
    celery_connections = celery_processes * CELERY_POOL
    connections = asgi * ASGI_POOL + gunicorn * (GUNICORN_THREADS + REPORTS_PARALLEL) + celery_connections

    # The channel layer's Redis.
    redis_cpu = msgs * m("channel layer: Redis CPU per chat message") / 1e6
    return [
        {"part": "ASGI (uvicorn) processes", "cores": asgi_cpu / UTILISATION, "count": asgi,
         "detail": f"{msgs:,.0f} msg/s x {m('ASGI process CPU per chat message')} ms + {sockets:,} idle sockets; "
                   f"{sockets / asgi:,.0f} sockets and about {per_process_mb:,.0f} MB each; everyone reconnecting "
                   f"costs {reconnect_s:,.0f} s of each process's CPU"},
        {"part": "gunicorn workers (HTTP)", "cores": http_cores, "count": gunicorn,
         "detail": f"{TICKETS_PER_S} creates/s, {replies} replies/s, {lists:,.0f} agent lists/s at gunicorn's measured "
                   f"{GUNICORN_PER_CORE['create']} creates/s per core"},
        {"part": "Celery worker processes (email)", "cores": celery_cpu / UTILISATION, "count": celery_processes,
         "detail": f"{emails:,.0f} emails/s, one task each, {m('outbox email delivered by its task (in process, local SMTP sink): time')} ms each (SMTP on loopback)"},
        {"part": "Postgres backends (primary)", "cores": pg_cpu / UTILISATION, "count": None, "one_machine": True,
         "detail": f"{statements:,.0f} statements/s, {wal:,.1f} MB/s of WAL, {connections:,} pooled connections "
                   f"at most (max_connections {MAX_CONNECTIONS})"},
        {"part": "Redis, channel layer", "cores": redis_cpu / REDIS_UTILISATION,
         "count": math.ceil(redis_cpu / REDIS_UTILISATION),
         "detail": f"{msgs * m('channel layer: Redis commands per chat message'):,.0f} commands/s, "
                   f"{msgs * m('channel layer: Redis bytes per chat message') * 8 / 1e6:,.0f} Mbit/s; shards "
                   f"planned at {REDIS_UTILISATION:.0%} of a core each"},
    ]


def table(parts):
    lines = ["| part | cores (at the planned load) | processes / shards | how |", "| --- | --- | --- | --- |"]
    lines += [f"| {p['part']} | {p['cores']:,.1f} | {p['count'] if p['count'] is not None else '-'} | "
              f"{p['detail']} |" for p in parts]
    return "\n".join(lines)


def svg(parts):
    """A bar per part: the cores it needs at the load, with its process or shard count."""
    from xml.sax.saxutils import escape

    label_w, plot_w, row_h, top = 250, 420, 30, 46
    height = top + row_h * len(parts) + 30
    scale = plot_w / max(p["cores"] for p in parts)
    title = (f"Cores needed: {CHATS:,} chats (1 message / {MESSAGE_EVERY_S} s per side), {AGENTS:,} agents, "
             f"{TICKETS_PER_S} tickets/s")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 200}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<text x="8" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
           f'<text x="8" y="34" fill="#555">derived from unit costs measured on {harness.CORES} cores; cores planned '
           f'at {UTILISATION:.0%} busy (Redis {REDIS_UTILISATION:.0%}); orange: one machine, scales up only</text>']
    for i, part in enumerate(parts):
        y = top + i * row_h
        width = max(part["cores"] * scale, 1)
        colour = "#e65100" if part.get("one_machine") else "#1565c0"
        count = f", {part['count']:,} {'shards' if 'Redis' in part['part'] else 'processes'}" if part["count"] else ""
        out += [f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(part["part"])}</text>',
                f'<rect x="{label_w}" y="{y + 5}" width="{width:.1f}" height="{row_h - 10}" fill="{colour}"/>',
                f'<text x="{label_w + width + 6:.1f}" y="{y + 17}">{part["cores"]:,.1f} cores{escape(count)}</text>']
    out.append("</svg>")
    return "\n".join(out)


def write_chart(rows, path=None):
    path = Path(path or harness.RESULTS / "capacity.svg")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(svg(needs(rows)))
    return path


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    source = Path(argv[0]) if argv else harness.RESULTS / "latest.json"
    rows = json.loads(source.read_text())["results"]
    print(table(needs(rows)))
    print(f"\nchart: {write_chart(rows, source.with_name('capacity.svg'))}")


if __name__ == "__main__":
    main()
