"""Database triggers that make the audit table append-only (UPDATE/DELETE refused).

Installed by migration ``core.0002``. The test suite removes them once after creating
its database, because Django's test isolation flushes tables; the audit tests put them
back inside their own transaction to prove the database refuses tampering.
"""

from __future__ import annotations

SQL = {
    "sqlite": {
        "install": [
            """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
               BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END""",
            """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent
               BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END""",
        ],
        "uninstall": [
            "DROP TRIGGER IF EXISTS core_auditevent_no_update",
            "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
        ],
    },
    "postgresql": {
        "install": [
            """CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
               BEGIN RAISE EXCEPTION 'core_auditevent is append-only'; END; $$ LANGUAGE plpgsql""",
            "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
            """CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
               FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse()""",
            "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
            """CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
               FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse()""",
        ],
        "uninstall": [
            "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
            "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
            "DROP FUNCTION IF EXISTS core_auditevent_refuse()",
        ],
    },
}


def _run(connection, step: str) -> None:
    statements = SQL.get(connection.vendor, {}).get(step, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection) -> None:
    _run(connection, "install")


def uninstall(connection) -> None:
    _run(connection, "uninstall")
