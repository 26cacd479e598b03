"""The dues table as versioned data (党费规定 2008, DUES-01..05) and the monthly amount.

Money is ``Decimal`` in yuan with two places (分) everywhere; nothing here touches float.

- DUES-01 (in service, also 年薪制 DUES-02 and 自由职业 DUES-03, which differ only in how the
  base is declared): the rate applies to the **whole** base; each band is inclusive at its
  upper bound (3000.00 → 0.5 %, 3000.01 → 1 %).
- DUES-04 (retirees): ≤ 5000 → 0.5 %, above → 1 %.
- DUES-05: farmers pay a fixed amount between 0.2 and 1 yuan a month chosen locally
  (``DuesPolicy.farmer_amount``); students and the unemployed / 低保 pay 0.2 yuan.

Rounding is a local parameter (``DuesPolicy.rounding``). The 2008 regulation does not say
how a product such as 3000.01 × 1 % = 30.0001 is rounded; the national practice and the
default here is to the 分 (0.01 yuan), half up (四舍五入). A committee may choose to the 角.

A revision of the table adds a ``RateTable`` with its own ``effective_from``; months are
judged by the table in force on their first day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
JIAO = Decimal("0.1")
FARMER_MIN, FARMER_MAX = Decimal("0.20"), Decimal("1.00")


class Category(models.TextChoices):
    """A member's dues category (what the base is and which row of the table applies)."""

    IN_SERVICE = "in_service", _("在职")
    ANNUAL_SALARY = "annual_salary", _("年薪制")
    SELF_EMPLOYED = "self_employed", _("自由职业/无固定收入")
    RETIRED = "retired", _("离退休")
    FARMER = "farmer", _("农民")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("失业/低保")


# Categories whose amount is a rate on a declared base (the others pay a fixed amount).
BASED = frozenset(
    {Category.IN_SERVICE, Category.ANNUAL_SALARY, Category.SELF_EMPLOYED, Category.RETIRED}
)
RULE_OF = {
    Category.IN_SERVICE: "DUES-01",
    Category.ANNUAL_SALARY: "DUES-02",
    Category.SELF_EMPLOYED: "DUES-03",
    Category.RETIRED: "DUES-04",
    Category.FARMER: "DUES-05",
    Category.STUDENT: "DUES-05",
    Category.UNEMPLOYED: "DUES-05",
}


class Rounding(models.TextChoices):
    FEN = "fen", _("计算到分（四舍五入）")
    JIAO = "jiao", _("计算到角（四舍五入）")


@dataclass(frozen=True)
class Band:
    upto: Decimal | None  # inclusive upper bound; None = no bound
    rate: Decimal  # a fraction: 0.005 = 0.5 %


@dataclass(frozen=True)
class RateTable:
    effective_from: date
    source: str
    in_service: tuple[Band, ...]
    retired: tuple[Band, ...]
    fixed: dict[str, Decimal]  # category → yuan a month (farmers: the policy's amount)


TABLES: tuple[RateTable, ...] = (
    RateTable(
        effective_from=date(2008, 4, 1),
        source="《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）",
        in_service=(
            Band(Decimal("3000"), Decimal("0.005")),
            Band(Decimal("5000"), Decimal("0.01")),
            Band(Decimal("10000"), Decimal("0.015")),
            Band(None, Decimal("0.02")),
        ),
        retired=(Band(Decimal("5000"), Decimal("0.005")), Band(None, Decimal("0.01"))),
        fixed={Category.STUDENT: Decimal("0.20"), Category.UNEMPLOYED: Decimal("0.20")},
    ),
)


def table_for(month: date) -> RateTable:
    """The table in force in ``month`` (the oldest one for months before it)."""
    chosen = TABLES[0]
    for table in TABLES:
        if table.effective_from <= month:
            chosen = table
    return chosen


def rate_for(bands: tuple[Band, ...], base: Decimal) -> Decimal:
    for band in bands:
        if band.upto is None or base <= band.upto:
            return band.rate
    return bands[-1].rate


def round_money(amount: Decimal, rounding: str = Rounding.FEN) -> Decimal:
    step = JIAO if rounding == Rounding.JIAO else CENT
    return amount.quantize(step, rounding=ROUND_HALF_UP).quantize(CENT)


def monthly_amount(
    category: str,
    base: Decimal | None,
    month: date,
    *,
    farmer_amount: Decimal = FARMER_MIN,
    rounding: str = Rounding.FEN,
) -> Decimal | None:
    """The month's dues in yuan, or None when a based category has no base declared."""
    table = table_for(month)
    if category == Category.FARMER:
        return min(max(farmer_amount, FARMER_MIN), FARMER_MAX).quantize(CENT)
    if category in table.fixed:
        return table.fixed[category]
    if base is None:
        return None
    bands = table.retired if category == Category.RETIRED else table.in_service
    return round_money(base * rate_for(bands, base), rounding)


def month_start(day: date) -> date:
    return day.replace(day=1)


def parse_month(text: str) -> date | None:
    """ "2026-03" (or "2026-3", "2026/03", "2026年3月") → date(2026, 3, 1); None if not a month."""
    cleaned = (
        str(text).strip().replace("年", "-").replace("月", "").replace("/", "-").replace(".", "-")
    )
    parts = cleaned.split("-")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (1900 <= year <= 2999 and 1 <= month <= 12):
        return None
    return date(year, month, 1)
