"""The 2008 table at every band edge (DUES-01, DUES-04, DUES-05) and the rounding rule."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhibu.dues.rates import Category, Rounding, monthly_amount, parse_month

MONTH = date(2026, 3, 1)


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0", "0.00"),
        ("2999.99", "15.00"),
        ("3000", "15.00"),  # ≤ 3000 → 0.5 %, inclusive at the upper bound
        ("3000.01", "30.00"),  # whole base at 1 %: 30.0001 → 30.00
        ("5000", "50.00"),
        ("5000.01", "75.00"),  # 1.5 %: 75.00015 → 75.00
        ("10000", "150.00"),
        ("10000.01", "200.00"),  # 2 %: 200.0002 → 200.00
        ("4321.50", "43.22"),  # 43.215 → 43.22 (half up)
        ("25000", "500.00"),
    ],
)
def test_in_service_bands_match_the_2008_table(base, expected):
    assert monthly_amount(Category.IN_SERVICE, Decimal(base), MONTH) == Decimal(expected)


@pytest.mark.parametrize("category", [Category.ANNUAL_SALARY, Category.SELF_EMPLOYED])
def test_annual_salary_and_self_employed_use_the_in_service_rates(category):
    assert monthly_amount(category, Decimal("5000.01"), MONTH) == Decimal("75.00")


@pytest.mark.parametrize(
    ("base", "expected"),
    [("5000", "25.00"), ("5000.01", "50.00"), ("1800", "9.00"), ("8000", "80.00")],
)
def test_retirees_pay_half_a_percent_up_to_5000_and_one_percent_above(base, expected):
    assert monthly_amount(Category.RETIRED, Decimal(base), MONTH) == Decimal(expected)


def test_fixed_amounts_for_students_unemployed_and_farmers():
    assert monthly_amount(Category.STUDENT, None, MONTH) == Decimal("0.20")
    assert monthly_amount(Category.UNEMPLOYED, None, MONTH) == Decimal("0.20")
    assert monthly_amount(Category.FARMER, None, MONTH) == Decimal("0.20")
    assert monthly_amount(Category.FARMER, None, MONTH, farmer_amount=Decimal("0.50")) == Decimal(
        "0.50"
    )
    # A policy outside 0.2–1 yuan is clamped to the regulation's range.
    assert monthly_amount(Category.FARMER, None, MONTH, farmer_amount=Decimal("5")) == Decimal(
        "1.00"
    )


def test_a_based_category_without_a_base_has_no_amount():
    assert monthly_amount(Category.IN_SERVICE, None, MONTH) is None


def test_rounding_to_the_jiao_is_a_local_choice():
    assert monthly_amount(
        Category.IN_SERVICE, Decimal("4321.50"), MONTH, rounding=Rounding.JIAO
    ) == Decimal("43.20")
    assert monthly_amount(
        Category.IN_SERVICE, Decimal("4350"), MONTH, rounding=Rounding.JIAO
    ) == Decimal("43.50")


@given(st.decimals(min_value=0, max_value=200000, places=2, allow_nan=False, allow_infinity=False))
def test_amount_is_whole_base_times_its_band_rate_to_the_fen(base):
    amount = monthly_amount(Category.IN_SERVICE, base, MONTH)
    rate = (
        Decimal("0.005")
        if base <= 3000
        else Decimal("0.01")
        if base <= 5000
        else Decimal("0.015")
        if base <= 10000
        else Decimal("0.02")
    )
    assert isinstance(amount, Decimal)
    assert amount.as_tuple().exponent == -2
    assert abs(amount - base * rate) <= Decimal("0.005")


def test_months_parse_in_the_usual_spellings():
    assert parse_month("2026-03") == date(2026, 3, 1)
    assert parse_month("2026年3月") == date(2026, 3, 1)
    assert parse_month("2026/3") == date(2026, 3, 1)
    assert parse_month("三月") is None
    assert parse_month("2026-13") is None
