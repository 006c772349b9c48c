"""Bulk loading for generated data (the benchmarks' data, the demo's history): rows go in through psycopg 3's COPY,
several times faster than multi-row INSERTs (bulk_create spends most of its time building and parsing the statement).

`copy_objects` writes unsaved model instances with the column values bulk_create would write; `ids_reserve` hands
out primary keys first when other rows must point at the new ones (COPY returns nothing). `without_foreign_keys`
and `without_indexes` take a table's checks and secondary indexes away for one large load and put them back as
they were (one validating join, one sorted build), instead of a check and index insert per row.
"""
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def _quoted(name):
    return connection.ops.quote_name(name)


def copy_rows(table, columns, rows):
    """COPY `rows` (tuples in the order of `columns`) into `table`, on Django's connection and in its transaction.
    Returns how many rows were written."""
    count = 0
    with connection.cursor() as cursor:
        statement = f"COPY {_quoted(table)} ({', '.join(_quoted(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


# Fields whose database value is the attribute's value itself when it has the field's own Python type (Django's
# conversions return it unchanged, and COPY's text form reads anything else the same way): read as they are. Any
# other field, a subclass of these included, is converted by its get_db_prep_save as bulk_create does.
_PLAIN = frozenset({
    models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField, models.BigIntegerField,
    models.SmallIntegerField, models.PositiveIntegerField, models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField, models.FloatField, models.BooleanField, models.CharField, models.TextField,
    models.EmailField, models.SlugField, models.DateTimeField, models.UUIDField,
})


def _plain(field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return False  # (pre_save sets them)
    if type(field) is models.ForeignKey:
        return type(field.target_field) in _PLAIN
    return type(field) in _PLAIN


def copy_objects(objects, *, table=None):
    """Write unsaved instances of one model as bulk_create would (each field's pre_save and database value), in one
    COPY. The primary key is written when the instances have one (UUIDs, or ids from `ids_reserve`), else the
    database assigns it and the instances do not learn it. `table`: another table with the model's columns."""
    objects = list(objects)
    if not objects:
        return 0
    model, database = type(objects[0]), connections[DEFAULT_DB_ALIAS]
    with_pk = objects[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    columns = [(f.attname, None if _plain(f) else f) for f in fields]
    relations = [f for f in fields if f.is_relation]

    def values(obj):
        for field in relations:
            # A related object saved after it was assigned (bulk_create does the same).
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                related = field.get_cached_value(obj)
                if related is not None:
                    setattr(obj, field.attname, related.pk)
        return [getattr(obj, attname) if field is None else field.get_db_prep_save(field.pre_save(obj, True), database)
                for attname, field in columns]

    return copy_rows(table or model._meta.db_table, [f.column for f in fields], (values(obj) for obj in objects))


def ids_reserve(model, count):
    """`count` new primary keys for `model` from its table's own sequence, as the database would assign them."""
    if count <= 0:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [table, column, count])
        return [row[0] for row in cursor.fetchall()]


def _definitions(table, kind):
    with connection.cursor() as cursor:
        if kind == "foreign keys":
            cursor.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                              WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname""", [table])
        else:  # every index but the primary key's and a constraint's (a unique index alone is rebuilt, and checked)
            cursor.execute("""SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
                              JOIN pg_class c ON c.oid = i.indexrelid
                              WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS (
                                  SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                              ORDER BY c.relname""", [table])
        return cursor.fetchall()


def _checks_now(cursor):
    """In a transaction, run the deferred checks already queued (a table with pending checks cannot be altered or
    indexed); its constraints are deferred again after, as Django declares them."""
    if connection.in_atomic_block:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _restored(put_back):
    """Run `put_back` after the block, and after an error in it too unless a transaction is open (its rollback puts
    everything back: the drop was part of it)."""
    try:
        yield
    except BaseException:
        if not connection.in_atomic_block:
            put_back()
        raise
    put_back()


@contextmanager
def without_foreign_keys(*tables):
    """The tables' foreign keys dropped for the block and added back after it, validated then in one join per key:
    a row that points nowhere still fails the load."""
    dropped = [(table, name, definition) for table in tables for name, definition in _definitions(table, "foreign keys")]
    with connection.cursor() as cursor:
        _checks_now(cursor)
        for table, name, _definition in dropped:
            cursor.execute(f"ALTER TABLE {_quoted(table)} DROP CONSTRAINT {_quoted(name)}")

    def put_back():
        with connection.cursor() as cursor:
            _checks_now(cursor)
            for table, name, definition in dropped:
                cursor.execute(f"ALTER TABLE {_quoted(table)} ADD CONSTRAINT {_quoted(name)} {definition}")

    with _restored(put_back):
        yield


@contextmanager
def without_indexes(*tables, build_memory="2GB", progress=None):
    """The tables' indexes but their primary key's and constraints' dropped for the block and built again after it,
    each from rows sorted in up to `build_memory` (the 18 million term rows' ranking index: 47 s with 2 GB, 73 s with
    512 MB, sorting on disk; a unique index checks its rows then);
    `progress(done, total, label)` is told as each is built."""
    dropped = [(name, definition) for table in tables for name, definition in _definitions(table, "indexes")]
    with connection.cursor() as cursor:
        _checks_now(cursor)
        for name, _definition in dropped:
            cursor.execute(f"DROP INDEX {_quoted(name)}")

    def put_back():
        with connection.cursor() as cursor:
            _checks_now(cursor)
            cursor.execute("SELECT set_config('maintenance_work_mem', %s, false)", [build_memory])
            for done, (name, definition) in enumerate(dropped, start=1):
                cursor.execute(definition)
                if progress:
                    progress(done, len(dropped), f"indexes rebuilt ({name})")
            cursor.execute("RESET maintenance_work_mem")  # (after a failed build, the session ends with the run)

    with _restored(put_back):
        yield
