# ruff: noqa: F811  (the fixtures imported from tests/accountability are parameters here)
"""/api/v1/accountability-signals and /api/v1/accountability-decisions: the strict scope
(404 for everybody without discipline.view, and outside the subtree), creating a decision
that closes its signals, the version on update, bad input with nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.accountability.conftest import (  # noqa: F401 (fixtures)
    TODAY,
    branch_inspector,
    inspector,
    other_inspector,
    world,
)
from zhibu.accountability.models import Decision
from zhibu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def body(cast, refs, **extra):
    data = {
        "org": str(cast.branch1.public_id),
        "signals": refs,
        "kind": "notice",
        "decided_on": "2026-03-09",
        "deciding_org": str(cast.committee.public_id),
        "reason": "连续四个月未按期召开支委会",
        "person": str(cast.secretary_member.public_id),
        "document_no": "集团纪〔2026〕3 号",
    }
    data.update(extra)
    return data


def test_signals_then_a_decision_closes_them(cast, world, inspector, api, token_for):
    client = api(token_for(inspector, write=True))
    signals = client.get("/accountability-signals").json()
    assert {s["org_name"] for s in signals} == {"第一党支部", "第二党支部"}
    assert all(s["evidence_url"] and not s["closed"] for s in signals)
    refs = [s["ref"] for s in signals if s["org_name"] == "第一党支部"]
    assert len(refs) == 2
    response = client.post("/accountability-decisions", body(cast, refs))
    assert response.status_code == 201, response.json()
    decision = response.json()
    assert decision["kind_label"] == "通报" and {s["ref"] for s in decision["signals"]} == set(refs)
    closed = client.get("/accountability-signals", state="closed").json()
    assert {s["ref"] for s in closed} == set(refs)
    assert all(s["decision_id"] == decision["id"] for s in closed)
    assert len(client.get("/accountability-signals", state="open").json()) == 1
    listed = client.get("/accountability-decisions").json()["items"]
    assert [d["id"] for d in listed] == [decision["id"]]
    assert client.get(f"/accountability-decisions/{decision['id']}").json()["reason"]

    update = {
        k: v for k, v in body(cast, refs, kind="admonish").items() if k not in ("org", "signals")
    }
    stale = client.patch(
        f"/accountability-decisions/{decision['id']}",
        {**update, "version": "2020-01-01T00:00:00+00:00"},
    )
    assert stale.status_code == 409
    fresh = client.patch(
        f"/accountability-decisions/{decision['id']}", {**update, "version": decision["version"]}
    )
    assert fresh.status_code == 200 and fresh.json()["kind"] == "admonish"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNTABILITY).count() == 2


def test_bad_input_is_422_in_chinese_and_nothing_written(cast, world, inspector, api, token_for):
    client = api(token_for(inspector, write=True))
    refs = [
        s["ref"]
        for s in client.get("/accountability-signals").json()
        if s["org_name"] == "第一党支部"
    ]
    supervision = next(
        s["ref"]
        for s in client.get("/accountability-signals").json()
        if s["org_name"] == "第二党支部"
    )
    future = str(TODAY + timedelta(days=1))
    cases = [
        (body(cast, []), "请至少选择一条问责线索"),
        (body(cast, refs, reason=" "), "请填写问责事由"),
        (body(cast, refs, decided_on=future), "决定日期不能晚于今天"),
        (body(cast, [supervision]), "不属于被问责组织"),
        (body(cast, ["rule_repeated:nope"]), "不在您的管理范围内"),
        (body(cast, refs, person=str(cast.other_member.public_id)), "责任人应是"),
        (body(cast, refs, deciding_org=str(cast.other_committee.public_id)), "决定机关"),
    ]
    for data, message in cases:
        response = client.post("/accountability-decisions", data)
        assert response.status_code == 422, (message, response.json())
        assert message in str(response.json()), (message, response.json())
    assert not Decision.objects.exists()


@pytest.mark.parametrize("who", ["party_secretary", "branch_secretary", "ordinary", "outsider"])
def test_everyone_without_discipline_view_gets_404(cast, world, inspector, api, token_for, who):
    decision = api(token_for(inspector, write=True)).post(
        "/accountability-decisions",
        body(
            cast,
            [
                s["ref"]
                for s in api(token_for(inspector)).get("/accountability-signals").json()
                if s["org_name"] == "第一党支部"
            ],
        ),
    )
    client = api(token_for(getattr(cast, who), write=True))
    assert client.get("/accountability-signals").status_code == 404
    assert client.get("/accountability-decisions").status_code == 404
    assert client.get(f"/accountability-decisions/{decision.json()['id']}").status_code == 404
    assert client.post("/accountability-decisions", body(cast, [])).status_code == 404


def test_other_and_branch_inspectors(
    cast, world, inspector, other_inspector, branch_inspector, api, token_for
):
    refs = [
        s["ref"]
        for s in api(token_for(inspector)).get("/accountability-signals").json()
        if s["org_name"] == "第一党支部"
    ]
    decision = api(token_for(inspector, write=True)).post(
        "/accountability-decisions", body(cast, refs)
    )
    decision_id = decision.json()["id"]
    other = api(token_for(other_inspector, write=True))
    assert {s["org_name"] for s in other.get("/accountability-signals").json()} == {"兄弟党支部"}
    assert other.get(f"/accountability-decisions/{decision_id}").status_code == 404
    assert other.get("/accountability-decisions").json()["items"] == []
    assert other.post("/accountability-decisions", body(cast, refs)).status_code == 404
    branch = api(token_for(branch_inspector, write=True))
    assert {s["org_name"] for s in branch.get("/accountability-signals").json()} == {"第一党支部"}
    assert branch.get(f"/accountability-decisions/{decision_id}").status_code == 200
    assert branch.post("/accountability-decisions", body(cast, refs)).status_code == 403
    assert branch.get("/accountability-signals", org=str(cast.branch2.public_id)).status_code == 404
