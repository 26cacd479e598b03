"""``Attendance.held_on``: the meeting's date on each attendance row (``zhibu.meetings.held_on``),
filled from the meetings, kept by a trigger when a meeting's date changes; on PostgreSQL
attendance is then partitioned by year on it (``zhibu.core.partitions``), as the findings
and the audit log are. SQLite keeps one table.
"""

from datetime import date

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate

from zhibu.core import partitions
from zhibu.meetings import held_on

TABLE = "meetings_attendance"


def fill(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    day = Subquery(Meeting.objects.filter(pk=OuterRef("meeting_id")).values("on")[:1])
    apps.get_model("meetings", "Attendance").objects.update(held_on=day)
    # History may outlive its meeting: then the day the history row was written.
    apps.get_model("meetings", "HistoricalAttendance").objects.update(
        held_on=Coalesce(day, TruncDate("history_date"))
    )


def partition(apps, schema_editor):
    connection = schema_editor.connection
    held_on.install(connection)
    if connection.vendor != "postgresql":
        return
    this_year = date.today().year
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXTRACT(YEAR FROM MIN(held_on))::int FROM {TABLE}")  # noqa: S608
        (first,) = cursor.fetchone()
        partitions.partition(cursor, TABLE, min(first or this_year, this_year), this_year + 1)


def unpartition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            partitions.unpartition(cursor, TABLE)
            cursor.execute(f"DROP TRIGGER IF EXISTS {held_on.TRIGGER} ON meetings_meeting")
    elif connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {held_on.TRIGGER}")


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("meetings", "0003_attendance_meeting_cover_index"),
        ("core", "0008_partition_findings_and_audit_by_period"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="held_on",
            field=models.DateField(editable=False, null=True, verbose_name="会议日期"),
        ),
        migrations.AddField(
            model_name="historicalattendance",
            name="held_on",
            field=models.DateField(editable=False, null=True, verbose_name="会议日期"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="attendance",
            name="held_on",
            field=models.DateField(editable=False, verbose_name="会议日期"),
        ),
        migrations.AlterField(
            model_name="historicalattendance",
            name="held_on",
            field=models.DateField(editable=False, verbose_name="会议日期"),
        ),
        migrations.RemoveIndex(model_name="attendance", name="attendance_meeting_cover"),
        migrations.AddIndex(
            model_name="attendance",
            index=models.Index(
                fields=["meeting", "status", "member", "study_hours", "held_on"],
                name="attendance_meeting_cover",
            ),
        ),
        migrations.RunPython(partition, unpartition),
    ]
