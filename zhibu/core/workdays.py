"""Working days on the Chinese statutory calendar, including 调休 make-up days.

The calendar comes from the maintained ``chinesecalendar`` package. The State Council
publishes each year's arrangement around November and the package follows later; for a
year it does not cover, an administrator enters that year's holidays and make-up days
(``CalendarDay``), and until then Zhibu falls back to Monday–Friday and says so
(``coverage``), so nobody mistakes a guess for the official calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar
from django.utils.translation import gettext_lazy as _

PACKAGE = "package"
ADMIN = "admin"
FALLBACK = "fallback"

COVERAGE_LABELS = {
    PACKAGE: _("法定节假日安排来自日历软件包"),
    ADMIN: _("法定节假日安排由管理员录入"),
    FALLBACK: _("尚无该年的法定节假日安排，暂按周一至周五计算工作日"),
}


@cache
def package_years() -> frozenset[int]:
    years = set()
    for year in range(2004, 2100):
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            continue
        years.add(year)
    return frozenset(years)


def _overrides(start: date, end: date) -> dict[date, bool]:
    from zhibu.core.models import CalendarDay

    return dict(
        CalendarDay.objects.filter(day__gte=start, day__lte=end).values_list("day", "is_workday")
    )


def coverage(year: int) -> str:
    from zhibu.core.models import CalendarDay

    if CalendarDay.objects.filter(day__year=year).exists():
        return ADMIN
    if year in package_years():
        return PACKAGE
    return FALLBACK


@dataclass(frozen=True)
class Span:
    """The end of a run of working days, and whether any day of it was only a guess."""

    end: date
    fallback_years: tuple[int, ...]

    @property
    def is_official(self) -> bool:
        return not self.fallback_years


class Calendar:
    """Answers "is this a working day" for a window, with one query for the overrides."""

    def __init__(self, start: date, end: date) -> None:
        self.overrides = _overrides(start, end)
        self.admin_years = {d.year for d in self.overrides}
        self.fallback_years: set[int] = set()

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in package_years() and day.year not in self.admin_years:
            return chinese_calendar.is_workday(day)
        if day.year not in self.admin_years:
            self.fallback_years.add(day.year)
        return day.weekday() < 5


def is_workday(day: date) -> bool:
    return Calendar(day, day).is_workday(day)


def working_days_end(start: date, count: int) -> Span:
    """The day on which ``count`` working days are complete, counting ``start`` itself when
    it is a working day (a 公示 of 5 working days posted on Monday 1 ends on Friday 5)."""
    if count < 1:
        raise ValueError("count must be positive")
    calendar = Calendar(start, start + timedelta(days=count * 3 + 40))
    day, seen = start, 0
    while True:
        if calendar.is_workday(day):
            seen += 1
            if seen == count:
                return Span(day, tuple(sorted(calendar.fallback_years)))
        day += timedelta(days=1)


def working_days_between(start: date, end: date) -> int:
    """Working days in [start, end] (both included)."""
    if end < start:
        return 0
    calendar = Calendar(start, end)
    return sum(
        1 for i in range((end - start).days + 1) if calendar.is_workday(start + timedelta(days=i))
    )
