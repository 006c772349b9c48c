"""Unit costs for the capacity model (docs/capacity.md), on the real stack: uvicorn running bench.asgi with production
settings, Postgres, and Redis servers of the benchmark's own (`redis-server`, started and stopped here), so that
their counters hold this run's traffic alone: one for the channel layer, one for the cache and broker.

- Chat: N customer/agent pairs in a closed loop; the ASGI process's CPU (/proc utime + stime), the Postgres
  backends' CPU and the layer's Redis (INFO commandstats, stats, cpu) are read when every socket is open and before
  any closes, so the window holds the messages and nothing else; divided by the messages delivered.
- The same message through the services in this process: statements (counted with CaptureQueriesContext, since
  pg_stat_statements is rarely preloaded and is not here) and the bench database's WAL bytes over a batch
  (bench/counters.py: the records pg_waldump lists between two positions); medians of three batches.
- Ticket actions through the API in this process (a customer's new ticket, an agent's first reply): statements,
  CPU, WAL, outbox emails and Celery tasks each; then outbox emails delivered by their task to a local SMTP sink.
- Idle sockets: RSS and CPU of the ASGI process with 0 and with N authenticated customer sockets.
- The layer sharded: the closed loop on two ASGI processes with the layer on one Redis, then on two
  (CHANNELS_REDIS_URL with two URLs; channels_redis hashes each channel and group name to one of them).
"""
import asyncio
import json
import statistics
import subprocess
import time

from . import chat, harness
from .counters import Postgres, Redis, cpu_seconds, redis_servers, rss_kb, sampled

APP_NAME = "bench-capacity-asgi"  # the ASGI server's connections, as pg_stat_activity shows them


# -- the load client (runs in the load processes) --------------------------------------------------------------

def sockets_load(bases, pairs, open_at, start_at, seconds, close_at, ramp):
    return asyncio.run(_sockets_load(bases, pairs, open_at, start_at, seconds, close_at, ramp))


async def _sockets_load(bases, pairs, open_at, start_at, seconds, close_at, ramp):
    """`pairs`: (position, customer token, agent cookie or None, chat id). With a cookie, a customer and an agent
    socket (on different servers when there are two) take turns from start_at for `seconds`, each sending when the
    other's message arrived; without one, an idle customer socket. Sockets open at `ramp` a second (over all load
    processes) from open_at, and all stay open until close_at."""
    import websockets

    totals = {"sent": 0, "received": 0, "errors": 0, "opened_at": 0.0, "first_errors": []}

    async def connect(base, path, headers=None):
        ws = await websockets.connect(base.replace("http://", "ws://") + path, origin=base, max_queue=None,
                                      additional_headers=headers or {}, open_timeout=30)
        totals["opened_at"] = max(totals["opened_at"], time.time())
        return ws

    async def arrival(ws, mid):
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "message" and frame.get("client_msg_id") == mid:
                return

    async def one(position, token, cookie, chat_id):
        await asyncio.sleep(max(0.0, open_at + position / ramp - time.time()))
        sockets = [await connect(bases[position % len(bases)], f"/ws/chat/{chat_id}/?token={token}")]
        try:
            if cookie:
                sockets.append(await connect(bases[(position + 1) % len(bases)], "/ws/agent/", {"Cookie": cookie}))
                customer, agent = sockets
                await asyncio.sleep(max(0.0, start_at - time.time()))
                n = 0
                while time.time() < start_at + seconds:
                    for ws, other, extra in ((customer, agent, {}), (agent, customer, {"conversation": chat_id})):
                        mid = f"cap:{position}:{n}"
                        n += 1
                        await ws.send(json.dumps({"type": "message", "body": f"message {n}", "client_msg_id": mid,
                                                  **extra}))
                        totals["sent"] += 1
                        try:
                            await asyncio.wait_for(arrival(other, mid), timeout=10)
                            totals["received"] += 1
                        except asyncio.TimeoutError:
                            totals["errors"] += 1
            await asyncio.sleep(max(0.0, close_at - time.time()))
        finally:
            for ws in sockets:
                await ws.close()

    outcomes = await asyncio.gather(*(one(*pair) for pair in pairs), return_exceptions=True)
    failures = [repr(outcome) for outcome in outcomes if isinstance(outcome, Exception)]
    totals["errors"] += len(failures)
    totals["first_errors"] = failures[:3]
    return totals


def exchange(urls, pairs, seconds, sample, idle=False, processes=2, ramp=chat.RAMP_PER_SECOND):
    """Drive `pairs` (from chat.setup) against the servers, with sample() read once every socket is open and again
    before any closes; returns (totals, [before, after], window seconds)."""
    rows = [(i, token, None if idle else cookie, chat_id) for i, (token, cookie, chat_id) in enumerate(pairs)]
    shares = [rows[p::processes] for p in range(processes) if rows[p::processes]]
    open_at = time.time() + 2.5  # the load processes start (spawn) meanwhile: about a second
    start_at = open_at + len(rows) / ramp + 3  # the server finishes each socket's set-up (its groups) meanwhile
    close_at = start_at + seconds + 1.5
    args = [(urls, share, open_at, start_at, seconds, close_at, ramp) for share in shares]
    parts, samples = sampled([start_at - 0.3, close_at - 0.3], sample, lambda: harness.run_clients(sockets_load,
                                                                                                   args))
    totals = {key: sum(part[key] for part in parts) for key in ("sent", "received", "errors")}
    totals["first_errors"] = [e for part in parts for e in part["first_errors"]][:3]
    totals["late_sockets"] = sum(1 for part in parts if part["opened_at"] > start_at - 0.3)  # opened in the window
    return totals, samples, close_at - start_at


# -- the measurements ------------------------------------------------------------------------------------------

def chat_costs(results, pairs, seconds):
    """CPU, Redis and Postgres per chat message on one ASGI process; Postgres connections it holds."""
    triples = chat.setup(pairs)
    with redis_servers(2) as (layer_url, other_url), harness.asgi_servers(
            1, CHANNELS_REDIS_URL=layer_url, REDIS_URL=other_url, CELERY_BROKER_URL=other_url,
            DATABASE_APPLICATION_NAME=APP_NAME) as (urls, procs):
        layer, other, postgres = Redis(layer_url), Redis(other_url), Postgres()
        totals, (before, after), window = exchange(urls, triples, seconds, lambda: {
            "asgi": cpu_seconds(procs[0].pid), "layer": layer.read(), "other": other.read(), "pg": postgres.read()})
        held = postgres.connections(APP_NAME)
        pg = postgres.delta(before["pg"], after["pg"])  # at once: WAL segments get recycled
    n = max(totals["received"], 1)
    asgi_ms = (after["asgi"] - before["asgi"]) * 1000 / n
    on_layer, on_other = layer.delta(before["layer"], after["layer"]), other.delta(before["other"], after["other"])
    common = {"pairs": pairs, "messages": totals["received"], "rate_msg_s": round(totals["received"] / seconds, 1),
              "errors": totals["errors"], "late_sockets": totals["late_sockets"], "window_s": round(window, 1),
              "first_errors": totals["first_errors"]}
    results.add("capacity", "ASGI process CPU per chat message (measured, closed loop)", round(asgi_ms, 3),
                "ms CPU/msg", core_share=round((after["asgi"] - before["asgi"]) / window, 2), **common)
    results.add("capacity", "channel layer: Redis commands per chat message",
                round(sum(on_layer["calls"].values()) / n, 2), "commands/msg",
                by_command={k: round(v / n, 2) for k, v in on_layer["calls"].items()}, **common)
    results.add("capacity", "channel layer: Redis bytes per chat message", round((on_layer["in"] + on_layer["out"]) / n),
                "bytes/msg", bytes_in=round(on_layer["in"] / n), bytes_out=round(on_layer["out"] / n), **common)
    results.add("capacity", "channel layer: Redis CPU per chat message", round(on_layer["cpu"] * 1e6 / n, 1),
                "us CPU/msg", core_share=round(on_layer["cpu"] / window, 3), **common)
    results.add("capacity", "cache and broker Redis: commands per chat message",
                round(sum(on_other["calls"].values()) / n, 3), "commands/msg",
                by_command={k: round(v / n, 3) for k, v in on_other["calls"].items()}, **common)
    results.add("capacity", "Postgres backend CPU per chat message (measured, closed loop)",
                round(pg["cpu"] * 1000 / n, 3), "ms CPU/msg", core_share=round(pg["cpu"] / window, 2), **common)
    results.add("capacity", "WAL per chat message (measured, closed loop)", None if pg["wal"] is None else
                round(pg["wal"] / n), "bytes/msg",
                wal_scope=postgres.wal_scope, **common)
    results.add("capacity", f"Postgres connections held by one ASGI process after {pairs} pairs", held,
                "connections", pool_max=12)


def per_action(action, count, batches=3):
    """Statements per call (one batch under CaptureQueriesContext, which costs CPU itself), then CPU (this
    thread's), Postgres backend CPU and WAL bytes per call over `batches` more batches (medians)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    postgres = Postgres()
    calls = iter(range(10 ** 9))
    action(next(calls))  # warm: the first call imports and compiles what later ones reuse
    with CaptureQueriesContext(connection) as queries:
        for _ in range(count):
            action(next(calls))
    statements = len(queries)  # (the next request empties the log)
    cpu, wal, backend = [], [], []
    for _ in range(batches):
        before, started = postgres.read(), time.thread_time()
        for _ in range(count):
            action(next(calls))
        cpu.append((time.thread_time() - started) * 1000 / count)
        moved = postgres.delta(before, postgres.read())
        if moved["wal"] is not None:
            wal.append(moved["wal"] / count)
        backend.append(moved["cpu"] * 1000 / count)
    return {"statements": round(statements / count, 2), "cpu_ms": round(statistics.median(cpu), 2),
            "wal_bytes": round(statistics.median(wal)) if wal else None, "wal_runs": [round(w) for w in wal],
            "pg_cpu_ms": round(statistics.median(backend), 2), "calls": count * (batches + 1) + 1,
            "wal_scope": postgres.wal_scope}


def message_costs(results, actions):
    """A chat message through the services the consumers call, in this process."""
    from livechat import services
    from livechat.models import Conversation

    chats = list(Conversation.objects.select_related("agent").filter(
        pk__in=[chat_id for *_rest, chat_id in chat.setup(5)]))

    def post(i):
        one = chats[i % len(chats)]
        if i % 2:
            services.agent_message_post(conversation_id=one.id, agent=one.agent, body=f"Reply {i}",
                                        client_msg_id=f"cap-a{i}-{time.time()}", announce=False)
        else:
            services.customer_message_post(conversation_id=one.id, body=f"Question {i}",
                                           client_msg_id=f"cap-c{i}-{time.time()}", announce=False)

    cost = per_action(post, actions)
    for key, unit, label in (("statements", "statements/msg", "Postgres statements per chat message"),
                             ("wal_bytes", "bytes/msg", "WAL per chat message"),
                             ("cpu_ms", "ms CPU/msg", "service CPU per chat message (Django, no socket)")):
        results.add("capacity", f"{label} (in process)", cost[key], unit, **cost)


def ticket_costs(results, actions):
    """A customer's new ticket and an agent's first reply through the API (Django's test client, this process, the
    production middleware and settings); then the outbox emails they queued, delivered by their task."""
    from celery.signals import before_task_publish
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from support import services
    from support.models import OutboundEmail, User

    agent = User.objects.filter(email="capacity.agent@example.com").first() or services.agent_create(
        email="capacity.agent@example.com", password=None, languages=["en"])
    customer = User.objects.get_or_create(email="capacity.customer@example.com", defaults={"name": "Customer"})[0]
    as_customer, as_agent = (Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}",
                                    HTTP_HOST="127.0.0.1") for user in (customer, agent))
    refs, published = [], []

    def create(i):
        response = as_customer.post("/api/v1/tickets/", {"subject": f"Withdrawal pending {i}", "language": "en",
                                                         "body": "My withdrawal is pending."},
                                    content_type="application/json")
        assert response.status_code == 201, response.content[:300]
        refs.append(response.json()["ref"])

    def reply(i):
        response = as_agent.post(f"/api/v1/tickets/{refs[i]}/messages/", {"body": "We are looking into it."},
                                 content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    def counted(name, action):
        published.clear()
        emails = OutboundEmail.objects.count()
        cost = per_action(action, actions)
        cost.update(emails=round((OutboundEmail.objects.count() - emails) / cost["calls"], 2),
                    tasks=round(len(published) / cost["calls"], 2), task_names=sorted(set(published)))
        for key, unit in (("cpu_ms", "ms CPU"), ("statements", "statements"), ("wal_bytes", "bytes WAL"),
                          ("pg_cpu_ms", "ms Postgres CPU"), ("emails", "outbox emails"), ("tasks", "Celery tasks")):
            results.add("capacity", f"{name} (API, in process): {unit}", cost[key], f"{unit}/action",
                        **{k: v for k, v in cost.items() if k not in ("emails", "tasks")})

    def publishing(sender=None, **_kwargs):
        published.append(sender)

    before_task_publish.connect(publishing, weak=False)
    try:
        counted("ticket create", create)
        counted("agent's first reply", reply)
    finally:
        before_task_publish.disconnect(publishing)
    email_costs(results, list(OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).order_by(
        "-created_at").values_list("pk", flat=True)[:actions]))
    from support.celery import app

    app.control.purge()  # the tasks published above: nobody consumes the bench's broker


def email_costs(results, ids):
    """One outbox email delivered by its Celery task (run in this process) to a local SMTP sink."""
    import sys

    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from support.tasks import outbound_email_send

    port = harness.free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c",
                             "aiosmtpd.handlers.Sink"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        harness.wait_for_port(port, sink)
        with override_settings(EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_USE_TLS=False, EMAIL_USE_SSL=False,
                               EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD=""):
            with CaptureQueriesContext(connection) as queries:  # the first one counted, the others timed
                sent = outbound_email_send.apply(args=(str(ids[0]),)).get() == "sent"
            statements, ids = len(queries), ids[1:]
            cpu, wall = time.thread_time(), time.monotonic()
            for pk in ids:
                sent += outbound_email_send.apply(args=(str(pk),)).get() == "sent"
            cpu, wall = time.thread_time() - cpu, time.monotonic() - wall
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    n = max(len(ids), 1)
    common = {"emails": len(ids) + 1, "sent": sent, "statements": statements}
    results.add("capacity", "outbox email delivered by its task (in process, local SMTP sink): CPU",
                round(cpu * 1000 / n, 2), "ms CPU/email", **common)
    results.add("capacity", "outbox email delivered by its task (in process, local SMTP sink): time",
                round(wall * 1000 / n, 2), "ms/email", **common,
                note="a worker process sends one at a time: its emails/s is 1000 / this")


def idle_costs(results, sockets, seconds):
    """RSS and CPU of one ASGI process with 0 and with `sockets` idle customer sockets."""
    triples = chat.setup(sockets)
    with harness.asgi_servers(1) as (urls, procs):
        pid = procs[0].pid
        exchange(urls, triples[:4], 0, lambda: None, idle=True)  # warm: the first sockets load code
        time.sleep(1)
        rss0, cpu0 = rss_kb(pid), cpu_seconds(pid)
        time.sleep(seconds)
        idle0 = cpu_seconds(pid) - cpu0
        ramp_from, ramp_at = cpu_seconds(pid), time.time()
        totals, (before, after), window = exchange(urls, triples, seconds, lambda: (rss_kb(pid), cpu_seconds(pid),
                                                                                    time.time()), idle=True)
    # What opening them cost: the CPU from just before the ramp to the first reading, less the idle process's own.
    ramp_cpu = before[1] - ramp_from - idle0 / seconds * (before[2] - ramp_at)
    common = {"sockets": sockets, "errors": totals["errors"], "late_sockets": totals["late_sockets"],
              "first_errors": totals["first_errors"], "rss_mb_without": round(rss0 / 1024, 1),
              "rss_mb_with": round(before[0] / 1024, 1)}
    results.add("capacity", "memory per idle customer socket", round((before[0] - rss0) / sockets, 1), "KB/socket",
                **common)
    results.add("capacity", "CPU to open a customer socket (token, chat state)", round(ramp_cpu * 1000 / sockets, 2),
                "ms CPU/socket", **common)
    per_second = ((after[1] - before[1]) / window - idle0 / seconds) / sockets
    results.add("capacity", "CPU per idle socket", round(per_second * 1e6, 2), "us CPU/s per socket",
                process_idle_us_s=round(idle0 / seconds * 1e6), **common)


def sharded(results, pairs, seconds, rounds):
    """Closed-loop chat throughput, two ASGI processes, with the channel layer on one Redis and on two."""
    runs = {1: [], 2: []}
    with redis_servers(2) as layer_urls:
        layers = [Redis(url) for url in layer_urls]
        for _ in range(rounds):
            for shards in (1, 2):
                triples = chat.setup(pairs)  # fresh chats: a run's closing sockets leave them otherwise
                whole = [r.read() for r in layers]  # the run's subscriptions too, not only its window
                with harness.asgi_servers(2, CHANNELS_REDIS_URL=",".join(layer_urls[:shards])) as (urls, procs):
                    totals, (before, after), window = exchange(urls, triples, seconds, lambda: {
                        "asgi": sum(cpu_seconds(p.pid) for p in procs), "redis": [r.read() for r in layers]})
                moved = [r.delta(b, a) for r, b, a in zip(layers, before["redis"], after["redis"])]
                subscribed = [r.delta(b, r.read())["calls"].get("subscribe", 0) for r, b in zip(layers, whole)]
                runs[shards].append({"rate": round(totals["received"] / seconds, 1), "errors": totals["errors"],
                                     "first_errors": totals["first_errors"],
                                     "asgi_core_share": round((after["asgi"] - before["asgi"]) / window, 2),
                                     "redis_core_share": [round(m["cpu"] / window, 3) for m in moved],
                                     "publish_per_redis": [m["calls"].get("publish", 0) for m in moved],
                                     "subscribe_per_redis": subscribed})
    medians = {shards: statistics.median(run["rate"] for run in runs[shards]) for shards in runs}
    for shards in (1, 2):
        results.add("capacity", f"chat closed loop, {pairs} pairs, 2 ASGI processes, layer on {shards} Redis",
                    medians[shards], "msg/s", runs=runs[shards], cores=harness.CORES,
                    server_cores=harness.SERVER_CORES)
    results.add("capacity", "sharded layer: throughput with 2 Redis / 1 Redis", round(medians[2] / medians[1], 2)
                if medians[1] else None, "x")


def run(results, *, pairs, seconds, sockets, actions, rounds):
    chat_costs(results, pairs, seconds)
    message_costs(results, actions)
    ticket_costs(results, actions)
    idle_costs(results, sockets, seconds)
    sharded(results, pairs, seconds, rounds)
    from .capacity_model import write_chart

    write_chart(results.rows)
