"""Evaluating rules over a set of orgs (the stored-findings run builds on this)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from zhibu.core.rules.base import Context, Outcome, Rule
from zhibu.core.rules.periods import Period
from zhibu.core.rules.registry import in_force


def reference_day(period: Period | None, today: date) -> date:
    """Judge a past period as of its last day; a running one as of today."""
    if period is None:
        return today
    return min(period.last_day, today)


def applicable_orgs(rule: Rule, orgs: Iterable, period: Period | None, on: date) -> list:
    """The orgs a rule applies to: right kind and sector, and existing during the period."""
    return existing([org for org in orgs if rule.applies_to(org)], period, on)


def existing(orgs: Iterable, period: Period | None, on: date) -> list:
    """The orgs that exist during the period by ``on``: an org founded or dissolved inside
    the period is judged on the part it existed."""
    start = period.start if period else on
    return [
        org
        for org in orgs
        if org.established_on <= on and (org.dissolved_on is None or org.dissolved_on > start)
    ]


def evaluate(
    rule: Rule,
    orgs: Iterable,
    *,
    period: Period | None = None,
    today: date | None = None,
    params: dict[str, int] | None = None,
) -> list[Outcome]:
    today = today or timezone.localdate()
    on = reference_day(period, today)
    targets = applicable_orgs(rule, orgs, period, on)
    if not targets:
        return []
    merged = {**rule.default_params(), **(params or {})}
    ctx = Context(orgs=targets, period=period, on=on, params=merged, today=today)
    return list(rule.evaluate(ctx))


def evaluate_codes(
    codes: Iterable[str], orgs: Iterable, *, on: date | None = None
) -> dict[str, list[Outcome]]:
    """Snapshot rules by code as of ``on`` (today): what the org page shows live."""
    today = on or timezone.localdate()
    orgs = list(orgs)
    results = {}
    for code in codes:
        rule = in_force(code, today)
        if rule is not None:
            results[code] = evaluate(rule, orgs, today=today)
    return results
