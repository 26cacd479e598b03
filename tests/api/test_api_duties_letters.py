"""Letters and tasks over the API: issue, sign (only the recipient's secretary: 422 citing
RESP-01), pass down, progress, confirm (only the issuer), return; 404 out of scope, 403 for
a read-only role, 409 for a stale version."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.factories import UserFactory, grant
from zhibu.accounts.models import Role
from zhibu.duties.models import Letter, Task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def general_secretary(cast):
    user = UserFactory(username="zongzhi", full_name="赵总支")
    grant(user, Role.SECRETARY, cast.general_branch)
    return user


def letter_body(cast):
    return {
        "issuer": str(cast.committee.public_id),
        "recipient": str(cast.general_branch.public_id),
        "kind": "principal",
        "year": 2026,
        "title": "2026 年度主体责任书",
        "issued_on": "2026-02-20",
        "sign_deadline": "2026-03-31",
        "items": [
            {"category": "组织建设", "content": "按期换届", "weight": 20, "deadline": "2026-06-30"},
            {
                "category": "党风廉政",
                "content": "廉洁风险排查",
                "weight": 10,
                "deadline": "2026-12-31",
            },
        ],
    }


def test_issue_sign_pass_down_over_the_api(cast, api, token_for, general_secretary):
    issuer = api(token_for(cast.party_secretary, write=True))
    created = issuer.post("/letters", letter_body(cast))
    assert created.status_code == 201, created.json()
    letter = created.json()
    assert letter["status"] == "issued" and len(letter["items"]) == 2
    assert api(token_for(cast.outsider)).get(f"/letters/{letter['id']}").status_code == 404

    refused = issuer.post(
        f"/letters/{letter['id']}/sign", {"signed_on": "2026-03-05", "place": "会议室"}
    )
    assert refused.status_code == 422
    assert refused.json()["details"][0]["rule"] == "RESP-01"
    assert "只有 第一党总支 的书记" in refused.json()["message"]

    signer = api(token_for(general_secretary, write=True))
    stale = signer.post(
        f"/letters/{letter['id']}/sign",
        {"signed_on": "2026-03-05", "place": "会议室", "version": "2020-01-01T00:00:00+00:00"},
    )
    assert stale.status_code == 409
    signed = signer.post(
        f"/letters/{letter['id']}/sign",
        {"signed_on": "2026-03-05", "place": "会议室", "version": letter["version"]},
    )
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    first, second = signed.json()["items"]
    assert first["task_id"]
    moved = signer.post(
        f"/letters/{letter['id']}/pass-down",
        {"item": first["id"], "to": [str(cast.branch1.public_id)]},
    )
    assert moved.status_code == 200
    assert moved.json()["items"][0]["passed_to"] == [str(cast.branch1.public_id)]
    kept = signer.post(f"/letters/{letter['id']}/pass-down", {"item": second["id"], "keep": True})
    assert kept.json()["items"][1]["disposition"] == "kept"
    wrong = signer.post(
        f"/letters/{letter['id']}/pass-down",
        {"item": second["id"], "to": [str(cast.other_branch.public_id)]},
    )
    assert wrong.status_code == 404
    listed = api(token_for(cast.branch_secretary)).get("/letters").json()["items"]
    assert [row["recipient_name"] for row in listed] == ["第一党支部"]


def test_a_deadline_before_the_issue_date_is_422_and_nothing_is_written(cast, api, token_for):
    body = letter_body(cast)
    body["sign_deadline"] = "2026-02-01"
    response = api(token_for(cast.party_secretary, write=True)).post("/letters", body)
    assert response.status_code == 422 and "签订期限不能早于下达日期" in response.json()["message"]
    assert not Letter.objects.exists()


def test_tasks_progress_confirm_and_return(cast, api, token_for):
    issuer = api(token_for(cast.party_secretary, write=True))
    created = issuer.post(
        "/tasks",
        {
            "issuer": str(cast.committee.public_id),
            "org": str(cast.branch1.public_id),
            "title": "支部标准化自查",
            "due": "2026-04-30",
        },
    )
    assert created.status_code == 201
    task = created.json()
    assert task["ref"] == f"task:{task['id']}" and task["status"] == "not_started"
    owner = api(token_for(cast.branch_secretary, write=True))
    progress = owner.post(
        f"/tasks/{task['id']}/progress",
        {"on": "2026-03-09", "percent": 100, "note": "完成", "completed": True},
    )
    assert progress.status_code == 201
    not_yours = owner.post(f"/tasks/{task['id']}/confirm", {"on": "2026-03-10"})
    assert not_yours.status_code == 422 and "只有交办组织" in not_yours.json()["message"]
    assert Task.objects.get().status == "submitted"
    stale = issuer.post(
        f"/tasks/{task['id']}/return", {"reason": "缺表", "version": "2020-01-01T00:00:00+00:00"}
    )
    assert stale.status_code == 409
    returned = issuer.post(f"/tasks/{task['id']}/return", {"reason": "缺少自查表"})
    assert returned.json()["status"] == "in_progress" and returned.json()["returned"] == 1
    owner.post(
        f"/tasks/{task['id']}/progress",
        {"on": "2026-03-10", "percent": 100, "note": "补齐", "completed": True},
    )
    done = issuer.post(f"/tasks/{task['id']}/confirm", {"on": "2026-03-10"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert len(done.json()["reports"]) == 2
    assert api(token_for(cast.outsider)).get(f"/tasks/{task['id']}").status_code == 404


def test_a_read_only_role_gets_403(cast, api, token_for):
    inspector = UserFactory(username="jijian-api")
    grant(inspector, Role.DISCIPLINE, cast.committee)
    caller = api(token_for(inspector, write=True))
    assert caller.post("/letters", letter_body(cast)).status_code == 403
    assert caller.get("/tasks").status_code == 200
