"""Meetings over the API: the record page's services, scope and VOTE rules behind JSON."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory, grant, make_member, record_meeting
from zhibu.accounts.models import Role
from zhibu.committees.services import post_assign
from zhibu.meetings.models import Attendance, Decision, Guest, Meeting, MeetingKindRow

pytestmark = pytest.mark.django_db

ON = date(2025, 9, 15)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def body(cast, **changes) -> dict:
    """A 主题党日 held as a 支部党员大会 at 第一党支部: both members present."""
    data = {
        "org": str(cast.branch1.public_id),
        "title": "9月主题党日暨支部党员大会",
        "on": ON.isoformat(),
        "kinds": ["theme_day", "branch_assembly"],
        "starts_at": "09:00",
        "ends_at": "11:00",
        "place": "党员活动室",
        "study_hours": "2",
        "attendance": [
            {"member": str(cast.secretary_member.public_id), "status": "present"},
            {"member": str(cast.ordinary_member.public_id), "status": "present"},
        ],
        "topics": ["学习党章", "讨论年度计划"],
        "host": str(cast.secretary_member.public_id),
    }
    data.update(changes)
    return data


def unchanged():
    return (
        Meeting.objects.count(),
        Attendance.objects.count(),
        Decision.objects.count(),
        MeetingKindRow.objects.count(),
    ) == (0, 0, 0, 0)


def test_record_a_meeting_with_leave_guests_and_a_vote_then_read_it_back(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    data = body(
        cast,
        attendance=[
            {"member": str(cast.secretary_member.public_id), "status": "present"},
            {"member": str(cast.ordinary_member.public_id), "status": "present"},
        ],
        guests=[{"name": "张主任", "note": "街道党工委"}],
        decisions=[
            {
                "title": "接收张三为预备党员",
                "kind": "admission",
                "candidate": "张三",
                "yes": 2,
                "passed": True,
            },
        ],
    )
    response = caller.post("/meetings", data)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "recorded" and created["kinds"] == ["branch_assembly", "theme_day"]
    assert created["present"] == 2 and created["expected"] == 2 and created["study_hours"] == 2.0
    assert created["topics"] == ["学习党章", "讨论年度计划"]
    assert created["host_id"] == str(cast.secretary_member.public_id)
    assert created["guests"] == [
        {"name": "张主任", "role": "other", "note": "街道党工委", "member_id": None}
    ]
    vote = created["decisions"][0]
    assert (vote["body"], vote["entitled"], vote["present"], vote["yes_total"], vote["needed"]) == (
        "assembly",
        2,
        2,
        2,
        2,
    )
    assert vote["quorum_met"] and vote["passed"]

    meeting = Meeting.objects.get(public_id=created["id"])
    assert meeting.org == cast.branch1 and meeting.recorded_by == cast.branch_secretary
    assert set(meeting.kind_rows.values_list("kind", flat=True)) == {"theme_day", "branch_assembly"}
    assert meeting.attendance.filter(status="present", study_hours=2).count() == 2
    assert meeting.guests.get().role == Guest.Role.OTHER
    # Audited like the page: the history row names the token's owner.
    assert meeting.history.first().history_user == cast.branch_secretary

    detail = caller.get(f"/meetings/{meeting.public_id}").json()
    assert detail == created
    assert {a["name"]: a["status"] for a in detail["attendance"]} == {
        "李书记": "present",
        "王党员": "present",
    }


def test_leave_needs_a_reason_and_absences_are_recorded(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    leave = [
        {"member": str(cast.secretary_member.public_id), "status": "present"},
        {"member": str(cast.ordinary_member.public_id), "status": "leave"},
    ]
    refused = caller.post("/meetings", body(cast, attendance=leave, kinds=["theme_day"]))
    assert refused.status_code == 422
    assert refused.json()["details"][0] == {
        "field": "attendance",
        "rule": None,
        "message": "王党员 请假，请填写请假事由。",
    }
    assert unchanged()
    leave[1]["reason"] = "出差"
    ok = caller.post("/meetings", body(cast, attendance=leave, kinds=["theme_day"]))
    assert ok.status_code == 201
    assert {a["status"]: a["reason"] for a in ok.json()["attendance"]} == {
        "present": "",
        "leave": "出差",
    }


def test_list_by_org_subtree_period_kind_and_status(cast, api, token_for):
    record_meeting(cast.branch1, date(2025, 7, 10), ["theme_day"], title="7月主题党日")
    record_meeting(cast.branch1, date(2025, 9, 10), ["branch_assembly"], title="9月党员大会")
    record_meeting(cast.group1, date(2025, 9, 12), ["group_meeting"], title="9月党小组会")
    record_meeting(cast.branch2, date(2025, 9, 11), ["theme_day"], title="二支部9月")
    record_meeting(cast.branch1, date(2024, 12, 20), ["theme_day"], title="去年12月")
    caller = api(token_for(cast.party_secretary))

    def titles(**params):
        response = caller.get("/meetings", **params)
        assert response.status_code == 200, response.json()
        return {m["title"] for m in response.json()["items"]}

    branch1 = str(cast.branch1.public_id)
    assert titles(org=branch1) == {"7月主题党日", "9月党员大会", "9月党小组会", "去年12月"}
    assert titles(org=branch1, period="2025") == {"7月主题党日", "9月党员大会", "9月党小组会"}
    assert titles(org=branch1, period="2025Q3") == {"7月主题党日", "9月党员大会", "9月党小组会"}
    assert titles(org=branch1, period="2025-07") == {"7月主题党日"}
    assert titles(period="2025-09", kind="theme_day") == {"二支部9月"}
    assert titles(period="2025-09", status="recorded") == {
        "9月党员大会",
        "9月党小组会",
        "二支部9月",
    }
    assert titles(status="cancelled") == set()


def test_cursor_walks_every_meeting_once(cast, api, token_for):
    for day in range(1, 6):
        record_meeting(cast.branch1, date(2025, 3, day), ["theme_day"])
    caller = api(token_for(cast.branch_secretary))
    seen, cursor = [], None
    while True:
        page = caller.get("/meetings", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 5


def test_another_branchs_meetings_are_404_to_a_branch_secretary(cast, api, token_for):
    theirs = record_meeting(cast.branch2, ON, ["theme_day"], title="二支部会议")
    ours = record_meeting(cast.branch1, ON, ["theme_day"], title="一支部会议")
    caller = api(token_for(cast.branch_secretary, write=True))
    assert caller.get(f"/meetings/{ours.public_id}").status_code == 200
    response = caller.get(f"/meetings/{theirs.public_id}")
    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "记录不存在，或不在您的管理范围内。",
        "details": [],
    }
    assert caller.get("/meetings", org=str(cast.branch2.public_id)).status_code == 404
    assert caller.get("/meetings", org=str(cast.committee.public_id)).status_code == 404
    assert [m["title"] for m in caller.get("/meetings").json()["items"]] == ["一支部会议"]
    data = body(
        cast,
        org=str(cast.branch2.public_id),
        attendance=[{"member": str(cast.branch2_member.public_id), "status": "present"}],
    )
    assert caller.post("/meetings", data).status_code == 404
    assert Meeting.objects.count() == 2
    outsider = api(token_for(cast.outsider))
    assert outsider.get(f"/meetings/{ours.public_id}").status_code == 404


def test_read_only_token_gets_403_on_create_and_writes_nothing(cast, api, token_for):
    response = api(token_for(cast.branch_secretary)).post("/meetings", body(cast))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert unchanged()


def test_a_role_without_meeting_record_gets_403(cast, api, token_for):
    # 纪检委员 see organisational life but may not record it; an ordinary member holds
    # no org-wide action at all (as on the pages: 403 reveals nothing).
    inspector = UserFactory(username="jj")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    caller = api(token_for(inspector, write=True))
    assert caller.get("/meetings").status_code == 200
    response = caller.post("/meetings", body(cast))
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    member = api(token_for(cast.ordinary, write=True))
    assert member.get("/meetings").status_code == 403
    assert member.post("/meetings", body(cast)).status_code == 403
    assert unchanged()


@pytest.mark.parametrize(
    "change",
    [
        {"colour": "red"},  # unknown field
        {"attendance": [{"member": "x", "status": "present", "mood": "good"}]},
        {"study_hours": "many"},  # wrong type
        {"on": "2025-02-30"},  # no such day
        {"kinds": ["picnic"]},
        {"starts_at": "09:00+08:00"},  # a time must be local
        {"decisions": [{"title": "事项", "yes": -1}]},
        {"covers_year": 99999},
    ],
)
def test_malformed_bodies_are_400_in_the_error_shape_and_write_nothing(
    cast, api, token_for, change
):
    response = api(token_for(cast.branch_secretary, write=True)).post(
        "/meetings", body(cast, **change)
    )
    assert response.status_code == 400, response.json()
    data = response.json()
    assert set(data) == {"code", "message", "details"} and data["code"] == "malformed"
    assert data["message"] == "请求格式不正确。" and data["details"]
    assert unchanged()


def test_not_json_is_400(cast, api, token_for):
    response = api(token_for(cast.branch_secretary, write=True)).post("/meetings", "{not json")
    assert response.status_code == 400 and response.json()["code"] == "malformed"
    assert unchanged()


def test_an_attendee_not_on_the_roster_that_day_is_422_and_nothing_is_written(cast, api, token_for):
    newcomer = make_member(cast.branch1, "新党员", admitted_on=date(2025, 10, 1), full_on=None)
    caller = api(token_for(cast.branch_secretary, write=True))
    rows = body(cast)["attendance"]
    late = caller.post(
        "/meetings",
        body(cast, attendance=[*rows, {"member": str(newcomer.public_id), "status": "present"}]),
    )
    assert late.status_code == 422
    assert late.json()["message"] == (
        "以下人员在 2025-09-15 不是本组织应参会人员，不能登记出席情况：新党员。"
    )
    # Someone outside the user's scope is refused by id: the answer reveals no name.
    stranger = caller.post(
        "/meetings",
        body(
            cast,
            attendance=[*rows, {"member": str(cast.other_member.public_id), "status": "absent"}],
        ),
    )
    assert stranger.status_code == 422
    assert str(cast.other_member.public_id) in stranger.json()["message"]
    assert "钱党员" not in stranger.content.decode()
    missing = caller.post("/meetings", body(cast, attendance=rows[:1]))
    assert missing.status_code == 422 and "缺少：王党员" in missing.json()["message"]
    assert unchanged()


def test_a_meeting_in_the_future_cannot_be_recorded_as_held(cast, api, token_for):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = api(token_for(cast.branch_secretary, write=True)).post(
        "/meetings", body(cast, on=tomorrow.isoformat())
    )
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "on"
    assert response.json()["message"] == f"会议日期 {tomorrow} 晚于今天，不能登记为已召开。"
    assert unchanged()


def test_a_tally_larger_than_those_present_is_422_and_writes_no_meeting(cast, api, token_for):
    data = body(cast, decisions=[{"title": "事项", "yes": 3}])
    response = api(token_for(cast.branch_secretary, write=True)).post("/meetings", data)
    assert response.status_code == 422
    detail = response.json()["details"][0]
    assert detail["field"] == "decisions.0.yes" and detail["rule"] is None
    assert detail["message"] == ("赞成、反对、弃权票合计 3 票，超过到会有表决权党员人数（2 名）。")
    assert unchanged()


def test_a_vote_without_quorum_claimed_as_passed_is_refused_naming_vote_01(cast, api, token_for):
    rows = [
        {"member": str(cast.secretary_member.public_id), "status": "present"},
        {"member": str(cast.ordinary_member.public_id), "status": "absent"},
    ]
    data = body(cast, attendance=rows, decisions=[{"title": "事项", "yes": 1, "passed": True}])
    response = api(token_for(cast.branch_secretary, write=True)).post("/meetings", data)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "rule_violation"
    assert payload["details"][0]["rule"] == "VOTE-01"
    assert payload["details"][0]["field"] == "decisions.0.passed"
    assert payload["message"].startswith(
        "按规定表决未通过，不能登记为通过：应到有表决权 2 人，实到 1 人"
    )
    assert unchanged()


def test_a_vote_short_of_a_majority_claimed_as_passed_names_vote_02(cast, api, token_for):
    data = body(cast, decisions=[{"title": "事项", "yes": 1, "no": 1, "passed": True}])
    response = api(token_for(cast.branch_secretary, write=True)).post("/meetings", data)
    assert response.status_code == 422
    assert response.json()["details"][0]["rule"] == "VOTE-02"
    assert unchanged()
    # Without a claim the result is computed: recorded as not passed.
    data = body(cast, decisions=[{"title": "事项", "yes": 1, "no": 1}])
    created = api(token_for(cast.branch_secretary, write=True)).post("/meetings", data)
    assert created.status_code == 201
    assert created.json()["decisions"][0]["passed"] is False


def test_a_passed_vote_claimed_as_failed_names_vote_02(cast, api, token_for):
    data = body(cast, decisions=[{"title": "事项", "yes": 2, "passed": False}])
    response = api(token_for(cast.branch_secretary, write=True)).post("/meetings", data)
    assert response.status_code == 422
    assert response.json()["code"] == "rule_violation"
    assert response.json()["details"] == [
        {
            "field": "decisions.0.passed",
            "rule": "VOTE-02",
            "message": "按票数该事项已通过（赞成 2 票，须 2 票），请核对表决结果。",
        }
    ]
    assert unchanged()


def test_an_attendee_present_at_another_meeting_at_that_time_names_dq_05(cast, api, token_for):
    record_meeting(
        cast.branch1, ON, ["branch_committee"], title="支委会", starts_at=time(10), ends_at=time(12)
    )
    response = api(token_for(cast.branch_secretary, write=True)).post("/meetings", body(cast))
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "rule_violation"
    assert payload["details"] == [
        {
            "field": "attendance",
            "rule": "DQ-05",
            "message": "李书记 同一时间已登记出席“支委会”（2025-09-15），同一人不能同时出席两个会议（DQ-05）。",
        }
    ]
    assert Meeting.objects.count() == 1 and Attendance.objects.count() == 1


def test_a_committee_vote_without_quorum_names_vote_03(cast, api, token_for):
    data = body(
        cast,
        kinds=["branch_committee"],
        host=None,
        attendance=[{"member": str(cast.secretary_member.public_id), "status": "absent"}],
        decisions=[{"title": "事项", "yes": 0, "written_yes": 1, "passed": True}],
    )
    response = api(token_for(cast.branch_secretary, write=True)).post("/meetings", data)
    assert response.status_code == 422
    assert response.json()["details"][0]["rule"] == "VOTE-03"
    assert unchanged()


def test_several_candidates_in_one_vote_name_vote_04(cast, api, token_for):
    data = body(cast, decisions=[{"title": "接收预备党员", "candidate": "张三、李四", "yes": 2}])
    response = api(token_for(cast.branch_secretary, write=True)).post("/meetings", data)
    assert response.status_code == 422
    assert response.json()["details"][0] == {
        "field": "decisions.0.candidate",
        "rule": "VOTE-04",
        "message": "多名对象应逐一表决（VOTE-04），请每名对象单独登记一项表决。",
    }
    assert unchanged()


def test_a_host_not_among_the_people_is_422(cast, api, token_for):
    data = body(cast, host=str(cast.other_member.public_id))
    response = api(token_for(cast.branch_secretary, write=True)).post("/meetings", data)
    assert response.status_code == 422
    assert response.json()["details"][0]["field"] == "host"
    assert unchanged()


def test_malformed_period_and_invalid_cursor_are_400(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary))
    for period in ("2025Q5", "2025-13", "25", "0000", "9999", "二〇二五"):
        response = caller.get("/meetings", period=period)
        assert response.status_code == 400, period
        assert response.json()["details"][0]["field"] == "period"
        assert "期间格式不正确" in response.json()["message"]
    response = caller.get("/meetings", cursor="forged")
    assert response.status_code == 400 and response.json()["details"][0]["field"] == "cursor"
    assert caller.get("/meetings", limit=0).status_code == 400
    assert caller.get("/meetings", kind="picnic").status_code == 400


def _meetings(cast, n: int) -> None:
    start = date(2024, 1, 1)
    for i in range(n):
        record_meeting(cast.branch1, start + timedelta(days=i), ["theme_day"], title=f"会议{i}")


def test_list_query_count_is_fixed(cast, api, token_for):
    counts = []
    for n in (3, 30):
        Meeting.objects.all().delete()
        _meetings(cast, n)
        caller = api(token_for(cast.party_secretary))  # a fresh token each time: same writes
        with CaptureQueriesContext(connection) as queries:
            items = caller.get("/meetings", limit=100).json()["items"]
        assert len(items) == n and all(m["present"] == 2 for m in items)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_a_leader_above_attends_as_a_guest_and_others_are_refused(cast, api, token_for):
    post_assign(
        org=cast.general_branch,
        post="secretary",
        holder=cast.branch2_member,
        start=date(2021, 1, 1),
    )
    caller = api(token_for(cast.branch_secretary, write=True))
    leader = str(cast.branch2_member.public_id)
    response = caller.post("/meetings", body(cast, guests=[{"member": leader}], host=leader))
    assert response.status_code == 201, response.json()
    assert response.json()["guests"] == [
        {"name": "赵党员", "role": "dual_life", "note": "", "member_id": leader}
    ]
    assert response.json()["host_id"] == leader
    Meeting.objects.all().delete()
    stranger = caller.post(
        "/meetings", body(cast, guests=[{"member": str(cast.other_member.public_id)}])
    )
    assert stranger.status_code == 422
    assert stranger.json()["details"][0]["field"] == "guests.0.member"
    assert "钱党员" not in stranger.content.decode()
    assert unchanged()
