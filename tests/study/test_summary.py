"""The cockpit's 学习教育 panel: counts per sub-organisation in a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import make_member, record_meeting
from zhibu.core.rules import Period
from zhibu.rulebook.run import rules_run
from zhibu.study import services
from zhibu.study.selectors.summary import study_panel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def test_panel_counts_members_below_32_courses_and_pending(
    cast, course_of, django_assert_num_queries
):
    make_member(cast.branch1, "老党员", birth_date=date(1940, 1, 1), frail_exempt=True)
    for month in (1, 2):
        record_meeting(
            cast.branch1, date(2026, month, 10), ["theme_day"], study_hours=Decimal("16")
        )
    course_of(cast.branch2, date(2026, 3, 1), members=[cast.branch2_member])
    services.self_study_submit(
        member=cast.branch2_member, on=date(2026, 3, 2), title="自学", hours=Decimal(1)
    )
    children = [cast.branch1, cast.branch2]
    # Who is behind comes from EDU-01's findings, as the rule judged them.
    rules_run(
        root=cast.general_branch,
        period=Period.containing("year", date(2026, 3, 10)),
        today=date(2026, 3, 10),
        codes=["EDU-01"],
    )
    with django_assert_num_queries(4):  # roll, EDU-01's findings, courses, self-study
        rows = study_panel(
            org=cast.general_branch, children=children, year=2026, today=date(2026, 3, 10)
        )
    own, b1, b2 = rows
    assert own.own and own.members == 0
    assert (b1.members, b1.below) == (3, 0)  # 32 学时 each; the frail member is excused
    assert (b2.members, b2.below, b2.courses, b2.pending) == (1, 1, 1, 1)


def test_the_cockpit_shows_the_panel(client, cast):
    client.force_login(cast.party_secretary)
    body = client.get(
        reverse("insight:cockpit"), {"org": cast.committee.public_id}
    ).content.decode()
    assert 'id="study-panel"' in body and "学时不足 32" in body


def test_the_shortfall_is_edu01s_as_last_judged(cast, django_assert_num_queries):
    """Before a check the panel counts nobody behind; after it, EDU-01's own count — the
    panel never recomputes a year's hours of every member."""
    children = [cast.branch1, cast.branch2]
    before = study_panel(org=cast.committee, children=children, year=2026, today=date(2026, 3, 10))
    assert sum(r.below for r in before) == 0
    rules_run(
        root=cast.committee,
        period=Period.containing("year", date(2026, 3, 10)),
        today=date(2026, 3, 10),
        codes=["EDU-01"],
    )
    after = study_panel(org=cast.committee, children=children, year=2026, today=date(2026, 3, 10))
    assert sum(r.below for r in after) == sum(r.members for r in after) > 0  # no hours yet
