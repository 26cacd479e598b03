"""/api/v1/reviews (述职评议, RESP-03) and /api/v1/promises (三诺一评, EDU-04): scope (404
outside), roles (403 without the action), bad input (400 in Chinese, nothing written),
stale versions (409), each evaluator once; list query counts pinned."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.duties.models import Rectification
from zhibu.reviews import services
from zhibu.reviews.models import Evaluator, Promise, SecretaryReview

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 4, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def organiser(cast):
    user = UserFactory(username="zongzhi", full_name="赵总支")
    grant(user, Role.SECRETARY, cast.general_branch)
    return user


def body(cast, **over):
    return {
        "organiser": str(cast.general_branch.public_id),
        "org": str(cast.branch1.public_id),
        "year": 2025,
        "report": "述职报告",
        "evaluators": [str(cast.ordinary_member.public_id), str(cast.branch2_member.public_id)],
        "meeting_on": "2026-03-20",
        "meeting_place": "会议室",
        **over,
    }


@pytest.fixture
def review(cast, organiser):
    return services.review_open(
        organiser=cast.general_branch,
        org=cast.branch1,
        year=2025,
        report="述职报告",
        evaluators=[cast.ordinary_member, cast.branch2_member],
        by=organiser,
    )


def test_open_a_review_and_read_it(api, token_for, cast, organiser):
    caller = api(token_for(organiser, write=True))
    response = caller.post("/reviews", body(cast))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["secretary_name"] == "李书记" and len(data["evaluators"]) == 2
    assert data["tally"]["graded"] == 0
    listed = caller.get("/reviews", year=2025).json()["items"]
    assert [r["org_name"] for r in listed] == ["第一党支部"]


def test_a_review_outside_the_direct_subordinates_is_422_in_chinese(api, token_for, cast):
    caller = api(token_for(cast.party_secretary, write=True))
    response = caller.post("/reviews", body(cast, organiser=str(cast.committee.public_id)))
    assert response.status_code == 422
    assert "直接下级" in response.json()["details"][0]["message"]
    assert not SecretaryReview.objects.exists()


def test_roles_and_scope(api, token_for, cast, review):
    assert api(token_for(cast.ordinary)).get("/reviews").status_code == 403
    assert (
        api(token_for(cast.branch_secretary, write=True)).post("/reviews", body(cast)).status_code
        == 403
    )
    assert api(token_for(cast.outsider)).get(f"/reviews/{review.public_id}").status_code == 404
    assert (
        api(token_for(cast.outsider, write=True))
        .post(f"/reviews/{review.public_id}/remarks", {"remarks": "x", "on": "2026-04-10"})
        .status_code
        == 404
    )


def test_the_evaluator_grades_once_and_sees_no_others_grades(api, token_for, cast, review):
    caller = api(token_for(cast.ordinary, write=True))
    bad = caller.post(f"/reviews/{review.public_id}/grades", {"grade": "excellent"})
    assert bad.status_code == 422 and "好、较好、一般、差" in bad.json()["details"][0]["message"]
    done = caller.post(f"/reviews/{review.public_id}/grades", {"grade": "good"})
    assert done.status_code == 200, done.json()
    assert all(e["grade"] is None for e in done.json()["evaluators"])
    again = caller.post(f"/reviews/{review.public_id}/grades", {"grade": "poor"})
    assert again.status_code == 422 and "只能评价一次" in again.json()["details"][0]["message"]
    assert Evaluator.objects.get(member=cast.ordinary_member).grade == "good"


def test_someone_not_on_the_list_is_404_or_refused(api, token_for, cast, review, organiser):
    assert (
        api(token_for(cast.branch_secretary, write=True))
        .post(f"/reviews/{review.public_id}/grades", {"grade": "good"})
        .status_code
        == 404
    )
    response = api(token_for(organiser, write=True)).post(
        f"/reviews/{review.public_id}/grades",
        {"grade": "good", "evaluator": str(cast.secretary_member.public_id)},
    )
    assert response.status_code == 422
    assert "评议人名单" in response.json()["details"][0]["message"]


def test_a_stale_version_is_409(api, token_for, cast, review, organiser, time_machine):
    caller = api(token_for(organiser, write=True))
    read = review.updated_at.isoformat()
    time_machine.shift(timedelta(seconds=3))
    assert (
        caller.post(
            f"/reviews/{review.public_id}/remarks", {"remarks": "点评", "on": "2026-04-10"}
        ).status_code
        == 200
    )
    stale = caller.post(
        f"/reviews/{review.public_id}/remarks",
        {"remarks": "旧", "on": "2026-04-10", "version": read},
    )
    assert stale.status_code == 409
    assert SecretaryReview.objects.get().remarks == "点评"


def test_grades_remarks_finish_and_rectification(api, token_for, cast, review, organiser):
    caller = api(token_for(organiser, write=True))
    for member, grade in ((cast.ordinary_member, "good"), (cast.branch2_member, "good")):
        assert (
            caller.post(
                f"/reviews/{review.public_id}/grades",
                {"grade": grade, "evaluator": str(member.public_id)},
            ).status_code
            == 200
        )
    version = caller.post(
        f"/reviews/{review.public_id}/remarks", {"remarks": "点评", "on": "2026-04-10"}
    ).json()["version"]
    finished = caller.post(
        f"/reviews/{review.public_id}/finish", {"on": "2026-04-10", "version": version}
    )
    assert finished.status_code == 200
    assert finished.json()["result"] == "good"
    assert finished.json()["tally"]["counts"]["good"] == 2
    added = caller.post(
        f"/reviews/{review.public_id}/rectifications",
        {"problem": "问题", "measure": "措施", "deadline": "2026-09-30"},
    )
    assert added.status_code == 201 and len(added.json()["rectifications"]) == 1
    assert Rectification.objects.get().source == "review"


def test_the_list_pins_its_queries(api, token_for, cast, review, django_assert_max_num_queries):
    caller = api(token_for(cast.party_secretary))
    with django_assert_max_num_queries(8):
        response = caller.get("/reviews")
    assert response.status_code == 200


# --- promises -------------------------------------------------------------------------------


def test_the_member_makes_and_keeps_a_promise(api, token_for, cast, time_machine):
    caller = api(token_for(cast.ordinary, write=True))
    empty = caller.put("/promises/mine", {"text": "  "})
    assert empty.status_code == 422 and "请填写承诺内容" in empty.json()["details"][0]["message"]
    assert not Promise.objects.exists()
    made = caller.put("/promises/mine", {"text": "带头学习"})
    assert made.status_code == 200 and made.json()["year"] == 2026
    time_machine.shift(timedelta(seconds=3))
    note = caller.post("/promises/mine/notes", {"on": "2026-04-01", "text": "学习一次"})
    assert note.status_code == 201 and len(note.json()["notes"]) == 1
    stale = caller.put("/promises/mine", {"text": "改", "version": made.json()["version"]})
    assert stale.status_code == 409


def test_the_branch_evaluates_and_scope_holds(api, token_for, cast):
    promise = services.promise_make(member=cast.ordinary_member, year=2026, text="带头学习")
    branch = api(token_for(cast.branch_secretary, write=True))
    listed = branch.get("/promises", year=2026).json()["items"]
    assert [p["member_name"] for p in listed] == ["王党员"]
    bad = branch.post(
        f"/promises/{promise.public_id}/evaluate", {"evaluation": "top", "on": "2026-04-10"}
    )
    assert bad.status_code == 422
    ok = branch.post(
        f"/promises/{promise.public_id}/evaluate",
        {"evaluation": "good", "on": "2026-04-10", "version": promise.updated_at.isoformat()},
    )
    assert ok.status_code == 200 and ok.json()["evaluation"] == "good"
    assert (
        api(token_for(cast.outsider, write=True))
        .post(f"/promises/{promise.public_id}/evaluate", {"evaluation": "good", "on": "2026-04-10"})
        .status_code
        == 404
    )
    assert api(token_for(cast.ordinary)).get("/promises").status_code == 403
    assert date(2026, 4, 10) == Promise.objects.get().evaluated_on
