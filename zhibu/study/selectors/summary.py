"""The cockpit's 学习教育 panel: per direct sub-organisation (and 本级), this year's members
on the roll, those below EDU-01's 32 学时 so far (frail members excused, EDU-05), courses
held and self-study waiting for approval. A fixed number of queries whatever the tree's
size; counts only, never a ranking of people (RESP-06)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from zhibu.core.scope import subtree_q
from zhibu.meetings.models import Attendance, Meeting
from zhibu.members.models import Member, MemberSpan
from zhibu.members.selectors import spans_on
from zhibu.orgs.models import Org
from zhibu.rulebook import changes
from zhibu.study.models import Course, CourseAttendance, SelfStudy
from zhibu.study.selectors.hours import study_hours_between
from zhibu.study.selectors.study import EDU01_HOURS, ON_ROLL


@dataclass
class StudyRow:
    org: Org
    own: bool
    members: int = 0
    below: int = 0
    courses: int = 0
    pending: int = 0


def study_panel(*, org: Org, children: list[Org], year: int, today: date) -> list[StudyRow]:
    on = min(date(year, 12, 31), today)
    rows = [StudyRow(org, True), *(StudyRow(c, False) for c in children)]
    # The row of a path: the child whose subtree holds it, else 本级.
    by_prefix = sorted(((r.org.path, r) for r in rows[1:]), key=lambda p: -len(p[0]))

    def row_of(path: str) -> StudyRow:
        for prefix, row in by_prefix:
            if path.startswith(prefix):
                return row
        return rows[0]

    roll = list(
        spans_on(on, statuses=ON_ROLL)
        .filter(subtree_q([org.path], "org__path"))
        .values_list("member", "org__path", "member__frail_exempt")
    )
    ids = [m for m, _p, _f in roll]
    hours = study_hours_between(
        date(year, 1, 1), date(year + 1, 1, 1), ids if len(ids) <= 900 else None
    )
    for member_id, path, frail in roll:
        row = row_of(path)
        row.members += 1
        if not frail and hours.get(member_id, Decimal("0")) < EDU01_HOURS:
            row.below += 1
    courses = Counter(
        Course.objects.filter(subtree_q([org.path], "org__path"), on__year=year).values_list(
            "org__path", flat=True
        )
    )
    for path, n in courses.items():
        row_of(path).courses += n
    pending = Counter(
        SelfStudy.objects.filter(
            subtree_q([org.path], "org__path"), status=SelfStudy.Status.PENDING
        ).values_list("org__path", flat=True)
    )
    for path, n in pending.items():
        row_of(path).pending += n
    return rows


# The tables the panel's figures come from (roll, 学时 from courses, self-study and
# meetings, courses); an org's move or new child changes paths.
SOURCES = (
    MemberSpan,
    Member,
    Course,
    CourseAttendance,
    SelfStudy,
    Attendance,
    Meeting,
    Org,
)


def cached_study_panel(*, org: Org, children: list[Org], year: int, today: date) -> list[StudyRow]:
    """``study_panel`` from the cache while none of its tables changed (one query then)."""
    return changes.cached(
        "study-panel",
        [m._meta.db_table for m in SOURCES],
        (org.pk, org.path, year, today.isoformat(), *(c.pk for c in children)),
        lambda: study_panel(org=org, children=children, year=year, today=today),
    )


__all__ = ["StudyRow", "cached_study_panel", "study_panel"]
