"""``Attendance.held_on``: the meeting's date on each attendance row, so that PostgreSQL
can partition attendance by year like the findings (``zhibu.core.partitions``) and the
yearly rules' queries prune to one year.

Written with the row (``Attendance.save`` and the bulk loaders set it), and moved with the
meeting by a database trigger when a meeting's date changes — by a service, a bulk
``update()`` or raw SQL alike. On PostgreSQL the update moves the rows into the new year's
partition. ``migrate`` installs the trigger again each time (SQLite drops a table's
triggers when a migration rebuilds it).
"""

from __future__ import annotations

TRIGGER = "meeting_moves_attendance"

SQLITE = """
CREATE TRIGGER IF NOT EXISTS meeting_moves_attendance AFTER UPDATE OF "on" ON meetings_meeting
WHEN NEW."on" IS NOT OLD."on"
BEGIN
  UPDATE meetings_attendance SET held_on = NEW."on" WHERE meeting_id = NEW.id;
END
"""

POSTGRESQL = (
    """
CREATE OR REPLACE FUNCTION zhibu_meeting_moves_attendance() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE meetings_attendance SET held_on = NEW."on" WHERE meeting_id = NEW.id;
  RETURN NULL;
END $$
""",
    f"DROP TRIGGER IF EXISTS {TRIGGER} ON meetings_meeting",
    f"""
CREATE TRIGGER {TRIGGER} AFTER UPDATE OF "on" ON meetings_meeting
FOR EACH ROW WHEN (NEW."on" IS DISTINCT FROM OLD."on")
EXECUTE FUNCTION zhibu_meeting_moves_attendance()
""",
)


def install(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE)
        elif connection.vendor == "postgresql":
            for statement in POSTGRESQL:
                cursor.execute(statement)


def after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    install(connections[using])
