"""Meeting pages: the one-page record, plan → notice → leave → record, votes, the lock,
who sees what (404 outside scope, 403 without the action) and bad input refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory, grant, make_member, record_meeting
from tests.meetings.conftest import TODAY, record_data, url
from zhibu.accounts.models import Role
from zhibu.committees import services as committee_services
from zhibu.core.models import AuditEvent
from zhibu.meetings.models import Attendance, Decision, Meeting, MeetingKindRow
from zhibu.meetings.services.org_settings import settings_update
from zhibu.meetings.services.scheduling import meeting_plan

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def inspector(cast):
    """A 纪检委员 of the 党委: sees organisational life, records nothing."""
    user = UserFactory(username="jijian")
    grant(user, Role.DISCIPLINE, cast.committee)
    return user


def everyone_present(cast):
    return {cast.secretary_member: "present", cast.ordinary_member: "present"}


# --- recording --------------------------------------------------------------------------------


def test_the_record_form_starts_from_the_roster_of_the_meeting_date(cast, login, frozen):
    late = make_member(cast.branch1, "新党员", admitted_on=date(2025, 9, 10), full_on=None)
    body = (
        login(cast.branch_secretary)
        .get(url("record_new", cast.branch1), {"on": "2025-09-01"})
        .content.decode()
    )
    assert "李书记" in body and "王党员" in body and f"att-{late.public_id}" not in body
    body = (
        login(cast.branch_secretary)
        .get(url("roster", cast.branch1), {"on": "2025-09-20"})
        .content.decode()
    )
    assert f"att-{late.public_id}" in body  # 预备党员 attend, from their admission on


def test_secretary_records_a_meeting_in_one_post(cast, login, frozen):
    data = record_data(
        date(2025, 9, 15),
        {cast.secretary_member: "present", cast.ordinary_member: "leave"},
        kinds=["theme_day", "branch_assembly", "party_lecture"],
        tags="重温入党誓词、集中学习",
        host=str(cast.secretary_member.public_id),
        lecturer=str(cast.secretary_member.public_id),
    )
    response = login(cast.branch_secretary).post(url("record_new", cast.branch1), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", meeting)
    assert meeting.status == "recorded" and meeting.recorded_by == cast.branch_secretary
    assert meeting.kinds == ["branch_assembly", "party_lecture", "theme_day"]
    assert meeting.tags == ["重温入党誓词", "集中学习"]
    assert sorted(MeetingKindRow.objects.values_list("kind", "held")) == [
        ("branch_assembly", True),
        ("party_lecture", True),
        ("theme_day", True),
    ]
    rows = {a.member: a for a in Attendance.objects.all()}
    assert (
        rows[cast.secretary_member].study_hours == 2 and rows[cast.ordinary_member].study_hours == 0
    )
    assert (rows[cast.ordinary_member].status, rows[cast.ordinary_member].reason) == (
        "leave",
        "出差",
    )
    page = login(cast.branch_secretary).get(url("detail", meeting)).content.decode()
    assert "出席 1/2" in page and "王党员（出差）" in page


def test_recording_requires_login(cast, client, frozen):
    response = client.post(
        url("record_new", cast.branch1), record_data(TODAY, everyone_present(cast))
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Meeting.objects.exists()


def test_outsider_gets_404_everywhere(cast, login, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 1), ["theme_day"], today=TODAY)
    client = login(cast.outsider)
    for target in (
        url("org", cast.branch1),
        url("record_new", cast.branch1),
        url("detail", meeting),
        url("record", meeting),
        url("decision_new", meeting),
        url("talks", cast.branch1),
        url("ledger_pdf", cast.branch1, 2025),
    ):
        assert client.get(target).status_code == 404, target
    assert (
        client.post(
            url("record_new", cast.branch1), record_data(TODAY, everyone_present(cast))
        ).status_code
        == 404
    )
    assert Meeting.objects.count() == 1


def test_a_read_only_role_sees_but_gets_403_on_writes(cast, login, inspector, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 1), ["branch_assembly"], today=TODAY)
    client = login(inspector)
    assert client.get(url("org", cast.branch1)).status_code == 200
    assert client.get(url("detail", meeting)).status_code == 200
    assert client.get(url("record_new", cast.branch1)).status_code == 403
    assert (
        client.post(
            url("record_new", cast.branch1), record_data(TODAY, everyone_present(cast))
        ).status_code
        == 403
    )
    assert (
        client.post(
            url("decision_new", meeting), {"title": "X", "kind": "general", "yes": 2}
        ).status_code
        == 403
    )
    assert Meeting.objects.count() == 1 and not Decision.objects.exists()


def test_an_ordinary_member_has_no_meeting_pages_but_their_own(cast, login, frozen):
    client = login(cast.ordinary)
    assert client.get(reverse("meetings:list")).status_code == 403
    assert client.get(reverse("meetings:my")).status_code == 200


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("other_branch", "不是本组织应参会人员"),
        ("joined_later", "不是本组织应参会人员"),
        ("future", "晚于今天，不能登记为已召开"),
        ("missing", "请为名册中每名应参会人员登记出席情况"),
        ("leave_without_reason", "请填写请假事由"),
    ],
)
def test_bad_records_are_refused_in_chinese_and_write_nothing(cast, login, frozen, case, message):
    on, statuses = date(2025, 9, 1), everyone_present(cast)
    if case == "other_branch":
        statuses[cast.branch2_member] = "present"
    elif case == "joined_later":
        statuses[
            make_member(cast.branch1, "后来者", admitted_on=date(2025, 9, 10), full_on=None)
        ] = "present"
    elif case == "future":
        on = TODAY + timedelta(days=1)
    elif case == "missing":
        del statuses[cast.ordinary_member]
    data = record_data(on, statuses)
    if case == "leave_without_reason":
        data[f"att-{cast.ordinary_member.public_id}"] = "leave"
    response = login(cast.branch_secretary).post(url("record_new", cast.branch1), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (
        not Meeting.objects.exists()
        and not Attendance.objects.exists()
        and not MeetingKindRow.objects.exists()
    )


def test_plan_notice_leave_then_record(cast, login, frozen):
    secretary = login(cast.branch_secretary)
    response = secretary.post(
        url("plan_new", cast.branch1),
        {"title": "10月主题党日", "on": "2025-10-15", "kinds": ["theme_day"], "starts_at": "14:30"},
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.status == "planned"
    secretary.post(url("notice", meeting), {"notice": "请全体党员准时参加。"})
    meeting.refresh_from_db()
    assert meeting.status == "noticed" and meeting.noticed_at is not None
    member = login(cast.ordinary)
    assert "10月主题党日" in member.get(reverse("meetings:my")).content.decode()
    assert member.post(url("leave", meeting), {"reason": "住院"}).status_code == 302
    row = Attendance.objects.get(meeting=meeting, member=cast.ordinary_member)
    assert (row.status, row.reason) == ("leave", "住院") and row.leave_requested_at
    frozen.move_to(datetime(2025, 10, 15, 18, tzinfo=BEIJING), tick=False)
    secretary = login(cast.branch_secretary)
    form = secretary.get(url("record", meeting)).content.decode()
    assert f'id="att-{cast.ordinary_member.public_id}-leave" value="leave" checked' in form
    data = record_data(
        date(2025, 10, 15),
        {cast.secretary_member: "present", cast.ordinary_member: "leave"},
        title="10月主题党日",
    )
    data[f"why-{cast.ordinary_member.public_id}"] = "住院"
    assert secretary.post(url("record", meeting), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "recorded"
    row.refresh_from_db()
    assert row.leave_requested_at is not None and row.status == "leave"


def test_a_member_cannot_ask_leave_from_another_branch_meeting(cast, login, frozen):
    other = meeting_plan(
        org=cast.branch2, title="二支部会", on=date(2025, 10, 15), kinds=["theme_day"]
    )
    assert login(cast.ordinary).post(url("leave", other), {"reason": "x"}).status_code == 404
    assert not Attendance.objects.exists()


def test_a_member_off_the_committee_is_not_invited_to_its_meetings(cast, login, frozen):
    """Regression: members were offered 请假 for the 支委会 they do not sit on."""
    committee = meeting_plan(
        org=cast.branch1, title="10月支委会", on=date(2025, 10, 9), kinds=["branch_committee"]
    )
    meeting_plan(org=cast.branch1, title="10月主题党日", on=date(2025, 10, 15), kinds=["theme_day"])
    member = login(cast.ordinary)
    body = member.get(reverse("meetings:my")).content.decode()
    assert "10月主题党日" in body and "10月支委会" not in body
    assert "10月支委会" not in member.get(reverse("home")).content.decode()
    assert member.post(url("leave", committee), {"reason": "出差"}).status_code == 404
    # The secretary sits on the committee (a 书记 post since 2021): invited.
    assert "10月支委会" in login(cast.branch_secretary).get(reverse("meetings:my")).content.decode()


def test_a_refused_leave_says_why_once(cast, login, frozen):
    meeting = meeting_plan(
        org=cast.branch1, title="10月主题党日", on=date(2025, 10, 15), kinds=["theme_day"]
    )
    frozen.move_to(datetime(2025, 10, 16, 9, tzinfo=BEIJING), tick=False)  # too late now
    body = login(cast.ordinary).post(url("leave", meeting), {"reason": "出差"}).content.decode()
    assert body.count("会议已召开或已取消，不能请假。") == 1


def test_the_default_notice_addresses_who_the_meeting_expects(cast, login, frozen):
    committee = meeting_plan(
        org=cast.branch1, title="10月支委会", on=date(2025, 10, 9), kinds=["branch_committee"]
    )
    theme_day = meeting_plan(
        org=cast.branch1, title="10月主题党日", on=date(2025, 10, 15), kinds=["theme_day"]
    )
    client = login(cast.branch_secretary)
    assert "请各位委员准时参加" in client.get(url("notice", committee)).content.decode()
    assert "请全体党员准时参加" in client.get(url("notice", theme_day)).content.decode()


def test_the_default_notice_writes_the_day_without_a_leading_zero(cast, login, frozen):
    """Regression: Django's Chinese month-day format printed "09月9日"."""
    meeting = meeting_plan(
        org=cast.branch1, title="9月主题党日", on=date(2025, 9, 9), kinds=["theme_day"]
    )
    body = login(cast.branch_secretary).get(url("notice", meeting)).content.decode()
    assert "定于9月9日召开" in body and "09月" not in body


def test_history_reads_one_line_per_change_in_beijing_time(cast, login, frozen):
    """Regressions: change times showed in UTC; each change was a table down the page."""
    from zhibu.core.history import history_of

    meeting = meeting_plan(
        org=cast.branch1, title="10月主题党日", on=date(2025, 10, 15), kinds=["theme_day"]
    )
    client = login(cast.branch_secretary)
    client.post(url("notice", meeting), {"notice": "请全体党员准时参加。"})
    noticed = next(
        e for e in history_of(meeting) if any(c.field == "noticed_at" for c in e.changes)
    )
    change = next(c for c in noticed.changes if c.field == "noticed_at")
    assert change.new == "2025-09-30 10:00"  # frozen at 10:00 in Beijing, 02:00 UTC
    body = client.get(url("detail", meeting)).content.decode()
    assert "<details>" in body and "通知时间" in body


@pytest.mark.refresh_on_save
def test_recording_a_meeting_updates_the_findings_and_the_to_do_at_once(cast, login, frozen):
    """Regression: the to-do and cockpit stayed stale until the nightly run."""
    from zhibu.core.rules import Period
    from zhibu.core.rules.models import Finding
    from zhibu.rulebook.run import rules_run

    committee_services.committee_elect(org=cast.branch1, elected_on=date(2024, 3, 1))
    september = Period.parse("2025-09")
    rules_run(root=cast.committee, period=september, today=TODAY)

    def mtg02():
        return Finding.objects.get(rule_code="MTG-02", period_code="2025-09", org=cast.branch1)

    assert mtg02().status != "ok"
    client = login(cast.branch_secretary)
    september_item = "<strong>MTG-02</strong> 第一党支部 · 2025-09"
    assert september_item in client.get(reverse("home")).content.decode()
    data = record_data(
        date(2025, 9, 29),
        {cast.secretary_member: "present"},
        kinds=("branch_committee",),
        title="9月支委会",
    )
    assert client.post(url("record_new", cast.branch1), data).status_code == 302
    assert mtg02().status == "ok"
    assert september_item not in client.get(reverse("home")).content.decode()


def test_cancelling_needs_a_reason(cast, login, frozen):
    meeting = meeting_plan(org=cast.branch1, title="会", on=date(2025, 10, 15), kinds=["theme_day"])
    client = login(cast.branch_secretary)
    assert client.post(url("cancel", meeting), {"reason": ""}).status_code == 200
    assert client.post(url("cancel", meeting), {"reason": "台风停课"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and not meeting.kind_rows.exists()


# --- votes -----------------------------------------------------------------------------------------


def decision(client, meeting, **fields):
    data = {
        "title": "接收张三为预备党员",
        "kind": "admission",
        "candidate": "张三",
        "yes": 2,
        "no": 0,
        "abstain": 0,
        "written_yes": 0,
        "written_no": 0,
        "written_abstain": 0,
        "passed": "yes",
    }
    data.update(fields)
    return client.post(url("decision_new", meeting), data)


def test_a_passed_vote_is_recorded_with_the_roster_numbers(cast, login, frozen):
    make_member(cast.branch1, "预备党员", admitted_on=date(2025, 3, 1), full_on=None)
    meeting = record_meeting(cast.branch1, date(2025, 9, 20), ["branch_assembly"], today=TODAY)
    client = login(cast.branch_secretary)
    page = client.get(url("decision_new", meeting)).content.decode()
    assert "应到有表决权 2 人，实到 2 人" in page  # the 预备党员 present has no vote
    assert decision(client, meeting).status_code == 302
    saved = Decision.objects.get()
    assert (saved.entitled, saved.present, saved.passed, saved.quorum_met) == (2, 2, True, True)


def test_a_tally_larger_than_those_present_is_refused(cast, login, frozen):
    make_member(cast.branch1, "预备党员", admitted_on=date(2025, 3, 1), full_on=None)
    meeting = record_meeting(cast.branch1, date(2025, 9, 20), ["branch_assembly"], today=TODAY)
    response = decision(login(cast.branch_secretary), meeting, yes=3)
    assert response.status_code == 200
    assert "超过到会有表决权党员人数（2 名）" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_pass_without_quorum_is_refused_and_a_failed_vote_is_kept_as_failed(cast, login, frozen):
    meeting = record_meeting(
        cast.branch1,
        date(2025, 9, 20),
        ["branch_assembly"],
        absent=[cast.ordinary_member],
        today=TODAY,
    )
    client = login(cast.branch_secretary)
    response = decision(client, meeting, yes=1)
    assert response.status_code == 200
    assert "按规定表决未通过，不能登记为通过" in response.content.decode()
    assert not Decision.objects.exists()
    assert decision(client, meeting, yes=1, passed="").status_code == 302
    saved = Decision.objects.get()
    assert not saved.passed and not saved.quorum_met
    assert "未通过" in client.get(url("detail", meeting)).content.decode()


def test_written_opinions_can_carry_a_vote(cast, login, frozen):
    for i in range(2):
        make_member(cast.branch1, f"党员{i}", birth_date=date(1985, 3, 3 + i))
    # 4 entitled, 3 present: 2 yes in the room + 1 written yes from the absent voter = 3 > 2.
    absent = cast.branch1.members.get(name="党员1")
    meeting = record_meeting(
        cast.branch1, date(2025, 9, 20), ["branch_assembly"], absent=[absent], today=TODAY
    )
    client = login(cast.branch_secretary)
    assert decision(client, meeting, yes=2, no=1, passed="yes").status_code == 200
    assert decision(client, meeting, yes=2, no=1, written_yes=1, passed="yes").status_code == 302
    assert Decision.objects.get().yes_total == 3


def test_several_candidates_must_be_voted_separately(cast, login, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 20), ["branch_assembly"], today=TODAY)
    response = decision(login(cast.branch_secretary), meeting, candidate="张三、李四")
    assert "多名对象应逐一表决" in response.content.decode()
    assert not Decision.objects.exists()


def test_votes_only_at_assemblies_and_committee_meetings(cast, login, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 20), ["theme_day"], today=TODAY)
    response = decision(login(cast.branch_secretary), meeting)
    assert "表决只能在支部党员大会或支部委员会会议上进行" in response.content.decode()


# --- the lock -------------------------------------------------------------------------------------------


def test_a_record_locks_after_seven_days_and_then_needs_a_reason(cast, login, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 28), ["theme_day"], today=TODAY)
    data = record_data(date(2025, 9, 28), everyone_present(cast), title="改过的名称")
    frozen.move_to(
        datetime(2025, 10, 7, 9, tzinfo=BEIJING), tick=False
    )  # 7 days after entry: still open
    assert login(cast.branch_secretary).post(url("record", meeting), data).status_code == 302
    frozen.move_to(datetime(2025, 10, 8, 9, tzinfo=BEIJING), tick=False)
    client = login(cast.branch_secretary)
    data["title"] = "锁定后再改"
    response = client.post(url("record", meeting), data)
    assert response.status_code == 200
    assert "会议记录已于 2025-10-08 锁定，修改须填写修改理由" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.title == "改过的名称"
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.RECORD_UNLOCKED).exists()
    data["reason"] = "补充会议名称中的错字"
    assert client.post(url("record", meeting), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "锁定后再改"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.RECORD_UNLOCKED)
    assert event.details["reason"] == "补充会议名称中的错字" and event.object_id == str(
        meeting.public_id
    )
    assert meeting.history.filter(history_change_reason__contains="补充会议名称中的错字").exists()
    page = client.get(url("detail", meeting)).content.decode()
    assert "锁定后的修改" in page and "补充会议名称中的错字" in page and "已锁定" in page


def test_a_late_entry_keeps_both_dates_and_shows_as_backfilled(cast, login, frozen):
    data = record_data(date(2025, 8, 1), everyone_present(cast), title="补录的会议")
    login(cast.branch_secretary).post(url("record_new", cast.branch1), data)
    meeting = Meeting.objects.get()
    assert meeting.on == date(2025, 8, 1) and meeting.recorded_at.date() == TODAY
    assert meeting.backfilled_days == 60
    assert (
        "会后 60 天补录"
        in login(cast.branch_secretary).get(url("detail", meeting)).content.decode()
    )


def test_a_vote_added_to_a_locked_record_needs_a_reason(cast, login, frozen):
    meeting = record_meeting(cast.branch1, date(2025, 9, 1), ["branch_assembly"], today=TODAY)
    frozen.move_to(datetime(2025, 10, 30, 9, tzinfo=BEIJING), tick=False)
    client = login(cast.branch_secretary)
    assert decision(client, meeting).status_code == 200
    assert not Decision.objects.exists()
    assert decision(client, meeting, reason="补登会上表决").status_code == 302
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RECORD_UNLOCKED).count() == 1


# --- lists -------------------------------------------------------------------------------------------------


def test_meeting_list_is_scoped_and_its_queries_are_pinned(
    cast, login, frozen, django_assert_max_num_queries
):
    for day in range(1, 13):
        record_meeting(cast.branch1, date(2025, 9, day), ["theme_day"], today=TODAY)
    record_meeting(cast.branch2, date(2025, 9, 2), ["theme_day"], title="二支部的会", today=TODAY)
    client = login(cast.branch_secretary)
    with django_assert_max_num_queries(14):
        body = client.get(reverse("meetings:list"), {"year": 2025}).content.decode()
    assert body.count("/meetings/") > 12 and "二支部的会" not in body
    with django_assert_max_num_queries(14):
        client.get(url("org", cast.branch1), {"year": 2025})
    party = login(cast.party_secretary)
    assert "二支部的会" in party.get(reverse("meetings:list"), {"year": 2025}).content.decode()


def test_list_filters_by_kind(cast, login, frozen):
    record_meeting(cast.branch1, date(2025, 9, 1), ["theme_day"], title="只有主题党日", today=TODAY)
    record_meeting(
        cast.branch1, date(2025, 9, 2), ["branch_assembly", "theme_day"], title="大会", today=TODAY
    )
    body = (
        login(cast.branch_secretary)
        .get(reverse("meetings:list"), {"year": 2025, "kind": "branch_assembly"})
        .content.decode()
    )
    assert "大会" in body and "只有主题党日" not in body


# --- annual plan ----------------------------------------------------------------------------------------------


def test_the_annual_plan_follows_the_rules_in_force_and_is_idempotent(cast, login, frozen):
    committee_services.committee_elect(org=cast.branch1, elected_on=date(2024, 3, 1))
    settings_update(
        org=cast.branch1,
        theme_day=10,
        committee_day=None,
        group_day=None,
        lock_days=None,
        review_grades=[],
    )
    client = login(cast.branch_secretary)
    assert client.post(url("plan_year", cast.branch1, 2026)).status_code == 302
    planned = Meeting.objects.filter(plan_year=2026)
    # 12 theme days (4 with 大会 and 党课), 12 支委会, 12 党小组会, 组织生活会, 评议.
    assert planned.count() == 38
    kinds = MeetingKindRow.objects.filter(meeting__plan_year=2026)
    assert (
        kinds.filter(kind="branch_assembly").count() == 5
        and kinds.filter(kind="party_lecture").count() == 4
    )
    assert kinds.filter(kind="group_meeting", org=cast.group1).count() == 12
    assert kinds.filter(kind="member_review", covers_year=2026).count() == 1
    october = planned.get(kinds=["theme_day"], on__month=10)
    assert october.on == date(2026, 10, 10)  # Saturday 10 October 2026 is a 调休 working day
    assert planned.get(kinds=["theme_day"], on__month=5).on == date(
        2026, 5, 11
    )  # after the May holiday
    client.post(url("plan_year", cast.branch1, 2026))
    assert Meeting.objects.filter(plan_year=2026).count() == 38
    assert "2026-10-10" in client.get(url("plan_year", cast.branch1, 2026)).content.decode()


def test_editing_a_planned_meeting(cast, login, frozen):
    meeting = meeting_plan(
        org=cast.branch1, title="11月主题党日", on=date(2025, 11, 10), kinds=["theme_day"]
    )
    response = login(cast.branch_secretary).post(
        url("edit_plan", meeting),
        {"title": "11月主题党日（改期）", "on": "2025-11-12", "kinds": ["theme_day"]},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.on == date(2025, 11, 12) and meeting.kind_rows.get().on == date(2025, 11, 12)


# --- settings -------------------------------------------------------------------------------------------------------


def test_branch_sets_its_theme_day_but_only_the_committee_sets_the_lock(cast, login, frozen):
    client = login(cast.branch_secretary)
    response = client.post(url("settings", cast.branch1), {"theme_day": 20, "lock_days": 60})
    assert response.status_code == 302
    row = cast.branch1.meeting_settings
    assert row.theme_day == 20 and row.lock_days is None
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CONFIG_CHANGED).exists()
    login(cast.party_secretary).post(url("settings", cast.committee), {"lock_days": 3})
    from zhibu.meetings.selectors import effective_settings

    conf = effective_settings(cast.branch1)
    assert (conf.theme_day, conf.lock_days) == (20, 3)


def test_the_meeting_page_names_who_came_and_who_asked_for_leave_in_pinned_queries(
    cast, login, frozen
):
    """The page loads only the names of the attendees: more attendees, no more queries."""
    small = record_meeting(
        cast.branch1, date(2025, 9, 1), leave=[cast.ordinary_member], today=TODAY
    )
    for i in range(6):
        make_member(cast.branch1, f"新党员{i}", birth_date=date(1985, 1, 1 + i))
    large = record_meeting(cast.branch1, date(2025, 9, 2), today=TODAY)
    client = login(cast.branch_secretary)
    client.get(url("detail", small))
    with CaptureQueriesContext(connection) as few:
        body = client.get(url("detail", small)).content.decode()
    assert f"{cast.ordinary_member.name}（出差）" in body
    with CaptureQueriesContext(connection) as many:
        body = client.get(url("detail", large)).content.decode()
    assert all(f"新党员{i}" in body for i in range(6))
    assert len(many) == len(few), [q["sql"][:160] for q in many.captured_queries]
