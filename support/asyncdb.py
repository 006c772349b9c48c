"""Database work from async code (the websocket consumers) on a bounded pool of threads.

Channels' `database_sync_to_async` is thread-sensitive by default: every call of a process runs on one shared thread,
so while one chat message waits for Postgres (a few round trips of ~0.4 ms each on a small VM, and the commit),
every other socket's database work waits behind it; the chat benchmark found that thread busy 100 % of the time,
three quarters of it waiting on the network. Here each call runs on one of ASYNC_DB_THREADS threads, each with its
own persistent connection (the usual CONN_MAX_AGE rules; stale connections are closed around every call as
Channels does), so waits overlap. Every call is one unit of work (one service call, its own transaction), and a
consumer awaits its calls one at a time, so the frames of one socket are still handled in order.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from django.conf import settings

_pool = {"executor": None, "pid": None}
_lock = threading.Lock()


def _executor():
    import os

    with _lock:
        if _pool["executor"] is None or _pool["pid"] != os.getpid():  # a forked worker starts its own threads
            _pool.update(executor=ThreadPoolExecutor(max_workers=settings.ASYNC_DB_THREADS,
                                                     thread_name_prefix="db"), pid=os.getpid())
        return _pool["executor"]


def db(func):
    """`await db(service)(**kwargs)`: run a synchronous, database-using function on the pool."""
    return database_sync_to_async(func, thread_sensitive=False, executor=_executor())
