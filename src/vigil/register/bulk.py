"""Fast inserts with PostgreSQL COPY for the import path.

Django's ``bulk_create`` builds one large INSERT statement per batch; for the
100,000-signal import that compiling and quoting cost more than the database
work itself (measured: docs/benchmarks.md). ``copy_insert`` takes ids from the
table's sequence, then streams rows with COPY, using each field's own
``get_db_prep_save`` so values are stored exactly as the ORM would store them.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model


def allocate_ids(model: type[Model], n: int) -> list[int]:
    connection = connections[DEFAULT_DB_ALIAS]
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
        return [row[0] for row in cur.fetchall()]


def copy_insert(objs: list[Model]) -> None:
    """Insert unsaved instances of one model; their primary keys are set on return."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    connection = connections[DEFAULT_DB_ALIAS]  # the real wrapper: the proxy costs a lookup per value
    for obj, pk in zip(objs, allocate_ids(model, len(objs)), strict=True):
        obj.pk = pk
        obj._state.adding = False
    fields = meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cur:
        with cur.cursor.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
