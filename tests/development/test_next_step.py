"""The next-step hint and the step checks agree: the same rules, the same parameters,
a committee's stricter local supplement included."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from zhibu.development import services
from zhibu.development.selectors import next_step
from zhibu.development.services import StepRefused
from zhibu.rulebook.services import supplement_create

pytestmark = pytest.mark.django_db


def tighten(committee, code: str, **params) -> None:
    supplement_create(
        committee=committee, rule_code=code, params=params, effective_from=date(2020, 1, 1)
    )


def test_a_longer_activist_year_moves_the_hint_to_the_day_the_check_first_accepts(driver, cast):
    """DEV-05 tightened to 18 months: the hint no longer says one year after step 3."""
    tighten(cast.committee, "DEV-05", months=18)
    d = driver().run(7)
    d.publicity(7)
    hint = next_step(d.case, date(2023, 4, 25))
    assert hint.number == 7
    assert hint.earliest == date(2023, 10, 20)  # 20 Apr 2022 + 18 months
    with pytest.raises(StepRefused) as exc:
        d.step(7, on=date(2023, 10, 19))
    assert [(v.code, v.earliest) for v in exc.value.violations] == [("DEV-05", hint.earliest)]
    d.step(7, on=hint.earliest)
    assert d.case.last_step == 7


def test_another_committees_supplement_leaves_the_national_year(driver, cast):
    tighten(cast.other_committee, "DEV-05", months=18)
    d = driver().run(7)
    assert next_step(d.case, date(2023, 4, 25)).earliest == date(2023, 4, 20)


def test_a_longer_local_publicity_counts_the_same_in_the_hint_and_the_check(driver, cast):
    """DEV-10 (local practice) set to 7 working days: a 5-day 公示 no longer opens the
    step, in the hint as in the check; a 7-day one does, from the day after it ends."""
    tighten(cast.committee, "DEV-10", working_days=7)
    d = driver().run(7)
    services.publicity_start(case=d.case, key="target", start=date(2023, 4, 17), working_days=5)
    hint = next_step(d.case, date(2023, 4, 25))
    assert hint.earliest == date(2023, 4, 20)  # DEV-05 alone: the short 公示 does not count
    assert "DEV-10：须先发展对象公示" in hint.reasons
    with pytest.raises(StepRefused) as exc:
        d.step(7, on=date(2023, 4, 25))
    assert [v.code for v in exc.value.violations] == ["DEV-10"]

    full = services.publicity_start(case=d.case, key="target", start=date(2023, 4, 24))
    assert full.working_days == 7
    hint = next_step(d.case, date(2023, 5, 5))
    assert hint.earliest == full.ends_on + timedelta(days=1)
    with pytest.raises(StepRefused) as exc:
        d.step(7, on=full.ends_on)
    assert [(v.code, v.earliest) for v in exc.value.violations] == [("DEV-10", hint.earliest)]
    d.step(7, on=hint.earliest)
    assert d.case.last_step == 7


def test_a_shorter_approval_limit_is_the_hints_deadline_and_the_checks(driver, cast):
    """DEV-12 tightened to 2 months: "due by" is the last day approval passes unchallenged."""
    tighten(cast.committee, "DEV-12", months=2)
    d = driver().run(17)
    hint = next_step(d.case, date(2023, 7, 1))
    assert hint.latest == date(2023, 8, 28)  # 支部大会 28 Jun + 2 months
    with pytest.raises(StepRefused) as exc:
        d.step(17, on=hint.latest + timedelta(days=1))
    assert [v.code for v in exc.value.violations] == ["DEV-12"]
    d.step(17, on=hint.latest)
    assert d.case.last_step == 17
