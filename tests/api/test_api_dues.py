"""/api/v1/dues: categories, bases, sheets and payments (version, duplicate), ledger;
scope (404) and role (403)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhibu.dues import services
from zhibu.dues.models import DuesBase, Payment
from zhibu.dues.rates import Category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def based(cast):
    services.base_declare(
        member=cast.ordinary_member,
        category=Category.IN_SERVICE,
        base=Decimal("3000.01"),
        effective_month=date(2026, 1, 1),
    )
    return cast


def test_categories_name_their_rule(cast, api, token_for):
    r = api(token_for(cast.branch_secretary)).get("/dues/categories")
    assert r.status_code == 200
    assert {"code": "retired", "label": "离退休", "rule": "DUES-04"} in r.json()


def test_base_is_declared_and_money_is_a_decimal_string(based, api, token_for):
    caller = api(token_for(based.branch_secretary, write=True))
    r = caller.post(
        f"/dues/members/{based.secretary_member.public_id}/bases",
        {"category": "retired", "base": "5000.01", "effective_month": "2026-02"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["base"] == "5000.01" and r.json()["effective_month"] == "2026-02"


def test_bad_base_input_is_refused_in_chinese(based, api, token_for):
    caller = api(token_for(based.branch_secretary, write=True))
    url = f"/dues/members/{based.secretary_member.public_id}/bases"
    r = caller.post(url, {"category": "in_service", "base": "-5", "effective_month": "2026-02"})
    assert r.status_code == 422 and "不能为负数" in r.json()["message"]
    r = caller.post(url, {"category": "in_service", "base": "5000"})
    assert r.status_code == 422 and "起始月份" in r.json()["message"]
    r = caller.post(url, {"category": "in_service", "base": "很多", "effective_month": "2026-02"})
    assert r.status_code == 400
    assert not DuesBase.objects.filter(member=based.secretary_member).exists()


def test_stale_base_update_answers_409(based, api, token_for):
    caller = api(token_for(based.branch_secretary, write=True))
    record = DuesBase.objects.get(member=based.ordinary_member)
    r = caller.patch(
        f"/dues/bases/{record.public_id}",
        {"version": "2000-01-01T00:00:00+00:00", "category": "in_service", "base": "100"},
    )
    assert r.status_code == 409
    r = caller.patch(
        f"/dues/bases/{record.public_id}",
        {"version": record.updated_at.isoformat(), "category": "in_service", "base": "5000"},
    )
    assert r.status_code == 200 and r.json()["base"] == "5000.00"


def test_sheet_then_payments_with_version_and_duplicate_refused(based, api, token_for):
    caller = api(token_for(based.branch_secretary, write=True))
    sheet = caller.get(f"/dues/sheets/{based.branch1.public_id}/2026-03").json()
    row = next(r for r in sheet["rows"] if r["name"] == "王党员")
    assert row["due"] == "30.00" and row["paid"] is False
    body = {
        "org": str(based.branch1.public_id),
        "month": "2026-03",
        "version": sheet["version"],
        "payments": [
            {
                "member": row["member_id"],
                "amount": "30.00",
                "method": "online",
                "paid_on": "2026-03-10",
            }
        ],
    }
    r = caller.post("/dues/payments", body)
    assert r.status_code == 201, r.content
    assert r.json()[0]["amount"] == "30.00"
    r = caller.post("/dues/payments", body)  # the old version: someone (we) changed the sheet
    assert r.status_code == 409
    body["version"] = caller.get(f"/dues/sheets/{based.branch1.public_id}/2026-03").json()[
        "version"
    ]
    r = caller.post("/dues/payments", body)
    assert r.status_code == 422 and "不能重复登记" in r.json()["message"]
    assert Payment.objects.count() == 1


def test_ledger_sums_the_subtree(based, api, token_for):
    services.payments_record(
        entries=[
            services.Entry(
                based.ordinary_member, date(2026, 3, 1), Decimal("30.00"), "cash", date(2026, 3, 2)
            )
        ],
        by=None,
        org=based.branch1,
    )
    r = api(token_for(based.party_secretary)).get(
        "/dues/ledger", org=str(based.committee.public_id), month="2026-03"
    )
    assert r.status_code == 200
    top = r.json()[0]
    assert top["org_name"] == "集团党委" and top["collected"] == "30.00"


def test_outside_scope_is_404_and_without_the_action_403(based, api, token_for):
    r = api(token_for(based.outsider)).get(f"/dues/sheets/{based.branch1.public_id}/2026-03")
    assert r.status_code == 404
    r = api(token_for(based.outsider)).get(f"/dues/members/{based.ordinary_member.public_id}/bases")
    assert r.status_code == 404
    r = api(token_for(based.ordinary)).get(
        "/dues/ledger", org=str(based.branch1.public_id), month="2026-03"
    )
    assert r.status_code == 403
