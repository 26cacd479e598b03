"""Reporting periods: a month (``2025-07``), a quarter (``2025Q3``) or a year (``2025``).

Periods are half-open date ranges ``[start, end)``; month and year arithmetic goes through
``relativedelta`` so month ends and leap years come out right (docs/rules.md, consequence 4).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhibu.core.rules.messages import Message, msg

PERIOD_MALFORMED = _("期间格式不正确：请写成 2025（年）、2025Q3（季度）或 2025-07（月）。")

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
# Years a period may fall in: generous, but far enough from the calendar's ends (year 1,
# year 9999) that period arithmetic (``split``, ``previous``, a year's end) never leaves it.
YEARS = range(1900, 3000)


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date  # exclusive
    kind: str  # "month" | "quarter" | "year"

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2025``, ``2025Q3`` or ``2025-07`` with a year in ``YEARS``; anything else
        raises ``ValidationError(PERIOD_MALFORMED)``."""
        value = (text or "").strip()
        if (m := _YEAR.match(value)) and int(m.group(1)) in YEARS:
            return cls.year(int(m.group(1)))
        if (m := _QUARTER.match(value)) and int(m.group(1)) in YEARS:
            return cls.quarter(int(m.group(1)), int(m.group(2)))
        if (m := _MONTH.match(value)) and int(m.group(1)) in YEARS:
            month = int(m.group(2))
            if 1 <= month <= 12:
                return cls.month(int(m.group(1)), month)
        raise ValidationError(PERIOD_MALFORMED, code="period_malformed")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year + 1, 1, 1), "year")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = date(year, 3 * (quarter - 1) + 1, 1)
        return cls(start, start + relativedelta(months=3), "quarter")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        return cls(start, start + relativedelta(months=1), "month")

    @classmethod
    def containing(cls, kind: str, day: date) -> Period:
        if kind == "year":
            return cls.year(day.year)
        if kind == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == "month":
            return cls.month(day.year, day.month)
        raise ValueError(f"unknown period kind {kind!r}")

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(y)s年") % {"y": self.start.year}
        if self.kind == "quarter":
            return _("%(y)s年第%(q)s季度") % {
                "y": self.start.year,
                "q": (self.start.month - 1) // 3 + 1,
            }
        return _("%(y)s年%(m)s月") % {"y": self.start.year, "m": self.start.month}

    @property
    def message(self) -> Message:
        """``label`` as a message (``zhibu.core.rules.messages``), translated when shown."""
        if self.kind == "year":
            return msg("%(y)s年") % {"y": self.start.year}
        if self.kind == "quarter":
            return msg("%(y)s年第%(q)s季度") % {
                "y": self.start.year,
                "q": (self.start.month - 1) // 3 + 1,
            }
        return msg("%(y)s年%(m)s月") % {"y": self.start.year, "m": self.start.month}

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def split(self, kind: str) -> list[Period]:
        """The sub-periods of ``kind`` (months of a quarter, quarters of a year, ...)."""
        parts = []
        current = Period.containing(kind, self.start)
        while current.start < self.end:
            parts.append(current)
            current = Period.containing(kind, current.end)
        return parts

    def previous(self) -> Period:
        months = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return Period.containing(self.kind, self.start - relativedelta(months=months))

    def __str__(self) -> str:
        return self.code
