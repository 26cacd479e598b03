"""/api/v1/discipline-records: strict scope (404 outside), create, update with version."""

from __future__ import annotations

import pytest

from tests.discipline.conftest import disc, make_record  # noqa: F401  (fixtures)
from zhibu.discipline.models import DisciplineRecord

pytestmark = pytest.mark.django_db


def body(cast, **over):
    data = {
        "member": str(cast.ordinary_member.public_id),
        "deciding_org": str(cast.committee.public_id),
        "kind": "warning",
        "decided_on": "2026-03-01",
        "facts": "违反工作纪律。",
    }
    return {**data, **over}


def test_inspector_creates_reads_and_updates(cast, disc, api, token_for):  # noqa: F811
    caller = api(token_for(disc.inspector, write=True))
    created = caller.post("/discipline-records", body(cast))
    assert created.status_code == 201, created.json()
    item = created.json()
    assert item["effect_until"] == "2027-03-01" and item["form"] == 2
    got = caller.get(f"/discipline-records/{item['id']}")
    assert got.status_code == 200 and got.json()["facts"] == "违反工作纪律。"
    listing = caller.get("/discipline-records")
    assert [i["id"] for i in listing.json()["items"]] == [item["id"]]
    updated = caller.patch(
        f"/discipline-records/{item['id']}", {"version": item["version"], "document_no": "1号"}
    )
    assert updated.status_code == 200 and updated.json()["document_no"] == "1号"
    stale = caller.patch(
        f"/discipline-records/{item['id']}", {"version": item["version"], "document_no": "2号"}
    )
    assert stale.status_code == 409
    assert DisciplineRecord.objects.get().document_no == "1号"


def test_bad_input_is_422_in_chinese_and_nothing_written(cast, disc, api, token_for):  # noqa: F811
    caller = api(token_for(disc.inspector, write=True))
    response = caller.post("/discipline-records", body(cast, kind="probation", probation_years=3))
    assert response.status_code == 422
    assert "留党察看的期限为一年或二年" in str(response.json())
    response = caller.post(
        "/discipline-records", body(cast, deciding_org=str(cast.other_committee.public_id))
    )
    assert response.status_code == 422
    assert not DisciplineRecord.objects.exists()


def test_everyone_else_gets_404(cast, disc, make_record, api, token_for):  # noqa: F811
    record = make_record(cast.ordinary_member, DisciplineRecord.Kind.WARNING)
    for user in (disc.organizer, disc.staff, disc.sysadmin, cast.ordinary, cast.outsider):
        caller = api(token_for(user, write=True))
        listing = caller.get("/discipline-records")  # a secretary elsewhere: an empty list
        assert listing.status_code == 404 or listing.json()["items"] == []
        assert caller.get(f"/discipline-records/{record.public_id}").status_code == 404
        assert caller.post("/discipline-records", body(cast)).status_code == 404
    assert DisciplineRecord.objects.count() == 1


def test_member_outside_scope_cannot_be_recorded(cast, disc, api, token_for):  # noqa: F811
    caller = api(token_for(disc.inspector, write=True))
    response = caller.post(
        "/discipline-records", body(cast, member=str(cast.other_member.public_id))
    )
    assert response.status_code == 404
