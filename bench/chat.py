"""Chat: N customer/agent pairs on real websockets (2N sockets), each pair already assigned (routing has its own
benchmark), through the desk's own consumers: the customer's `/ws/chat/<id>/?token=` and the agent's `/ws/agent/`
(session cookie), so every message is authenticated, stored with its sequence number and relayed by the layer.

- Open loop at a human rate: each side sends one message every `interval` seconds (pairs staggered); delivery
  latency is measured from the *scheduled* send time, so a stalled client or server cannot hide its queueing.
  Every message must arrive exactly once on the other side (counted by client_msg_id).
- Closed loop: each pair sends the next message when the previous one arrived; messages/s against the minimal
  room relay on the same server and layer (bench/asgi.py).
"""
import asyncio
import json
import time

from . import harness

TOPIC = "bench-chat"
AGENT_DOMAIN = "bench-chat.example.com"


def setup(pairs):
    """Pairs of (customer token, agent session cookie, conversation id): one active chat per agent, nothing else
    waiting or active in the database."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from livechat.models import Conversation, ConversationStatus
    from livechat.tokens import visitor_token
    from support import services
    from support.models import AgentProfile, Presence, User

    now = timezone.now()
    Conversation.objects.filter(status__in=[ConversationStatus.QUEUED, ConversationStatus.ACTIVE]).update(
        status=ConversationStatus.CLOSED, closed_at=now, closed_by="system")
    have = set(User.objects.filter(email__endswith=AGENT_DOMAIN).values_list("email", flat=True))
    for n in range(pairs):
        email = f"agent{n}@{AGENT_DOMAIN}"
        if email not in have:
            services.agent_create(email=email, password=None, languages=["en"], capacity=1)
    agents = list(User.objects.filter(email__endswith=AGENT_DOMAIN).order_by("pk")[:pairs])
    # Online, so that a dropped socket is not mistaken for an agent who left (the requeue beat is not running).
    AgentProfile.objects.filter(user__in=agents).update(presence=Presence.ONLINE, last_seen_at=now)
    chats = Conversation.objects.bulk_create([
        Conversation(language="en", topic=TOPIC, status=ConversationStatus.ACTIVE, agent=agent, visitor_name="V",
                     created_at=now, queued_at=now, assigned_at=now, answered_at=now) for agent in agents])
    result = []
    for agent, chat in zip(agents, chats):
        session = SessionStore()
        session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(agent.pk), settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
        # Staff sessions pass a second factor (support.twofactor): the agent's authenticator verified this one.
        device, _created = TOTPDevice.objects.get_or_create(user=agent, name="authenticator",
                                                            defaults={"confirmed": True})
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        result.append((visitor_token(chat.id), f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
                       str(chat.id)))
    return result


RAMP_PER_SECOND = 50  # pairs (two sockets each) opened per second by all load processes together: a surge of
# arrivals, not a stampede. Opening a socket costs the server a few milliseconds (session or token, the agent's
# snapshot of queues and chats); at 100 pairs a second, handshakes of 500 and 1,000 pairs waited past the
# handshake timeout ("did not receive a valid HTTP response"), which measured connection setup, not the chat.
DRAIN_SECONDS = 15  # after the last send, how long delivery may take before a message counts as lost


def pair_load(base, pairs, seconds, interval, closed_loop, start_at, ramp_per_process=RAMP_PER_SECOND):
    return asyncio.run(_pair_load(base, pairs, seconds, interval, closed_loop, start_at, ramp_per_process))


async def _pair_load(base, pairs, seconds, interval, closed_loop, start_at, ramp_per_process):
    import websockets

    ws_base = base.replace("http://", "ws://")
    latencies, errors = [], []
    sent = {"customer": 0, "agent": 0}
    received = {}  # client_msg_id -> times received

    async def connect(url, headers=None):
        return await websockets.connect(url, origin=base, additional_headers=headers or {}, max_queue=None,
                                        open_timeout=30)

    async def reader(ws, own_sender, arrived):
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") != "message" or frame.get("sender") == own_sender:
                continue
            mid = frame.get("client_msg_id", "")
            if not mid.startswith("b:"):
                continue
            now = time.time()
            received[mid] = received.get(mid, 0) + 1
            latencies.append((now - float(mid.split(":")[3])) * 1000)
            arrived.set()

    async def run_pair(position, index, token, cookie, conversation):
        # Sockets open at a steady rate; sending starts for everyone at start_at, once all are open.
        await asyncio.sleep(position / ramp_per_process)
        customer = await connect(f"{ws_base}/ws/chat/{conversation}/?token={token}")
        agent = await connect(f"{ws_base}/ws/agent/", {"Cookie": cookie})
        to_agent, to_customer = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(reader(agent, "agent", to_agent)),
                 asyncio.create_task(reader(customer, "customer", to_customer))]
        await asyncio.sleep(max(0.5, start_at - time.time()))
        # Open loop: the pairs' first messages are spread over one interval.
        start = time.time() + (index % max(1, int(interval * 10))) / 10 if not closed_loop else time.time()
        n = 0
        try:
            while True:
                if closed_loop:
                    scheduled = time.time()
                    if scheduled > start + seconds:
                        break
                else:
                    scheduled = start + n * interval
                    if scheduled > start + seconds:
                        break
                    await asyncio.sleep(max(0, scheduled - time.time()))
                for side, ws, event in (("customer", customer, to_agent), ("agent", agent, to_customer)):
                    mid = f"b:{index}:{side[0]}{n}:{scheduled:.6f}"
                    frame = {"type": "message", "body": f"message {n}", "client_msg_id": mid}
                    if side == "agent":
                        frame["conversation"] = conversation
                    event.clear()
                    await ws.send(json.dumps(frame))
                    sent[side] += 1
                    if closed_loop:
                        try:
                            await asyncio.wait_for(event.wait(), timeout=10)
                        except asyncio.TimeoutError:
                            errors.append("timeout")
                n += 1
            deadline = time.time() + DRAIN_SECONDS  # let the last messages arrive
            while time.time() < deadline and len(received) < sent["customer"] + sent["agent"]:
                await asyncio.sleep(0.2)
        finally:
            for task in tasks:
                task.cancel()
            await customer.close()
            await agent.close()

    results = await asyncio.gather(*(run_pair(position, *pair_args) for position, pair_args in enumerate(pairs)),
                                   return_exceptions=True)
    errors += [repr(r) for r in results if isinstance(r, Exception)]
    total_sent = sum(sent.values())
    return {"latencies": latencies, "sent": total_sent, "received": len(received),
            "duplicated": sum(1 for count in received.values() if count > 1), "errors": errors[:5],
            "error_count": len(errors)}


def run(results, *, pairs_list, seconds, interval, room_rate=None, processes=2, servers=1, closed_max_pairs=None):
    for pairs in pairs_list:
        for closed_loop in (False, True) if closed_max_pairs is None or pairs <= closed_max_pairs else (False,):
            triples = [(i, *triple) for i, triple in enumerate(setup(pairs))]
            with harness.asgi_servers(servers) as (urls, procs):
                # Pairs alternate between the servers (both sides of a pair on the same one).
                shares = [[] for _ in range(processes)]
                for i, pair in enumerate(triples):
                    shares[i % processes].append(pair)
                per_process = RAMP_PER_SECOND / len([share for share in shares if share])
                ramp = max(len(share) for share in shares) / per_process
                start_at = time.time() + ramp + 5  # + process start-up
                args = [(urls[p % len(urls)], share, seconds, interval, closed_loop, start_at, per_process)
                        for p, share in enumerate(shares) if share]
                started = time.monotonic()
                parts = harness.run_clients(pair_load, args)
                elapsed = time.monotonic() - started
                memory = [harness.rss_mb(proc.pid) for proc in procs]
            latencies = [x for part in parts for x in part["latencies"]]
            sent = sum(part["sent"] for part in parts)
            received = sum(part["received"] for part in parts)
            duplicated = sum(part["duplicated"] for part in parts)
            error_count = sum(part["error_count"] for part in parts)
            lost = sent - received
            mode = "closed loop" if closed_loop else f"open loop, 1 msg / {interval:g} s per side"
            label = f"{pairs} pairs ({2 * pairs} sockets, {servers} server{'s' if servers > 1 else ''}), {mode}"
            common = {"sent": sent, "lost": lost, "duplicated": duplicated, "errors": error_count,
                      "server_rss_mb": memory, "first_errors": [e for part in parts for e in part["errors"]][:3]}
            if closed_loop:
                rate = round(received / seconds, 1)
                ratio = round(rate / room_rate, 2) if room_rate else None
                results.add("chat", label, rate, "msg/s", ratio_to_room_relay=ratio,
                            target=">= 0.6 x room relay", ok=ratio >= 0.6 if ratio is not None else None, **common)
            else:
                p99 = round(harness.percentile(latencies, 99) or 0, 1)
                results.add("chat", label, p99, "ms p99", p50_ms=round(harness.percentile(latencies, 50) or 0, 1),
                            target="p99 < 150 ms, nothing lost or doubled, < 500 MB",
                            ok=p99 < 150 and lost == 0 and duplicated == 0 and all(
                                m is None or m < 500 for m in memory), elapsed_s=round(elapsed, 1), **common)
