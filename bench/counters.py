"""What processes cost, read from outside them: CPU and memory from /proc, a Redis server's INFO counters, and
Postgres's WAL and backend CPU for the bench database. Used by bench/capacity.py, which divides them by the work
done between two readings.

WAL is one stream for the whole cluster, so the position moving (pg_current_wal_lsn) also counts whatever other
databases wrote meanwhile (on the development machine, test runs write megabytes a second). Where the WAL files
are readable (Postgres on this host), `pg_waldump` lists the records between two readings and only those of the
bench database are counted: records on its relations, and the commit records of their transactions.
"""
import os
import re
import shutil
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from . import harness


def cpu_seconds(pid):
    """User + system CPU time of a process so far (from /proc/<pid>/stat), in seconds; 0 for a process gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Redis:
    """One Redis server's counters: commands by name, bytes in and out, CPU seconds. Each reading is itself an INFO
    call, whose reply is counted in the next reading's output bytes: that is measured once and taken off."""

    def __init__(self, url):
        import redis

        self.client = redis.Redis.from_url(url)
        first, second = self.read(), self.read()
        self.overhead = {"in": second["in"] - first["in"], "out": second["out"] - first["out"]}

    def read(self):
        info = self.client.info("all")
        calls = {name[len("cmdstat_"):]: stat["calls"] for name, stat in info.items()
                 if name.startswith("cmdstat_") and name != "cmdstat_info"}
        return {"calls": calls, "in": info["total_net_input_bytes"], "out": info["total_net_output_bytes"],
                "cpu": info["used_cpu_sys"] + info["used_cpu_user"]}

    def delta(self, before, after):
        calls = {name: after["calls"][name] - before["calls"].get(name, 0) for name in after["calls"]}
        return {"calls": {name: n for name, n in calls.items() if n},
                "in": after["in"] - before["in"] - self.overhead["in"],
                "out": after["out"] - before["out"] - self.overhead["out"], "cpu": after["cpu"] - before["cpu"]}


_RECORD = re.compile(r"len \(rec/tot\):\s*\d+/\s*(\d+), tx:\s*(\d+),")
_RELATION = re.compile(r"rel \d+/(\d+)/\d+")


class Postgres:
    """The bench database's WAL and the CPU of its backends (Postgres on this host: their /proc entries)."""

    def __init__(self):
        import psycopg

        self.conn = psycopg.connect(harness.BENCH_DATABASE_URL, autocommit=True)
        self.oid, data, version = self.conn.execute(
            "SELECT oid::text, current_setting('data_directory'), current_setting('server_version_num')::int "
            "FROM pg_database WHERE datname = current_database()").fetchone()
        waldump = shutil.which("pg_waldump") or f"/usr/lib/postgresql/{version // 10000}/bin/pg_waldump"
        readable = os.access(Path(data) / "pg_wal", os.R_OK) and os.access(waldump, os.X_OK)
        self.waldump = [waldump, "-p", str(Path(data) / "pg_wal")] if readable else None
        self.wal_scope = "bench database (pg_waldump)" if readable else "whole cluster (pg_wal_lsn_diff)"

    def read(self):
        pids = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND pid <> pg_backend_pid()").fetchall()
        # Flushed: every commit before this reading is on disk, where pg_waldump reads it.
        lsn = self.conn.execute("SELECT pg_current_wal_flush_lsn()::text").fetchone()[0]
        return {"lsn": lsn, "cpu": {pid: cpu_seconds(pid) for (pid,) in pids}}

    def delta(self, before, after):
        # A backend the pool opened during the window counts from zero (its start-up is a few milliseconds).
        cpu = sum(seconds - before["cpu"].get(pid, 0.0) for pid, seconds in after["cpu"].items())
        return {"wal": self.wal_bytes(before["lsn"], after["lsn"]), "cpu": cpu}

    def wal_bytes(self, start, end):
        if self.waldump is None:
            return int(self.conn.execute("SELECT pg_wal_lsn_diff(%s, %s)", [end, start]).fetchone()[0])
        if start == end:
            return 0
        dump = subprocess.run([*self.waldump, "-s", start, "-e", end], capture_output=True, text=True,
                              errors="replace")
        if dump.returncode != 0:
            return None  # e.g. the first segment already recycled (other databases writing hundreds of MB)
        sizes, ours = [], set()
        for line in dump.stdout.splitlines():
            record = _RECORD.search(line)
            if record is None:
                continue
            size, xid = int(record[1]), int(record[2])
            mine = any(oid == self.oid for oid in _RELATION.findall(line))
            if mine and xid:
                ours.add(xid)
            sizes.append((size, xid, mine))
        return sum(size for size, xid, mine in sizes if mine or (xid and xid in ours))

    def connections(self, application_name):
        return self.conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                                 "application_name = %s", [application_name]).fetchone()[0]


@contextmanager
def redis_servers(count):
    """`count` throwaway redis-server processes (no persistence) on free ports; yields their URLs."""
    procs, urls = [], []
    try:
        for _ in range(count):
            port = harness.free_port()
            procs.append(subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                           "--appendonly", "no"], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))
            harness.wait_for_port(port, procs[-1])
            urls.append(f"redis://127.0.0.1:{port}/0")
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def sampled(times, sample, work):
    """Run work() while sample() is taken at each wall-clock time given; returns (work's result, samples)."""
    samples = []

    def sampler():
        for at in times:
            time.sleep(max(0.0, at - time.time()))
            samples.append(sample())

    thread = threading.Thread(target=sampler)
    thread.start()
    result = work()
    thread.join()
    return result, samples
