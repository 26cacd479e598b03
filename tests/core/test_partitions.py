"""PostgreSQL declarative partitioning by period (zhibu.core.partitions, migration
core 0007). Skipped on SQLite, where the tables stay plain; CI's PostgreSQL run has them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from zhibu.core import partitions
from zhibu.core.audit import audit_record, audit_verify
from zhibu.core.rules import Period
from zhibu.core.rules.models import Finding
from zhibu.rulebook.run import rules_run

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitioning is PostgreSQL-only"
)


def _partition_of(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_findings_and_audit_log_are_partitioned_by_year():
    year = timezone.localdate().year
    with connection.cursor() as cursor:
        for table in ("core_finding", "core_auditevent"):
            assert partitions.is_partitioned(cursor, table)
            names = partitions.partitions(cursor, table)
            assert f"{table}_y{year}" in names
            assert f"{table}_y{year + 1}" in names
            assert f"{table}_default" in names
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'core_finding'::regclass AND contype = 'p'"
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, period_start)"


def test_rows_land_in_their_year_and_the_audit_chain_verifies(cast):
    rules_run(root=cast.committee, period=Period.parse("2026Q2"), today=date(2026, 6, 30))
    finding = Finding.objects.filter(period_start__year=2026).first()
    assert _partition_of("core_finding", finding.pk) == "core_finding_y2026"
    event = audit_record(kind="export", summary="导出")
    assert _partition_of("core_auditevent", event.pk) == f"core_auditevent_y{event.at.year}"
    audit_record(kind="export", summary="再次导出")
    assert audit_verify().ok


def test_tick_creates_next_years_partitions_ahead_and_moves_default_rows(cast):
    far = date(2031, 3, 1)
    rules_run(root=cast.committee, period=Period.parse("2031Q1"), today=far)
    moved = Finding.objects.filter(period_start__year=2031)
    count = moved.count()
    assert count and _partition_of("core_finding", moved.first().pk) == "core_finding_default"
    call_command("tick", "--date", far.isoformat())
    with connection.cursor() as cursor:
        assert "core_finding_y2032" in partitions.partitions(cursor, "core_finding")
    assert moved.count() >= count
    assert {_partition_of("core_finding", pk) for pk in moved.values_list("pk", flat=True)} == {
        "core_finding_y2031"
    }


@pytest.mark.django_db
def test_the_hot_findings_query_reads_one_years_partition():
    """The cockpit's and findings pages' filter: a period and an org path range."""
    year = timezone.localdate().year
    qs = Finding.objects.filter(
        period_start__gte=date(year, 1, 1),
        period_start__lt=date(year + 1, 1, 1),
        org_path__gte="0001",
        org_path__lt="0002",
    )
    plan = qs.explain()
    assert f"core_finding_y{year}" in plan
    assert f"core_finding_y{year + 1}" not in plan
    assert "core_finding_default" not in plan


def test_attendance_is_partitioned_by_its_meetings_year_and_moves_with_it(cast):
    """Attendance lands in its meeting's year; moving the meeting to another year moves
    its rows (the trigger of zhibu.meetings.held_on), and a year's attendance query reads
    that year's partition only."""
    from tests.factories import record_meeting
    from zhibu.meetings.models import Attendance, Meeting

    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor, "meetings_attendance")
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'meetings_attendance'::regclass AND contype = 'p'"
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, held_on)"
    meeting = record_meeting(cast.branch1, date(2026, 3, 10), kinds=("theme_day",))
    row = Attendance.objects.filter(meeting=meeting).first()
    assert row.held_on == date(2026, 3, 10)
    assert _partition_of("meetings_attendance", row.pk) == "meetings_attendance_y2026"
    Meeting.objects.filter(pk=meeting.pk).update(on=date(2025, 12, 30))  # no save()
    row = Attendance.objects.get(pk=row.pk)
    assert row.held_on == date(2025, 12, 30)
    assert _partition_of("meetings_attendance", row.pk) in (
        "meetings_attendance_y2025",
        "meetings_attendance_default",
    )
    # The filter every attendance reader of a period uses (study hours, DQ-05/08, MBR-06).
    plan = Attendance.objects.filter(
        Attendance.held_between(date(2026, 1, 1), date(2027, 1, 1)), status="present"
    ).explain()
    assert "meetings_attendance_y2026" in plan
    assert "meetings_attendance_y2025" not in plan
