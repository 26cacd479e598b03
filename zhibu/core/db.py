"""Read scaling: read-only pages may read from a PostgreSQL streaming replica.

When ``ZHIBU_REPLICA_URL`` configures a ``replica`` database, code inside
``replica_reads()`` (the cockpit, findings lists and exports, API lists) reads from it;
everything else — and every write — goes to the primary. Without a replica nothing
changes. Replication lag is acceptable for those pages by design: they show judgements
computed nightly, not what the user just typed.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading_replica: ContextVar[bool] = ContextVar("zhibu_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES and getattr(settings, "REPLICA_READS", False)


@contextmanager
def replica_reads():
    token = _reading_replica.set(True)
    try:
        yield
    finally:
        _reading_replica.reset(token)


def on_replica(view):
    """Decorator: the view's reads go to the replica (when one is configured)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def plain_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` query as the driver returns them, without Django's
    per-value converters: for grouped counts over thousands of orgs (the rules' held
    meetings) that is a Python call per value for an ``int()`` that changes nothing.

    Only for values both drivers return as wanted (integers, text). SQLite returns
    dates as ISO text; the caller converts those it reads."""

    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
