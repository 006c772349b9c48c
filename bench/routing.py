"""Routing: `chats` chats queued at once, `agents` agents coming online together (from two processes, through the
same service the agent socket calls); chats assigned per second, time until the queue is empty, and the check that
matters more than speed: no chat assigned twice, no agent over capacity. The floor: the bare routing SQL (lock a
free agent and the oldest chat with SKIP LOCKED, count the agent's load, assign) run by pgbench."""
import math
import os
import subprocess
import tempfile
import time

from . import harness

TOPIC = "bench-routing"
AGENT_DOMAIN = "bench-routing.example.com"
LANGUAGES = ["en", "zh-hans", "es", "ru", "ja", "ko"]

PGBENCH_SCRIPT = """
BEGIN;
SELECT p.user_id AS agent FROM support_agentprofile p JOIN support_user u ON u.id = p.user_id
  WHERE u.email LIKE '%@bench-routing.example.com' ORDER BY p.last_chat_at NULLS FIRST LIMIT 1
  FOR UPDATE OF p SKIP LOCKED \\gset
SELECT count(*) AS load FROM livechat_conversation WHERE agent_id = :agent AND status = 'active' \\gset
SELECT quote_literal(id) AS chat FROM livechat_conversation WHERE status = 'queued' AND topic = 'bench-routing'
  ORDER BY coalesce(queue_key, queued_at), id LIMIT 1 FOR UPDATE SKIP LOCKED \\gset
UPDATE livechat_conversation SET status = 'active', agent_id = :agent, assigned_at = now(),
  answered_at = coalesce(answered_at, now()) WHERE id = :chat;
UPDATE support_agentprofile SET last_chat_at = now() WHERE user_id = :agent;
ROLLBACK;
"""


def _setup(chats, agents):
    """Fresh queue and agents for this run: old bench chats removed, agents offline with room for every chat."""
    import datetime as dt

    from django.utils import timezone

    from livechat.models import Conversation, ConversationStatus
    from support import services
    from support.models import AgentProfile, Presence, User

    Conversation.objects.filter(topic=TOPIC).delete()
    # Only this run's chats in play: anything else waiting or held (an earlier run, demo data) is closed.
    Conversation.objects.filter(status__in=[ConversationStatus.QUEUED, ConversationStatus.ACTIVE]).update(
        status=ConversationStatus.CLOSED, closed_at=timezone.now(), closed_by="system")
    capacity = min(50, math.ceil(chats / agents))
    have = set(User.objects.filter(email__endswith=AGENT_DOMAIN).values_list("email", flat=True))
    for n in range(agents):
        email = f"agent{n}@{AGENT_DOMAIN}"
        if email not in have:
            services.agent_create(email=email, password=None, languages=LANGUAGES, capacity=capacity)
    profiles = AgentProfile.objects.filter(user__email__endswith=AGENT_DOMAIN)
    profiles.update(presence=Presence.OFFLINE, capacity=capacity, languages=LANGUAGES, last_chat_at=None)
    now = timezone.now()
    Conversation.objects.bulk_create([
        Conversation(language=LANGUAGES[i % len(LANGUAGES)], topic=TOPIC, status=ConversationStatus.QUEUED,
                     visitor_name=f"Visitor {i}", created_at=now, queued_at=now + dt.timedelta(microseconds=i))
        for i in range(chats)], batch_size=1000)
    ids = list(profiles.order_by("user_id").values_list("user_id", flat=True)[:agents])
    return ids, capacity


def agents_come_online(agent_ids):
    """In a load process: each agent goes online through the service the socket calls (which routes to them)."""
    import django

    django.setup()
    from livechat import services
    from support.models import User

    users = list(User.objects.filter(pk__in=agent_ids).select_related("agent_profile"))
    started = time.time()  # wall clock: compared across processes
    for user in users:
        services.agent_presence_set(agent=user, presence="online")
    return started, time.time()


def _check(chats, capacity):
    from django.db.models import Count

    from livechat.models import Conversation, ConversationStatus

    bench = Conversation.objects.filter(topic=TOPIC)
    queued = bench.filter(status=ConversationStatus.QUEUED).count()
    loads = list(bench.filter(status=ConversationStatus.ACTIVE).values("agent").annotate(n=Count("id"))
                 .values_list("n", flat=True))
    active = sum(loads)
    return {"queued_left": queued, "assigned": active, "over_capacity": sum(1 for n in loads if n > capacity),
            "lost_or_double": chats - active - queued}


def _pgbench(seconds, clients):
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    try:
        out = subprocess.run(harness.pinned(["pgbench", "-n", "-f", script.name, "-c", str(clients), "-j",
                                             str(clients), "-T", str(seconds), harness.BENCH_DATABASE_URL],
                                            harness.CLIENT_CORES), capture_output=True, text=True, check=False)
    finally:
        os.unlink(script.name)
    for line in out.stdout.splitlines():
        if line.startswith("tps = "):
            return float(line.split()[2])
    raise RuntimeError(f"pgbench failed: {out.stderr[-500:]}")


def run(results, *, chats, agents, seconds, processes=2):
    agent_ids, capacity = _setup(chats, agents)
    floor = _pgbench(seconds, processes)
    results.add("routing", "bare routing SQL (pgbench)", round(floor, 1), "tps", clients=processes)
    shares = [agent_ids[i::processes] for i in range(processes)]
    spans = harness.run_clients(agents_come_online, [(share,) for share in shares])
    # From the first agent going online to the last assignment (process start-up is not routing).
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    check = _check(chats, capacity)
    rate = round(check["assigned"] / elapsed, 1)
    results.add("routing", f"{chats} chats to {agents} agents coming online", rate, "assign/s",
                target=">= 500/s and >= 0.5 x pgbench", ok=rate >= 500 and rate >= 0.5 * floor,
                ratio_to_sql_floor=round(rate / floor, 2), queue_empty_after_s=round(elapsed, 2), **check)
    results.add("routing", "double assignments or agents over capacity",
                check["lost_or_double"] + check["over_capacity"] + check["queued_left"], "count", target="0",
                ok=check["lost_or_double"] == 0 and check["over_capacity"] == 0 and check["queued_left"] == 0)
