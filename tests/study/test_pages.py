"""The study pages: roles, scope (404 outside), bad input refused with nothing written,
stale versions, the member's own progress, the ledger export (audited)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from tests.factories import record_meeting
from zhibu.core.models import AuditEvent
from zhibu.core.versioning import version_of
from zhibu.study import services
from zhibu.study.models import Article, Course, CourseAttendance, Reading, SelfStudy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def course(cast):
    return services.course_save(
        org=cast.branch1,
        data={
            "kind": "lecture",
            "title": "书记讲党课",
            "on": date(2026, 3, 1),
            "hours": Decimal(3),
        },
        by=None,
    )


def course_data(**over):
    data = {"kind": "lecture", "title": "党课", "on": "2026-03-01", "hours": "3"}
    data.update(over)
    return data


# --- access -------------------------------------------------------------------------------------


def test_index_for_every_role(client, cast):
    for user in (cast.party_secretary, cast.branch_secretary, cast.ordinary, cast.outsider):
        client.force_login(user)
        assert client.get(reverse("study:index")).status_code == 200


def test_ordinary_member_cannot_manage_and_outsider_gets_404(client, cast, course):
    client.force_login(cast.ordinary)
    assert client.get(reverse("study:course_list")).status_code == 403
    assert client.get(reverse("study:course_new", args=[cast.branch1.public_id])).status_code == 403
    assert client.get(reverse("study:self_pending")).status_code == 403
    client.force_login(cast.outsider)
    assert client.get(reverse("study:course_detail", args=[course.public_id])).status_code == 404
    assert client.get(reverse("study:ledger", args=[cast.branch1.public_id])).status_code == 404
    assert client.get(reverse("study:calendar", args=[cast.branch1.public_id])).status_code == 404


def test_committee_secretary_sees_the_branch_course(client, cast, course):
    client.force_login(cast.party_secretary)
    page = client.get(reverse("study:course_detail", args=[course.public_id]))
    assert page.status_code == 200 and "书记讲党课" in page.content.decode()


# --- courses ------------------------------------------------------------------------------------


def test_create_course_and_record_attendance(client, cast):
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("study:course_new", args=[cast.branch1.public_id]), course_data()
    )
    course = Course.objects.get()
    assert response.status_code == 302
    url = reverse("study:course_attendance", args=[course.public_id])
    response = client.post(
        url, {"members": [cast.ordinary_member.pk], "version": version_of(course)}
    )
    assert response.status_code == 302
    assert list(CourseAttendance.objects.values_list("member", "hours")) == [
        (cast.ordinary_member.pk, Decimal("3"))
    ]


@pytest.mark.parametrize("hours", ["0", "-2", "abc"])
def test_zero_negative_or_non_numeric_hours_are_refused(client, cast, hours):
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("study:course_new", args=[cast.branch1.public_id]), course_data(hours=hours)
    )
    assert response.status_code == 200 and not Course.objects.exists()
    body = response.content.decode()
    assert "学时应大于 0" in body or "请输入一个数字" in body or "数字" in body


def test_attendance_of_a_member_outside_the_branch_is_refused(client, cast, course):
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("study:course_attendance", args=[course.public_id]),
        {
            "members": [cast.ordinary_member.pk, cast.branch2_member.pk],
            "version": version_of(course),
        },
    )
    assert response.status_code == 200
    assert (
        "不是本组织在册党员" in response.content.decode() and "赵党员" in response.content.decode()
    )
    assert not CourseAttendance.objects.exists()


def test_stale_course_edit_is_refused(client, cast, course, time_machine):
    client.force_login(cast.branch_secretary)
    stale = version_of(course)
    time_machine.shift(timedelta(minutes=1))
    services.course_save(
        org=cast.branch1,
        data={
            "kind": "lecture",
            "title": "改过的名称",
            "on": date(2026, 3, 1),
            "hours": Decimal(3),
        },
        by=None,
        course=course,
    )
    response = client.post(
        reverse("study:course_edit", args=[course.public_id]),
        course_data(title="我的修改", version=stale),
    )
    assert response.status_code == 200 and "您打开此页后" in response.content.decode()
    course.refresh_from_db()
    assert course.title == "改过的名称"


# --- self-study ---------------------------------------------------------------------------------


def test_member_submits_and_branch_approves_self_study(client, cast):
    client.force_login(cast.ordinary)
    response = client.post(
        reverse("study:self_new"), {"on": "2026-03-08", "title": "自学党章", "hours": "2"}
    )
    assert response.status_code == 302
    record = SelfStudy.objects.get()
    assert record.status == "pending" and record.member == cast.ordinary_member
    client.force_login(cast.branch_secretary)
    assert "自学党章" in client.get(reverse("study:self_pending")).content.decode()
    response = client.post(
        reverse("study:self_decide", args=[record.public_id]),
        {"decision": "approve", "reason": "", "version": version_of(record)},
    )
    record.refresh_from_db()
    assert response.status_code == 302 and record.status == "approved"


def test_self_study_in_the_future_or_without_hours_is_refused(client, cast):
    client.force_login(cast.ordinary)
    response = client.post(
        reverse("study:self_new"), {"on": "2026-03-11", "title": "自学", "hours": "2"}
    )
    assert "学习日期不能晚于今天" in response.content.decode()
    response = client.post(
        reverse("study:self_new"), {"on": "2026-03-01", "title": "自学", "hours": "0"}
    )
    assert "学时应大于 0" in response.content.decode()
    assert not SelfStudy.objects.exists()


def test_outsider_cannot_decide_and_a_stale_decision_is_refused(client, cast, time_machine):
    record = services.self_study_submit(
        member=cast.ordinary_member, on=date(2026, 3, 1), title="自学", hours=Decimal(1)
    )
    client.force_login(cast.outsider)
    url = reverse("study:self_decide", args=[record.public_id])
    assert client.post(url, {"decision": "approve"}).status_code == 404
    client.force_login(cast.branch_secretary)
    stale = version_of(record)
    time_machine.shift(timedelta(minutes=1))
    record.note = "补充"
    record.save()
    response = client.post(url, {"decision": "approve", "version": stale}, follow=True)
    assert "您打开此页后" in response.content.decode()
    record.refresh_from_db()
    assert record.status == "pending"


# --- the member's own page and the ledger -------------------------------------------------------


def test_member_sees_progress_and_political_birthday_on_their_page(client, cast, course):
    record_meeting(cast.branch1, date(2026, 2, 10), ["theme_day"], study_hours=Decimal("4"))
    services.attendance_set(course=course, member_ids=[cast.ordinary_member.pk])
    cast.ordinary_member.admitted_on = date(2015, 3, 20)
    cast.ordinary_member.save(update_fields=["admitted_on"])
    client.force_login(cast.ordinary)
    body = client.get(reverse("members:me")).content.decode()
    assert "已完成 7/32 学时" in body
    assert "3月20日" in body and "11 周年" in body


def test_ledger_and_export_are_audited(client, cast, course):
    services.attendance_set(course=course, member_ids=[cast.ordinary_member.pk])
    client.force_login(cast.branch_secretary)
    page = client.get(reverse("study:ledger", args=[cast.branch1.public_id]))
    assert page.status_code == 200 and "王党员" in page.content.decode()
    response = client.get(reverse("study:ledger_export", args=[cast.branch1.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    event = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).latest("seq")
    assert "学时台账" in event.summary


def test_branch_calendar_lists_political_birthdays(client, cast):
    cast.ordinary_member.admitted_on = date(2015, 3, 20)
    cast.ordinary_member.save(update_fields=["admitted_on"])
    record_meeting(cast.branch1, date(2026, 3, 5), ["theme_day"], today=date(2026, 3, 10))
    client.force_login(cast.branch_secretary)
    body = client.get(reverse("study:calendar", args=[cast.branch1.public_id])).content.decode()
    assert "王党员" in body and "入党 11 周年" in body and "重温入党誓词" in body


# --- library ------------------------------------------------------------------------------------


def test_article_without_text_is_refused(client, cast):
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("study:article_new", args=[cast.branch1.public_id]),
        {"title": "空文章", "topic": "theory", "published_on": "2026-03-01", "body": "   "},
    )
    assert response.status_code == 200 and "正文不能为空" in response.content.decode()
    assert not Article.objects.exists()


def test_article_search_detail_and_own_reading_history(client, cast):
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("study:article_new", args=[cast.branch1.public_id]),
        {
            "title": "学习党章",
            "topic": "constitution",
            "published_on": "2026-03-01",
            "body": "党章是党的根本大法。学习党章，遵守党章，维护党章。",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and article.keywords_auto and "党章" in article.keywords
    client.force_login(cast.ordinary)
    found = client.get(reverse("study:library"), {"q": "根本大法"}).content.decode()
    assert "学习党章" in found
    assert "学习党章" not in client.get(reverse("study:library"), {"q": "供热"}).content.decode()
    assert client.get(reverse("study:article", args=[article.public_id])).status_code == 200
    assert Reading.objects.filter(user=cast.ordinary, article=article).exists()
    client.force_login(cast.outsider)
    assert client.get(reverse("study:article", args=[article.public_id])).status_code == 404


def test_stale_article_edit_is_refused(client, cast, time_machine):
    article = services.article_save(
        org=cast.branch1,
        data={"title": "甲", "topic": "other", "body": "正文内容"},
        by=None,
    )
    stale = version_of(article)
    time_machine.shift(timedelta(minutes=1))
    services.article_save(
        org=cast.branch1,
        data={"title": "乙", "topic": "other", "body": "正文内容"},
        by=None,
        article=article,
    )
    client.force_login(cast.branch_secretary)
    response = client.post(
        reverse("study:article_edit", args=[article.public_id]),
        {
            "title": "丙",
            "topic": "other",
            "published_on": "2026-03-01",
            "body": "x",
            "version": stale,
        },
    )
    assert "您打开此页后" in response.content.decode()
    article.refresh_from_db()
    assert article.title == "乙"


def test_home_greets_a_member_in_the_month_of_their_political_birthday(client, cast, time_machine):
    cast.ordinary_member.admitted_on = date(2015, 3, 20)
    cast.ordinary_member.save(update_fields=["admitted_on"])
    record_meeting(cast.branch1, date(2026, 3, 5), ["theme_day"], today=date(2026, 3, 10))
    client.force_login(cast.ordinary)
    time_machine.move_to(datetime(2026, 3, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    body = client.get(reverse("home")).content.decode()
    assert "political-birthday-home" in body and "入党 11 周年" in body and "重温入党誓词" in body
    time_machine.move_to(datetime(2026, 4, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert "political-birthday-home" not in client.get(reverse("home")).content.decode()
    # A user with no member record (the branch secretary's account here has one; an
    # administrator's does not) never sees it.
    client.force_login(cast.outsider)
    assert "political-birthday-home" not in client.get(reverse("home")).content.decode()
