"""Baselines measured in the same run, so that every other figure can be a ratio that holds on a noisy machine:
a raw websockets echo server, a raw Redis publish/subscribe round trip, and a trivial Django view and a trivial
Channels room consumer on the same ASGI server as the desk."""
import asyncio
import subprocess
import sys
import time

from . import harness

# --- load clients (run in separate processes) ------------------------------------------------------------------


def http_load(url, connections, seconds, method="GET", headers=None, bodies=None):
    """Closed loop: `connections` keep-alive clients each send the next request when the previous answered.
    Returns requests, errors and latencies (ms)."""
    return asyncio.run(_http_load(url, connections, seconds, method, headers or {}, bodies))


async def _http_load(url, connections, seconds, method, headers, bodies):
    import aiohttp

    latencies, errors = [], 0
    deadline = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=10)  # a request slower than this counts as an error, not as a latency
    async with aiohttp.ClientSession(connector=connector, headers=headers, timeout=timeout) as session:
        async def worker(n):
            nonlocal errors
            i = 0
            while time.monotonic() < deadline:
                i += 1
                started = time.perf_counter()
                try:
                    body = bodies(n, i) if bodies else None
                    async with session.request(method, url, json=body) as response:
                        await response.read()
                        if response.status >= 400:
                            errors += 1
                            continue
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(worker(n) for n in range(connections)))
    return {"requests": len(latencies), "errors": errors, "latencies": latencies, "seconds": seconds}


def ws_echo_load(url, connections, seconds, origin=None, room_pairs=False):
    """Closed loop over websockets. Plain echo: each connection sends, waits for the echo, sends again. With
    room_pairs: connections come in pairs sharing a room; one side sends, waits for the other to receive it
    (the relay through the channel layer), and sends again."""
    return asyncio.run(_ws_echo_load(url, connections, seconds, origin, room_pairs))


async def _ws_echo_load(url, connections, seconds, origin, room_pairs):
    import websockets

    latencies, errors = [], 0
    deadline = time.monotonic() + seconds

    async def echo(n):
        nonlocal errors
        async with websockets.connect(url, origin=origin, max_queue=None) as ws:
            while time.monotonic() < deadline:
                started = time.perf_counter()
                await ws.send("x" * 64)
                await ws.recv()
                latencies.append((time.perf_counter() - started) * 1000)

    async def pair(n):
        room_url = f"{url}{n}-{time.monotonic_ns()}/"
        async with websockets.connect(room_url, origin=origin) as a, websockets.connect(room_url, origin=origin) as b:
            await asyncio.sleep(0.2)  # both joined the room's group
            while time.monotonic() < deadline:
                started = time.perf_counter()
                await a.send("x" * 64)
                try:
                    await asyncio.wait_for(b.recv(), timeout=5)
                except asyncio.TimeoutError:
                    nonlocal_errors.append(1)
                    continue
                latencies.append((time.perf_counter() - started) * 1000)

    nonlocal_errors = []
    tasks = [pair(n) if room_pairs else echo(n) for n in range(connections // 2 if room_pairs else connections)]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    errors = sum(1 for r in results if isinstance(r, Exception)) + len(nonlocal_errors)
    return {"requests": len(latencies), "errors": errors, "latencies": latencies, "seconds": seconds}


def redis_pubsub_load(redis_url, pairs, seconds):
    """Closed loop: publish on a channel, wait for our own subscriber to get it; `pairs` at once."""
    return asyncio.run(_redis_pubsub_load(redis_url, pairs, seconds))


async def _redis_pubsub_load(redis_url, pairs, seconds):
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url)
    latencies = []
    deadline = time.monotonic() + seconds

    async def one(n):
        pubsub = client.pubsub()
        channel = f"bench-rtt-{n}-{time.monotonic_ns()}"
        await pubsub.subscribe(channel)
        await pubsub.get_message(timeout=1)  # the subscribe confirmation
        while time.monotonic() < deadline:
            started = time.perf_counter()
            await client.publish(channel, b"x" * 64)
            while True:
                message = await pubsub.get_message(timeout=5)
                if message and message["type"] == "message":
                    break
            latencies.append((time.perf_counter() - started) * 1000)
        await pubsub.aclose()

    await asyncio.gather(*(one(n) for n in range(pairs)))
    await client.aclose()
    return {"requests": len(latencies), "errors": 0, "latencies": latencies, "seconds": seconds}


def merge(parts):
    latencies = [x for part in parts for x in part["latencies"]]
    seconds = max(part["seconds"] for part in parts)
    return {"rate": round(sum(p["requests"] for p in parts) / seconds, 1), "errors": sum(p["errors"] for p in parts),
            "p50_ms": round(harness.percentile(latencies, 50) or 0, 2),
            "p99_ms": round(harness.percentile(latencies, 99) or 0, 2), "count": len(latencies)}


def measured(target, args_list, rounds=1):
    """Run the same load `rounds` times and keep the median run (by rate); the others' rates come along."""
    runs = [merge(harness.run_clients(target, args_list)) for _ in range(max(1, rounds))]
    runs.sort(key=lambda run: run["rate"])
    median = dict(runs[len(runs) // 2])
    median["runs"] = [run["rate"] for run in runs]
    return median


def split(total, processes):
    return [total // processes + (1 if i < total % processes else 0) for i in range(processes)]


# --- the baselines ---------------------------------------------------------------------------------------------


def echo_server_main(port):
    """A raw websockets echo server (the websockets library, no framework)."""
    import websockets

    async def echo(ws):
        async for message in ws:
            await ws.send(message)

    async def serve():
        async with websockets.serve(echo, "127.0.0.1", port, max_queue=None):
            await asyncio.Future()

    asyncio.run(serve())


def measure(results, *, seconds, connections, processes=2, rounds=1):
    """Run the four baselines; returns their closed-loop rates by name for the ratios of other benchmarks."""
    rates = {}
    per_process = split(connections, processes)

    # 1. Raw websockets echo server, pinned like our servers.
    port = harness.free_port()
    command = [sys.executable, "-c", f"from bench.baselines import echo_server_main; echo_server_main({port})"]
    echo = subprocess.Popen(harness.pinned(command, harness.SERVER_CORES), cwd=harness.ROOT)
    try:
        harness.wait_for_port(port, echo)
        stats = measured(ws_echo_load, [(f"ws://127.0.0.1:{port}/", n, seconds) for n in per_process], rounds)
    finally:
        echo.terminate()
        echo.wait()
    rates["websockets_echo"] = stats["rate"]
    results.add("baseline", "raw websockets echo", stats["rate"], "msg/s", p50_ms=stats["p50_ms"],
                p99_ms=stats["p99_ms"], errors=stats["errors"], connections=connections, runs=stats["runs"])

    # 2. Raw Redis publish/subscribe round trip.
    stats = measured(redis_pubsub_load, [(harness.BENCH_REDIS_URL, max(1, n // 4), seconds) for n in per_process],
                     rounds)
    rates["redis_pubsub"] = stats["rate"]
    results.add("baseline", "raw Redis pub/sub round trip", stats["rate"], "msg/s", p50_ms=stats["p50_ms"],
                p99_ms=stats["p99_ms"], runs=stats["runs"])

    # 3 and 4. A trivial Django view and a trivial Channels room on the desk's own server.
    with harness.asgi_servers(1) as (urls, procs):
        base = urls[0]
        stats = measured(http_load, [(f"{base}/bench/trivial/", n, seconds) for n in per_process], rounds)
        rates["trivial_view"] = stats["rate"]
        results.add("baseline", "trivial Django view (ASGI)", stats["rate"], "req/s", p50_ms=stats["p50_ms"],
                    p99_ms=stats["p99_ms"], errors=stats["errors"], runs=stats["runs"])
        ws_base = base.replace("http://", "ws://")
        stats = measured(ws_echo_load, [(f"{ws_base}/ws/bench/room/", max(2, n), seconds, base, True)
                                        for n in per_process], rounds)
        rates["trivial_consumer"] = stats["rate"]
        results.add("baseline", "trivial Channels room relay", stats["rate"], "msg/s", p50_ms=stats["p50_ms"],
                    p99_ms=stats["p99_ms"], errors=stats["errors"], runs=stats["runs"])

    # 5. The same trivial view served by WSGI (gunicorn): the other way to serve the HTTP side.
    with harness.wsgi_server() as (base, proc):
        stats = measured(http_load, [(f"{base}/bench/trivial/", n, seconds) for n in per_process], rounds)
        rates["trivial_view_wsgi"] = stats["rate"]
        results.add("baseline", "trivial Django view (WSGI)", stats["rate"], "req/s", p50_ms=stats["p50_ms"],
                    p99_ms=stats["p99_ms"], errors=stats["errors"], runs=stats["runs"],
                    ratio_to_asgi=round(stats["rate"] / rates["trivial_view"], 2) if rates["trivial_view"] else None)
    return rates
