"""``Attendance.held_on`` follows its meeting on every engine (zhibu.meetings.held_on)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import record_meeting
from zhibu.meetings import held_on
from zhibu.meetings.models import Attendance, Meeting

pytestmark = pytest.mark.django_db


def test_attendance_carries_its_meetings_date_and_moves_with_it(cast):
    meeting = record_meeting(cast.branch1, date(2026, 3, 10), kinds=("theme_day",))
    rows = Attendance.objects.filter(meeting=meeting)
    assert rows.exists()
    assert set(rows.values_list("held_on", flat=True)) == {date(2026, 3, 10)}
    # a bulk update and raw SQL bypass save(): the trigger moves the rows all the same
    Meeting.objects.filter(pk=meeting.pk).update(on=date(2026, 4, 2))
    assert set(rows.values_list("held_on", flat=True)) == {date(2026, 4, 2)}
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE meetings_meeting SET "on" = %s WHERE id = %s', [date(2026, 4, 9), meeting.pk]
        )
    assert set(rows.values_list("held_on", flat=True)) == {date(2026, 4, 9)}
    # a row saved alone (its meeting not loaded) takes the date from the database
    row = Attendance.objects.get(pk=rows.first().pk)
    row.held_on = date(2000, 1, 1)
    row.save()
    row.refresh_from_db()
    assert row.held_on == date(2026, 4, 9)


def test_migrate_installs_the_trigger_again(cast):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {held_on.TRIGGER}")
        else:
            cursor.execute(f"DROP TRIGGER {held_on.TRIGGER} ON meetings_meeting")
    call_command("migrate", verbosity=0)
    meeting = record_meeting(cast.branch1, date(2026, 5, 6), kinds=("theme_day",))
    Meeting.objects.filter(pk=meeting.pk).update(on=date(2026, 5, 7))
    assert set(Attendance.objects.filter(meeting=meeting).values_list("held_on", flat=True)) == {
        date(2026, 5, 7)
    }
