"""EDU-01/02 count 学时 from all three sources in one place (zhibu.study.rules): meetings,
courses attended and approved self-study; EDU-02 also wants one 集中培训 a year."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_member, make_org, record_meeting
from zhibu.committees import services as committee_services
from zhibu.core.rules import Period, in_force
from zhibu.core.rules.engine import evaluate
from zhibu.orgs.models import Org
from zhibu.study import services
from zhibu.study.models import Course
from zhibu.study.selectors.hours import study_hours_between

TODAY = date(2026, 6, 30)
YEAR = Period.parse("2025")

pytestmark = pytest.mark.django_db


def judge(code, orgs, period=YEAR, today=TODAY):
    outcomes = evaluate(in_force(code, period.start), orgs, period=period, today=today)
    return {o.subject_id if o.subject_type != "org" else ("org", o.org_id): o for o in outcomes}


def test_the_rules_live_in_study(cast):
    assert in_force("EDU-01", TODAY).module == "study"
    assert type(in_force("EDU-02", TODAY)).__module__ == "zhibu.study.rules"


def test_hours_from_meetings_courses_and_approved_self_study(cast, course_of):
    record_meeting(cast.branch1, date(2025, 3, 10), ["theme_day"], study_hours=Decimal("4"))
    course_of(cast.branch1, date(2025, 4, 1), hours="6", members=[cast.ordinary_member])
    approved = services.self_study_submit(
        member=cast.ordinary_member,
        on=date(2025, 5, 1),
        title="自学党章",
        hours=Decimal("2"),
        today=TODAY,
    )
    services.self_study_decide(record=approved, approve=True, reason="", by=None)
    services.self_study_submit(  # pending: not counted
        member=cast.ordinary_member,
        on=date(2025, 5, 2),
        title="自学",
        hours=Decimal("3"),
        today=TODAY,
    )
    hours = study_hours_between(date(2025, 1, 1), date(2026, 1, 1))
    assert hours[cast.ordinary_member.pk] == Decimal("12")
    assert hours[cast.secretary_member.pk] == Decimal("4")


def test_edu01_a_member_made_whole_by_a_course_and_self_study(cast, course_of):
    for month in range(1, 7):
        record_meeting(cast.branch1, date(2025, month, 10), ["theme_day"], study_hours=Decimal("4"))
    before = judge("EDU-01", [cast.branch1])
    assert {cast.ordinary_member.pk, cast.secretary_member.pk} <= set(before)  # 24 < 32
    course_of(cast.branch1, date(2025, 9, 1), hours="6", members=[cast.ordinary_member])
    extra = services.self_study_submit(
        member=cast.ordinary_member,
        on=date(2025, 9, 2),
        title="学习",
        hours=Decimal("2"),
        today=TODAY,
    )
    services.self_study_decide(record=extra, approve=True, reason="", by=None)
    after = judge("EDU-01", [cast.branch1])
    assert cast.ordinary_member.pk not in after
    assert after[cast.secretary_member.pk].numbers["hours"] == 24.0


def test_edu02_wants_a_central_training_once_the_year_is_over(cast, course_of):
    for month in range(1, 13):
        record_meeting(cast.branch1, date(2025, month, 10), ["theme_day"], study_hours=Decimal("5"))
    results = judge("EDU-02", [cast.branch1])
    short = results[cast.secretary_member.pk]
    assert short.status == "missing" and "未参加集中培训" in str(short.explanation)
    assert "累计学时" not in str(short.explanation)  # the hours are met: only the training
    course_of(
        cast.committee,
        date(2025, 11, 1),
        kind=Course.Kind.CENTRAL,
        hours="8",
        members=[cast.secretary_member],
    )
    results = judge("EDU-02", [cast.branch1])
    assert results[("org", cast.branch1.pk)].status == "ok"
    # While the year runs the training is not yet judged.
    running = judge("EDU-02", [cast.branch1], Period.parse("2026"), today=date(2026, 6, 30))
    assert cast.secretary_member.pk not in running


def test_edu05_frail_members_stay_excluded(cast):
    frail = make_member(cast.branch1, "老党员", birth_date=date(1940, 1, 1), frail_exempt=True)
    assert frail.pk not in judge("EDU-01", [cast.branch1])


def _forest(n):
    root = make_org(None, Org.Kind.COMMITTEE, f"党委{n}")
    branches = []
    for i in range(n):
        branch = make_org(root, Org.Kind.BRANCH, f"支部{n}-{i}")
        members = [make_member(branch, f"党员{n}-{i}-{k}") for k in range(2)]
        committee_services.committee_elect(org=branch, elected_on=date(2024, 1, 1))
        committee_services.post_assign(
            org=branch, post="secretary", holder=members[0], start=date(2020, 1, 1)
        )
        record_meeting(branch, date(2025, 3, 10), ["theme_day"], study_hours=Decimal("4"))
        course = services.course_save(
            org=branch,
            data={"kind": "central", "title": "培训", "on": date(2025, 4, 1), "hours": Decimal(8)},
            by=None,
        )
        services.attendance_set(course=course, member_ids=[members[0].pk], today=TODAY)
        branches.append(branch)
    return branches


@pytest.mark.parametrize("code", ["EDU-01", "EDU-02"])
def test_query_count_is_the_same_for_3_or_20_branches(cast, code):
    counts = []
    for n in (3, 20):
        orgs = _forest(n)
        with CaptureQueriesContext(connection) as queries:
            outcomes = evaluate(in_force(code, TODAY), orgs, period=YEAR, today=TODAY)
        assert outcomes
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6, counts
