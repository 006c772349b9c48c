"""The benchmark harness itself works (at tiny sizes, in a database of its own): servers start with production
settings, load clients run, every suite records its results, and routing stays correct. CI runs this, never the
full benchmarks (too slow and noisy for CI)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench_database():
    from django.db import connection

    db = connection.settings_dict
    server = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"{db['NAME']}_bench"  # beside this run's test database: parallel runs (xdist workers) do not collide
    names = [name, f"{name}_sla"]  # the SLA suite runs in a database of its own
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for each in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{each}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for each in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{each}" WITH (FORCE)')


def test_bench_runs_every_suite_at_tiny_sizes(bench_database, tmp_path):
    env = dict(os.environ, BENCH_DATABASE_URL=bench_database, BENCH_RESULTS_DIR=str(tmp_path),
               # (another Redis database than the tests', TEST_BENCH_REDIS_URL where runs share a machine)
               BENCH_REDIS_URL=os.environ.get("TEST_BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    sizes = ["seconds=1", "rounds=2", "connections=4", "tickets=300", "routing_chats=30", "routing_agents=5",
             "sla_tickets=400", "chat_pairs=3", "chat_seconds=1", "chat_interval=1", "tickets_api_asgi=1",
             "chat_two_servers=1", "incident_customers=60", "automation_creations=5", "automation_due=2",
             "capacity_pairs=3", "capacity_seconds=1", "capacity_sockets=4", "capacity_actions=2"]
    command = [sys.executable, "-m", "bench", "--quick", "--only",
               "baselines,chat,tickets_api,routing,sla,automation,incidents,capacity",
               *[arg for size in sizes for arg in ("--size", size)]]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads((tmp_path / "latest.json").read_text())
    measures = {(row["benchmark"], row["measure"]): row for row in report["results"]}
    assert report["meta"]["commit"] and report["meta"]["cores"] >= 1 and report["meta"]["sizes"]["tickets"] == 300
    baselines = [row for (bench, _), row in measures.items() if bench == "baseline"]
    assert len(baselines) == 5 and all(row["value"] > 0 and len(row["runs"]) == 2 for row in baselines)
    assert measures[("baseline", "trivial Django view (WSGI)")]["ratio_to_asgi"] > 0
    for server in ("asgi", "wsgi"):  # the tickets API on both kinds of server, each against its own trivial view
        row = measures[("tickets_api", f"agent inbox list ({server}): throughput")]
        assert row["value"] > 0 and row["ratio_to_trivial_view"] > 0 and row["server"] == server
        assert measures[("tickets_api", f"create ({server}): throughput")]["value"] > 0
    assert set(report["meta"]["suite_seconds"]) == {"baselines", "chat", "tickets API", "routing", "SLA scan",
                                                    "workflow rules", "incidents", "capacity (unit costs)"}
    told = measures[("incidents", "tell 60 customers (in-site + email, batches of 200)")]
    assert told["value"] > 0 and measures[("incidents", "people told more or less than once")]["value"] == 0
    assert measures[("tickets_api", "queries per list request")]["value"] <= 6
    routing = measures[("routing", "double assignments or agents over capacity")]
    assert routing["value"] == 0 and routing["ok"] is True
    assert measures[("routing", "30 chats to 5 agents coming online")]["assigned"] == 30
    sla = next(row for (bench, _), row in measures.items() if bench == "sla")
    assert sla["breaches_marked"] == 4  # 1 % of 400 tickets
    rules = {measure: row for (bench, measure), row in measures.items() if bench == "automation"}
    assert rules["trigger pass on ticket creation, 200 active triggers, two hold and act: p95"]["events"] >= 3
    assert rules["trigger pass on ticket creation, 200 active triggers, none holds: p95"]["fired_per_ticket"] == 0
    sweep = next(row for measure, row in rules.items() if measure.startswith("one sweep, 3 automations"))
    assert "6 due" in next(m for m in rules if m.startswith("one sweep, 3")) and sweep["value"] > 0
    assert (tmp_path / "automation.svg").read_text().count("<rect") == 3  # the chart: a bar per figure with a target
    chats = [row for (bench, _), row in measures.items() if bench == "chat"]
    assert len(chats) == 4  # open and closed loop, on one server and on two
    assert all(row["sent"] > 0 and row["lost"] == 0 and row["duplicated"] == 0 for row in chats), chats
    capacity = {measure: row for (bench, measure), row in measures.items() if bench == "capacity"}
    per_message = capacity["ASGI process CPU per chat message (measured, closed loop)"]
    assert per_message["value"] > 0 and per_message["messages"] > 0 and per_message["errors"] == 0
    assert capacity["channel layer: Redis commands per chat message"]["by_command"]["publish"] >= 1
    assert capacity["Postgres statements per chat message (in process)"]["value"] >= 1
    for action in ("ticket create", "agent's first reply"):
        assert capacity[f"{action} (API, in process): statements"]["value"] > 1
        assert capacity[f"{action} (API, in process): outbox emails"]["value"] >= 1
    assert capacity["outbox email delivered by its task (in process, local SMTP sink): time"]["sent"] >= 1
    idle = capacity["memory per idle customer socket"]
    assert idle["sockets"] == 4 and idle["errors"] == 0
    two = capacity["chat closed loop, 3 pairs, 2 ASGI processes, layer on 2 Redis"]
    # Sharded through the setting: both Redis servers carried subscriptions, and messages still arrived.
    assert two["value"] > 0 and all(n > 0 for n in two["runs"][0]["subscribe_per_redis"])
    one = capacity["chat closed loop, 3 pairs, 2 ASGI processes, layer on 1 Redis"]
    assert one["value"] > 0 and one["runs"][0]["subscribe_per_redis"][1] == 0
    assert (tmp_path / "capacity.svg").read_text().count("<rect") == 5  # the model's chart: a bar per part
    # The readable table came out too.
    assert "routing: double assignments or agents over capacity" in run.stdout
