"""/api/v1/supervisions, /api/v1/rectifications and /api/v1/inspections: the pages'
services with the API's scoping, errors and version rules."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhibu.core.rules.models import Finding
from zhibu.core.rules.periods import Period
from zhibu.duties.models import Rectification, Supervision
from zhibu.duties.services import rectification as services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2025, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def item(cast):
    return services.rectification_create(
        org=cast.branch1, problem="台账不全", measure="补齐", deadline=date(2025, 12, 31)
    )


@pytest.fixture
def finding(cast):
    p = Period.parse("2025Q3")
    return Finding.objects.create(
        rule_code="ORG-08",
        period_code=p.code,
        period_start=p.start,
        period_end=p.end,
        org=cast.branch1,
        org_path=cast.branch1.path,
        subject_type="org",
        subject_id=cast.branch1.pk,
        status="late",
        citation="地方/单位规定",
        computed_at=timezone.now(),
    )


def test_open_reply_and_accept_a_supervision(cast, api, token_for, item):
    committee = api(token_for(cast.party_secretary, write=True))
    branch = api(token_for(cast.branch_secretary, write=True))
    response = committee.post(
        "/supervisions",
        {"target": f"rectification:{item.public_id}", "request": "请报告进度", "working_days": 3},
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reply_due"] == "2025-10-11" and body["level_label"] == "提醒"
    sup_id, version = body["id"], body["version"]
    assert branch.get("/supervisions").json()["items"][0]["id"] == sup_id
    stale = branch.post(
        f"/supervisions/{sup_id}/reply", {"text": "已整改", "version": "2020-01-01T00:00:00+00:00"}
    )
    assert stale.status_code == 409
    replied = branch.post(f"/supervisions/{sup_id}/reply", {"text": "已整改", "version": version})
    assert replied.status_code == 200 and replied.json()["status"] == "replied"
    assert branch.post(f"/supervisions/{sup_id}/decide", {"accept": True}).status_code == 403
    done = committee.post(f"/supervisions/{sup_id}/decide", {"accept": True})
    assert done.status_code == 200 and done.json()["status"] == "closed"
    assert [e["kind"] for e in done.json()["entries"]] == ["reply", "accept"]


def test_bad_supervision_input_is_refused_in_chinese(cast, api, token_for, item):
    committee = api(token_for(cast.party_secretary, write=True))
    target = f"rectification:{item.public_id}"
    past = committee.post(
        "/supervisions", {"target": target, "request": "x", "reply_due": "2025-09-01"}
    )
    assert past.status_code == 422 and "回复期限不能早于今天" in past.json()["message"]
    branch = api(token_for(cast.branch_secretary, write=True))
    assert branch.post("/supervisions", {"target": target, "request": "x"}).status_code == 403
    outsider = api(token_for(cast.outsider, write=True))
    assert outsider.post("/supervisions", {"target": target, "request": "x"}).status_code == 404
    assert (
        committee.post("/supervisions", {"target": "nosuch:1", "request": "x"}).status_code == 404
    )
    sup = committee.post("/supervisions", {"target": target, "request": "请报告"}).json()
    own = committee.post(f"/supervisions/{sup['id']}/reply", {"text": "自己回复"})
    assert own.status_code == 422 and "不是发给本组织的" in own.json()["message"]
    assert outsider.get(f"/supervisions/{sup['id']}").status_code == 404
    assert Supervision.objects.count() == 1


def test_rectifications_create_from_a_finding_close_and_recheck(cast, api, token_for, finding):
    branch = api(token_for(cast.branch_secretary, write=True))
    found = branch.get("/findings", org=str(cast.branch1.public_id), period="2025Q3")
    assert finding.pk in [f["id"] for f in found.json()["items"]]
    created = branch.post(
        "/rectifications/from-finding",
        {"finding": finding.pk, "measure": "配备书记", "deadline": "2025-12-31"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["source"] == "finding" and body["finding_rule"] == "ORG-08"
    again = branch.post(
        "/rectifications/from-finding",
        {"finding": finding.pk, "measure": "配备书记", "deadline": "2025-12-31"},
    )
    assert again.status_code == 422 and "已转为整改事项" in again.json()["message"]
    item_id = body["id"]
    empty = branch.post(f"/rectifications/{item_id}/close", {"evidence": " ", "on": "2025-09-30"})
    assert empty.status_code == 422 and "佐证" in empty.json()["message"]
    closed = branch.post(
        f"/rectifications/{item_id}/close",
        {"evidence": "已任命书记", "on": "2025-09-30", "version": body["version"]},
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    rechecked = branch.post(f"/rectifications/{item_id}/recheck", {})
    assert rechecked.status_code == 200 and rechecked.json()["status"] == "verified"


def test_rectifications_are_scoped(cast, api, token_for, item, finding):
    outsider = api(token_for(cast.outsider, write=True))
    assert outsider.get(f"/rectifications/{item.public_id}").status_code == 404
    assert outsider.get("/rectifications").json()["items"] == []
    response = outsider.post(
        "/rectifications/from-finding",
        {"finding": finding.pk, "measure": "x", "deadline": "2025-12-31"},
    )
    assert response.status_code == 404
    reader = api(token_for(cast.branch_secretary))  # a read-only token
    assert reader.post(
        "/rectifications",
        {
            "org": str(cast.branch1.public_id),
            "problem": "p",
            "measure": "m",
            "deadline": "2025-12-31",
        },
    ).status_code in (401, 403)
    assert Rectification.objects.count() == 1


def test_inspections_and_their_problems(cast, api, token_for):
    committee = api(token_for(cast.party_secretary, write=True))
    created = committee.post(
        "/inspections",
        {"org": str(cast.branch1.public_id), "title": "专项检查", "on": "2025-09-20"},
    )
    assert created.status_code == 201, created.json()
    inspection_id = created.json()["id"]
    for problem in ("问题一", "问题二"):
        added = committee.post(
            f"/inspections/{inspection_id}/problems",
            {"problem": problem, "measure": "整改", "deadline": "2025-11-30"},
        )
        assert added.status_code == 201 and added.json()["source"] == "inspection"
    assert len(committee.get(f"/inspections/{inspection_id}").json()["problems"]) == 2
    future = committee.post(
        "/inspections", {"org": str(cast.branch1.public_id), "title": "x", "on": "2025-10-20"}
    )
    assert future.status_code == 422
    assert api(token_for(cast.outsider)).get(f"/inspections/{inspection_id}").status_code == 404


def test_the_opener_escalates_by_hand_up_to_the_interview_suggestion(cast, api, token_for, item):
    committee = api(token_for(cast.party_secretary, write=True))
    sup = committee.post(
        "/supervisions", {"target": f"rectification:{item.public_id}", "request": "请报告"}
    ).json()
    branch = api(token_for(cast.branch_secretary, write=True))
    assert branch.post(f"/supervisions/{sup['id']}/escalate", {}).status_code == 403
    for level in (2, 3):
        up = committee.post(f"/supervisions/{sup['id']}/escalate", {})
        assert up.status_code == 200 and up.json()["level"] == level
    top = committee.post(f"/supervisions/{sup['id']}/escalate", {})
    assert top.status_code == 422 and "最高一级" in top.json()["message"]


def test_manual_recheck_of_a_finding_item_only_after_its_period(cast, api, token_for, finding):
    today = date(2025, 9, 30)
    item = services.rectification_from_finding(
        finding=finding, measure="配备书记", deadline=date(2025, 12, 31), today=today
    )
    services.rectification_close(item=item, evidence="已任命书记", on=today)
    committee = api(token_for(cast.party_secretary, write=True))
    url = f"/rectifications/{item.public_id}/recheck"
    refused = committee.post(url, {"manual": True, "note": "已核实"})
    assert refused.status_code == 422 and "RESP-05" in refused.json()["message"]
    assert "尚未结束" in refused.json()["message"]
    # The quarter ends; re-evaluation can no longer pass, the level above may verify.
    Rectification.objects.filter(pk=item.pk).update(finding_period="2025-07")
    branch = api(token_for(cast.branch_secretary, write=True))
    assert branch.post(url, {"manual": True, "note": "自己复查"}).status_code == 403
    no_note = committee.post(url, {"manual": True})
    assert no_note.status_code == 422 and "复查意见" in no_note.json()["message"]
    passed = committee.post(url, {"manual": True, "note": "已核实任命文件"})
    assert passed.status_code == 200, passed.json()
    assert passed.json()["status"] == "verified"
    assert passed.json()["recheck_note"] == "已核实任命文件"
