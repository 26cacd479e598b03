"""A meeting after creation through the API: the plan, notice, cancellation, votes on a held
meeting and a member's leave — zhibu.meetings.services as the pages use them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import record_meeting
from zhibu.meetings.models import Attendance, Decision, Meeting
from zhibu.meetings.services.scheduling import meeting_plan

pytestmark = pytest.mark.django_db


def _planned(cast, kinds=("branch_assembly",)):
    return meeting_plan(
        org=cast.branch1,
        title="支部党员大会",
        on=timezone.localdate() + timedelta(days=20),
        kinds=list(kinds),
    )


def test_secretary_changes_the_plan_with_its_version(cast, api, token_for):
    meeting = _planned(cast)
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/meetings/{meeting.public_id}"
    version = caller.get(path).json()["version"]
    response = caller.patch(path, {"version": version, "place": "三楼会议室", "topics": ["学习"]})
    assert response.status_code == 200, response.json()
    assert response.json()["place"] == "三楼会议室" and response.json()["topics"] == ["学习"]
    stale = caller.patch(path, {"version": version, "place": "别处"})
    assert stale.status_code == 409
    meeting.refresh_from_db()
    assert meeting.place == "三楼会议室" and meeting.title == "支部党员大会"


def test_a_plan_change_refused_by_a_rule_writes_nothing(cast, api, token_for):
    meeting = _planned(cast)
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/meetings/{meeting.public_id}"
    response = caller.patch(path, {"starts_at": "10:00", "ends_at": "09:00"})
    assert response.status_code == 422 and response.json()["message"] == "结束时间应晚于开始时间。"
    assert caller.patch(path, {"kinds": []}).status_code == 422
    held = record_meeting(cast.branch1, date(2025, 9, 1))
    refused = caller.patch(f"/meetings/{held.public_id}", {"place": "别处"})
    assert refused.status_code == 422
    assert refused.json()["message"] == "只有计划或已通知的会议可以修改计划、发通知或取消。"
    meeting.refresh_from_db()
    assert meeting.starts_at is None and meeting.kinds == ["branch_assembly"]


def test_plan_times_must_be_local_when_planned_and_when_changed(cast, api, token_for):
    meeting = _planned(cast)
    caller = api(token_for(cast.branch_secretary, write=True))
    zoned = caller.patch(f"/meetings/{meeting.public_id}", {"starts_at": "09:00+08:00"})
    assert zoned.status_code == 400 and "starts_at" in str(zoned.json()["details"])
    planned = caller.post(
        "/meetings/plan",
        {
            "org": str(cast.branch1.public_id),
            "title": "支部党员大会",
            "on": str(timezone.localdate() + timedelta(days=30)),
            "kinds": ["branch_assembly"],
            "ends_at": "10:00Z",
        },
    )
    assert planned.status_code == 400 and planned.json()["code"] == "malformed"
    assert "ends_at" in str(planned.json()["details"])
    meeting.refresh_from_db()
    assert meeting.starts_at is None and Meeting.objects.count() == 1


def test_notice_and_cancel(cast, api, token_for):
    meeting = _planned(cast)
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/meetings/{meeting.public_id}"
    empty = caller.post(f"{path}/notice", {"notice": "  "})
    assert empty.status_code == 422 and empty.json()["message"] == "请填写通知内容。"
    noticed = caller.post(f"{path}/notice", {"notice": "请全体党员准时参加。"})
    assert noticed.status_code == 200 and noticed.json()["status"] == "noticed"
    assert noticed.json()["notice"] == "请全体党员准时参加。"
    stale = caller.post(
        f"{path}/cancel", {"reason": "改期", "version": "2000-01-01T00:00:00+00:00"}
    )
    assert stale.status_code == 409
    assert caller.post(f"{path}/cancel", {"reason": " "}).json()["message"] == "请填写取消原因。"
    cancelled = caller.post(f"{path}/cancel", {"reason": "改期"})
    assert cancelled.status_code == 200 and cancelled.json()["cancel_reason"] == "改期"
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.CANCELLED


def test_changes_need_a_token_scope_and_the_action(cast, api, token_for):
    meeting = _planned(cast)
    path = f"/meetings/{meeting.public_id}"
    assert api(None).post(f"{path}/cancel", {"reason": "改期"}).status_code == 401
    outsider = api(token_for(cast.outsider, write=True))
    assert outsider.post(f"{path}/cancel", {"reason": "改期"}).status_code == 404
    assert (
        api(token_for(cast.ordinary, write=True))
        .post(f"{path}/cancel", {"reason": "改期"})
        .status_code
        == 403
    )
    assert api(token_for(cast.branch_secretary)).patch(path, {"place": "别处"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED and meeting.place == ""


def test_a_vote_is_recorded_on_a_held_meeting(cast, api, token_for):
    held = record_meeting(cast.branch1, date(2025, 9, 1))
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/meetings/{held.public_id}/decisions"
    response = caller.post(path, {"title": "接收预备党员", "yes": 2, "passed": True})
    assert response.status_code == 201, response.json()
    assert response.json()["passed"] and response.json()["entitled"] == 2
    refused = caller.post(path, {"title": "事项", "yes": 1, "no": 1, "passed": True})
    assert refused.status_code == 422 and refused.json()["details"][0]["rule"] == "VOTE-02"
    assert caller.post(path, {"title": "事项", "yes": -1}).status_code == 400
    planned = _planned(cast)
    not_held = caller.post(f"/meetings/{planned.public_id}/decisions", {"title": "事项", "yes": 1})
    assert not_held.status_code == 422 and not_held.json()["message"] == "会议尚未登记为已召开。"
    assert (
        api(token_for(cast.ordinary, write=True))
        .post(path, {"title": "事项", "yes": 1})
        .status_code
        == 403
    )
    assert (
        api(token_for(cast.outsider, write=True))
        .post(path, {"title": "事项", "yes": 1})
        .status_code
        == 404
    )
    assert api(None).post(path, {"title": "事项", "yes": 1}).status_code == 401
    assert Decision.objects.filter(meeting=held).count() == 1


def test_a_member_asks_leave_for_a_meeting_they_are_invited_to(cast, api, token_for):
    meeting = _planned(cast)
    caller = api(token_for(cast.ordinary, write=True))
    path = f"/meetings/{meeting.public_id}/leave"
    assert caller.post(path, {"reason": " "}).json()["message"] == "请填写请假事由。"
    response = caller.post(path, {"reason": "出差"})
    assert response.status_code == 201, response.json()
    row = Attendance.objects.get(meeting=meeting, member=cast.ordinary_member)
    assert row.status == Attendance.Status.LEAVE and row.reason == "出差"
    assert api(token_for(cast.ordinary)).post(path, {"reason": "出差"}).status_code == 403
    assert api(None).post(path, {"reason": "出差"}).status_code == 401


def test_leave_is_not_offered_for_a_meeting_one_is_not_invited_to(cast, api, token_for):
    committee_meeting = _planned(cast, kinds=("branch_committee",))
    caller = api(token_for(cast.ordinary, write=True))
    response = caller.post(f"/meetings/{committee_meeting.public_id}/leave", {"reason": "出差"})
    assert response.status_code == 404
    outsider = api(token_for(cast.outsider, write=True))
    assert (
        outsider.post(f"/meetings/{_planned(cast).public_id}/leave", {"reason": "出差"}).status_code
        == 404
    )
    assert not Attendance.objects.filter(status=Attendance.Status.LEAVE).exists()


def _record_body(cast, **extra):
    return {
        "title": "九月支部党员大会",
        "on": "2025-09-03",
        "kinds": ["branch_assembly"],
        "attendance": [
            {"member": str(cast.secretary_member.public_id), "status": "present"},
            {"member": str(cast.ordinary_member.public_id), "status": "present"},
        ],
        **extra,
    }


def test_a_planned_meeting_is_recorded_as_held(cast, api, token_for):
    meeting = _planned(cast)
    caller = api(token_for(cast.branch_secretary, write=True))
    response = caller.put(f"/meetings/{meeting.public_id}/record", _record_body(cast))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "recorded" and response.json()["present"] == 2
    meeting.refresh_from_db()
    assert meeting.is_held and meeting.on == date(2025, 9, 3)


def test_attendance_is_corrected_on_a_held_meeting_with_its_version(cast, api, token_for):
    held = record_meeting(cast.branch1, date(2025, 9, 1))
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/meetings/{held.public_id}/record"
    version = caller.get(f"/meetings/{held.public_id}").json()["version"]
    leave = {"member": str(cast.ordinary_member.public_id), "status": "leave"}
    rows = [{"member": str(cast.secretary_member.public_id), "status": "present"}, leave]
    body = _record_body(cast, on="2025-09-01", attendance=rows, version=version)
    missing_reason = caller.put(path, body)
    assert missing_reason.status_code == 422
    assert missing_reason.json()["message"] == "王党员 请假，请填写请假事由。"
    rows[1] = {**leave, "reason": "出差"}
    response = caller.put(path, body)
    assert response.status_code == 200, response.json()
    row = Attendance.objects.get(meeting=held, member=cast.ordinary_member)
    assert row.status == Attendance.Status.LEAVE and row.reason == "出差"
    assert caller.put(path, {**body, "title": "又改"}).status_code == 409
    held.refresh_from_db()
    assert held.title == "九月支部党员大会"


def test_recording_needs_a_token_scope_and_the_action(cast, api, token_for):
    meeting = _planned(cast)
    path = f"/meetings/{meeting.public_id}/record"
    assert api(None).put(path, _record_body(cast)).status_code == 401
    assert (
        api(token_for(cast.outsider, write=True)).put(path, _record_body(cast)).status_code == 404
    )
    assert (
        api(token_for(cast.ordinary, write=True)).put(path, _record_body(cast)).status_code == 403
    )
    assert api(token_for(cast.branch_secretary)).put(path, _record_body(cast)).status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED


def test_a_meeting_is_planned_then_noticed(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    on = (timezone.localdate() + timedelta(days=10)).isoformat()
    body = {
        "org": str(cast.branch1.public_id),
        "title": "主题党日",
        "on": on,
        "kinds": ["theme_day"],
    }
    response = caller.post("/meetings/plan", body)
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "planned"
    meeting = Meeting.objects.get(public_id=response.json()["id"])
    assert meeting.created_by == cast.branch_secretary
    assert (
        caller.post(f"/meetings/{meeting.public_id}/notice", {"notice": "请参加"}).status_code
        == 200
    )


def test_planning_refusals_write_nothing(cast, api, token_for):
    on = (timezone.localdate() + timedelta(days=10)).isoformat()
    body = {"org": str(cast.branch1.public_id), "title": "会", "on": on, "kinds": ["theme_day"]}
    caller = api(token_for(cast.branch_secretary, write=True))
    assert (
        caller.post("/meetings/plan", {**body, "kinds": []}).json()["message"]
        == "请至少选择一种会议类型。"
    )
    assert api(None).post("/meetings/plan", body).status_code == 401
    assert api(token_for(cast.outsider, write=True)).post("/meetings/plan", body).status_code == 404
    assert api(token_for(cast.ordinary, write=True)).post("/meetings/plan", body).status_code == 403
    assert api(token_for(cast.branch_secretary)).post("/meetings/plan", body).status_code == 403
    assert not Meeting.objects.exists()
