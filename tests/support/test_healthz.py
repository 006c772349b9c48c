"""GET /healthz: 200 when the database, Redis and a Celery worker answer; 503 naming what is down."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def celery_worker_running(celery_worker_process):
    return celery_worker_process


def test_all_green_with_a_worker(client, celery_worker_running):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert body["checks"]["workers"]["ok"] and body["checks"]["workers"]["workers"]


def test_no_worker_is_503(client, settings):
    import redis

    from support.celery import HEARTBEAT_PREFIX

    # No worker runs now; a worker an earlier test killed (tests/reliability) leaves its last beat for 15 s.
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in broker.scan_iter(match=HEARTBEAT_PREFIX + "*"):
        broker.delete(key)
    broker.close()
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["redis"]["ok"]
    assert checks["workers"]["ok"] is False


def test_redis_down_is_503(client, settings):
    """Nothing listens on port 1: Redis and the broker are down, reported quickly, never a 500."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"]["ok"] is False
    assert "Connection" in body["checks"]["redis"]["error"]
    assert body["checks"]["workers"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
