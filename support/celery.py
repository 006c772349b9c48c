"""The Celery application. Workers and beat load it with `celery -A support`."""
import os
import socket
import time

from celery import Celery, bootsteps
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.settings.base")

app = Celery("support")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_PREFIX = "support:worker-heartbeat:"
HEARTBEAT_INTERVAL = 5  # seconds; a worker counts as alive for three intervals after its last beat


def _heartbeat_redis():
    # on first use: redis loads in ~80 ms; every process imports this module, only a worker's heartbeat needs it
    import redis

    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Each worker writes a short-lived key to the broker's Redis; /healthz reads them.

    Cheaper and steadier than a broadcast ping, which costs the health check a full timeout each call.
    """

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None
        self.key = HEARTBEAT_PREFIX + (getattr(worker, "hostname", None) or socket.gethostname())
        self.client = None

    def start(self, worker):
        self.client = _heartbeat_redis()
        self.beat()
        self.tref = worker.timer.call_repeatedly(HEARTBEAT_INTERVAL, self.beat, priority=10)

    def beat(self):
        try:
            self.client.set(self.key, str(time.time()), ex=HEARTBEAT_INTERVAL * 3)
        except Exception:  # a missed beat only makes /healthz report the worker late; never stop the worker
            pass

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
        if self.client is not None:
            try:
                self.client.delete(self.key)
            except Exception:
                pass


app.steps["worker"].add(WorkerHeartbeat)
