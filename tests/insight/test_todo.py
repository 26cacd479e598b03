"""The to-do lists each problem once, drops what a later run found resolved, and the trend
does not count what is still due as a problem (regressions from a new user's tour)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from zhibu.committees import services as committee_services
from zhibu.core.rules import Period, Status
from zhibu.core.rules.models import Finding
from zhibu.insight.selectors import monthly_trend
from zhibu.rulebook import summary
from zhibu.rulebook.reminders import open_problems
from zhibu.rulebook.run import rules_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def vacant_all_periods(cast):
    """第一党支部's secretary left a year ago; the nightly runs judged year, quarter, month."""
    today = timezone.localdate()
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(record=post, on=today.replace(year=today.year - 1))
    for kind in ("year", "quarter", "month"):
        rules_run(root=cast.committee, period=Period.containing(kind, today), codes=["ORG-08"])
    return cast


def _org08(user):
    return [f for f in open_problems(user, timezone.localdate()) if f.rule_code == "ORG-08"]


def test_a_snapshot_problem_shows_once_not_once_per_period(vacant_all_periods):
    cast = vacant_all_periods
    assert (
        Finding.objects.filter(rule_code="ORG-08", org=cast.branch1, status=Status.LATE).count()
        == 3
    )
    found = _org08(cast.branch_secretary)
    assert len(found) == 1
    assert found[0].period_code == Period.containing("month", timezone.localdate()).code


def test_a_problem_a_later_run_found_resolved_leaves_the_to_do(vacant_all_periods):
    cast = vacant_all_periods
    today = timezone.localdate()
    committee_services.post_assign(
        org=cast.branch1,
        post="secretary",
        holder=cast.ordinary_member,
        start=today - timedelta(days=1),
    )
    # Only this month is re-run: the year's and quarter's findings still say "late".
    rules_run(root=cast.committee, period=Period.containing("month", today), codes=["ORG-08"])
    assert (
        Finding.objects.filter(rule_code="ORG-08", org=cast.branch1, status=Status.LATE).count()
        == 2
    )
    assert _org08(cast.branch_secretary) == []


def test_the_trend_counts_items_still_due_apart_from_problems(cast):
    month = Period.containing("month", timezone.localdate())
    for status, org in ((Status.DUE, cast.branch1), (Status.LATE, cast.branch2)):
        Finding.objects.create(
            rule_code="MTG-02",
            rule_version=1,
            period_code=month.code,
            period_start=month.start,
            period_end=month.end,
            org=org,
            org_path=org.path,
            subject_id=org.pk,
            status=status,
            computed_at=timezone.now(),
            digest=status,
        )
    summary.rebuild()  # findings written here directly, not by a run
    current = monthly_trend(user=cast.party_secretary, org=cast.committee, period=month)[-1]
    assert (current["month"], current["problems"], current["due"]) == (month.code, 1, 1)
