"""The ledger per org and month, 上缴 reconciled up the tree, and its fixed query count."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.dues.conftest import MAR, TODAY, entry
from tests.factories import make_member
from zhibu.dues import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(bases):
    services.payments_record(
        entries=[
            entry(bases.ordinary_member, MAR, "40.00"),
            entry(bases.secretary_member, MAR, "60.00"),
        ],
        by=None,
        org=bases.branch1,
    )
    services.voluntary_record(member=bases.ordinary_member, amount=Decimal("1000"), paid_on=TODAY)
    return bases


def rows_by_name(org, month=MAR):
    return {r.org.name: r for r in selectors.ledger(org, month)}


def test_ledger_sums_due_collected_and_outstanding_up_the_tree(march):
    rows = rows_by_name(march.committee)
    assert rows["第一党支部"].due == Decimal("100.00") and rows["第一党支部"].collected == Decimal(
        "100.00"
    )
    assert rows["第二党支部"].due == Decimal("0.20") and rows["第二党支部"].outstanding == Decimal(
        "0.20"
    )
    top = rows["集团党委"]
    assert (top.due, top.collected, top.outstanding) == (
        Decimal("100.20"),
        Decimal("100.00"),
        Decimal("0.20"),
    )
    assert top.centre == Decimal("1000")
    assert top.rate == 100  # 100.00 / 100.20 rounds to 100 %


def test_remittances_reconcile_up_the_tree(march):
    services.remittance_record(
        from_org=march.branch1, month=MAR, amount=Decimal("1100.00"), remitted_on=TODAY
    )
    rows = rows_by_name(march.committee)
    assert rows["第一党支部"].reconciled is True
    assert rows["第一党总支"].reconciled is False  # has not remitted yet
    services.remittance_record(
        from_org=march.general_branch, month=MAR, amount=Decimal("1100.00"), remitted_on=TODAY
    )
    rows = rows_by_name(march.committee)
    assert rows["第一党总支"].reconciled is True
    assert rows["集团党委"].received == Decimal("1100.00") == rows["集团党委"].children_remitted


def test_a_short_remittance_does_not_reconcile(march):
    services.remittance_record(
        from_org=march.branch1, month=MAR, amount=Decimal("100.00"), remitted_on=TODAY
    )
    assert rows_by_name(march.committee)["第一党支部"].reconciled is False
    with pytest.raises(ValidationError) as exc:
        services.remittance_record(
            from_org=march.branch1, month=MAR, amount=Decimal("1100.00"), remitted_on=TODAY
        )
    assert "不能重复登记" in str(exc.value)


def test_ledger_queries_do_not_grow_with_the_subtree(march, django_assert_num_queries):
    """Read from the monthly summary: held months, dirty pairs, the orgs, the summary
    rows, the 上缴 — five queries however large the subtree."""
    selectors.ledger(march.committee, MAR)  # the first view of a month builds it
    with django_assert_num_queries(5):
        selectors.ledger(march.committee, MAR)
    for i in range(4):
        make_member(march.branch2, f"党员{i}")
    selectors.ledger(march.committee, MAR)  # computes the marked orgs again
    with django_assert_num_queries(5):
        rows = selectors.ledger(march.committee, MAR)
    assert rows == selectors.ledger_from_records(march.committee, MAR)


def test_member_statement_and_org_year(march):
    lines = selectors.member_statement(march.ordinary_member, 2026)
    assert [(line.month.month, line.payment is not None) for line in lines][:3] == [
        (1, False),
        (2, False),
        (3, True),
    ]
    months = selectors.org_year(march.branch1, 2026)
    assert months[2]["collected"] == Decimal("100.00") and months[0]["outstanding"] == Decimal(
        "100.00"
    )


def test_year_book_is_a_treasurers_layout(march):
    from io import BytesIO

    from openpyxl import load_workbook

    from zhibu.dues.exports import year_book

    sheet = load_workbook(BytesIO(year_book(march.branch1, 2026))).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["序号", "姓名", "党费类别", "党费基数（元）"] and header[-3:] == [
        "全年应交",
        "全年实交",
        "欠交",
    ]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["王党员"][2] == "在职" and rows["王党员"][4] == "欠" and rows["王党员"][6] == 40
    assert date(2026, 1, 1)  # months are calendar months
