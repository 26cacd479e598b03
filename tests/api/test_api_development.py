"""Development cases over the API: a step breaking DEV-05 answers 422 naming DEV-05."""

from __future__ import annotations

from datetime import date

import pytest

from tests.development.conftest import Driver
from zhibu.development.models import Case

pytestmark = pytest.mark.django_db


def test_create_list_and_scope(cast, api, token_for):
    caller = api(token_for(cast.branch_secretary, write=True))
    body = {
        "org": str(cast.branch1.public_id),
        "name": "接口申请人",
        "gender": "F",
        "birth_date": "1999-02-03",
        "applied_on": "2025-05-06",
    }
    created = caller.post("/development-cases", body)
    assert created.status_code == 201
    assert created.json()["last_step"] == 1 and created.json()["id_number_masked"] == ""
    assert [c["name"] for c in caller.get("/development-cases").json()["items"]] == ["接口申请人"]
    other = api(token_for(cast.outsider)).get(f"/development-cases/{created.json()['id']}")
    assert other.status_code == 404
    body["org"] = str(cast.branch2.public_id)
    assert caller.post("/development-cases", body).status_code == 404


def test_a_step_breaking_dev05_answers_422_with_code_citation_and_earliest(cast, api, token_for):
    driver = Driver(cast).run(7)
    driver.publicity(7)
    caller = api(token_for(cast.branch_secretary, write=True))
    response = caller.post(
        f"/development-cases/{driver.case.public_id}/steps", {"number": 7, "on": "2023-04-19"}
    )
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "rule_violation"
    detail = data["details"][0]
    assert detail["rule"] == "DEV-05"
    assert detail["citation"] == "《中国共产党发展党员工作细则》第十三条"
    assert detail["earliest"] == "2023-04-20"
    assert not driver.case.steps.filter(number=7).exists()
    ok = caller.post(
        f"/development-cases/{driver.case.public_id}/steps", {"number": 7, "on": "2023-04-20"}
    )
    assert ok.status_code == 201 and ok.json()["name"] == "确定发展对象"


def test_introducers_by_id_and_bad_input(cast, api, token_for):
    driver = Driver(cast).run(9)
    caller = api(token_for(cast.branch_secretary, write=True))
    url = f"/development-cases/{driver.case.public_id}/steps"
    assert (
        caller.post(
            url, {"number": 9, "on": "2023-05-05", "introducers": ["not-a-uuid"]}
        ).status_code
        == 400
    )
    assert caller.post(url, {"number": 9, "on": "2023-05-05", "colour": "red"}).status_code == 400
    one = caller.post(
        url,
        {"number": 9, "on": "2023-05-05", "introducers": [str(cast.secretary_member.public_id)]},
    )
    assert one.status_code == 422 and one.json()["details"][0]["rule"] == "DEV-06"
    both = [str(cast.secretary_member.public_id), str(cast.ordinary_member.public_id)]
    assert (
        caller.post(url, {"number": 9, "on": "2023-05-05", "introducers": both}).status_code == 201
    )
    assert Case.objects.get(pk=driver.case.pk).last_step == 9


def test_read_only_token_cannot_record_steps(cast, api, token_for):
    driver = Driver(cast)
    response = api(token_for(cast.branch_secretary)).post(
        f"/development-cases/{driver.case.public_id}/steps",
        {"number": 2, "on": str(date(2022, 3, 10))},
    )
    assert response.status_code == 403


def _case(cast):
    from zhibu.development.services import case_open

    return case_open(
        org=cast.branch1,
        name="申请人",
        gender="F",
        birth_date=date(1999, 2, 3),
        applied_on=date(2025, 5, 6),
        by=cast.branch_secretary,
    )


def test_publicity_answers_its_end_in_working_days_and_shows_on_the_case(cast, api, token_for):
    from zhibu.core import workdays

    case = _case(cast)
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/development-cases/{case.public_id}"
    response = caller.post(f"{path}/publicity", {"key": "activist", "start": "2025-09-29"})
    assert response.status_code == 201, response.json()
    data = response.json()
    expected = workdays.working_days_end(date(2025, 9, 29), data["working_days"]).end
    assert data["ends_on"] == expected.isoformat() and data["label"] == "入党积极分子公示"
    shown = caller.get(path).json()["publicities"]
    assert [p["id"] for p in shown] == [data["id"]]


def test_publicity_refusals_write_nothing(cast, api, token_for):
    case = _case(cast)
    path = f"/development-cases/{case.public_id}/publicity"
    body = {"key": "activist", "start": "2025-09-29"}
    assert api(None).post(path, body).status_code == 401
    assert api(token_for(cast.outsider, write=True)).post(path, body).status_code == 404
    assert api(token_for(cast.ordinary, write=True)).post(path, body).status_code == 404
    assert api(token_for(cast.branch_secretary)).post(path, body).status_code == 403
    caller = api(token_for(cast.branch_secretary, write=True))
    assert caller.post(path, {**body, "key": "other"}).status_code == 400
    assert caller.post(path, {**body, "working_days": 0}).status_code == 400
    assert not case.publicities.exists()


def test_branch_asks_for_an_override_and_the_committee_approves(cast, api, token_for):
    from zhibu.development.models import Override

    case = _case(cast)
    path = f"/development-cases/{case.public_id}/overrides"
    branch = api(token_for(cast.branch_secretary, write=True))
    body = {"step_number": 3, "rule": "DEV-10", "reason": "补办公示"}
    response = branch.post(path, body)
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "requested"
    decide = f"{path}/{response.json()['id']}/decide"
    assert branch.post(decide, {"approve": True}).status_code == 403
    assert (
        api(token_for(cast.outsider, write=True)).post(decide, {"approve": True}).status_code == 404
    )
    committee = api(token_for(cast.party_secretary, write=True))
    approved = committee.post(decide, {"approve": True})
    assert approved.status_code == 200 and approved.json()["approver"] == "党委书记"
    again = committee.post(decide, {"approve": False})
    assert again.status_code == 422 and again.json()["message"] == "该特批申请已处理。"
    assert Override.objects.get().state == "approved"
    assert [o["state"] for o in branch.get(path).json()] == ["approved"]


def test_a_confirmed_rule_cannot_be_overridden_over_the_api(cast, api, token_for):
    case = _case(cast)
    path = f"/development-cases/{case.public_id}/overrides"
    caller = api(token_for(cast.party_secretary, write=True))
    response = caller.post(path, {"step_number": 7, "rule": "DEV-05", "reason": "急需"})
    assert response.status_code == 422 and "不能特批" in response.json()["message"]
    blank = caller.post(path, {"step_number": 3, "rule": "DEV-10", "reason": " "})
    assert blank.status_code == 422 and blank.json()["message"] == "请说明特批理由。"
    assert (
        api(None).post(path, {"step_number": 3, "rule": "DEV-10", "reason": "x"}).status_code == 401
    )
    ordinary = api(token_for(cast.ordinary, write=True))
    assert ordinary.post(path, {"step_number": 3, "rule": "DEV-10", "reason": "x"}).status_code in (
        403,
        404,
    )
    assert not case.overrides.exists()


def test_stopping_a_case_checks_its_version(cast, api, token_for):
    case = _case(cast)
    caller = api(token_for(cast.branch_secretary, write=True))
    path = f"/development-cases/{case.public_id}"
    version = caller.get(path).json()["version"]
    assert caller.post(f"{path}/stop", {"on": "2025-06-01", "reason": " "}).status_code == 422
    assert (
        api(token_for(cast.branch_secretary))
        .post(f"{path}/stop", {"on": "2025-06-01", "reason": "本人撤回"})
        .status_code
        == 403
    )
    assert (
        api(token_for(cast.outsider, write=True))
        .post(f"{path}/stop", {"on": "2025-06-01", "reason": "本人撤回"})
        .status_code
        == 404
    )
    # someone else saved the case after it was read
    Case.objects.filter(pk=case.pk).update(updated_at=case.updated_at.replace(year=2030))
    stale = caller.post(
        f"{path}/stop", {"on": "2025-06-01", "reason": "本人撤回", "version": version}
    )
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.status != Case.Status.STOPPED
    stopped = caller.post(f"{path}/stop", {"on": "2025-06-01", "reason": "本人撤回"})
    assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
    assert stopped.json()["stop_reason"] == "本人撤回"


def test_the_api_alone_takes_a_case_from_application_to_full_membership(cast, api, token_for):
    """Done-when of issue 13: application → 转正 over the API only, 公示 included (start
    date given, end computed on working days and shown on the case)."""
    from zhibu.core import workdays
    from zhibu.members.models import Member

    dates = Driver.DATES
    branch = api(token_for(cast.branch_secretary, write=True))
    committee = api(token_for(cast.party_secretary, write=True))
    secretary, ordinary = (
        str(cast.secretary_member.public_id),
        str(cast.ordinary_member.public_id),
    )
    created = branch.post(
        "/development-cases",
        {
            "org": str(cast.branch1.public_id),
            "name": "刘新同志",
            "gender": "M",
            "birth_date": "1996-04-02",
            "applied_on": dates[1].isoformat(),
        },
    )
    assert created.status_code == 201, created.json()
    case_path = f"/development-cases/{created.json()['id']}"

    def attendance(on):
        case = branch.get(case_path).json()
        people = [secretary, ordinary] + ([case["member_id"]] if case["member_id"] else [])
        return [{"member": m, "status": "present"} for m in people]

    def vote(number, kind):
        on = dates[number]
        voters = 2
        meeting = branch.post(
            "/meetings",
            {
                "org": str(cast.branch1.public_id),
                "title": "支部党员大会",
                "on": on.isoformat(),
                "kinds": ["branch_assembly"],
                "attendance": attendance(on),
                "decisions": [
                    {
                        "title": f"刘新同志{'入党' if kind == 'admission' else '转正'}",
                        "kind": kind,
                        "candidate": "刘新同志",
                        "yes": voters,
                        "passed": True,
                    }
                ],
            },
        )
        assert meeting.status_code == 201, meeting.json()
        return meeting.json()["decisions"][0]["id"]

    extra = {
        2: {"talker": secretary},
        5: {"contacts": [ordinary]},
        9: {"introducers": [secretary, ordinary]},
        10: {"conclusion": "政治审查合格"},
        11: {"training_days": "3"},
        16: {"talker": secretary},
    }
    for number in range(2, 26):
        key = Driver.PUBLICITY.get(number)
        if key:
            start = date.fromordinal(dates[number].toordinal() - 14)
            shown = branch.post(f"{case_path}/publicity", {"key": key, "start": start.isoformat()})
            assert shown.status_code == 201, (number, shown.json())
            end = workdays.working_days_end(start, shown.json()["working_days"]).end
            assert shown.json()["ends_on"] == end.isoformat()
        body = {"number": number, "on": dates[number].isoformat(), **extra.get(number, {})}
        if number in (15, 23):
            body["decision"] = vote(number, "admission" if number == 15 else "confirmation")
        answer = branch.post(f"{case_path}/steps", body)
        if answer.status_code == 403:  # a step of the committee above
            answer = committee.post(f"{case_path}/steps", body)
        assert answer.status_code == 201, (number, answer.json())
    case = branch.get(case_path).json()
    assert case["last_step"] == 25 and case["member_id"]
    assert [p["key"] for p in case["publicities"]] == [
        "activist",
        "target",
        "admission",
        "confirmation",
    ]
    member = Member.objects.get(public_id=case["member_id"])
    assert member.status == Member.Status.FULL and member.full_on is not None
