"""/api/v1/dues: voluntary payments, reliefs (减免, approved by the higher 党委) and 上缴;
bad input refused in Chinese with nothing written, outside the scope 404."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhibu.dues import selectors, services
from zhibu.dues.models import Relief, Remittance, Voluntary
from zhibu.dues.rates import Category

pytestmark = pytest.mark.django_db
MAR = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def based(cast):
    services.base_declare(
        member=cast.ordinary_member,
        category=Category.IN_SERVICE,
        base=Decimal("4000"),
        effective_month=date(2026, 1, 1),
    )
    return cast


def test_voluntary_payment_and_bad_input(based, api, token_for):
    caller = api(token_for(based.branch_secretary, write=True))
    url = f"/dues/members/{based.ordinary_member.public_id}/voluntary"
    r = caller.post(url, {"amount": "1000.00", "paid_on": "2026-03-09", "note": "自愿"})
    assert r.status_code == 201, r.content
    assert r.json()["for_centre"] is True and r.json()["amount"] == "1000.00"
    r = caller.post(url, {"amount": "0", "paid_on": "2026-03-09"})
    assert r.status_code == 422 and "金额须大于零" in r.json()["message"]
    r = caller.post(url, {"amount": "很多", "paid_on": "2026-03-09"})
    assert r.status_code == 400
    assert Voluntary.objects.count() == 1
    outsider = api(token_for(based.outsider, write=True))
    assert outsider.post(url, {"amount": "5", "paid_on": "2026-03-09"}).status_code == 404
    # The ledger's summary has it.
    top = selectors.ledger(based.committee, MAR)[0]
    assert top.centre == Decimal("1000.00")


def test_relief_requested_by_the_branch_and_approved_above(based, api, token_for):
    branch = api(token_for(based.branch_secretary, write=True))
    url = f"/dues/members/{based.ordinary_member.public_id}/reliefs"
    r = branch.post(
        url,
        {
            "kind": "exempt",
            "from_month": "2026-03",
            "to_month": "2026-02",
            "reason": "重病",
            "discussed_on": "2026-03-05",
        },
    )
    assert r.status_code == 422 and "截止月份不能早于起始月份" in r.json()["message"]
    r = branch.post(
        url,
        {"kind": "reduce", "from_month": "2026-03", "reason": "困难", "discussed_on": "2026-03-05"},
    )
    assert r.status_code == 422 and "减交后的每月金额" in r.json()["message"]
    r = branch.post(
        url,
        {"kind": "exempt", "from_month": "2026-3x", "reason": "困难", "discussed_on": "2026-03-05"},
    )
    assert r.status_code == 400
    assert not Relief.objects.exists()
    r = branch.post(
        url,
        {"kind": "exempt", "from_month": "2026-03", "reason": "重病", "discussed_on": "2026-03-05"},
    )
    assert r.status_code == 201 and r.json()["status"] == "requested"
    relief_id = r.json()["id"]
    assert branch.get(url).json()[0]["id"] == relief_id
    # The branch may not approve its own request; the committee may.
    r = branch.post(f"/dues/reliefs/{relief_id}/decision", {"approve": True})
    assert r.status_code == 422 and "上级党委审批" in r.json()["message"]
    outsider = api(token_for(based.outsider, write=True))
    assert (
        outsider.post(f"/dues/reliefs/{relief_id}/decision", {"approve": True}).status_code == 404
    )
    committee = api(token_for(based.party_secretary, write=True))
    r = committee.post(f"/dues/reliefs/{relief_id}/decision", {"approve": True})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    rows = {row.org.name: row for row in selectors.ledger(based.committee, MAR)}
    assert rows["第一党支部"].due == Decimal("0.00")  # 王党员 exempt, 李书记 not assessed
    assert selectors.ledger(based.committee, MAR) == selectors.ledger_from_records(
        based.committee, MAR
    )


def test_remittance_recorded_listed_and_confirmed(based, api, token_for):
    branch = api(token_for(based.branch_secretary, write=True))
    payload = {
        "org": str(based.branch1.public_id),
        "month": "2026-03",
        "amount": "40.00",
        "remitted_on": "2026-03-10",
    }
    assert branch.post("/dues/remittances", {**payload, "amount": "-1"}).status_code == 422
    assert branch.post("/dues/remittances", {**payload, "month": "March"}).status_code == 400
    r = branch.post("/dues/remittances", payload)
    assert r.status_code == 201, r.content
    assert r.json()["to_org_id"] == str(based.general_branch.public_id)
    r = branch.post("/dues/remittances", payload)
    assert r.status_code == 422 and "不能重复登记" in r.json()["message"]
    assert Remittance.objects.count() == 1
    query = f"/dues/remittances?org={based.branch1.public_id}&month=2026-03"
    listed = branch.get(query)
    assert listed.status_code == 200 and len(listed.json()) == 1
    remittance_id = listed.json()[0]["id"]
    # The branch cannot confirm what it sent (not the receiver): 404, nothing written.
    assert branch.post(f"/dues/remittances/{remittance_id}/confirm").status_code == 404
    outsider = api(token_for(based.outsider, write=True))
    assert outsider.post("/dues/remittances", payload).status_code == 404
    assert outsider.get(query).status_code == 404
    committee = api(token_for(based.party_secretary, write=True))
    r = committee.post(f"/dues/remittances/{remittance_id}/confirm")
    assert r.status_code == 200 and r.json()["received_on"] == "2026-03-10"
