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
