"""Period.parse: the three shapes, and years only within 1900–2999."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from zhibu.core.rules import Period
from zhibu.core.rules.periods import PERIOD_MALFORMED


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1900", date(1900, 1, 1), date(1901, 1, 1)),
        ("2999", date(2999, 1, 1), date(3000, 1, 1)),
        ("1900Q1", date(1900, 1, 1), date(1900, 4, 1)),
        ("2999q4", date(2999, 10, 1), date(3000, 1, 1)),
        ("1900-01", date(1900, 1, 1), date(1900, 2, 1)),
        ("2999-12", date(2999, 12, 1), date(3000, 1, 1)),
    ],
)
def test_years_at_the_bounds_are_accepted(text, start, end):
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)
    assert period.previous().start.year >= 1899 and period.split("month")


@pytest.mark.parametrize(
    "text",
    ["0000", "0001", "1899", "1899Q4", "1899-12", "3000", "3000Q1", "3000-01", "9999", "9999Q4"],
)
def test_years_outside_1900_to_2999_are_malformed(text):
    with pytest.raises(ValidationError) as exc:
        Period.parse(text)
    assert exc.value.messages == [str(PERIOD_MALFORMED)]
    assert exc.value.code == "period_malformed"
