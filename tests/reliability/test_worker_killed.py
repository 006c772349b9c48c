"""A Celery worker killed mid-task: email and SLA work are neither lost nor doubled.

Real worker processes (prefork, one pool child, each in a process group of its own) take real tasks from the Redis
broker, write to Postgres and talk to real SMTP servers. The faults are provoked, never mocked: an SMTP server that
holds a transaction open at a chosen point, and row locks taken from the test, keep a task in flight; then the test
SIGKILLs the worker's whole process group (or only its pool child). Outcomes are recorded in docs/reliability.md,
"Worker killed mid-task". Every wait is bounded and every process and lock is released in fixtures' teardown.
"""
import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from email import policy
from itertools import count

import psycopg
import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from support import outbox
from support.celery import HEARTBEAT_PREFIX
from support.models import Notification, OutboundEmail, Team
from tests.conftest import database_url_for_processes
from tests.factories import AgentFactory, UserFactory
from tickets.models import SlaPolicy, SlaTimer, Ticket, TicketEvent
from tickets.tasks import sla_scan

pytestmark = pytest.mark.django_db(transaction=True)

# The killed workers' sending lease (production: OUTBOUND_EMAIL_LEASE_SECONDS=300), so a test can outlive it.
LEASE_SECONDS = 4
HOLD_MAX = 30  # no SMTP transaction is held longer than this, even when a test fails before releasing it
_names = count()


def wait_for(predicate, what, timeout=30.0, interval=0.05):
    """Poll until predicate() is truthy and return its value; fail, never hang, after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def sweep():
    """The beat's sweep, with the threshold the settings give."""
    return outbox.outbound_emails_sweep(older_than_seconds=settings.OUTBOUND_EMAIL_SWEEP_AFTER)


# --- an SMTP server that can hold a transaction open ---------------------------------------------------------


class HoldingRecorder:
    """aiosmtpd handler that keeps the messages it accepted and can hold one SMTP transaction at a chosen point
    until the test releases it (HOLD_MAX seconds at most):

    "data": the whole message has arrived and the server has not answered the final dot, so it has not taken the
        message; if the client vanishes now the message is dropped (counted in `dropped`), as a real server drops it.
    "quit": the server answered 250 (the message is kept) and leaves the client's QUIT unanswered.
    """

    def __init__(self):
        self.messages, self.dropped = [], 0
        self.lock = threading.Lock()
        self.hold_at = None
        self.holding, self.released = threading.Event(), threading.Event()

    def _should_hold(self, point):
        with self.lock:
            if self.hold_at != point:
                return False
            self.hold_at = None  # one transaction only: the retry goes through
            return True

    async def _hold(self):
        self.holding.set()
        deadline = time.monotonic() + HOLD_MAX
        while not self.released.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    async def handle_DATA(self, server, session, envelope):
        if self._should_hold("data"):
            try:
                await self._hold()
            except asyncio.CancelledError:  # aiosmtpd cancels the handler when the connection is lost
                with self.lock:
                    self.dropped += 1
                raise
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        if self._should_hold("quit"):
            await self._hold()
        return "221 Bye"

    def message_ids(self):
        with self.lock:
            return [message["Message-ID"] for message in self.messages]


@pytest.fixture
def smtp():
    """A real SMTP server on a port of its own, for the workers of one test."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recorder = HoldingRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    recorder.port = port
    try:
        yield recorder
    finally:
        recorder.released.set()
        controller.stop()


# --- worker processes ----------------------------------------------------------------------------------------


def _proc_stat(pid):
    """(state, ppid, pgrp) of a process from /proc, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return fields[0], int(fields[1]), int(fields[2])


def _living(match):
    """Pids of the living (not zombie) processes whose (state, ppid, pgrp) satisfies `match`."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat is not None and stat[0] != "Z" and match(stat):
                pids.append(int(entry))
    return pids


def pool_children(pid):
    return _living(lambda stat: stat[1] == pid)


def process_group(pgid):
    return _living(lambda stat: stat[2] == pgid)


class Workers:
    """Real Celery workers (`celery -A support worker`, prefork with one pool child, test settings, the test
    database and Redis), each in a process group of its own so that a test can SIGKILL a whole worker, main
    process and pool child at once, as the OOM killer or a lost machine would."""

    def __init__(self, log_dir):
        self.log_dir, self.procs, self.logs = log_dir, [], []
        self.sessions = []  # database sessions of killed workers, ended at teardown if still there

    def start(self, name, *, smtp_port, lease=LEASE_SECONDS, **env):
        hostname = f"{name}-{next(_names)}-{os.getpid()}@reliability"
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="support.settings.test",
                   DATABASE_URL=database_url_for_processes(), TEST_SMTP_PORT=str(smtp_port),
                   OUTBOUND_EMAIL_LEASE_SECONDS=str(lease), TEST_DATABASE_POOL="1", **env)
        log = (self.log_dir / f"{name}.log").open("w+")
        self.logs.append((name, log))
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "support", "worker", "--pool", "prefork", "--concurrency", "1",
             "--loglevel", "WARNING", "--hostname", hostname, "--without-mingle", "--without-gossip"],
            env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        self.procs.append(proc)
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        try:
            wait_for(lambda: proc.poll() is not None or client.exists(HEARTBEAT_PREFIX + hostname),
                     f"the worker {name} to start")
        finally:
            client.close()
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the worker {name} exited: {log.read()[-2000:]}")
        return proc

    def kill(self, proc):
        """SIGKILL the worker's process group: main process and pool child die at once, nothing is acknowledged,
        rejected or cleaned up."""
        assert pool_children(proc.pid), "the worker has no pool child"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        wait_for(lambda: not process_group(proc.pid), "every process of the killed worker to be gone", timeout=10)

    def close(self):
        for proc in self.procs:
            if process_group(proc.pid):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        for pid in self.sessions:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for name, log in self.logs:
            log.seek(0)
            errors = log.read().strip()
            if errors:
                print(f"--- celery worker {name} stderr ---\n{errors[-3000:]}")
            log.close()


@pytest.fixture
def workers(tmp_path):
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.close()


class Broker:
    """The test Redis as Celery's broker: what is queued, and what was delivered and not yet acknowledged."""

    def __init__(self):
        self.client = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    def _queues(self):
        return [key for key in self.client.scan_iter(match=f"{settings.CELERY_TASK_DEFAULT_QUEUE}*")
                if self.client.type(key) == b"list"]

    def backlog(self):
        return sum(self.client.llen(key) for key in self._queues()) + self.client.hlen("unacked")

    def wait_idle(self, what, timeout=90.0, settle=0.5):
        """Wait until no task is queued or unacknowledged for `settle` seconds on end: all that was sent has run.
        Generous: a fresh worker starts slowly on a loaded machine (the full suite on 2 cores), and kombu moves an
        unacknowledged task back to the queue only on its periodic restore pass, not at once."""
        quiet_since = None

        def idle():
            nonlocal quiet_since
            if self.backlog():
                quiet_since = None
                return False
            quiet_since = quiet_since or time.monotonic()
            return time.monotonic() - quiet_since >= settle

        wait_for(idle, what, timeout)

    def purge(self):
        for key in [*self._queues(), "unacked", "unacked_index", "unacked_mutex"]:
            self.client.delete(key)


@pytest.fixture
def broker():
    """The broker with no task of an earlier test left in it (a killed worker leaves its task unacknowledged)."""
    client = Broker()
    client.purge()
    try:
        yield client
    finally:
        client.purge()
        client.client.close()


# --- the database, from outside the workers ------------------------------------------------------------------


@contextmanager
def row_lock(sql, params):
    """Hold the row locks `sql` takes, in a transaction of the test's own, until the block ends; yields the pid of
    the session that holds them."""
    conn = psycopg.connect(database_url_for_processes(), connect_timeout=10)
    try:
        conn.execute(sql, params)
        yield conn.info.backend_pid
    finally:
        conn.rollback()
        conn.close()


def _column(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def sessions_blocked_by(pid):
    return _column("SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [pid])


def session_alive(pid):
    return bool(_column("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]))


# --- email ---------------------------------------------------------------------------------------------------


def queue_email(subject):
    customer = UserFactory()
    with transaction.atomic():  # the real path: the row with the change, the task once it commits
        return outbox.outbound_email_queue(to_email=customer.email, user=customer, subject=subject, body_text="Hi")


def test_worker_killed_before_the_server_took_the_email_sends_it_once_after_the_lease(smtp, workers, broker):
    """SIGKILL to the worker's process group while the server holds the finished DATA unanswered: nothing was
    taken, the row stays `sending` under the dead worker's lease (the sweep leaves it alone meanwhile), then the
    sweep re-queues it and a fresh worker sends it. The broker's redelivery of the killed task (acks_late) runs
    too and finds nothing to do: one email, the row sent once."""
    smtp.hold_at = "data"
    row = queue_email("Killed mid-DATA")
    doomed = workers.start("doomed", smtp_port=smtp.port)
    wait_for(smtp.holding.is_set, "the worker to reach the end of DATA")
    workers.kill(doomed)
    wait_for(lambda: smtp.dropped == 1, "the server to see the connection drop", timeout=10)
    row.refresh_from_db()
    assert (row.status, row.attempts, smtp.messages) == ("sending", 1, [])
    assert sweep() == 0  # under the lease: the sweep cannot yet tell a dead worker from a slow one
    wait_for(lambda: timezone.now() > row.locked_until, "the lease to expire", timeout=LEASE_SECONDS + 5)
    assert sweep() == 1
    # A visibility timeout of 1 s makes the broker redeliver the killed task now rather than in an hour.
    workers.start("fresh", smtp_port=smtp.port, CELERY_VISIBILITY_TIMEOUT="1")
    wait_for(lambda: smtp.messages, "the fresh worker to send the email")
    broker.wait_idle("the re-queued task and the redelivered one to finish")
    assert smtp.message_ids() == [f"<{row.message_id}>"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2) and row.sent_at is not None


def test_worker_killed_after_the_server_accepted_the_email_does_not_send_it_again(smtp, workers, broker):
    """SIGKILL after the server answered 250 to the message, while it leaves QUIT unanswered: the row was marked
    sent as soon as the server accepted, so neither the sweep nor the redelivered task sends a second copy."""
    smtp.hold_at = "quit"
    row = queue_email("Killed during QUIT")
    doomed = workers.start("doomed", smtp_port=smtp.port)
    wait_for(smtp.holding.is_set, "the worker to send QUIT")
    assert len(smtp.messages) == 1  # accepted
    workers.kill(doomed)
    row.refresh_from_db()
    wait_for(lambda: timezone.now() > row.last_attempt_at + timedelta(seconds=LEASE_SECONDS),
             "the time a lease would have expired", timeout=LEASE_SECONDS + 5)
    requeued = sweep()
    workers.start("fresh", smtp_port=smtp.port, CELERY_VISIBILITY_TIMEOUT="1")
    broker.wait_idle("the redelivered task (and any re-queued one) to finish")
    assert smtp.message_ids() == [f"<{row.message_id}>"]
    assert requeued == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


@pytest.mark.parametrize("session", ["ended", "lingers"])
def test_worker_killed_between_the_servers_250_and_marking_the_row(smtp, workers, broker, session):
    """The one window SMTP cannot close: the server has taken the message and the worker dies before its UPDATE
    to `sent` commits. Provoked by a row lock from the test that holds that UPDATE, then SIGKILL.

    "ended": Postgres ends the dead worker's session before the UPDATE runs (pg_terminate_backend here; in
    production a connection check or keepalive, or the worker dying a moment earlier): the row stays `sending`,
    and after the lease it is sent again, with the same Message-ID (at least once; mail clients show one).
    "lingers": Postgres has not noticed the dead client; the UPDATE it already received runs when the lock goes
    and commits, so the row is sent and nothing is sent again.
    """
    smtp.hold_at = "data"
    row = queue_email(f"Killed before marking sent ({session})")
    doomed = workers.start("doomed", smtp_port=smtp.port)
    wait_for(smtp.holding.is_set, "the worker to reach the end of DATA")
    with row_lock("SELECT 1 FROM support_outboundemail WHERE id = %s FOR UPDATE", [row.pk]) as locker:
        smtp.released.set()  # 250: the server has the message
        marker = wait_for(lambda: sessions_blocked_by(locker), "the worker's UPDATE to wait for the row lock")[0]
        assert len(smtp.messages) == 1
        workers.kill(doomed)
        workers.sessions.append(marker)
        assert session_alive(marker)  # Postgres has not noticed: the session waits for the lock
        if session == "ended":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [marker])
            wait_for(lambda: not session_alive(marker), "the dead worker's session to end", timeout=10)
    wait_for(lambda: not session_alive(marker), "the dead worker's session to end", timeout=10)
    row.refresh_from_db()
    assert row.status == ("sending" if session == "ended" else "sent")
    wait_for(lambda: timezone.now() > row.last_attempt_at + timedelta(seconds=LEASE_SECONDS),
             "the lease to expire", timeout=LEASE_SECONDS + 5)
    assert sweep() == (1 if session == "ended" else 0)
    workers.start("fresh", smtp_port=smtp.port, CELERY_VISIBILITY_TIMEOUT="1")
    broker.wait_idle("the re-queued and the redelivered task to finish")
    copies = 2 if session == "ended" else 1
    assert smtp.message_ids() == [f"<{row.message_id}>"] * copies
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", copies)


def test_pool_child_killed_mid_send_is_put_back_and_the_email_sent_once(smtp, workers, broker):
    """SIGKILL to the pool child only: the main process sees the worker lost and, with
    TASK_REJECT_ON_WORKER_LOST, puts the task back; the new child (the pool is refilled within 5 s) finds the row
    under the dead child's lease and skips it; after the lease the sweep re-queues it and it is sent: one email."""
    lease = 10  # longer than the pool takes to replace its child, as in production (300 s)
    smtp.hold_at = "data"
    row = queue_email("Pool child killed")
    worker = workers.start("survivor", smtp_port=smtp.port, lease=lease)
    wait_for(smtp.holding.is_set, "the worker to reach the end of DATA")
    (child,) = pool_children(worker.pid)
    os.kill(child, signal.SIGKILL)
    wait_for(lambda: smtp.dropped == 1, "the server to see the connection drop", timeout=10)
    broker.wait_idle("the rejected task to run again on a new pool child")
    assert worker.poll() is None and pool_children(worker.pid) != [child]
    row.refresh_from_db()
    assert (row.status, row.attempts, smtp.messages) == ("sending", 1, [])  # the second run skipped it
    wait_for(lambda: timezone.now() > row.locked_until, "the lease to expire", timeout=lease + 5)
    assert sweep() == 1
    wait_for(lambda: smtp.messages, "the worker to send the email")
    broker.wait_idle("the re-queued task to finish")
    assert smtp.message_ids() == [f"<{row.message_id}>"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


# --- SLA -----------------------------------------------------------------------------------------------------

TICKETS, AGENTS = 120, 15  # 8 alerts per agent: under SLA_ALERT_DIGEST_AFTER, so one alert per timer


@pytest.fixture
def due_timers():
    """TICKETS urgent tickets, each assigned to one of AGENTS agents, each with a first-response timer long past
    due, under a policy that moves a breached ticket to an escalation team."""
    team = Team.objects.create(name="Escalations", slug="escalations")
    sla_policy = SlaPolicy.objects.create(name="urgent 24/7", priorities=["urgent"], first_response_minutes=15,
                                          next_response_minutes=15, resolution_minutes=240, escalate_team=team)
    requester = UserFactory()
    agents = [AgentFactory() for _ in range(AGENTS)]
    numbers = _column("SELECT nextval('ticket_number_seq') FROM generate_series(1, %s)", [TICKETS])
    tickets = Ticket.objects.bulk_create([
        Ticket(number=number, requester=requester, subject=f"Withdrawal {n}", priority="urgent", status="open",
               assignee=agents[n % AGENTS]) for n, number in enumerate(numbers)])
    start = timezone.now() - timedelta(hours=1)
    SlaTimer.objects.bulk_create([
        SlaTimer(ticket=ticket, policy=sla_policy, kind="first_response", target_minutes=15,
                 started_at=start + timedelta(seconds=n), warn_at=start + timedelta(minutes=12, seconds=n),
                 due_at=start + timedelta(minutes=15, seconds=n)) for n, ticket in enumerate(tickets)])
    return tickets, team


def sla_outcome():
    """What a scan committed: breached timers, escalated tickets, alerts in-site and in the outbox."""
    return {
        "breached": SlaTimer.objects.filter(breached_at__isnull=False).count(),
        "escalated": TicketEvent.objects.filter(field="team").count(),
        "notifications": Notification.objects.filter(kind__startswith="sla").count(),
        "emails": OutboundEmail.objects.filter(topic__startswith="sla").count(),
    }


def test_sla_scan_killed_mid_transaction_loses_and_doubles_no_alert(due_timers, workers, broker, mailbox):
    """A worker killed in the middle of the SLA scan: the scan had claimed every due timer and written the alerts in
    one transaction, blocked on a ticket's row lock (the test holds it) while escalating. SIGKILL: nothing commits.
    The killed worker's database session keeps the claimed rows locked until Postgres notices it is gone, so the
    redelivered scan skips them (SKIP LOCKED: skipped, not lost); the next beat scan marks each timer breached
    once, escalates each ticket once, and tells each assignee once, in-site and by one email."""
    tickets, team = due_timers
    nothing = {"breached": 0, "escalated": 0, "notifications": 0, "emails": 0}
    blocker = tickets[TICKETS // 2]
    with row_lock("SELECT 1 FROM tickets_ticket WHERE id = %s FOR UPDATE", [blocker.pk]) as locker:
        sla_scan.delay()
        doomed = workers.start("sla-doomed", smtp_port=settings.EMAIL_PORT)
        scanner = wait_for(lambda: sessions_blocked_by(locker), "the scan to wait for the blocker's row lock")[0]
        # In flight: every due timer claimed (locked) by the scan's open transaction, nothing visible to others.
        assert _column("SELECT count(*) FROM (SELECT id FROM tickets_slatimer FOR UPDATE SKIP LOCKED) free") == [0]
        assert sla_outcome() == nothing
        workers.kill(doomed)
        workers.sessions.append(scanner)
        assert session_alive(scanner)  # Postgres has not noticed: the dead worker's session still holds the rows
        # The killed scan's task is dropped, the harsher case (as if its redelivery were lost too): recovery must
        # come from the beat's next scan alone. (Waiting for the broker to redeliver it, as the email tests do,
        # passed alone but timed out under the full suite: the fresh worker never got it within 90 s.)
        broker.purge()
        workers.start("sla-fresh", smtp_port=settings.EMAIL_PORT)
        sla_scan.delay()  # a beat tick while the dead session still holds the rows
        broker.wait_idle("a scan while the dead worker's session holds the claimed rows")
        assert sla_outcome() == nothing  # it ran, and skipped the rows the dead session holds
    # The lock is gone: the dead worker's session gets it, finds its client gone and rolls back everything.
    wait_for(lambda: not session_alive(scanner), "the dead worker's session to end", timeout=10)
    assert sla_outcome() == nothing
    assert not Ticket.objects.filter(team=team).exists()

    sla_scan.delay()  # the beat's next tick
    broker.wait_idle("the scan and the delivery of its alerts", timeout=120)
    sla_scan.delay()  # and one more: nothing is left to do
    broker.wait_idle("the repeated scan")

    expected = {(ticket.assignee_id, ticket.ref) for ticket in tickets}
    assert sla_outcome() == {"breached": TICKETS, "escalated": TICKETS, "notifications": TICKETS, "emails": TICKETS}
    assert not SlaTimer.objects.exclude(breached_at=F("due_at")).exists()  # dated at the due time
    alerts = Counter((n.user_id, n.params["ref"]) for n in Notification.objects.filter(kind="sla_breach"))
    assert set(alerts) == expected and set(alerts.values()) == {1}
    assert Ticket.objects.filter(team=team).count() == TICKETS
    assignee_email = {ticket.assignee_id: ticket.assignee.email for ticket in tickets}
    rows = Counter((row.to_email, row.topic, row.status)
                   for row in OutboundEmail.objects.filter(topic__startswith="sla"))
    assert rows == Counter({(assignee_email[user], f"sla:{ref}", "sent"): 1 for user, ref in expected})
    received = [m["message"] for m in mailbox]
    assert len(received) == TICKETS and len({m["Message-ID"] for m in received}) == TICKETS
    assert Counter((str(m["To"]), str(m["Subject"]).split("]")[0] + "]") for m in received) == Counter(
        {(assignee_email[user], f"[{ref}]"): 1 for user, ref in expected})
