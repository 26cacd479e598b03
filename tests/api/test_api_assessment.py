"""/api/v1/assessment-schemes and /api/v1/assessment-sheets: scope (404 outside), each
role's permission, bad input (score outside 0..max, missing reason, appeal after the
window), and the version rule (409)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tests.assessment.conftest import line_of, make_evidence, make_scheme, sheet_of
from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.assessment import services
from zhibu.assessment.models import Sheet
from zhibu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 20)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 1, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def evidence(cast):
    return make_evidence(cast)


@pytest.fixture
def computed(cast, evidence):
    scheme = make_scheme(cast)
    services.sheets_compute(scheme=scheme, today=TODAY)
    return scheme


@pytest.fixture
def general_secretary(cast):
    user = UserFactory(username="zongzhi", full_name="赵总支")
    grant(user, Role.SECRETARY, cast.general_branch)
    return user


def test_assessor_lists_schemes_and_all_sheets(cast, api, token_for, computed):
    caller = api(token_for(cast.party_secretary))
    schemes = caller.get("/assessment-schemes", year=2025).json()["items"]
    assert [s["id"] for s in schemes] == [str(computed.public_id)]
    detail = caller.get(f"/assessment-schemes/{computed.public_id}").json()
    assert len(detail["indicators"]) == len(services.STANDARD_INDICATORS)
    sheets = caller.get("/assessment-sheets", scheme=str(computed.public_id)).json()["items"]
    assert {s["org_name"] for s in sheets} == {"第一党支部", "第二党支部"}


def test_sheet_detail_links_each_deduction(cast, api, token_for, computed, evidence):
    sheet = sheet_of(computed, cast.branch1)
    body = api(token_for(cast.party_secretary)).get(f"/assessment-sheets/{sheet.public_id}").json()
    line = next(x for x in body["lines"] if x["title"] == "支部委员会会议每月召开")
    assert line["score"] == "4.0" or float(line["score"]) == 4
    assert sorted(d["url"] for d in line["deductions"]) == sorted(
        f"/duties/findings/{f.pk}/" for f in evidence["mtg02"]
    )


def test_out_of_scope_is_404(cast, api, token_for, computed, general_secretary):
    sheet = sheet_of(computed, cast.branch1)
    for user in (cast.outsider, general_secretary, cast.ordinary, cast.branch_secretary):
        caller = api(token_for(user, write=True))
        assert caller.get(f"/assessment-sheets/{sheet.public_id}").status_code == 404
        assert caller.get(f"/assessment-schemes/{computed.public_id}").status_code == 404
        assert caller.get("/assessment-sheets").json()["items"] == []


def test_the_branch_reads_its_issued_sheet_and_cannot_adjust(cast, api, token_for, computed):
    sheet = services.sheet_issue(sheet=sheet_of(computed, cast.branch1), on=TODAY)
    caller = api(token_for(cast.branch_secretary, write=True))
    assert [s["id"] for s in caller.get("/assessment-sheets").json()["items"]] == [
        str(sheet.public_id)
    ]
    line = line_of(sheet, "支部委员会会议每月召开")
    response = caller.post(
        f"/assessment-sheets/{sheet.public_id}/lines/{line.public_id}/adjust",
        {"score": 10, "reason": "自评满分"},
    )
    assert response.status_code == 403
    assert caller.post(f"/assessment-sheets/{sheet.public_id}/confirm", {}).status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"score": 11, "reason": "x"}, 422, "得分应在 0 到 10.0 分之间。"),
        ({"score": -1, "reason": "x"}, 422, "得分应在 0 到 10.0 分之间。"),
        ({"score": 6, "reason": " "}, 422, "调整得分须写明理由。"),
        ({"score": 6, "reason": "x", "version": "2020-01-01T00:00:00+00:00"}, 409, None),
    ],
)
def test_adjust_bad_input(cast, api, token_for, computed, body, status, message):
    sheet = sheet_of(computed, cast.branch1)
    line = line_of(sheet, "支部委员会会议每月召开")
    response = api(token_for(cast.party_secretary, write=True)).post(
        f"/assessment-sheets/{sheet.public_id}/lines/{line.public_id}/adjust", body
    )
    assert response.status_code == status
    if message:
        assert response.json()["message"] == message
    line.refresh_from_db()
    assert line.score == 4


def test_adjust_appeal_answer_confirm(cast, api, token_for, computed):
    sheet = sheet_of(computed, cast.branch1)
    assessor = api(token_for(cast.party_secretary, write=True))
    branch = api(token_for(cast.branch_secretary, write=True))
    line = line_of(sheet, "支部委员会会议每月召开")
    body = assessor.post(
        f"/assessment-sheets/{sheet.public_id}/lines/{line.public_id}/adjust",
        {"score": 6, "reason": "补录", "version": line.updated_at.isoformat()},
    ).json()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.OVERRIDE).count() == 1
    for x in body["lines"]:
        if x["computed"] is None:
            assessor.post(
                f"/assessment-sheets/{sheet.public_id}/lines/{x['id']}/adjust",
                {"score": 5, "reason": "查阅台账"},
            )
    assessor.post(f"/assessment-sheets/{sheet.public_id}/issue", {})
    appeal = branch.post(f"/assessment-sheets/{sheet.public_id}/appeal", {"text": "有记录"})
    assert appeal.status_code == 201
    answer = assessor.post(
        f"/assessment-sheets/{sheet.public_id}/appeals/{appeal.json()['id']}/answer",
        {"answer": "维持"},
    )
    assert answer.status_code == 200
    version = assessor.get(f"/assessment-sheets/{sheet.public_id}").json()["version"]
    done = assessor.post(f"/assessment-sheets/{sheet.public_id}/confirm", {"version": version})
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "confirmed" and done.json()["grade"]


def test_appeal_after_the_window_is_422(cast, api, token_for, computed):
    sheet = services.sheet_issue(sheet=sheet_of(computed, cast.branch1), on=date(2026, 1, 1))
    response = api(token_for(cast.branch_secretary, write=True)).post(
        f"/assessment-sheets/{sheet.public_id}/appeal", {"text": "不服"}
    )
    assert response.status_code == 422
    assert "申诉期限已过" in response.json()["message"]
    assert not sheet.appeals.exists()
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.ISSUED


def test_sheet_list_query_count_does_not_grow(
    cast, api, token_for, computed, django_assert_max_num_queries
):
    caller = api(token_for(cast.party_secretary))
    with django_assert_max_num_queries(12):
        assert len(caller.get("/assessment-sheets").json()["items"]) == 2
