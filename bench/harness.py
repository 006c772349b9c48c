"""What every benchmark needs: the servers it measures (uvicorn with production settings, pinned to their cores),
load clients in separate processes on the other cores, percentiles, the run's metadata, and the results file and
table. Figures are reported as ratios against baselines measured in the same run (see bench/baselines.py), so they
hold on a noisy machine.
"""
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results")
CORES = os.cpu_count() or 1
# Servers on the first half of the cores, load generators on the rest (both sets on a 1-core machine).
SERVER_CORES = list(range(max(1, CORES // 2)))
CLIENT_CORES = list(range(max(1, CORES // 2), CORES)) or SERVER_CORES

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/support_bench")
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def _sibling_database(url, suffix):
    from urllib.parse import urlparse

    parsed = urlparse(url)
    return parsed._replace(path=parsed.path.rstrip("/") + suffix).geturl()


# The reports' "90 days of a busy desk" lives in a database of its own: the million synthetic tickets of the SLA and
# tickets API benchmarks would otherwise be counted in the report (4.9 s instead of 1.1 s, measuring the wrong desk).
BENCH_REPORTS_DATABASE_URL = os.environ.get("BENCH_REPORTS_DATABASE_URL") or _sibling_database(BENCH_DATABASE_URL,
                                                                                                "_reports")
# The SLA scan's million tickets in a database of their own: in the main one they would be the tickets API's
# "100,000 tickets" too (its inbox list ran at 1,034,007 tickets before this).
BENCH_SLA_DATABASE_URL = os.environ.get("BENCH_SLA_DATABASE_URL") or _sibling_database(BENCH_DATABASE_URL, "_sla")
# The search benchmark's 20,000 generated articles x 6 languages, kept between runs (generating and indexing them
# takes about three minutes), in a database of their own so that the bot benchmark keeps answering from the demo
# help center.
BENCH_SEARCH_DATABASE_URL = os.environ.get("BENCH_SEARCH_DATABASE_URL") or _sibling_database(BENCH_DATABASE_URL,
                                                                                              "_search")


def server_env(**overrides):
    """Production settings (DEBUG off, the deployment's middleware and channel layer) against the bench database.
    Plain HTTP on loopback: TLS is the proxy's job in a deployment, and SECURE_SSL_REDIRECT would only add a
    redirect to every request."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0",
        "SECRET_KEY": env.get("SECRET_KEY") or "bench-only-secret-key-not-for-production",
        "DATABASE_URL": BENCH_DATABASE_URL, "REDIS_URL": BENCH_REDIS_URL, "CHANNELS_REDIS_URL": BENCH_REDIS_URL,
        "CELERY_BROKER_URL": BENCH_REDIS_URL, "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "LIVECHAT_BOT_ENABLED": "0", "LIVECHAT_FRAMES_PER_10S": "100000",
        # Every load client is one address and a few accounts: the abuse limits would refuse the benchmark itself.
        "RATE_LIMITS_ENABLED": "0",
    })
    env.update({k: str(v) for k, v in overrides.items()})
    return env


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pinned(command, cores):
    """The command run on the given cores (taskset), so servers and load generators do not share a core."""
    if sys.platform.startswith("linux") and cores:
        return ["taskset", "-c", ",".join(str(c) for c in cores), *command]
    return command


def wait_for_port(port, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


@contextmanager
def asgi_servers(count=1, app="bench.asgi:application", **env):
    """`count` uvicorn processes (one worker each, like the Procfile's web process) on the server cores; yields
    their base URLs and processes."""
    procs, urls = [], []
    try:
        for _ in range(count):
            port = free_port()
            command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
                       "--log-level", "warning", "--no-access-log", "--ws", "websockets", "--ws-per-message-deflate", "false",
                       "--backlog", "4096"]
            proc = subprocess.Popen(pinned(command, SERVER_CORES), env=server_env(**env), cwd=ROOT,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            wait_for_port(port, proc)
            procs.append(proc)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls, procs
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            _stop(proc)


def _stop(proc, timeout=10):
    """Ask a server to stop, and kill it if it has not within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


WSGI_WORKERS = int(os.environ.get("BENCH_WSGI_WORKERS", "2"))
WSGI_THREADS = int(os.environ.get("BENCH_WSGI_THREADS", "4"))


@contextmanager
def wsgi_server(**env):
    """The HTTP side as a WSGI deployment would serve it: gunicorn with threaded workers (BENCH_WSGI_WORKERS x
    BENCH_WSGI_THREADS, 2 x 4 by default) on the server cores, the same settings and URLs as the ASGI server.
    Yields its base URL and the master process."""
    port = free_port()
    # The deployment's own configuration file, with the bench's address and sizes.
    command = [sys.executable, "-m", "gunicorn", "support.wsgi:application", "--config", "deploy/gunicorn.conf.py",
               "--bind", f"127.0.0.1:{port}", "--workers", str(WSGI_WORKERS), "--threads", str(WSGI_THREADS),
               "--backlog", "4096", "--log-level", "warning"]
    proc = subprocess.Popen(pinned(command, SERVER_CORES), env=server_env(**env), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        _stop(proc)


@contextmanager
def http_server(kind, **env):
    """One HTTP server of the given kind, "asgi" (uvicorn, one process) or "wsgi" (gunicorn, see wsgi_server):
    yields (base URL, process)."""
    if kind == "wsgi":
        with wsgi_server(**env) as served:
            yield served
    else:
        with asgi_servers(1, **env) as (urls, procs):
            yield urls[0], procs[0]


def tree_rss_mb(pid):
    """Resident memory of a process and its children (gunicorn's master and workers), in MB."""
    total = rss_mb(pid) or 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return round(total + sum(tree_rss_mb(int(child)) for child in children), 1)


def rss_mb(pid):
    """Resident memory of a process (and its children are not counted): from /proc, in MB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def run_clients(target, args_list):
    """Run `target(*args)` for each args in separate load-generator processes pinned to the client cores; return
    their results in order. Each process runs its own asyncio loop."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(len(args_list), initializer=_pin_client) as pool:
        return pool.starmap(target, args_list)


def _pin_client():
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(CLIENT_CORES))


def progress(done, total, label):
    """The management commands' progress bar (support.progress), redrawn in place on standard output."""
    from django.core.management.base import OutputWrapper

    from support.progress import draw_progress

    draw_progress(OutputWrapper(sys.stdout), done, total, label)


def percentile(values, p):
    """The p-th percentile (0-100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def median_of(runs, key):
    values = [run[key] for run in runs if run.get(key) is not None]
    return statistics.median(values) if values else None


def metadata():
    """What a result needs to be compared with another: versions, commit, cores, the settings that matter."""
    import django

    def version(module):
        try:
            return __import__(module).__version__
        except Exception:  # noqa: BLE001 - a missing optional module
            return None

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                check=False).stdout.strip()
    except OSError:
        commit = ""
    try:
        postgres = subprocess.run(["psql", BENCH_DATABASE_URL, "-Atc", "show server_version"], capture_output=True,
                                  text=True, check=False).stdout.strip()
    except OSError:
        postgres = ""
    return {"commit": commit, "python": platform.python_version(), "django": django.get_version(),
            "channels": version("channels"), "uvicorn": version("uvicorn"),
            "gunicorn": version("gunicorn"), "postgres": postgres,
            "machine": platform.machine(), "cores": CORES, "server_cores": SERVER_CORES,
            "client_cores": CLIENT_CORES, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "settings": {"DEBUG": False, "server": "uvicorn, 1 worker per process, --ws websockets, no per-message deflate",
                         "wsgi_server": f"gunicorn gthread, {WSGI_WORKERS} workers x {WSGI_THREADS} threads",
                         "channel_layer": "channels_redis RedisPubSubChannelLayer"}}


class Results:
    """Collects result rows; prints each as one JSON line as it comes, and at the end a table with bars, and writes
    bench/results/latest.json (the previous run is kept as previous.json for comparison)."""

    def __init__(self, meta):
        self.meta, self.rows = meta, []

    def add(self, benchmark, measure, value, unit, *, target=None, ok=None, **extra):
        row = {"benchmark": benchmark, "measure": measure, "value": value, "unit": unit, "target": target,
               "ok": ok, **extra}
        self.rows.append(row)
        if not os.environ.get("BENCH_NESTED"):
            print(json.dumps(row, default=str), flush=True)
        return row

    def write(self):
        RESULTS.mkdir(parents=True, exist_ok=True)
        latest = RESULTS / "latest.json"
        if latest.exists():
            latest.replace(RESULTS / "previous.json")
        latest.write_text(json.dumps({"meta": self.meta, "results": self.rows}, indent=2, default=str))
        return latest

    def table(self):
        lines = [f"\nBenchmarks at {self.meta['commit']} on {self.meta['cores']} cores "
                 f"(servers on {self.meta['server_cores']}, load on {self.meta['client_cores']})"]
        width = max((len(f"{r['benchmark']}: {r['measure']}") for r in self.rows), default=20)
        groups = {}
        for row in self.rows:
            groups.setdefault((row["benchmark"], row["unit"]), []).append(row)
        for (benchmark, unit), rows in groups.items():
            scale = max((abs(r["value"]) for r in rows if isinstance(r["value"], (int, float))), default=1) or 1
            for row in rows:
                value = row["value"]
                bar = "#" * max(1, round(30 * abs(value) / scale)) if isinstance(value, (int, float)) else ""
                mark = {True: " ok", False: " MISSED", None: ""}[row["ok"]]
                target = f"  (target {row['target']})" if row["target"] else ""
                shown = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) \
                    else str(value)
                lines.append(f"{benchmark + ': ' + row['measure']:<{width}} {shown:>12} {unit:<8} {bar}{mark}{target}")
        return "\n".join(lines)
