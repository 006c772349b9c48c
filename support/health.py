"""Health of what the desk depends on: the database, Redis and the Celery workers, each with a short timeout."""
import time

import redis
from django.conf import settings
from django.db import connection

from support.celery import HEARTBEAT_PREFIX


def _timed(check):
    started = time.monotonic()
    try:
        result = check()
        ok, extra = (result if isinstance(result, tuple) else (True, {}))
    except Exception as exc:  # any failure of a dependency is reported, not raised: this is the health endpoint
        ok, extra = False, {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"ok": ok, "ms": round((time.monotonic() - started) * 1000, 1), **extra}


def _redis_ping(url):
    timeout = settings.HEALTHCHECK_TIMEOUT
    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return client.ping()
    finally:
        client.close()


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, {}


def check_redis():
    _redis_ping(settings.REDIS_URL)
    return True, {}


def check_workers():
    timeout = settings.HEALTHCHECK_TIMEOUT
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        keys = list(client.scan_iter(match=HEARTBEAT_PREFIX + "*", count=100))
    finally:
        client.close()
    workers = sorted(key.decode()[len(HEARTBEAT_PREFIX):] for key in keys)
    if not workers:
        return False, {"error": "no Celery worker has sent a heartbeat recently", "workers": []}
    return True, {"workers": workers}


def health_report():
    """Return (healthy, report) where report holds one entry per dependency."""
    checks = {
        "database": _timed(check_database),
        "redis": _timed(check_redis),
        "workers": _timed(check_workers),
    }
    healthy = all(entry["ok"] for entry in checks.values())
    return healthy, {"status": "ok" if healthy else "unavailable", "checks": checks}
