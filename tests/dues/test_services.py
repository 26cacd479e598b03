"""Bases, payments and reliefs: what is owed, what is refused (with a Chinese message and
nothing written)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from tests.dues.conftest import FEB, JAN, MAR, TODAY, entry
from tests.factories import make_member
from zhibu.dues import selectors, services
from zhibu.dues.models import DuesBase, Payment, Relief, Voluntary
from zhibu.dues.rates import Category
from zhibu.members.models import Member

pytestmark = pytest.mark.django_db


def test_negative_base_is_refused(cast, frozen):
    with pytest.raises(ValidationError) as exc:
        services.base_declare(
            member=cast.ordinary_member,
            category=Category.IN_SERVICE,
            base=Decimal("-1"),
            effective_month=JAN,
        )
    assert str(services.NEGATIVE_BASE) in exc.value.messages
    assert not DuesBase.objects.exists()


def test_base_without_its_effective_month_is_refused(cast, frozen):
    with pytest.raises(ValidationError) as exc:
        services.base_declare(
            member=cast.ordinary_member,
            category=Category.IN_SERVICE,
            base=Decimal("5000"),
            effective_month=None,
        )
    assert str(services.MONTH_REQUIRED) in exc.value.messages
    assert not DuesBase.objects.exists()


def test_in_service_member_needs_a_base(cast, frozen):
    with pytest.raises(ValidationError) as exc:
        services.base_declare(
            member=cast.ordinary_member,
            category=Category.IN_SERVICE,
            base=None,
            effective_month=JAN,
        )
    assert "按基数计算党费" in exc.value.messages[0]


def test_a_pay_change_applies_from_its_month(bases):
    # DUES-08: a raise received in March applies from March, not before.
    services.base_declare(
        member=bases.ordinary_member,
        category=Category.IN_SERVICE,
        base=Decimal("6000"),
        effective_month=MAR,
    )
    assert selectors.member_due(bases.ordinary_member, FEB).amount == Decimal("40.00")
    assert selectors.member_due(bases.ordinary_member, MAR).amount == Decimal("90.00")


def test_sheet_payments_are_recorded_with_their_kind(bases):
    created = services.payments_record(
        entries=[
            entry(bases.ordinary_member, MAR, "40.00"),
            entry(bases.ordinary_member, JAN, "40.00", paid_by="王父"),
            entry(bases.secretary_member, date(2026, 4, 1), "60.00"),
        ],
        by=bases.branch_secretary,
        org=bases.branch1,
    )
    kinds = {(p.member_id, p.month): p.kind for p in created}
    assert kinds[(bases.ordinary_member.pk, MAR)] == Payment.Kind.REGULAR
    assert kinds[(bases.ordinary_member.pk, JAN)] == Payment.Kind.BACK
    assert kinds[(bases.secretary_member.pk, date(2026, 4, 1))] == Payment.Kind.ADVANCE
    assert Payment.objects.get(member=bases.ordinary_member, month=JAN).paid_by == "王父"


def test_paying_the_same_month_twice_is_refused(bases):
    services.payments_record(
        entries=[entry(bases.ordinary_member, MAR, "40.00")], by=None, org=bases.branch1
    )
    with pytest.raises(ValidationError) as exc:
        services.payments_record(
            entries=[
                entry(bases.secretary_member, MAR, "60.00"),
                entry(bases.ordinary_member, MAR, "40.00"),
            ],
            by=None,
            org=bases.branch1,
        )
    assert "王党员 2026-03 的党费已交纳，不能重复登记。" in exc.value.messages
    assert Payment.objects.count() == 1  # the secretary's valid row was not written either


def test_wrong_amount_is_refused_with_what_is_due(bases):
    with pytest.raises(ValidationError) as exc:
        services.payments_record(
            entries=[entry(bases.ordinary_member, MAR, "20.00")], by=None, org=bases.branch1
        )
    assert exc.value.messages == ["王党员 2026-03 应交 40.00 元，登记金额为 20.00 元，不符。"]
    assert not Payment.objects.exists()


def test_payment_before_joining_is_refused(bases):
    newcomer = make_member(bases.branch1, "孙预备", admitted_on=date(2026, 2, 20), full_on=None)
    assert newcomer.status == Member.Status.PROBATIONARY
    services.base_declare(
        member=newcomer, category=Category.STUDENT, base=None, effective_month=JAN
    )
    # DUES-07: a 预备党员 pays from the 支部大会's month (February), not January.
    with pytest.raises(ValidationError) as exc:
        services.payments_record(entries=[entry(newcomer, JAN, "0.20")], by=None, org=bases.branch1)
    assert "入党（支部大会通过）前和离开后的月份不交党费" in exc.value.messages[0]
    services.payments_record(entries=[entry(newcomer, FEB, "0.20")], by=None, org=bases.branch1)
    assert Payment.objects.filter(member=newcomer).count() == 1


def test_payment_after_leaving_is_refused(bases):
    from zhibu.members.models import MemberEvent
    from zhibu.members.services import member_record_event

    member_record_event(
        member=bases.ordinary_member, kind=MemberEvent.Kind.DECEASED, on=date(2026, 1, 20)
    )
    # January, the month of leaving, is still owed; March is not.
    assert selectors.member_due(bases.ordinary_member, JAN).amount == Decimal("40.00")
    assert selectors.member_due(bases.ordinary_member, MAR) is None
    with pytest.raises(ValidationError) as exc:
        services.payments_record(
            entries=[entry(bases.ordinary_member, MAR, "40.00")], by=None, org=bases.branch1
        )
    assert "不交党费" in exc.value.messages[0]
    assert not Payment.objects.exists()


def test_deduction_from_pay_is_not_a_method(bases):
    with pytest.raises(ValidationError) as exc:
        services.payments_record(
            entries=[entry(bases.ordinary_member, MAR, "40.00", method="payroll")],
            by=None,
            org=bases.branch1,
        )
    assert str(services.DEDUCTION) in exc.value.messages


def test_back_payment_beyond_six_months_is_refused(bases):
    services.base_declare(
        member=bases.ordinary_member,
        category=Category.IN_SERVICE,
        base=Decimal("4000"),
        effective_month=date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        services.payments_record(
            entries=[entry(bases.ordinary_member, date(2025, 8, 1), "40.00")],
            by=None,
            org=bases.branch1,
        )
    assert "补缴一般限于最近 6 个月" in exc.value.messages[0]
    services.payments_record(
        entries=[entry(bases.ordinary_member, date(2025, 9, 1), "40.00")],
        by=None,
        org=bases.branch1,
    )


def test_quarterly_payment_needs_the_branch_consent_noted(bases):
    with pytest.raises(ValidationError) as exc:
        services.payments_record(
            entries=[entry(bases.ordinary_member, MAR, "40.00", quarterly=True)],
            by=None,
            org=bases.branch1,
        )
    assert str(services.QUARTERLY_CONSENT) in exc.value.messages
    services.payments_record(
        entries=[
            entry(
                bases.ordinary_member,
                MAR,
                "40.00",
                quarterly=True,
                note="支委会 2026-01-05 同意按季",
            )
        ],
        by=None,
        org=bases.branch1,
    )


def test_a_member_of_another_branch_is_not_on_this_sheet(bases):
    with pytest.raises(ValidationError):
        services.payments_record(
            entries=[entry(bases.branch2_member, MAR, "0.20")], by=None, org=bases.branch1
        )


def test_voluntary_payment_of_1000_goes_to_the_centre(bases):
    big = services.voluntary_record(
        member=bases.ordinary_member, amount=Decimal("1000"), paid_on=TODAY
    )
    small = services.voluntary_record(
        member=bases.ordinary_member, amount=Decimal("999.99"), paid_on=TODAY
    )
    assert big.for_centre and not small.for_centre
    with pytest.raises(ValidationError):
        services.voluntary_record(member=bases.ordinary_member, amount=Decimal("0"), paid_on=TODAY)
    assert Voluntary.objects.count() == 2


def test_exemption_needs_the_higher_committee(bases):
    relief = services.relief_request(
        member=bases.ordinary_member,
        kind=Relief.Kind.EXEMPT,
        from_month=MAR,
        to_month=None,
        reason="家庭遭遇重大变故",
        discussed_on=date(2026, 3, 5),
    )
    assert selectors.member_due(bases.ordinary_member, MAR).amount == Decimal(
        "40.00"
    )  # not yet approved
    with pytest.raises(ValidationError) as exc:
        services.relief_decide(relief=relief, approve=True, by=bases.branch_secretary, on=TODAY)
    assert str(services.NOT_HIGHER) in exc.value.messages
    services.relief_decide(relief=relief, approve=True, by=bases.party_secretary, on=TODAY)
    relief.refresh_from_db()
    assert relief.status == Relief.Status.APPROVED and relief.approver_org == bases.general_branch
    due = selectors.member_due(bases.ordinary_member, MAR)
    assert due.amount == Decimal("0.00") and due.relief == Relief.Kind.EXEMPT


def test_reduction_applies_its_amount(bases):
    relief = services.relief_request(
        member=bases.ordinary_member,
        kind=Relief.Kind.REDUCE,
        amount=Decimal("10.00"),
        from_month=FEB,
        to_month=MAR,
        reason="长期患病",
        discussed_on=date(2026, 1, 25),
    )
    services.relief_decide(relief=relief, approve=True, by=bases.party_secretary, on=TODAY)
    assert selectors.member_due(bases.ordinary_member, MAR).amount == Decimal("10.00")
    assert selectors.member_due(bases.ordinary_member, JAN).amount == Decimal("40.00")


def test_arrears_count_consecutive_unpaid_months(bases):
    services.payments_record(
        entries=[entry(bases.ordinary_member, JAN, "40.00")], by=None, org=bases.branch1
    )
    found = {a.name: a for a in selectors.arrears(Q(org=bases.branch1), TODAY)}
    assert found["王党员"].months == 1 and found["王党员"].since == FEB  # March is still running
    assert found["李书记"].months == 12  # capped at the window
