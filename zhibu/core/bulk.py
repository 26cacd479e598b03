"""Inserting many rows with one prepared statement (``executemany``).

Django's ``bulk_create`` builds SQL per batch and, on SQLite, limits a batch to 999
parameters (about 30 rows of a wide table); at hundreds of thousands of rows that work
costs more than the database's. Here the values are prepared by each field exactly as
the ORM would (so encrypted fields are encrypted, JSON is serialised) and handed to the
driver in one call. Primary keys are not returned: callers that need them re-read.

``write_rows`` picks the fastest path of the engine: PostgreSQL's COPY (psycopg 3's
``cursor.copy``, rows streamed in the text format) there, ``insert_rows`` elsewhere.

``write_values`` does the same for rows given as plain tuples of field values (no model
instance per row, the largest cost left in a big import): each value is prepared by its
field as from an instance, except that ``pre_save`` is not called, so automatic
timestamps and defaults are the caller's to fill in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Field classes whose database value is the Python value itself when it already has the
# right type (their ``get_db_prep_save`` only coerces): preparing them is a dict lookup.
_PLAIN = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.SmallIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.BooleanField: bool,
    models.ForeignKey: int,
}


def _preparers(concrete) -> list:
    """One function per field: the model instance → the value handed to the driver,
    exactly as ``field.get_db_prep_save(field.pre_save(obj, add=True))`` gives it."""

    def general(field):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, add=True), connection)

    def plain(field, kind):
        attname = field.attname
        if kind is int and isinstance(field, models.ForeignKey):
            target = field.target_field
            if type(target) not in (models.AutoField, models.BigAutoField, models.IntegerField):
                return general(field)

        text = kind is str  # str subclasses too (choices' enum members): Django keeps them

        def prepare(obj):
            value = getattr(obj, attname)
            if value is None or type(value) is kind or (text and isinstance(value, str)):
                return value
            return field.get_db_prep_save(field.pre_save(obj, add=True), connection)

        return prepare

    def remembered(field):  # dates repeat a great deal: prepare each distinct one once
        attname, seen = field.attname, {}

        def prepare(obj):
            value = getattr(obj, attname)
            prepared = seen.get(value, prepare)
            if prepared is prepare:
                prepared = field.get_db_prep_save(value, connection)
                if len(seen) < 50_000:
                    seen[value] = prepared
            return prepared

        return prepare

    result = []
    for field in concrete:
        kind = _PLAIN.get(type(field))
        if kind is not None and type(field).pre_save is models.Field.pre_save:
            result.append(plain(field, kind))
        elif type(field) in (models.DateField, models.DateTimeField) and not (
            field.auto_now or field.auto_now_add
        ):
            result.append(remembered(field))
        else:
            result.append(general(field))
    return result


def _value_preparers(concrete) -> list:
    """One function per field: a Python value → the value handed to the driver, exactly as
    ``field.get_db_prep_save(value)`` gives it (no ``pre_save``)."""

    # The connection itself, not ``django.db.connection``: that proxy finds the current
    # connection (a thread-local lookup) on every attribute, i.e. for every value.
    real = connections[DEFAULT_DB_ALIAS]

    def general(field):
        return lambda value: field.get_db_prep_save(value, real)

    def plain(field, kind):
        if kind is int and isinstance(field, models.ForeignKey):
            target = field.target_field
            if type(target) not in (models.AutoField, models.BigAutoField, models.IntegerField):
                return general(field)
        text = kind is str

        def prepare(value):
            if value is None or type(value) is kind or (text and isinstance(value, str)):
                return value
            return field.get_db_prep_save(value, real)

        return prepare

    def remembered(field):
        seen: dict = {}

        def prepare(value):
            prepared = seen.get(value, prepare)
            if prepared is prepare:
                prepared = field.get_db_prep_save(value, real)
                if len(seen) < 50_000:
                    seen[value] = prepared
            return prepared

        return prepare

    result = []
    for field in concrete:
        kind = _PLAIN.get(type(field))
        if kind is not None:
            result.append(plain(field, kind))
        elif type(field) in (models.DateField, models.DateTimeField):
            result.append(remembered(field))
        else:
            result.append(general(field))
    return result


def write_values(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows``, each a sequence of Python values in the order of ``fields``
    (attribute names: ``org_id``), by the engine's fastest bulk path; returns the count."""
    concrete = _columns(model, fields)
    prepare = list(zip(range(len(concrete)), _value_preparers(concrete), strict=True))
    prepared = ([each(row[i]) for i, each in prepare] for row in rows)
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in concrete)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in prepared:
                    copy.write_row(values)
                    written += 1
            return written
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(concrete))})"  # noqa: S608 - names come from the model
        batch: list[list] = []
        for values in prepared:
            batch.append(values)
            if len(batch) >= 20_000:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def insert_rows(
    model, objs: Iterable, fields: Sequence[str] | None = None, *, chunk: int = 20_000
) -> int:
    """Insert ``objs`` (unsaved model instances); returns how many rows were written.

    On PostgreSQL one COPY stream (``copy_rows``): ``executemany`` sends a statement per
    row there, and every statement fires the table's change-counting trigger
    (``zhibu.rulebook.changes``), whose repeated update of one counter row in one
    transaction grows slower with every row — 100,000 members took over ten minutes."""
    if connection.vendor == "postgresql":
        return copy_rows(model, objs, fields)
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
    prepare = _preparers(concrete)
    with connection.cursor() as cursor:
        for obj in objs:
            batch.append([each(obj) for each in prepare])
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _columns(model, fields: Sequence[str] | None) -> list:
    if fields is None:
        return [f for f in model._meta.concrete_fields if not f.primary_key]
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    return [by_name[name] for name in fields]


def copy_rows(model, objs: Iterable, fields: Sequence[str] | None = None) -> int:
    """Like ``insert_rows``, through PostgreSQL's COPY (psycopg 3) in one stream."""
    concrete = _columns(model, fields)
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in concrete)
    )
    written = 0
    prepare = _preparers(concrete)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row([each(obj) for each in prepare])
            written += 1
    return written


def write_rows(model, objs: Iterable, fields: Sequence[str] | None = None) -> int:
    """Insert ``objs`` by the engine's fastest bulk path (COPY on PostgreSQL)."""
    if connection.vendor == "postgresql":
        return copy_rows(model, objs, fields)
    return insert_rows(model, objs, fields)


def analyze(*models) -> None:
    """Refresh the planner's statistics of the models' tables after a bulk write (both
    engines): never wait for autovacuum to notice."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
