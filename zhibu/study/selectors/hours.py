"""学时 from every source, summed in one place: meetings attended, courses attended and
self-study the branch approved. One aggregate query per source, whatever the number of
members (EDU-01/02, the member's own progress, the branch ledger and the cockpit)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from zhibu.meetings.selectors import meeting_study_hours
from zhibu.members.selectors import ids_for_in
from zhibu.study.models import Course, CourseAttendance, SelfStudy

# Members by id, or a subquery of their ids (a rule's people over thousands of orgs).
MemberIds = Iterable[int] | QuerySet
Source = Callable[[date, date, MemberIds | None], dict[int, Decimal]]


def course_hours(start: date, end: date, member_ids: MemberIds | None) -> dict[int, Decimal]:
    """学时 credited by courses held in [start, end)."""
    qs = CourseAttendance.objects.filter(course__on__gte=start, course__on__lt=end)
    if member_ids is not None:
        qs = qs.filter(member__in=ids_for_in(member_ids))
    return {m: h or Decimal("0") for m, h in qs.values_list("member").annotate(h=Sum("hours"))}


def self_study_hours(start: date, end: date, member_ids: MemberIds | None) -> dict[int, Decimal]:
    """学时 of approved self-study in [start, end)."""
    qs = SelfStudy.objects.filter(status=SelfStudy.Status.APPROVED, on__gte=start, on__lt=end)
    if member_ids is not None:
        qs = qs.filter(member__in=ids_for_in(member_ids))
    return {m: h or Decimal("0") for m, h in qs.values_list("member").annotate(h=Sum("hours"))}


# (key, label) of each source, in the order the ledger shows them.
SOURCES: tuple[tuple[str, Source], ...] = (
    ("meetings", meeting_study_hours),
    ("courses", course_hours),
    ("self_study", self_study_hours),
)


def hours_by_source(
    start: date, end: date, member_ids: MemberIds | None = None
) -> dict[int, dict[str, Decimal]]:
    """{member id: {source key: 学时}} in [start, end). ``member_ids``: ids, or a subquery
    of them (a rule's people over thousands of orgs); None: every member."""
    ids = ids_for_in(member_ids) if member_ids is not None else None
    result: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for key, source in SOURCES:
        for member_id, hours in source(start, end, ids).items():
            result[member_id][key] = hours
    return dict(result)


def study_hours_between(
    start: date, end: date, member_ids: MemberIds | None = None
) -> dict[int, Decimal]:
    """{member id: 学时} in [start, end) summed over every source: one query per source."""
    return {
        member_id: sum(parts.values(), Decimal("0"))
        for member_id, parts in hours_by_source(start, end, member_ids).items()
    }


def central_trainees(start: date, end: date, member_ids: MemberIds | None) -> set[int]:
    """Members who attended a 集中培训 held in [start, end) (EDU-02)."""
    qs = CourseAttendance.objects.filter(
        course__kind=Course.Kind.CENTRAL, course__on__gte=start, course__on__lt=end
    )
    if member_ids is not None:
        qs = qs.filter(member__in=ids_for_in(member_ids))
    return set(qs.values_list("member", flat=True).distinct())
