"""Calendar feeds, attachments, 谈心谈话, 民主评议 with 限期改正, and the 组织生活会."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar

from tests.factories import make_member, record_meeting
from tests.meetings.conftest import TODAY, url
from zhibu.duties.models import Rectification
from zhibu.meetings.models import Attachment, Correction, FeedToken, LifeMeetingPrep, Review, Talk
from zhibu.meetings.services import attachments as attachment_services
from zhibu.meetings.services.attachments import attachment_add
from zhibu.meetings.services.org_settings import settings_update
from zhibu.meetings.services.reviews import review_open
from zhibu.meetings.services.scheduling import meeting_plan

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


# --- iCalendar feeds -----------------------------------------------------------------------------


def token_for(login, user) -> str:
    login(user).post(reverse("meetings:feed_token"))
    return FeedToken.objects.get(user=user).token


def events(response, *, birthdays: bool = False) -> dict[str, object]:
    """The feed's events by summary: the meetings, or (``birthdays``) the 政治生日."""
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return {
        str(event.get("summary")): event
        for event in cal.walk("VEVENT")
        if str(event.get("uid")).startswith("birthday-") == birthdays
    }


def test_the_member_feed_lists_their_planned_meetings(cast, login, client, frozen):
    meeting_plan(
        org=cast.branch1,
        title="10月主题党日",
        on=date(2025, 10, 15),
        kinds=["theme_day"],
        place="党员活动室",
        starts_at=datetime(2025, 1, 1, 14, 30).time(),
    )
    meeting_plan(
        org=cast.group1, title="10月党小组会", on=date(2025, 10, 20), kinds=["group_meeting"]
    )
    meeting_plan(org=cast.branch2, title="别的支部", on=date(2025, 10, 15), kinds=["theme_day"])
    token = token_for(login, cast.ordinary)
    client.logout()
    found = events(client.get(url("meeting_feed_member", token)))
    assert set(found) == {"10月主题党日"}  # 王党员 is in no 党小组
    event = found["10月主题党日"]
    assert event.decoded("dtstart") == datetime(
        2025, 10, 15, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert str(event.get("location")) == "党员活动室"
    secretary_feed = events(
        client.get(url("meeting_feed_member", token_for(login, cast.branch_secretary)))
    )
    assert set(secretary_feed) == {"10月主题党日", "10月党小组会"}


def test_a_wrong_token_is_404_and_a_reset_token_stops_working(cast, login, client, frozen):
    old = token_for(login, cast.ordinary)
    assert client.get(url("meeting_feed_member", "x" * 43)).status_code == 404
    new = token_for(login, cast.ordinary)
    assert old != new
    client.logout()
    assert client.get(url("meeting_feed_member", old)).status_code == 404
    assert client.get(url("meeting_feed_member", new)).status_code == 200


def test_the_org_feed_shows_only_what_the_tokens_user_may_see(cast, login, client, frozen):
    meeting_plan(org=cast.branch1, title="一支部会", on=date(2025, 10, 15), kinds=["theme_day"])
    meeting_plan(org=cast.branch2, title="二支部会", on=date(2025, 10, 15), kinds=["theme_day"])
    secretary = token_for(login, cast.branch_secretary)
    member = token_for(login, cast.ordinary)
    party = token_for(login, cast.party_secretary)
    client.logout()
    assert set(events(client.get(url("meeting_feed_org", secretary, cast.branch1)))) == {"一支部会"}
    assert client.get(url("meeting_feed_org", secretary, cast.branch2)).status_code == 404
    assert client.get(url("meeting_feed_org", member, cast.branch1)).status_code == 404
    assert set(events(client.get(url("meeting_feed_org", party, cast.branch2)))) == {"二支部会"}


def test_a_deactivated_users_token_is_404(cast, login, client, frozen):
    token = token_for(login, cast.ordinary)
    cast.ordinary.is_active = False
    cast.ordinary.save(update_fields=["is_active"])
    client.logout()
    assert client.get(url("meeting_feed_member", token)).status_code == 404


# --- attachments ------------------------------------------------------------------------------------


def test_photos_and_sign_in_sheets_are_checked_stored_and_served_behind_access(
    cast, login, frozen, media
):
    meeting = record_meeting(cast.branch1, date(2025, 9, 20), ["theme_day"], today=TODAY)
    client = login(cast.branch_secretary)
    upload = SimpleUploadedFile("签到表.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(url("attachment_new", meeting), {"kind": "sign_in", "file": upload}).status_code
        == 302
    )
    item = Attachment.objects.get()
    assert (item.original_name, item.content_type, item.size) == (
        "签到表.pdf",
        "application/pdf",
        len(PDF),
    )
    assert item.file.name.endswith(".pdf") and "签到表" not in item.file.name
    response = client.get(url("attachment", meeting, item))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert login(cast.outsider).get(url("attachment", meeting, item)).status_code == 404
    assert login(cast.ordinary).get(url("attachment", meeting, item)).status_code == 403


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", b"MZ\x90\x00 not an image", "文件内容与扩展名不符"),
        ("huge.png", PNG, "文件过大"),
    ],
)
def test_bad_uploads_are_refused(cast, login, frozen, monkeypatch, name, content, message):
    monkeypatch.setattr(attachment_services, "ATTACHMENT_MAX_MB", 0)
    if name != "huge.png":
        monkeypatch.setattr(attachment_services, "ATTACHMENT_MAX_MB", 10)
    meeting = record_meeting(cast.branch1, date(2025, 9, 20), ["theme_day"], today=TODAY)
    response = login(cast.branch_secretary).post(
        url("attachment_new", meeting), {"kind": "photo", "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Attachment.objects.exists()


def test_attachments_cannot_be_deleted_after_the_lock(cast, login, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 20), ["theme_day"], today=TODAY)
    item = attachment_add(meeting=meeting, upload=SimpleUploadedFile("a.png", PNG))
    frozen.move_to(datetime(2025, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    login(cast.branch_secretary).post(url("attachment_delete", meeting, item))
    assert Attachment.objects.filter(pk=item.pk).exists()


# --- 谈心谈话 -------------------------------------------------------------------------------------------


def test_talks_are_logged_and_the_matrix_shows_the_pairs_missing(cast, login, frozen):
    third = make_member(cast.branch1, "孙党员", birth_date=date(1990, 4, 4))
    client = login(cast.branch_secretary)
    data = {
        "on": "2025-09-01",
        "member_a": str(cast.secretary_member.public_id),
        "member_b": str(cast.ordinary_member.public_id),
        "topic": "思想动态",
    }
    assert client.post(url("talks", cast.branch1), data).status_code == 302
    assert Talk.objects.get().topic == "思想动态"
    page = client.get(url("talk_matrix", cast.branch1, 2025)).content.decode()
    assert "应谈 3 对，已谈 1 对" in page
    assert "李书记 — 孙党员" in page and "孙党员 — 王党员" in page and "李书记 — 王党员" not in page
    assert third.name in page


def test_a_talk_with_oneself_or_in_the_future_is_refused(cast, login, frozen):
    client = login(cast.branch_secretary)
    me = str(cast.secretary_member.public_id)
    response = client.post(
        url("talks", cast.branch1),
        {"on": "2025-09-01", "member_a": me, "member_b": me, "topic": "x"},
    )
    assert "谈话双方不能是同一人" in response.content.decode()
    other = str(cast.ordinary_member.public_id)
    response = client.post(
        url("talks", cast.branch1),
        {"on": "2025-10-01", "member_a": me, "member_b": other, "topic": "x"},
    )
    assert "谈话日期不能晚于今天" in response.content.decode()
    assert not Talk.objects.exists()


def test_talk_pages_scope(cast, login, inspector_user, frozen):
    assert login(cast.outsider).get(url("talks", cast.branch1)).status_code == 404
    client = login(inspector_user)
    assert client.get(url("talks", cast.branch1)).status_code == 200
    data = {
        "on": "2025-09-01",
        "member_a": str(cast.secretary_member.public_id),
        "member_b": str(cast.ordinary_member.public_id),
        "topic": "x",
    }
    assert client.post(url("talks", cast.branch1), data).status_code == 403
    assert not Talk.objects.exists()


@pytest.fixture
def inspector_user(cast):
    from tests.factories import UserFactory, grant
    from zhibu.accounts.models import Role

    user = UserFactory(username="jijian3")
    grant(user, Role.DISCIPLINE, cast.committee)
    return user


# --- 民主评议党员 and 限期改正 -------------------------------------------------------------------------------


def test_a_review_grades_every_member_and_opens_a_correction_for_the_failing_grade(
    cast, login, frozen
):
    client = login(cast.branch_secretary)
    assert client.post(url("review", cast.branch1, 2025)).status_code == 302
    review = Review.objects.get()
    assert review.grades == ["优秀", "合格", "基本合格", "不合格"]
    assert review.entries.count() == 2
    entry_url = reverse(
        "meetings:review_entry", args=[review.public_id, cast.ordinary_member.public_id]
    )
    response = client.post(
        entry_url,
        {
            "self_assessment": "自评",
            "peer_review": "互评",
            "grade": "不合格",
            "tally_0": 0,
            "tally_3": 2,
        },
    )
    assert response.status_code == 302
    finish = reverse("meetings:review_finish", args=[review.public_id])
    client.post(finish, {"on": "2025-09-30"})
    review.refresh_from_db()
    assert review.status == "open"  # 李书记 is not graded yet
    client.post(
        reverse("meetings:review_entry", args=[review.public_id, cast.secretary_member.public_id]),
        {"grade": "优秀"},
    )
    client.post(finish, {"on": "2025-09-30"})
    review.refresh_from_db()
    assert review.status == "finished"
    correction = Correction.objects.get()
    assert (correction.member, correction.starts_on, correction.ends_on) == (
        cast.ordinary_member,
        date(2025, 9, 30),
        date(2026, 9, 30),
    )
    page = client.get(url("review", cast.branch1, 2025)).content.decode()
    assert "改正期内" in page


def test_a_tally_larger_than_the_members_and_an_unknown_grade_are_refused(cast, login, frozen):
    review = review_open(org=cast.branch1, year=2025, today=TODAY)
    entry_url = reverse(
        "meetings:review_entry", args=[review.public_id, cast.ordinary_member.public_id]
    )
    response = login(cast.branch_secretary).post(entry_url, {"tally_0": 2, "tally_1": 1})
    assert "测评票数合计 3，超过参加评议的党员人数（2）" in response.content.decode()
    entry = review.entries.get(member=cast.ordinary_member)
    assert entry.tally == {}


def test_a_correction_lasts_at_most_one_year_and_is_closed_with_an_outcome(cast, login, frozen):
    correction = Correction.objects.create(
        member=cast.ordinary_member,
        org=cast.branch1,
        starts_on=date(2025, 9, 30),
        ends_on=date(2026, 9, 30),
    )
    client = login(cast.branch_secretary)
    target = reverse("meetings:correction", args=[correction.public_id])
    response = client.post(target, {"ends_on": "2026-10-01", "measures": "结对帮扶"})
    assert "限期改正期限最长 1 年（MBR-07），应不晚于 2026-09-30" in response.content.decode()
    assert client.post(target, {"ends_on": "2026-06-30", "measures": "结对帮扶"}).status_code == 302
    assert (
        client.post(
            target, {"action": "close", "outcome": "corrected", "on": "2025-09-30"}
        ).status_code
        == 302
    )
    correction.refresh_from_db()
    assert (correction.ends_on, correction.outcome) == (date(2026, 6, 30), "corrected")
    assert login(cast.outsider).get(target).status_code == 404


def test_review_grades_follow_the_committees_settings(cast, frozen):
    settings_update(
        org=cast.committee,
        theme_day=None,
        committee_day=None,
        group_day=None,
        lock_days=None,
        review_grades=["好", "较好", "一般", "差"],
    )
    review = review_open(org=cast.branch1, year=2025, today=TODAY)
    assert review.grades == ["好", "较好", "一般", "差"] and review.failing_grade == "差"


# --- 组织生活会 ------------------------------------------------------------------------------------------------


def test_a_life_meeting_keeps_its_checklist_and_turns_problems_into_rectification_items(
    cast, login, frozen
):
    meeting = record_meeting(cast.branch1, date(2025, 9, 25), ["life_meeting"], today=TODAY)
    client = login(cast.branch_secretary)
    response = client.post(
        url("life_prep", meeting),
        {
            "study_done": "on",
            "study_note": "学习党章",
            "talks_done": "on",
            "opinions_collected": "on",
            "opinions_count": 6,
            "criticism_notes": "李书记：联系群众不够。",
        },
    )
    assert response.status_code == 302
    prep = LifeMeetingPrep.objects.get(meeting=meeting)
    assert prep.complete and prep.opinions_count == 6
    response = client.post(
        url("problem_new", meeting),
        {
            "problem": "理论学习不够系统",
            "measure": "制定学习计划",
            "owner": str(cast.ordinary_member.public_id),
            "deadline": "2025-12-31",
        },
    )
    assert response.status_code == 302
    item = Rectification.objects.get()
    assert (item.source, item.source_ref, item.owner, item.org) == (
        "life_meeting",
        f"meeting:{meeting.public_id}",
        cast.ordinary_member,
        cast.branch1,
    )
    page = client.get(url("detail", meeting)).content.decode()
    assert "理论学习不够系统" in page and "批评和自我批评" in page


def test_problem_pages_only_for_life_meetings(cast, login, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 25), ["theme_day"], today=TODAY)
    assert login(cast.branch_secretary).get(url("problem_new", meeting)).status_code == 404


def test_a_problem_with_a_past_deadline_is_refused(cast, login, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 25), ["life_meeting"], today=TODAY)
    response = login(cast.branch_secretary).post(
        url("problem_new", meeting), {"problem": "p", "measure": "m", "deadline": "2025-01-01"}
    )
    assert "整改期限不能早于今天" in response.content.decode()
    assert not Rectification.objects.exists()


# --- the member's page on a phone -------------------------------------------------------------------------------


def test_my_page_shows_upcoming_meetings_attendance_and_hours(cast, login, frozen):
    record_meeting(cast.branch1, date(2025, 9, 10), ["theme_day"], study_hours=4, today=TODAY)
    meeting_plan(org=cast.branch1, title="10月主题党日", on=date(2025, 10, 15), kinds=["theme_day"])
    body = login(cast.ordinary).get(reverse("meetings:my")).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in body
    assert "10月主题党日" in body and "请假" in body
    assert "应参加 1 次，出席 1 次，累计学时 4.0" in body
    home = login(cast.ordinary).get(reverse("home")).content.decode()
    assert "我的近期会议" in home and "10月主题党日" in home


def test_a_members_record_shows_their_meetings_and_study_hours(cast, login, frozen):
    record_meeting(cast.branch1, date(2025, 9, 10), ["theme_day"], study_hours=4, today=TODAY)
    page = reverse("members:detail", args=[cast.ordinary_member.public_id])
    body = login(cast.branch_secretary).get(page, {"tab": "life"}).content.decode()
    assert "组织生活" in body and "应参加 1 次，出席 1 次，累计学时 4.0" in body
    assert login(cast.outsider).get(page, {"tab": "life"}).status_code == 404
    assert login(cast.branch_secretary).get(page, {"tab": "nonsense"}).status_code == 404


def test_my_page_for_a_user_without_a_member_record(cast, login, frozen):
    body = login(cast.outsider).get(reverse("meetings:my")).content.decode()
    assert "您的账号未关联党员档案" in body


# --- the annual plan as a document, reported upward -------------------------------------------


def test_a_branch_reports_its_annual_plan_and_the_committee_sees_who_has(cast, login, frozen):
    from tests.pdfs import pdf_text
    from zhibu.meetings.models import PlanSubmission

    secretary = login(cast.branch_secretary)
    assert secretary.post(url("plan_year", cast.branch1, 2026)).status_code == 302
    assert secretary.post(url("plan_submit", cast.branch1, 2026)).status_code == 302
    report = PlanSubmission.objects.get(org=cast.branch1, year=2026)
    assert report.meetings > 0 and report.submitted_by == cast.branch_secretary
    body = login(cast.party_secretary).get(url("plan_year", cast.general_branch, 2026))
    rows = body.content.decode()
    assert "下级党支部报送情况" in rows and "第一党支部" in rows and "未报送" in rows
    pdf = login(cast.party_secretary).get(url("plan_pdf", cast.branch1, 2026))
    assert pdf["Content-Type"] == "application/pdf"
    _, text = pdf_text(pdf.content)
    assert "2026年度组织生活计划" in text and "报送上级党委" in text


def test_reporting_a_plan_needs_the_right_a_plan_and_the_scope(cast, login, frozen):
    from zhibu.meetings.models import PlanSubmission

    empty = login(cast.branch_secretary).post(url("plan_submit", cast.branch1, 2027), follow=True)
    assert "还没有安排会议" in empty.content.decode()
    assert login(cast.ordinary).post(url("plan_submit", cast.branch1, 2026)).status_code == 403
    assert login(cast.outsider).post(url("plan_submit", cast.branch1, 2026)).status_code == 404
    assert login(cast.outsider).get(url("plan_pdf", cast.branch1, 2026)).status_code == 404
    assert not PlanSubmission.objects.exists()
