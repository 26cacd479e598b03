"""PostgreSQL declarative partitioning by period for the tables that grow with time.

``core_finding`` is partitioned by ``period_start``, ``core_auditevent`` by ``at`` and
``meetings_attendance`` by ``held_on`` (its meeting's date):
RANGE partitions of one calendar year each (``core_finding_y2026``) plus a DEFAULT
partition for anything outside them. Every hot findings query carries ``period_start``
(the cockpit, the findings pages and the run itself), so the planner prunes to one year.

PostgreSQL requires a partitioned table's primary key and unique constraints to include
the partition key: at the database level the primary key is ``(id, <key>)`` and the
unique constraints gain the key column. Django keeps ``id`` as the model's primary key
(ids still come from one sequence, so they stay unique). ``finding_unique_subject``
includes ``period_start`` in the model too (``period_code`` determines it, so the
constraint means the same). The audit event's ``seq`` and ``hash`` are unique per
``(seq, at)`` / ``(hash, at)`` in the database; appends are serialised by the chain head's
row lock and ``audit_verify`` reports any duplicate or gap.

SQLite is untouched: everything here returns at once on any other vendor.
"""

from __future__ import annotations

from datetime import date

# table -> partition key column
TABLES = {
    "core_finding": "period_start",
    "core_auditevent": "at",
    "meetings_attendance": "held_on",  # partitioned by meetings 0004
}


def _bound(table: str, year: int) -> str:
    if TABLES[table] == "at":  # timestamptz: calendar years in UTC
        return f"'{year}-01-01 00:00:00+00'"
    return f"'{year}-01-01'"


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table])
    return cursor.fetchone() is not None


def partitions(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def ensure_year(cursor, table: str, year: int) -> bool:
    """Create ``table``'s partition for ``year`` if missing. Rows of that year already in
    the DEFAULT partition are moved into it (detach, create, move, attach).
    Returns whether a partition was created."""
    name = f"{table}_y{year}"
    if name in partitions(cursor, table):
        return False
    key = TABLES[table]
    low, high = _bound(table, year), _bound(table, year + 1)
    default = f"{table}_default"
    cursor.execute(
        f"SELECT 1 FROM {default} WHERE {key} >= {low} AND {key} < {high} LIMIT 1"  # noqa: S608
    )
    if cursor.fetchone() is None:
        cursor.execute(
            f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ({low}) TO ({high})"
        )
        return True
    # Move the year's rows out of the default partition (only the findings: the audit
    # table refuses DELETE, so its years are always created ahead — see ``ahead``).
    cursor.execute(f"ALTER TABLE {table} DETACH PARTITION {default}")
    cursor.execute(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES FROM ({low}) TO ({high})")
    cursor.execute(
        f"INSERT INTO {name} SELECT * FROM {default} WHERE {key} >= {low} AND {key} < {high}"  # noqa: S608
    )
    cursor.execute(f"DELETE FROM {default} WHERE {key} >= {low} AND {key} < {high}")  # noqa: S608
    cursor.execute(f"ALTER TABLE {table} ATTACH PARTITION {default} DEFAULT")
    return True


def ahead(connection, today: date) -> list[str]:
    """Create this year's and next year's partitions of every partitioned table (the
    nightly ``tick`` calls this). Returns the partitions created; none on SQLite."""
    if connection.vendor != "postgresql":
        return []
    created = []
    with connection.cursor() as cursor:
        for table in TABLES:
            if not is_partitioned(cursor, table):
                continue
            for year in (today.year, today.year + 1):
                if ensure_year(cursor, table, year):
                    created.append(f"{table}_y{year}")
    return created


def partition(cursor, table: str, first_year: int, last_year: int) -> None:
    """Turn the plain ``table`` into one partitioned by year on its key, keeping its rows,
    indexes (same names), constraints and identity sequence."""
    if is_partitioned(cursor, table):
        return
    key = TABLES[table]
    old = f"{table}_unpartitioned"
    constraints, indexes = _definitions(cursor, table)
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
    (max_id,) = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY "
        f"INCLUDING GENERATED) PARTITION BY RANGE ({key})"
    )
    for year in range(first_year, last_year + 1):
        cursor.execute(
            f"CREATE TABLE {table}_y{year} PARTITION OF {table} "
            f"FOR VALUES FROM ({_bound(table, year)}) TO ({_bound(table, year + 1)})"
        )
    cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")  # noqa: S608
    cursor.execute(f"DROP TABLE {old}")
    for name, kind, definition in constraints:
        if kind in ("p", "u"):
            definition = _with_key(definition, key)
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for _name, definition in indexes:
        cursor.execute(definition.replace(f" ON public.{old} ", f" ON public.{table} ", 1))
    _sequence_after(cursor, table, sequence, max_id)
    cursor.execute(f"ANALYZE {table}")


def _definitions(cursor, table: str) -> tuple[list, list]:
    """``table``'s constraints (name, kind, definition) and its other indexes (name,
    definition), to recreate on the copy."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) ORDER BY conname",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname "
        "AND c.conrelid = to_regclass(%s))",
        [table, table],
    )
    indexes = cursor.fetchall()
    return constraints, indexes


def _with_key(definition: str, key: str) -> str:
    """``UNIQUE (a, b)`` / ``PRIMARY KEY (id)`` with the partition key added."""
    head, _, columns = definition.partition("(")
    names = [c.strip() for c in columns.rstrip(")").split(",")]
    if key not in names:
        names.append(key)
    return f"{head}({', '.join(names)})"


def unpartition(cursor, table: str) -> None:
    """The reverse: copy the rows back into a plain table with the same indexes."""
    if not is_partitioned(cursor, table):
        return
    key = TABLES[table]
    old = f"{table}_partitioned"
    constraints, indexes = _definitions(cursor, table)
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
    (max_id,) = cursor.fetchone()
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING IDENTITY "
        "INCLUDING GENERATED)"
    )
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")  # noqa: S608
    cursor.execute(f"DROP TABLE {old} CASCADE")
    for name, kind, definition in constraints:
        # The primary key and the audit table's unique columns lose the key again; the
        # findings' unique constraint keeps period_start (the model includes it).
        if kind == "p" or (kind == "u" and table == "core_auditevent"):
            head, _, columns = definition.partition("(")
            names = [c.strip() for c in columns.rstrip(")").split(",") if c.strip() != key]
            definition = f"{head}({', '.join(names)})"
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for _name, definition in indexes:
        cursor.execute(definition.replace(f" ON public.{old} ", f" ON public.{table} ", 1))
    _sequence_after(cursor, table, f"public.{table}_id_seq", max_id)


def _sequence_after(cursor, table: str, name: str | None, max_id: int) -> None:
    """The copied table's identity sequence takes the old name and continues after the
    highest id."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    (sequence,) = cursor.fetchone()
    if not sequence:
        return
    if name and sequence != name:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {name.split('.')[-1]}")
        sequence = name
    if max_id:
        cursor.execute("SELECT setval(%s, %s)", [sequence, max_id])
