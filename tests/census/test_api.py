"""/api/v1/census: tables as of a day, reports list/detail, scope and bad input."""

from __future__ import annotations

from zhibu.census import services
from zhibu.census.models import Report


def test_tables_as_of_a_day(world, api, token_for, django_assert_max_num_queries):
    caller = api(token_for(world.lead))
    with django_assert_max_num_queries(50):
        response = caller.get("/census", org=str(world.committee.public_id), as_of="2025-12-31")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["as_of"] == "2025-12-31" and data["checks"] == []
    flow = next(t for t in data["tables"] if t["key"] == "flow")
    assert {r["key"]: r["cells"][0] for r in flow["rows"]}["now"] == 5
    response = caller.get("/census", org=str(world.committee.public_id), as_of="2026-11-30")
    flow = next(t for t in response.json()["tables"] if t["key"] == "flow")
    assert {r["key"]: r["cells"][0] for r in flow["rows"]}["now"] == 4


def test_out_of_scope_is_404_and_no_action_403(world, api, token_for):
    response = api(token_for(world.other_lead)).get("/census", org=str(world.committee.public_id))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    response = api(token_for(world.branch_user)).get("/census", org=str(world.b1.public_id))
    assert response.status_code == 403


def test_bad_dates(world, api, token_for):
    caller = api(token_for(world.lead))
    response = caller.get("/census", org=str(world.committee.public_id), as_of="2025-13-01")
    assert response.status_code == 400
    response = caller.get("/census", org=str(world.b3.public_id), as_of="2025-12-31")
    assert response.status_code == 422
    assert "尚未成立" in response.json()["details"][0]["message"]
    response = caller.get("/census", org=str(world.committee.public_id), as_of="2999-01-01")
    assert response.status_code == 422
    assert not Report.objects.exists()


def test_reports_list_and_detail_are_scoped(world, api, token_for):
    report = services.report_submit(org=world.general, year=2025, by=world.lead)
    caller = api(token_for(world.lead))
    response = caller.get("/census/reports", year=2025)
    assert response.status_code == 200
    assert [r["id"] for r in response.json()] == [str(report.public_id)]
    response = caller.get(f"/census/reports/{report.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted" and body["member_total"] == 5
    assert len(body["tables"]) == 13
    other = api(token_for(world.other_lead))
    assert other.get(f"/census/reports/{report.public_id}").status_code == 404
    assert other.get("/census/reports").json() == []


def test_an_out_of_range_year_is_malformed(world, api, token_for):
    response = api(token_for(world.lead)).get("/census/reports", year=99999)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed"
