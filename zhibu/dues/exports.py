"""Excel in the layout a treasurer keeps: the 党费收缴台账 of a branch for a year (one row
per member, one column per month) and the month's ledger of a subtree. Written through
``zhibu.core.excel`` (no formulas; text neutralised) and audited by the views."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from zhibu.core.excel import build_workbook
from zhibu.dues import selectors
from zhibu.dues.models import Payment
from zhibu.dues.rates import Category
from zhibu.orgs.models import Org

ZERO = Decimal("0.00")


def _yuan(value: Decimal | None):
    return float(value) if value is not None else ""  # openpyxl stores numbers; 2 places


def year_book(org: Org, year: int, *, today: date | None = None) -> bytes:
    """党费收缴台账: 序号, 姓名, 类别, 基数, 1–12 月 (实交 or 欠), 全年应交, 实交, 欠交 —
    months up to the running one (later months show only what was paid in advance)."""
    current = (today or timezone.localdate()).replace(day=1)
    months = selectors.months_between(date(year, 1, 1), min(date(year, 12, 1), current))
    dues = selectors.obligations(Q(org=org), months)
    paid = {
        (m, month): amount
        for m, month, amount in Payment.objects.filter(org=org, month__year=year).values_list(
            "member", "month", "amount"
        )
    }
    people: dict[int, dict] = {}
    for (member_id, month), due in sorted(dues.items(), key=lambda kv: (kv[1].name, kv[0][1])):
        if due.org_id != org.pk:
            continue
        person = people.setdefault(
            member_id,
            {
                "name": due.name,
                "category": due.category,
                "base": due.base,
                "cells": {},
                "due": ZERO,
                "paid": ZERO,
            },
        )
        person["category"], person["base"] = due.category, due.base
        got = paid.get((member_id, month))
        person["cells"][month.month] = _yuan(got) if got is not None else "欠"
        person["due"] += due.amount or ZERO
        person["paid"] += got or ZERO
    headers = [
        "序号",
        "姓名",
        "党费类别",
        "党费基数（元）",
        *[f"{m}月" for m in range(1, 13)],
        "全年应交",
        "全年实交",
        "欠交",
    ]
    rows = []
    for i, person in enumerate(people.values(), start=1):
        rows.append(
            [
                i,
                person["name"],
                Category(person["category"]).label if person["category"] else "未核定",
                _yuan(person["base"]),
                *[person["cells"].get(m, "—") for m in range(1, 13)],
                _yuan(person["due"]),
                _yuan(person["paid"]),
                _yuan(person["due"] - person["paid"]),
            ]
        )
    return build_workbook([(f"{year}年党费收缴台账", headers, rows)])


def ledger_book(org: Org, month: date) -> bytes:
    headers = [
        "组织",
        "应交人数",
        "未核定",
        "应交（元）",
        "实交（元）",
        "已交人数",
        "欠交（元）",
        "自愿多交（元）",
        "其中上缴中央（元）",
        "应上缴（元）",
        "已上缴（元）",
        "收到下级上缴（元）",
        "核对",
    ]
    rows = []
    for row in selectors.ledger(org, month):
        status = {None: "—", True: "相符", False: "不符"}[row.reconciled]
        rows.append(
            [
                "　" * row.depth + row.org.name,
                row.members,
                row.unassessed,
                _yuan(row.due),
                _yuan(row.collected),
                row.paid,
                _yuan(row.outstanding),
                _yuan(row.voluntary),
                _yuan(row.centre),
                _yuan(row.expected_remit),
                _yuan(row.remitted),
                _yuan(row.received),
                status,
            ]
        )
    return build_workbook([(f"{month.year}年{month.month}月党费收缴", headers, rows)])
