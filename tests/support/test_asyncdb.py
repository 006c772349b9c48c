"""support.asyncdb: database work of the websocket consumers on a pool of threads. A connection that served a call
without error moments ago is trusted without Django's health-check round trip; after an error, or when it has been
idle, the check runs again."""
import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import DatabaseError, connection

from support import asyncdb

pytestmark = pytest.mark.django_db(transaction=True)


def _entry_state(fail=False):
    state = {"check_pending": not connection.health_check_done, "open": connection.connection is not None}
    with connection.cursor() as cursor:
        if fail:
            cursor.execute("SELECT no_such_column FROM no_such_table")
        cursor.execute("SELECT 1")
    return state


def test_recently_good_connections_skip_the_health_check(monkeypatch):
    # Persistent connections, as deployed (the test settings close them after every request).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    executor = ThreadPoolExecutor(max_workers=1)  # one thread, so every call below shares its connection
    call = asyncdb._PooledCall(_entry_state, thread_sensitive=False, executor=executor)
    failing = asyncdb._PooledCall(lambda: _entry_state(fail=True), thread_sensitive=False, executor=executor)

    async def scenario():
        first = await call()
        second = await call()
        with pytest.raises(DatabaseError):
            await failing()
        after_error = await call()
        monkeypatch.setattr(asyncdb, "HEALTHY_FOR", 0.0)  # as if idle for longer than HEALTHY_FOR
        after_idle = await call()
        return first, second, after_error, after_idle

    outcome = {}

    def event_loop():  # a thread of its own, like a server's event loop: no test connection in its context
        try:
            outcome["states"] = asyncio.run(scenario())
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the test's thread
            outcome["error"] = exc

    loop_thread = threading.Thread(target=event_loop)
    loop_thread.start()
    loop_thread.join(30)
    executor.submit(lambda: connection.close()).result()  # the pool thread's own connection
    executor.shutdown()
    if "error" in outcome:
        raise outcome["error"]
    first, second, after_error, after_idle = outcome["states"]
    assert first == {"check_pending": True, "open": False}  # a new connection: nothing to trust yet
    assert second == {"check_pending": False, "open": True}  # served a call just now: no SELECT 1
    assert after_error["check_pending"] is True  # an error: checked again
    assert after_idle["check_pending"] is True
