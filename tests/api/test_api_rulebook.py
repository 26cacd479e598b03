"""Exemptions and local supplements through the API: the rulebook's services, the cockpit
pages' scope and errors."""

from __future__ import annotations

from datetime import date

import pytest

from zhibu.core.models import AuditEvent
from zhibu.core.rules.models import Exemption, Supplement
from zhibu.rulebook.services import exemption_request

pytestmark = pytest.mark.django_db


def _ask(cast, caller, **extra):
    body = {
        "org": str(cast.branch1.public_id),
        "rule": "ORG-08",
        "start": "2026-04-01",
        "end": "2026-06-30",
        "reason": "新建支部",
        **extra,
    }
    return caller.post("/exemptions", body)


def _requested(cast, member=None):
    return exemption_request(
        rule_code="ORG-08",
        org=cast.branch1,
        member=member,
        start=date(2026, 4, 1),
        end=date(2026, 6, 30),
        reason="书记病休",
        by=cast.branch_secretary,
    )


def test_branch_secretary_requests_an_exemption_for_a_member(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    response = _ask(cast, caller, member=str(cast.ordinary_member.public_id))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "requested" and data["member_name"] == "王党员"
    exemption = Exemption.objects.get(public_id=data["id"])
    assert (
        exemption.member == cast.ordinary_member and exemption.requested_by == cast.branch_secretary
    )
    listed = caller.get("/exemptions", org=str(cast.branch1.public_id)).json()["items"]
    assert [e["id"] for e in listed] == [data["id"]]


def test_committee_secretary_request_is_approved_at_once(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    response = _ask(cast, caller)
    assert response.status_code == 201 and response.json()["state"] == "approved"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXEMPTION).exists()


def test_exemption_request_without_reason_is_422_and_writes_nothing(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    response = _ask(cast, caller, reason=" ")
    assert response.status_code == 422 and response.json()["message"] == "请填写豁免理由。"
    assert _ask(cast, caller, end="2026-03-01").json()["message"] == "结束日期不能早于开始日期。"
    unknown = _ask(cast, caller, rule="XXX-99")
    assert unknown.status_code == 422 and "XXX-99" in unknown.json()["message"]
    assert not Exemption.objects.exists()


def test_exemption_for_a_member_of_another_branch_is_refused(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    response = _ask(cast, caller, member=str(cast.branch2_member.public_id))
    assert response.status_code == 422 and response.json()["details"][0]["field"] == "member"
    assert not Exemption.objects.exists()


def test_exemptions_need_a_token_scope_and_the_action(cast, api, token_for):
    assert _ask(cast, api(None)).status_code == 401
    assert _ask(cast, api(token_for(cast.outsider, write=True))).status_code == 404
    assert _ask(cast, api(token_for(cast.ordinary, write=True))).status_code == 403
    assert _ask(cast, api(token_for(cast.branch_secretary))).status_code == 403
    assert not Exemption.objects.exists()
    _requested(cast)
    assert api(token_for(cast.outsider)).get("/exemptions").json()["items"] == []
    assert api(token_for(cast.ordinary)).get("/exemptions").status_code == 403


def test_committee_approves_an_exemption_with_a_note(cast, api, token_for):
    exemption = _requested(cast)
    caller = api(token_for(cast.party_secretary, write=True))
    path = f"/exemptions/{exemption.public_id}/decide"
    response = caller.post(path, {"approve": True, "note": "同意"})
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "approved" and response.json()["approver"] == "党委书记"
    exemption.refresh_from_db()
    assert exemption.state == "approved" and exemption.decision_note == "同意"
    again = caller.post(path, {"approve": False})
    assert again.status_code == 422 and again.json()["message"] == "该豁免申请已处理。"


def test_committee_rejects_an_exemption(cast, api, token_for):
    exemption = _requested(cast)
    caller = api(token_for(cast.party_secretary, write=True))
    response = caller.post(f"/exemptions/{exemption.public_id}/decide", {"approve": False})
    assert response.status_code == 200 and response.json()["state"] == "rejected"


def test_deciding_needs_the_approval_right_in_scope(cast, api, token_for):
    exemption = _requested(cast)
    path = f"/exemptions/{exemption.public_id}/decide"
    assert api(None).post(path, {"approve": True}).status_code == 401
    assert (
        api(token_for(cast.outsider, write=True)).post(path, {"approve": True}).status_code == 404
    )
    secretary = api(token_for(cast.branch_secretary, write=True))
    assert secretary.post(path, {"approve": True}).status_code == 403
    read_only = api(token_for(cast.party_secretary))
    assert read_only.post(path, {"approve": True}).status_code == 403
    bad = api(token_for(cast.party_secretary, write=True)).post(path, {"approve": "也许"})
    assert bad.status_code == 400
    exemption.refresh_from_db()
    assert exemption.state == "requested"


def test_committee_revokes_an_approved_exemption(cast, api, token_for):
    exemption = _requested(cast)
    caller = api(token_for(cast.party_secretary, write=True))
    pending = caller.post(f"/exemptions/{exemption.public_id}/revoke")
    assert pending.status_code == 422 and "只能撤销已批准的豁免" in pending.json()["message"]
    caller.post(f"/exemptions/{exemption.public_id}/decide", {"approve": True})
    path = f"/exemptions/{exemption.public_id}/revoke"
    assert api(token_for(cast.branch_secretary, write=True)).post(path).status_code == 403
    assert api(token_for(cast.outsider, write=True)).post(path).status_code == 404
    response = caller.post(path)
    assert response.status_code == 200 and response.json()["state"] == "revoked"
    exemption.refresh_from_db()
    assert exemption.state == "revoked"


def _supplement(caller, cast, **extra):
    body = {
        "committee": str(cast.committee.public_id),
        "rule": "ORG-02",
        "params": {"max_members": 1},
        "effective_from": "2026-01-01",
        "document_no": "集团党委〔2026〕1号",
        **extra,
    }
    return caller.post("/supplements", body)


def test_committee_makes_a_stricter_supplement(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    response = _supplement(caller, cast)
    assert response.status_code == 201, response.json()
    assert response.json()["params"] == {"max_members": 1}
    assert Supplement.objects.get().committee == cast.committee
    branch = api(token_for(cast.branch_secretary))
    listed = branch.get("/supplements", org=str(cast.branch1.public_id)).json()["items"]
    assert [s["rule"] for s in listed] == ["ORG-02"]


def test_a_supplement_that_loosens_a_confirmed_rule_is_422(cast, api, token_for):
    caller = api(token_for(cast.party_secretary, write=True))
    response = _supplement(caller, cast, params={"max_members": 60})
    assert response.status_code == 422
    detail = response.json()["details"][0]
    assert detail["field"] == "max_members" and "只能从严" in detail["message"]
    assert _supplement(caller, cast, params={}, enabled=False).status_code == 422
    assert _supplement(caller, cast, committee=str(cast.branch1.public_id)).status_code == 422
    assert not Supplement.objects.exists()


def test_supplements_need_a_token_scope_and_the_action(cast, api, token_for):
    assert _supplement(api(None), cast).status_code == 401
    assert _supplement(api(token_for(cast.outsider, write=True)), cast).status_code == 404
    assert _supplement(api(token_for(cast.branch_secretary, write=True)), cast).status_code == 403
    assert _supplement(api(token_for(cast.party_secretary)), cast).status_code == 403
    assert not Supplement.objects.exists()
