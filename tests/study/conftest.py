"""The shared tree (tests/conftest.py ``cast``) with a course helper."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from zhibu.study import services
from zhibu.study.models import Course


@pytest.fixture
def course_of():
    """course_of(org, on, kind, hours, members) → a course with its attendance."""

    def make(org, on: date, kind=Course.Kind.LECTURE, hours="4", members=(), by=None):
        course = services.course_save(
            org=org,
            data={"kind": kind, "title": f"{on} 课程", "on": on, "hours": Decimal(hours)},
            by=by,
        )
        services.attendance_set(
            course=course, member_ids=[m.pk for m in members], today=date(2026, 12, 31)
        )
        return course

    return make
