"""Service-level refusals: each leaves nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhibu.study import services
from zhibu.study.models import Article, CourseAttendance, SelfStudy

pytestmark = pytest.mark.django_db


def test_attendance_for_a_course_not_yet_held_is_refused(cast):
    course = services.course_save(
        org=cast.branch1,
        data={"kind": "seminar", "title": "辅导", "on": date(2026, 5, 1), "hours": Decimal(2)},
        by=None,
    )
    with pytest.raises(ValidationError, match="课程尚未举办"):
        services.attendance_set(
            course=course, member_ids=[cast.ordinary_member.pk], today=date(2026, 4, 1)
        )
    assert not CourseAttendance.objects.exists()


def test_changing_a_course_hours_recredits_its_attendees(cast):
    course = services.course_save(
        org=cast.branch1,
        data={"kind": "lecture", "title": "党课", "on": date(2026, 3, 1), "hours": Decimal(2)},
        by=None,
    )
    services.attendance_set(
        course=course, member_ids=[cast.ordinary_member.pk], today=date(2026, 3, 2)
    )
    services.course_save(
        org=cast.branch1,
        data={"kind": "lecture", "title": "党课", "on": date(2026, 3, 1), "hours": Decimal(3)},
        by=None,
        course=course,
    )
    assert CourseAttendance.objects.get().hours == Decimal(3)


def test_self_study_without_a_member_record_or_too_many_hours(cast):
    with pytest.raises(ValidationError, match="没有关联党员信息"):
        services.self_study_submit(
            member=None, on=date(2026, 3, 1), title="x", hours=Decimal(1), today=date(2026, 3, 2)
        )
    with pytest.raises(ValidationError, match="不能超过 8"):
        services.self_study_submit(
            member=cast.ordinary_member,
            on=date(2026, 3, 1),
            title="x",
            hours=Decimal(9),
            today=date(2026, 3, 2),
        )
    assert not SelfStudy.objects.exists()


def test_a_decided_record_is_not_decided_again_and_rejection_needs_a_reason(cast):
    record = services.self_study_submit(
        member=cast.ordinary_member,
        on=date(2026, 3, 1),
        title="x",
        hours=Decimal(1),
        today=date(2026, 3, 2),
    )
    with pytest.raises(ValidationError, match="说明理由"):
        services.self_study_decide(record=record, approve=False, reason=" ", by=None)
    services.self_study_decide(record=record, approve=False, reason="内容与学时不符", by=None)
    with pytest.raises(ValidationError, match="已认定"):
        services.self_study_decide(record=record, approve=True, reason="", by=None)


def test_article_without_title_or_text(cast):
    with pytest.raises(ValidationError) as caught:
        services.article_save(org=cast.branch1, data={"title": " ", "body": ""}, by=None)
    assert set(caught.value.message_dict) == {"title", "body"}
    assert not Article.objects.exists()
