"""/api/v1/requests: draft, send, answer, return; scope (404), roles (403), rules (422 with
the REQ code), stale versions (409)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.duties.models import Request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2025, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai")))


@pytest.fixture
def zongzhi(cast):
    user = UserFactory(username="zongzhi-api")
    grant(user, Role.SECRETARY, cast.general_branch)
    return user


def body(cast, **over):
    return {
        "sender": str(cast.branch1.public_id),
        "receiver": str(cast.general_branch.public_id),
        "kind": "request",
        "subject": "关于调整党小组设置的请示",
        "body": "拟分设党小组。妥否，请批示。",
        "signer": "李书记",
        **over,
    }


def test_a_branch_drafts_and_sends_and_the_parent_answers(cast, api, token_for, zongzhi):
    branch = api(token_for(cast.branch_secretary, write=True))
    created = branch.post("/requests", body(cast, urgency="urgent"))
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["status"] == "draft" and data["attachments"] == []
    sent = branch.post(f"/requests/{data['id']}/send", {"version": data["version"]})
    assert sent.status_code == 200 and sent.json()["due_on"] == "2025-10-14"
    parent = api(token_for(zongzhi, write=True))
    inbox = parent.get("/requests", org=str(cast.general_branch.public_id), box="in")
    assert [i["id"] for i in inbox.json()["items"]] == [data["id"]]
    stale = parent.post(
        f"/requests/{data['id']}/answer", {"answer": "同意", "version": data["version"]}
    )
    assert stale.status_code == 409
    answered = parent.post(
        f"/requests/{data['id']}/answer", {"answer": "同意", "version": sent.json()["version"]}
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    again = parent.post(f"/requests/{data['id']}/answer", {"answer": "同意"})
    assert again.status_code == 422 and again.json()["details"][0]["rule"] == "REQ-06"
    outbox = branch.get("/requests", org=str(cast.branch1.public_id), box="out")
    assert outbox.json()["items"][0]["answer"] == "同意"


@pytest.mark.parametrize(
    ("over", "rule"),
    [
        ({"subject": ""}, "REQ-05"),
        ({"body": " "}, "REQ-05"),
        ({"receiver": "branch2"}, "REQ-01"),
        ({"receiver": "other_committee"}, "REQ-01"),
        ({"receiver": "committee"}, "REQ-01"),  # skips a level without a reason
    ],
)
def test_bad_drafts_answer_422_with_the_rule_and_write_nothing(cast, api, token_for, over, rule):
    over = {k: str(getattr(cast, v).public_id) if k == "receiver" else v for k, v in over.items()}
    response = api(token_for(cast.branch_secretary, write=True)).post(
        "/requests", body(cast, **over)
    )
    assert response.status_code == 422
    assert response.json()["details"][0]["rule"] == rule
    assert any("\u4e00" <= c <= "\u9fff" for c in response.json()["message"])
    assert not Request.objects.exists()


def test_a_hidden_request_in_a_report_needs_the_acknowledgement(cast, api, token_for):
    branch = api(token_for(cast.branch_secretary, write=True))
    data = branch.post("/requests", body(cast, kind="report", subject="工作情况的报告")).json()
    refused = branch.post(f"/requests/{data['id']}/send", {})
    assert refused.status_code == 422 and refused.json()["details"][0]["rule"] == "REQ-05"
    sent = branch.post(f"/requests/{data['id']}/send", {"acknowledge": True})
    assert sent.status_code == 200 and sent.json()["hidden_request"] is True


def test_scope_and_roles(cast, api, token_for):
    branch = api(token_for(cast.branch_secretary, write=True))
    data = branch.post("/requests", body(cast)).json()
    branch.post(f"/requests/{data['id']}/send", {})
    outsider = api(token_for(cast.outsider, write=True))
    assert outsider.get(f"/requests/{data['id']}").status_code == 404
    assert outsider.post(f"/requests/{data['id']}/answer", {"answer": "x"}).status_code == 404
    assert outsider.post("/requests", body(cast)).status_code == 404
    # the party secretary sees it but cannot answer in the 党总支's name
    top = api(token_for(cast.party_secretary, write=True))
    assert top.get(f"/requests/{data['id']}").status_code == 200
    assert top.post(f"/requests/{data['id']}/answer", {"answer": "x"}).status_code == 403
    assert top.post(f"/requests/{data['id']}/return", {"reason": "x"}).status_code == 403
    # the sender may not answer its own request
    assert branch.post(f"/requests/{data['id']}/answer", {"answer": "x"}).status_code == 403
    assert api(token_for(cast.ordinary)).get("/requests").status_code == 403


def test_a_draft_is_edited_with_its_version(cast, api, token_for, time_machine):
    branch = api(token_for(cast.branch_secretary, write=True))
    data = branch.post("/requests", body(cast)).json()
    time_machine.shift(60)
    changed = branch.patch(
        f"/requests/{data['id']}", {"version": data["version"], "subject": "关于分设党小组的请示"}
    )
    assert changed.status_code == 200 and changed.json()["subject"] == "关于分设党小组的请示"
    assert changed.json()["body"] == data["body"]
    stale = branch.patch(f"/requests/{data['id']}", {"version": data["version"], "body": "x"})
    assert stale.status_code == 409
    bad = branch.patch(f"/requests/{data['id']}", {"subject": " "})
    assert bad.status_code == 422 and bad.json()["details"][0]["rule"] == "REQ-05"
    branch.post(f"/requests/{data['id']}/send", {})
    closed = branch.patch(f"/requests/{data['id']}", {"subject": "再改"})
    assert closed.status_code == 422
    assert Request.objects.get().subject == "关于分设党小组的请示"
