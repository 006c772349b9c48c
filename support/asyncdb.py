"""Database work from async code (the websocket consumers) on a bounded pool of threads.

Channels' `database_sync_to_async` is thread-sensitive by default: every call of a process runs on one shared thread,
so while one chat message waits for Postgres (a few round trips of ~0.4 ms each on a small VM, and the commit),
every other socket's database work waits behind it; the chat benchmark found that thread busy 100 % of the time,
three quarters of it waiting on the network. Here each call runs on one of ASYNC_DB_THREADS threads, each with its
own persistent connection (the usual CONN_MAX_AGE rules; stale connections are closed around every call as
Channels does), so waits overlap. A connection that served a call without error in the last HEALTHY_FOR seconds
skips Django's health check (a `SELECT 1` round trip before each call, since every call counts as a new request:
7 % of the chat server's CPU under load); one idle longer, or that saw an error, is checked as before. Every call is one unit of work (one service call, its own transaction), and a
consumer awaits its calls one at a time, so the frames of one socket are still handled in order.
"""
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import close_old_connections, connection

HEALTHY_FOR = 5.0  # seconds

_pool = {"executor": None, "pid": None}
_lock = threading.Lock()


def _executor():
    with _lock:
        if _pool["executor"] is None or _pool["pid"] != os.getpid():  # a forked worker starts its own threads
            _pool.update(executor=ThreadPoolExecutor(max_workers=settings.ASYNC_DB_THREADS,
                                                     thread_name_prefix="db"), pid=os.getpid())
        return _pool["executor"]


class _PooledCall(SyncToAsync):
    def thread_handler(self, loop, *args, **kwargs):
        close_old_connections()  # broken, expired or left in a transaction: closed, as Channels does
        last_ok = getattr(connection, "pool_last_ok", None)
        if connection.connection is not None and last_ok is not None and time.monotonic() - last_ok < HEALTHY_FOR:
            connection.health_check_done = True
        try:
            result = super().thread_handler(loop, *args, **kwargs)
        except BaseException:
            connection.pool_last_ok = None
            raise
        finally:
            close_old_connections()
        connection.pool_last_ok = None if connection.connection is None or connection.errors_occurred \
            else time.monotonic()
        return result


def db(func):
    """`await db(service)(**kwargs)`: run a synchronous, database-using function on the pool."""
    return _PooledCall(func, thread_sensitive=False, executor=_executor())
