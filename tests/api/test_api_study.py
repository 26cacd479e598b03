"""/api/v1/courses, /api/v1/study-records and /api/v1/articles: scope (404 outside), roles
(403), bad input (422, nothing written) and versions (409)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhibu.study import services
from zhibu.study.models import Article, Course, CourseAttendance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    return time_machine


def test_course_create_attendance_and_records(cast, api, token_for, frozen):
    branch = api(token_for(cast.branch_secretary, write=True))
    response = branch.post(
        "/courses",
        {
            "org": str(cast.branch1.public_id),
            "kind": "lecture",
            "title": "党课",
            "on": "2026-03-01",
            "hours": "3",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    frozen.shift(timedelta(minutes=1))
    response = branch.put(
        f"/courses/{body['id']}/attendance",
        {"members": [str(cast.ordinary_member.public_id)], "version": body["version"]},
    )
    assert response.status_code == 200 and response.json()["attendees"] == [
        str(cast.ordinary_member.public_id)
    ]
    # A stale version is refused.
    response = branch.patch(f"/courses/{body['id']}", {"title": "新", "version": body["version"]})
    assert response.status_code == 409
    records = branch.get("/study-records", org=str(cast.branch1.public_id), year=2026).json()
    line = next(r for r in records if r["name"] == "王党员")
    assert Decimal(line["courses"]) == 3 and line["required"] == 32 and not line["met"]


def test_bad_course_input_is_422_and_nothing_written(cast, api, token_for):
    branch = api(token_for(cast.branch_secretary, write=True))
    response = branch.post(
        "/courses",
        {
            "org": str(cast.branch1.public_id),
            "kind": "lecture",
            "title": "党课",
            "on": "2026-03-01",
            "hours": "-1",
        },
    )
    assert response.status_code == 422 and "学时应大于 0" in str(response.json())
    assert not Course.objects.exists()


def test_attendance_outside_the_branch_is_refused(cast, api, token_for):
    course = services.course_save(
        org=cast.branch1,
        data={"kind": "lecture", "title": "党课", "on": date(2026, 3, 1), "hours": Decimal(2)},
        by=None,
    )
    committee = api(token_for(cast.party_secretary, write=True))
    response = committee.put(
        f"/courses/{course.public_id}/attendance", {"members": [str(cast.branch2_member.public_id)]}
    )
    assert response.status_code == 422 and "不是本组织在册党员" in str(response.json())
    assert not CourseAttendance.objects.exists()


def test_scope_and_roles(cast, api, token_for):
    course = services.course_save(
        org=cast.branch1,
        data={"kind": "lecture", "title": "党课", "on": date(2026, 3, 1), "hours": Decimal(2)},
        by=None,
    )
    outsider = api(token_for(cast.outsider, write=True))
    assert outsider.get(f"/courses/{course.public_id}").status_code == 404
    assert outsider.get("/study-records", org=str(cast.branch1.public_id)).status_code == 404
    member = api(token_for(cast.ordinary, write=True))
    assert member.get("/courses").status_code == 403
    response = member.post(
        "/articles",
        {"org": str(cast.branch1.public_id), "title": "x", "topic": "other", "body": "正文"},
    )
    assert response.status_code == 403


def test_articles_create_list_get_update(cast, api, token_for, frozen):
    committee = api(token_for(cast.party_secretary, write=True))
    response = committee.post(
        "/articles",
        {
            "org": str(cast.committee.public_id),
            "title": "学习党章",
            "topic": "constitution",
            "body": "党章是党的根本大法，全党必须遵守党章。",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["keywords_auto"] and "党章" in body["keywords"]
    # A member of a branch below reads the 党委's article.
    member = api(token_for(cast.ordinary))
    listed = member.get("/articles", q="根本大法").json()["items"]
    assert [a["title"] for a in listed] == ["学习党章"]
    assert member.get(f"/articles/{body['id']}").status_code == 200
    frozen.shift(timedelta(minutes=1))
    response = committee.patch(
        f"/articles/{body['id']}", {"keywords": ["党章", "纪律"], "version": body["version"]}
    )
    assert response.status_code == 200 and response.json()["keywords"] == ["党章", "纪律"]
    assert (
        committee.patch(
            f"/articles/{body['id']}", {"title": "旧版本", "version": body["version"]}
        ).status_code
        == 409
    )
    response = committee.patch(f"/articles/{body['id']}", {"body": "  "})
    assert response.status_code == 422 and "正文不能为空" in str(response.json())
    assert Article.objects.get().title == "学习党章"
    outsider = api(token_for(cast.outsider))
    assert outsider.get(f"/articles/{body['id']}").status_code == 404
