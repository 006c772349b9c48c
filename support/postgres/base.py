"""Django's PostgreSQL backend, with two changes: the check the connection pool runs before it hands a connection
out, and bulk statements split to fit the bound-parameter limit of server-side binding (DatabaseOperations).

Django gives psycopg's pool either no check or psycopg's own, a round trip to Postgres on every borrow: one per
request and per websocket frame, about 0.3 ms of a small VM's network each (the chat server spent 7 % of its CPU on
the same check per frame before). Here a connection that passed a check, or was handed out, in the last HEALTHY_FOR
seconds is trusted; one idle for longer is checked. A connection that broke in between fails the one request that
gets it (503, see support.views.server_error), and the pool discards it on its return. Without the "pool" option
(DATABASE_POOL=0) the pool part is unused. Settings: support/settings/database.py.
"""
import time

from django.db.backends.base.base import NO_DB_ALIAS
from django.db.backends.postgresql import base as postgresql
from psycopg_pool import ConnectionPool

HEALTHY_FOR = 5.0  # seconds
MAX_QUERY_PARAMS = 65_535  # the most parameters one statement can bind on the server (the protocol's 16 bits)


def check_connection(conn):
    now = time.monotonic()
    if now - getattr(conn, "_desk_checked_at", -HEALTHY_FOR) >= HEALTHY_FOR:
        ConnectionPool.check_connection(conn)
    conn._desk_checked_at = now


class DatabaseOperations(postgresql.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        """With server-side binding (prepared statements, support/settings/database.py) every value is a bound
        parameter, so a bulk insert, update or delete of many rows is split to stay under the protocol's limit;
        client-side binding had none."""
        if fields and self.connection.settings_dict["OPTIONS"].get("server_side_binding"):
            return max(1, MAX_QUERY_PARAMS // len(fields))
        return super().bulk_batch_size(fields, objs)


class DatabaseWrapper(postgresql.DatabaseWrapper):
    ops_class = DatabaseOperations

    @property
    def pool(self):
        options = self.settings_dict["OPTIONS"].get("pool")
        if not options or self.alias == NO_DB_ALIAS:
            return None
        if self.alias not in self._connection_pools:
            if self.settings_dict.get("CONN_MAX_AGE", 0) != 0:
                raise postgresql.ImproperlyConfigured("A pooled connection is returned after each request: "
                                                      "CONN_MAX_AGE must be 0 with the pool.")
            kwargs = self.get_connection_params()
            kwargs["autocommit"] = True  # Django sets the connection's mode itself when it borrows one
            pool = ConnectionPool(kwargs=kwargs, open=False, configure=self._configure_connection,
                                  check=check_connection, **({} if options is True else options))
            self._connection_pools.setdefault(self.alias, pool)  # two threads racing here: the first one wins
        return self._connection_pools[self.alias]
