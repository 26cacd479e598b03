"""Inserting many rows with one prepared statement (``executemany``).

Django's ``bulk_create`` builds SQL per batch and, on SQLite, limits a batch to 999
parameters (about 30 rows of a wide table); at hundreds of thousands of rows that work
costs more than the database's. Here the values are prepared by each field exactly as
the ORM would (so encrypted fields are encrypted, JSON is serialised) and handed to the
driver in one call. Primary keys are not returned: callers that need them re-read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection


def insert_rows(
    model, objs: Iterable, fields: Sequence[str] | None = None, *, chunk: int = 20_000
) -> int:
    """Insert ``objs`` (unsaved model instances); returns how many rows were written."""
    if fields is None:
        concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    else:
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        concrete = [by_name[name] for name in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names come from the model
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in concrete),
        ", ".join(["%s"] * len(concrete)),
    )
    written = 0
    batch: list[list] = []
    with connection.cursor() as cursor:
        for obj in objs:
            values = []
            for field in concrete:
                value = field.pre_save(obj, add=True)
                values.append(field.get_db_prep_save(value, connection))
            batch.append(values)
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written
