"""Change counters per table, kept by the database itself, and a tracer of the tables a
piece of code reads.

Every table of Zhibu's apps (but the rule run's own outputs and a few tables written on
every request, ``UNTRACKED``) carries a trigger that adds one to its row in
``rulebook_tablechange`` whenever it is written — per statement on PostgreSQL
(``AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE … FOR EACH STATEMENT``), per row on
SQLite (which has no statement triggers). The trigger runs in the writer's transaction,
so the count moves exactly when the write commits, and nothing can bypass it: bulk
inserts, ``QuerySet.update()``, deletes, COPY, raw SQL and other programs alike. A count
only grows (an upsert, so a table whose row is missing starts again from 1 and never
equals a stale value of 0).

The triggers are (re)installed after every ``migrate`` (``post_migrate``), because
SQLite drops a table's triggers when a migration rebuilds the table. ``counts()`` returns
only tables whose triggers are present right now; a table without them is "unguarded"
and anything reading it is judged again every time.

Readers: the incremental rule run (``zhibu.rulebook.run``) and the cockpit's 责任落实
panel cache (``zhibu.duties.selectors.summary``). On PostgreSQL a writer holds its
table's counter row until it commits, so concurrent writers of the same table queue for
that moment; web transactions are short, and a long bulk load already holds its rows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import connection as default_connection

COUNTER_TABLE = "rulebook_tablechange"

# Written by the rule run itself or on every request; reading one of them makes a rule
# unguarded (always evaluated), never wrong.
UNTRACKED = frozenset(
    {
        "core_finding",
        "core_rulerun",
        "core_auditevent",
        "core_auditchainhead",
        "core_notification",
        "rulebook_findingsummary",
        "rulebook_summaryversion",
        "rulebook_tablechange",
        "rulebook_rulemark",
        "accounts_usersession",
        "accounts_signincode",
        "api_apitoken",
    }
)

PG_FUNCTION = "zhibu_table_changed"
PG_TRIGGER = "zhibu_changes"
SQLITE_EVENTS = (("i", "INSERT"), ("u", "UPDATE"), ("d", "DELETE"))


def tracked_tables() -> list[str]:
    """The tables that carry a change counter: every table of Zhibu's apps (with their
    many-to-many tables) but ``UNTRACKED``."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        through_of = getattr(meta, "auto_created", None)
        owner = through_of._meta if through_of else meta
        if not apps.get_app_config(owner.app_label).name.startswith("zhibu."):
            continue
        if meta.db_table not in UNTRACKED:
            tables.add(meta.db_table)
    return sorted(tables)


def install(using=None) -> int:
    """Create (or re-create) the counting triggers and seed the counter rows; idempotent."""
    conn = using or default_connection
    existing = set(conn.introspection.table_names())
    tables = [t for t in tracked_tables() if t in existing]
    if COUNTER_TABLE not in existing:
        return 0
    quote = conn.ops.quote_name
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger "  # noqa: S608
                "LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO {COUNTER_TABLE} (name, count) VALUES (TG_TABLE_NAME, 1) "
                "ON CONFLICT (name) DO UPDATE SET count = "
                f"{COUNTER_TABLE}.count + 1; RETURN NULL; END $$"
            )
        for table in tables:
            cursor.execute(
                f"INSERT INTO {COUNTER_TABLE} (name, count) VALUES (%s, 0) "  # noqa: S608
                "ON CONFLICT (name) DO NOTHING",
                [table],
            )
            if conn.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {PG_TRIGGER} ON {quote(table)}")
                cursor.execute(
                    f"CREATE TRIGGER {PG_TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
                    f" ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
                )
            elif conn.vendor == "sqlite":
                for suffix, event in SQLITE_EVENTS:
                    name = quote(f"zc_{table}_{suffix}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(  # table names from the models, not from input
                        f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)} BEGIN "  # noqa: S608
                        f"INSERT INTO {COUNTER_TABLE} (name, count) VALUES ('{table}', 1) "
                        f"ON CONFLICT (name) DO UPDATE SET count = count + 1; END"
                    )
    return len(tables)


def after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    install(connections[using])


def counts(using=None, names=None) -> dict[str, int]:
    """Each guarded table's change count (of ``names``, or all): one query. A table whose
    triggers are missing (dropped by hand, or by a table rebuild not yet followed by
    ``migrate``) is left out, so its readers are treated as changed every time."""
    conn = using or default_connection
    if conn.vendor == "postgresql":
        guarded = (
            "EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = to_regclass(c.name)"  # noqa: S608
            f" AND t.tgname = '{PG_TRIGGER}' AND t.tgenabled <> 'D')"
        )
    elif conn.vendor == "sqlite":
        guarded = (
            "(SELECT COUNT(*) FROM sqlite_master m WHERE m.type = 'trigger'"
            " AND m.tbl_name = c.name"
            " AND m.name IN ('zc_' || c.name || '_i', 'zc_' || c.name || '_u',"
            " 'zc_' || c.name || '_d')) = 3"
        )
    else:  # pragma: no cover - the two supported engines
        return {}
    params: list[str] = []
    if names is not None:
        params = sorted(names)
        guarded += f" AND c.name IN ({', '.join(['%s'] * len(params))})"
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT c.name, c.count FROM {COUNTER_TABLE} c WHERE {guarded}", params)  # noqa: S608
        return dict(cursor.fetchall())


def version_of(tables, using=None) -> str:
    """A cache's version mark over ``tables``: their change counts, or a value that never
    repeats when one of them is unguarded (so such a cache never hits)."""
    found = counts(using, names=tables)
    if any(name not in found for name in tables):
        import uuid

        return uuid.uuid4().hex
    return ".".join(str(found[name]) for name in sorted(tables))


_IDENTIFIER = re.compile(r'"([A-Za-z0-9_]+)"')
_known: set[str] = set()


def _all_tables() -> set[str]:
    if not _known:
        for model in apps.get_models(include_auto_created=True):
            _known.add(model._meta.db_table)
    return _known


@contextmanager
def traced(using=None) -> Iterator[set[str]]:
    """The set of model tables named by the SQL run inside the block (Django quotes every
    table name it writes, on both engines)."""
    conn = using or default_connection
    seen: set[str] = set()
    known = _all_tables()

    def wrapper(execute, sql, params, many, context):
        seen.update(name for name in _IDENTIFIER.findall(sql) if name in known)
        return execute(sql, params, many, context)

    with conn.execute_wrapper(wrapper):
        yield seen


CACHE_SECONDS = 3600  # bounds memory only: the version in the key makes every hit current


def cached(name: str, tables, key, compute, *, seconds: int = CACHE_SECONDS):
    """``compute()`` from the cache while none of ``tables`` changed since it was stored.

    The key holds ``name``, ``key`` (what the result depends on besides the tables: the
    org, its path, the day …) and ``version_of(tables)`` read from the database the
    figures are read from (the replica's when reads go there, so a lagging replica never
    files old figures under a new version). Every write to one of the tables — services,
    bulk writes, deletes, raw SQL — moves the version (database triggers), so the next
    call computes again; an unguarded table makes every call compute. One query on a hit.
    """
    from django.core.cache import cache
    from django.db import connections, router

    from zhibu.rulebook.models import TableChange

    alias = router.db_for_read(TableChange) or "default"
    version = version_of(list(tables), connections[alias])
    # Hashed: the key may name every child org, beyond what a cache backend accepts.
    digest = hashlib.sha256(":".join(str(part) for part in key).encode()).hexdigest()
    cache_key = f"{name}:{alias}:{digest}:{version}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, seconds)
    return value


@contextmanager
def counted_once(tables, using=None) -> Iterator[None]:
    """A bulk load on SQLite counts each of ``tables`` once instead of once per row.

    SQLite has no statement triggers: a 100,000-row member import fired some 400,000
    counter updates (a third of its time). Inside the caller's transaction the tables'
    counting triggers are set aside, the load runs, each table is counted once (whether
    or not a row was written: a count may only over-report) and the triggers are created
    again. SQLite's DDL is transactional, so a rollback restores them too; no other
    connection can write meanwhile (the load holds the database's write lock) and
    readers see the committed schema. Outside a transaction, and on PostgreSQL (whose
    statement triggers fire once per COPY), the triggers stay and count as usual."""
    conn = using or default_connection
    if conn.vendor != "sqlite" or not conn.in_atomic_block:
        yield
        return
    tables = sorted(set(tables))
    names = [f"zc_{table}_{suffix}" for table in tables for suffix, _event in SQLITE_EVENTS]
    with conn.cursor() as cursor:
        marks = ", ".join(["%s"] * len(names))
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})",  # noqa: S608
            names,
        )
        saved = cursor.fetchall()
        for name, _sql in saved:
            cursor.execute(f"DROP TRIGGER {conn.ops.quote_name(name)}")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"INSERT INTO {COUNTER_TABLE} (name, count) VALUES (%s, 1) "  # noqa: S608
                    "ON CONFLICT (name) DO UPDATE SET count = count + 1",
                    [table],
                )
            for _name, sql in saved:
                cursor.execute(sql)
