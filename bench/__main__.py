"""python -m bench [--quick] [--only baselines,tickets_api,...]

Runs the benchmarks against a throwaway database (BENCH_DATABASE_URL, default support_bench) and Redis db 13, with
production settings; prints one JSON line per result and a table, and writes bench/results/latest.json.
"""
import argparse
import os
import sys
import time
from pathlib import Path

from . import harness

SUITES = ["baselines", "chat", "tickets_api", "routing", "sla", "automation", "incidents", "search", "bot", "reports", "overflow",
          "capacity"]

SIZES = {
    # name: (full, quick)
    "seconds": (5, 2),  # each closed-loop HTTP / socket measurement
    "rounds": (3, 1),  # closed-loop HTTP and socket measurements: runs per figure, the median is reported
    "chat_pairs": (1000, 50),  # the largest N; the full run also measures 100 and 500
    "chat_seconds": (10, 5),
    "chat_two_servers": (1, 0),  # 1: also the 100-pair runs on two ASGI processes
    "chat_closed_max_pairs": (500, 50),  # closed loop (saturation) up to this many pairs; open loop at every size
    "chat_interval": (5, 5),
    "connections": (32, 16),
    "tickets_api_asgi": (0, 0),  # 1: also measure the tickets API on uvicorn (the ASGI vs WSGI comparison)
    "tickets": (100_000, 5_000),
    "routing_chats": (1_000, 200),
    "routing_agents": (100, 20),
    "sla_tickets": (1_000_000, 20_000),
    "automation_creations": (200, 20),  # tickets created with the 200 triggers off and on (bench/automation.py)
    # Tickets per default automation that became due since the last sweep (5 minutes): the million tickets span 180
    # days, about 19 new a sweep, each solved and closed once; 40 is a surge of twice that on every automation.
    "automation_due": (40, 10),
    "incident_customers": (50_000, 2_000),
    "articles": (20_000, 600),
    "search_rounds": (3, 1),  # passes over the question set
    "bot_rounds": (5, 1),
    "report_days": (90, 14),
    "report_messages": (1_000_000, 30_000),
    "overflow_chats": (3_000, 3_000),  # queued chats a day in the overflow simulation (bench/overflow.py)
    "overflow_hours": (24, 10),  # the whole day; quick: the busy Asian evening, 08:00-18:00 UTC
    "overflow_days": (20, 5),  # days replayed (one seed each), for the spread of the one day's figures
    # The capacity suite (bench/capacity.py, docs/capacity.md): closed-loop pairs for the per-message costs and the
    # sharded-layer run, seconds of each run, idle sockets for memory per socket, ticket actions per batch.
    "capacity_pairs": (100, 20),
    "capacity_seconds": (10, 4),
    "capacity_sockets": (500, 100),
    "capacity_actions": (100, 20),
}


def _command_suite(results, command, result_file, to_row, database_url=None, **options):
    """Run one of the apps' benchmark commands and take its result lines into this run's results. With
    `database_url`, the command runs in a process of its own against that database (migrated first)."""
    import json
    import subprocess

    if database_url is None:
        from django.core.management import call_command

        call_command(command, **options)
    else:
        _create_database(database_url)
        env = harness.server_env(DATABASE_URL=database_url, BENCH_RESULTS_DIR=harness.RESULTS)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=harness.ROOT, env=env,
                       check=True)
        arguments = [f"--{name.replace('_', '-')}" + ("" if value is True else f"={value}")
                     for name, value in options.items() if value is not False]
        subprocess.run([sys.executable, "manage.py", command, *arguments], cwd=harness.ROOT, env=env, check=True)
    for row in json.loads((harness.RESULTS / result_file).read_text()):
        results.add(**to_row(row))


def _isolated_suite(results, name, database_url, args, size):
    """Run one suite as `python -m bench --only <name>` against a database of its own (same sizes), and take its
    result rows into this run's results."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, BENCH_DATABASE_URL=database_url, BENCH_RESULTS_DIR=out,
                   BENCH_ISOLATED=name)  # (so the child runs it itself)
        sizes = [arg for key, value in size.items() for arg in ("--size", f"{key}={value}")]
        env["BENCH_NESTED"] = "1"  # the child prints its progress, not its JSON lines or table (this run does)
        subprocess.run([sys.executable, "-m", "bench", "--only", name, *(["--quick"] if args.quick else []), *sizes],
                       cwd=harness.ROOT, env=env, check=True)
        for row in json.loads((Path(out) / "latest.json").read_text())["results"]:
            results.add(**row)


def _prepare_django():
    os.environ.update({k: v for k, v in harness.server_env().items() if k not in os.environ or k in (
        "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "CHANNELS_REDIS_URL", "CELERY_BROKER_URL", "DEBUG",
        "SECURE_SSL_REDIRECT", "LIVECHAT_BOT_ENABLED")})
    _create_database(harness.BENCH_DATABASE_URL)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _create_database(database_url):
    """CREATE DATABASE if a bench database is missing (connecting to the server's postgres database)."""
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(database_url)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: the whole run in about two minutes")
    parser.add_argument("--only", default=",".join(SUITES), help="comma-separated suites: " + ", ".join(SUITES))
    parser.add_argument("--size", action="append", default=[], metavar="NAME=N",
                        help="override one size (" + ", ".join(SIZES) + "), e.g. --size tickets=500")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SUITES))
    if unknown:
        parser.error(f"unknown suite(s): {', '.join(unknown)}")
    size = {name: values[1 if args.quick else 0] for name, values in SIZES.items()}
    for item in args.size:
        name, _, value = item.partition("=")
        if name not in SIZES or not value.isdigit():
            parser.error(f"--size {item}: expected one of {', '.join(SIZES)} = a whole number")
        size[name] = int(value)

    _prepare_django()
    results = harness.Results({**harness.metadata(), "quick": args.quick, "sizes": size})
    started = time.monotonic()
    rates = {}
    suite_seconds = results.meta.setdefault("suite_seconds", {})
    clock = {"name": None, "at": started}

    def suite(name):
        """Starts timing the next suite (and closes the previous one's time)."""
        now = time.monotonic()
        if clock["name"]:
            suite_seconds[clock["name"]] = round(now - clock["at"], 1)
            print(f"   ({clock['name']}: {now - clock['at']:.0f} s)", flush=True)
        clock.update(name=name, at=now)
        if name:
            print(f"== {name}", flush=True)

    if "baselines" in chosen or any(s in chosen for s in ("tickets_api", "chat")):
        from . import baselines

        suite("baselines")
        rates = baselines.measure(results, seconds=size["seconds"], connections=size["connections"],
                                  rounds=size["rounds"])
    if "chat" in chosen:
        from . import chat

        suite("chat")
        largest = size["chat_pairs"]
        pairs_list = [n for n in (100, 500) if n < largest] + [largest]
        chat.run(results, pairs_list=pairs_list, seconds=size["chat_seconds"], interval=size["chat_interval"],
                 room_rate=rates.get("trivial_consumer"), closed_max_pairs=size["chat_closed_max_pairs"])
        if size["chat_two_servers"]:
            chat.run(results, pairs_list=[pairs_list[0]], seconds=size["chat_seconds"],
                     interval=size["chat_interval"], room_rate=rates.get("trivial_consumer"), servers=2)
    if "tickets_api" in chosen:
        from . import tickets_api

        suite("tickets API")
        tickets_api.run(results, rates=rates, tickets=size["tickets"], seconds=size["seconds"],
                        connections=size["connections"], rounds=size["rounds"],
                        servers=("asgi", "wsgi") if size["tickets_api_asgi"] else ("wsgi",))
    if "routing" in chosen:
        from . import routing

        suite("routing")
        routing.run(results, chats=size["routing_chats"], agents=size["routing_agents"], seconds=size["seconds"])
    if "sla" in chosen:
        suite("SLA scan")
        if os.environ.get("BENCH_ISOLATED") == "sla":
            from . import sla

            sla.run(results, tickets=size["sla_tickets"])
        else:
            _isolated_suite(results, "sla", harness.BENCH_SLA_DATABASE_URL, args, size)
    if "automation" in chosen:
        suite("workflow rules")
        if os.environ.get("BENCH_ISOLATED") == "automation":  # in the SLA scan's database (its million tickets)
            from . import automation

            automation.run(results, tickets=size["sla_tickets"], creations=size["automation_creations"],
                           due=size["automation_due"])
        else:
            from .automation import svg

            _isolated_suite(results, "automation", harness.BENCH_SLA_DATABASE_URL, args, size)
            harness.RESULTS.mkdir(parents=True, exist_ok=True)
            (harness.RESULTS / "automation.svg").write_text(svg([r for r in results.rows
                                                                  if r["benchmark"] == "automation"]))
    if "incidents" in chosen:
        from . import incidents

        suite("incidents")
        incidents.run(results, customers=size["incident_customers"])
    if "search" in chosen:
        suite("help-center search")
        _command_suite(results, "bench_helpcenter_search", "helpcenter_search.json", lambda r: {
            "benchmark": "search", "measure": f"p95 {r['language']} ({r['articles']:,} articles)",
            "value": r["p95_ms"], "unit": "ms", "target": "< 30 ms", "ok": r["p95_ms"] < 30, "p50_ms": r["p50_ms"],
            "sql_explain_analyze_ms": r.get("sql_explain_analyze_ms")},
            articles=size["articles"], rounds=size["search_rounds"], keep=True,
            database_url=harness.BENCH_SEARCH_DATABASE_URL)
    if "bot" in chosen:
        suite("chatbot")
        _command_suite(results, "bench_chatbot", "chatbot.json", lambda r: {
            "benchmark": "bot", "measure": f"reply p95 {r['language']}", "value": r["p95_ms"], "unit": "ms",
            "target": "< 150 ms", "ok": r["p95_ms"] < 150, "p50_ms": r["p50_ms"]}, rounds=size["bot_rounds"],
            database_url=harness.BENCH_SEARCH_DATABASE_URL)
    if "reports" in chosen:
        suite("reports")
        _command_suite(results, "bench_reports", "reports.json", lambda r: {
            "benchmark": "reports", "measure": f"{r['measure']} ({r['days']} days, {r['messages']:,} messages)",
            "value": r["median_ms"], "unit": "ms",
            **({"target": "< 2000 ms", "ok": r["median_ms"] < 2000} if r["measure"] == "page (HTML)" else {})},
            days=size["report_days"], messages=size["report_messages"],
            database_url=harness.BENCH_REPORTS_DATABASE_URL)
    if "overflow" in chosen:
        from . import overflow

        suite("overflow (simulated routing)")
        overflow.run(results, chats=size["overflow_chats"], hours=size["overflow_hours"], days=size["overflow_days"])
    if "capacity" in chosen:
        from . import capacity

        suite("capacity (unit costs)")
        capacity.run(results, pairs=size["capacity_pairs"], seconds=size["capacity_seconds"],
                     sockets=size["capacity_sockets"], actions=size["capacity_actions"], rounds=size["rounds"])
    suite(None)
    path = results.write()
    if not os.environ.get("BENCH_NESTED"):
        print(results.table())
    print(f"\n{len(results.rows)} results in {time.monotonic() - started:.0f} s -> {path}")
    missed = [r for r in results.rows if r["ok"] is False]
    return 1 if missed and os.environ.get("BENCH_FAIL_ON_MISS") else 0


if __name__ == "__main__":
    sys.exit(main())
