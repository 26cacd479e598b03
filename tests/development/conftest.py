"""Driving a development case through its steps, with real meetings and votes."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import record_meeting
from zhibu.development import services
from zhibu.development.models import Case
from zhibu.discipline.voters import voters_on
from zhibu.meetings.services.decisions import decision_record


def vote(case: Case, on: date, kind: str, *, passed: bool = True, absent=()):
    """A 支部党员大会 on ``on`` voting on ``case`` (everyone present votes yes, or no)."""
    meeting = record_meeting(
        case.org, on, ("branch_assembly",), absent=absent, today=date(2026, 11, 26)
    )
    voters = voters_on(case.org, on).exclude(pk__in=[m.pk for m in absent]).count()
    yes = voters if passed else 0
    return decision_record(
        meeting=meeting,
        title=f"{case.name}{'入党' if kind == 'admission' else '转正'}",
        kind=kind,
        candidate=case.name,
        yes=yes,
        no=voters - yes,
        abstain=0,
        today=date(2026, 11, 26),
    )


class Driver:
    """Records the steps of one case with sensible data; ``upto`` stops before a step."""

    DATES = {
        1: date(2022, 3, 1),
        2: date(2022, 3, 15),
        3: date(2022, 4, 20),
        4: date(2022, 4, 25),
        5: date(2022, 4, 26),
        6: date(2022, 10, 20),
        7: date(2023, 4, 25),
        8: date(2023, 4, 28),
        9: date(2023, 5, 5),
        10: date(2023, 5, 20),
        11: date(2023, 6, 1),
        12: date(2023, 6, 5),
        13: date(2023, 6, 10),
        14: date(2023, 6, 12),
        15: date(2023, 6, 28),
        16: date(2023, 7, 5),
        17: date(2023, 7, 20),
        18: date(2023, 7, 25),
        19: date(2023, 7, 26),
        20: date(2023, 8, 1),
        21: date(2024, 1, 10),
        22: date(2024, 6, 1),
        23: date(2024, 6, 28),
        24: date(2024, 7, 10),
        25: date(2024, 7, 12),
    }
    PUBLICITY = {3: "activist", 7: "target", 15: "admission", 23: "confirmation"}

    def __init__(self, cast, name="刘新同志", dates=None):
        self.cast = cast
        self.dates = {**self.DATES, **(dates or {})}
        self.case = services.case_open(
            org=cast.branch1,
            name=name,
            gender="M",
            birth_date=date(1996, 4, 2),
            applied_on=self.dates[1],
        )

    def data(self, number: int) -> dict:
        c = self.cast
        if number == 2:
            return {"people": {"talker": [c.secretary_member]}}
        if number == 5:
            return {"people": {"contacts": [c.ordinary_member]}}
        if number == 9:
            return {"people": {"introducers": [c.secretary_member, c.ordinary_member]}}
        if number == 10:
            return {"conclusion": "政治审查合格"}
        if number == 11:
            return {"training_days": 3}
        if number == 15:
            return {"decision": vote(self.case, self.dates[15], "admission")}
        if number == 23:
            return {"decision": vote(self.case, self.dates[23], "confirmation")}
        return {}

    def publicity(self, number: int) -> None:
        key = self.PUBLICITY.get(number)
        if key:
            start = self.dates.get(f"pub{number}") or date.fromordinal(
                self.dates[number].toordinal() - 14
            )
            services.publicity_start(case=self.case, key=key, start=start)

    def step(self, number: int, **overrides):
        data = {**self.data(number), **overrides}
        on = data.pop("on", self.dates[number])
        step = services.step_record(case=self.case, number=number, on=on, **data)
        self.case.refresh_from_db()
        return step

    def run(self, upto: int, start: int = 2):
        for number in range(start, upto):
            self.publicity(number)
            self.step(number)
        return self


@pytest.fixture
def driver(cast):
    return lambda **kwargs: Driver(cast, **kwargs)
