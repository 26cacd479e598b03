"""PostgreSQL: findings partitioned by ``period_start`` and the audit log by ``at``, one
partition per year plus a DEFAULT one (``zhibu.core.partitions``). SQLite is untouched.

The unique constraint on a finding's subject gains ``period_start`` on every engine:
PostgreSQL requires the partition key in it, and ``period_code`` determines
``period_start``, so it means the same.
"""

from datetime import date

from django.db import migrations, models

from zhibu.core import dbguard, partitions


# This migration's tables (attendance joined partitions.TABLES later, meetings 0004).
OWN = {"core_finding": "period_start", "core_auditevent": "at"}


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    this_year = date.today().year
    with connection.cursor() as cursor:
        for table, key in OWN.items():
            cursor.execute(f"SELECT EXTRACT(YEAR FROM MIN({key}))::int FROM {table}")  # noqa: S608
            (first,) = cursor.fetchone()
            partitions.partition(cursor, table, min(first or this_year, this_year), this_year + 1)
    dbguard.install(connection)  # the append-only triggers, now on the partitioned table


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in OWN:
            partitions.unpartition(cursor, table)
    dbguard.install(connection)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [("core", "0007_finding_message")]

    operations = [
        migrations.RemoveConstraint(model_name="finding", name="finding_unique_subject"),
        migrations.AddConstraint(
            model_name="finding",
            constraint=models.UniqueConstraint(
                fields=["rule_code", "period_code", "org", "subject_type", "subject_id", "period_start"],
                name="finding_unique_subject",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
