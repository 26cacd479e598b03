"""Dues on the shared cast: 王党员 (第一党支部) in service at 4000 yuan, 李书记 (第一党支部)
retired on a 6000 pension, 赵党员 (第二党支部) a student — from January 2026; today is
2026-03-10."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from zhibu.dues import services
from zhibu.dues.models import Payment
from zhibu.dues.rates import Category

TODAY = date(2026, 3, 10)
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def bases(cast, frozen):
    services.base_declare(
        member=cast.ordinary_member,
        category=Category.IN_SERVICE,
        base=Decimal("4000"),
        effective_month=JAN,
    )
    services.base_declare(
        member=cast.secretary_member,
        category=Category.RETIRED,
        base=Decimal("6000"),
        effective_month=JAN,
    )
    services.base_declare(
        member=cast.branch2_member, category=Category.STUDENT, base=None, effective_month=JAN
    )
    return cast


def entry(member, month, amount, *, paid_on=TODAY, method=Payment.Method.CASH, **kw):
    return services.Entry(
        member=member, month=month, amount=Decimal(amount), method=method, paid_on=paid_on, **kw
    )
