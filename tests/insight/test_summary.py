"""The cockpit's summary table says exactly what a direct count of the findings says —
after a first run, a run on a subtree, changed and deleted findings, and exemptions."""

from __future__ import annotations

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from zhibu.committees import services as committee_services
from zhibu.core.rules import Period
from zhibu.core.rules.models import Exemption, Finding
from zhibu.core.scope import subtree_q
from zhibu.insight import selectors
from zhibu.orgs.models import Org
from zhibu.rulebook import summary
from zhibu.rulebook.models import FindingSummary
from zhibu.rulebook.run import rerun_for_exemption, rules_run
from zhibu.rulebook.services import exemption_request

pytestmark = pytest.mark.django_db


def direct(org: Org, period: Period) -> Counter:
    """The cockpit's counts as the findings themselves give them (the old aggregate)."""
    width = len(org.path) + Org.steplen
    rows = (
        Finding.objects.filter(subtree_q([org.path], field="org_path"))
        .filter(selectors.period_q(period))
        .annotate(prefix=Substr("org_path", 1, width))
        .values_list("prefix", "rule_code", "status")
        .annotate(n=Count("id"))
    )
    return Counter({(p if len(p) == width else org.path, c, s): n for p, c, s, n in rows})


def table() -> set[tuple]:
    return set(
        FindingSummary.objects.values_list(
            "org_path", "depth", "rule_code", "period_code", "status", "own", "total"
        )
    )


def periods_around(day: date) -> list[Period]:
    year = Period.containing("year", day)
    return [year, *year.split("quarter"), *year.split("month")]


def assert_summary_matches(orgs, periods) -> None:
    """Every org's cockpit counts and trend from the summary equal the direct ones, and
    the incrementally kept table equals one rebuilt from scratch."""
    for org in orgs:
        for period in periods:
            via_summary = Counter(
                {(p, c, s): n for p, c, s, n in selectors.summary_counts(org, period)}
            )
            assert via_summary == direct(org, period), (org.name, period.code)
    kept = table()
    summary.rebuild()  # nothing to correct
    assert table() == kept
    FindingSummary.objects.all().delete()
    summary.rebuild()  # from scratch
    assert table() == kept


@pytest.fixture
def year():
    return Period.containing("year", timezone.localdate())


def test_summary_follows_runs_subtree_runs_changes_and_deletions(cast, year):
    orgs = list(Org.objects.order_by("path"))
    periods = periods_around(timezone.localdate())
    rules_run(root=cast.committee, period=year)
    rules_run(root=cast.other_committee, period=year)
    assert FindingSummary.objects.exists()
    assert_summary_matches(orgs, periods)

    # A change below: the branch's secretary leaves, a run on the branch alone changes
    # and deletes findings.
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(record=post, on=timezone.localdate().replace(day=1))
    before = Counter(
        {(p, c, s): n for p, c, s, n in selectors.summary_counts(cast.committee, year)}
    )
    run = rules_run(root=cast.branch1, period=year)
    assert run.updated and run.deleted  # findings changed and findings deleted
    after = Counter({(p, c, s): n for p, c, s, n in selectors.summary_counts(cast.committee, year)})
    assert after != before  # the committee above the branch saw the change
    assert_summary_matches(orgs, periods)

    # A run of some rules for a month only.
    month = Period.containing("month", timezone.localdate())
    rules_run(root=cast.general_branch, period=month, codes=["ORG-08", "MTG-01"])
    assert_summary_matches(orgs, periods)

    # Running again changes nothing.
    kept = table()
    rules_run(root=cast.committee, period=year)
    assert table() == kept


def test_summary_follows_exemptions(cast, year):
    quarter = Period.containing("quarter", timezone.localdate())
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(
        record=post, on=timezone.localdate().replace(year=timezone.localdate().year - 1)
    )
    rules_run(root=cast.committee, period=quarter)
    late = Finding.objects.filter(rule_code="ORG-08", org=cast.branch1).exclude(status="ok")
    assert late.exists()
    exemption = exemption_request(
        org=cast.branch1,
        rule_code="ORG-08",
        start=quarter.start,
        end=quarter.last_day,
        reason="换届筹备中",
        by=cast.party_secretary,  # who may approve it: approved at once
    )
    rerun_for_exemption(exemption, by=cast.party_secretary)
    exemption.refresh_from_db()
    assert exemption.state == Exemption.State.APPROVED
    assert Finding.objects.filter(rule_code="ORG-08", org=cast.branch1, status="exempt").exists()
    assert_summary_matches(list(Org.objects.order_by("path")), periods_around(quarter.start))


def test_cockpit_reads_the_summary_and_caches_the_matrix(cast, year, login):
    rules_run(root=cast.committee, period=year)
    client = login(cast.party_secretary)
    url = reverse("insight:cockpit")
    params = {"org": cast.committee.public_id, "period": year.code}
    first = client.get(url, params).content.decode()
    # Counts come from the summary: emptied, the page would say so — but the cached
    # matrix is kept until a run changes findings.
    cached = client.get(url, params).content.decode()
    assert "ORG-08" in first and first.count("zb-cell") == cached.count("zb-cell")
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(record=post, on=timezone.localdate().replace(day=1))
    rules_run(root=cast.branch1, period=year)
    fresh = client.get(url, params).content.decode()
    matrix = selectors.cockpit_matrix(user=cast.party_secretary, org=cast.committee, period=year)
    assert f"{matrix.total.problems}/{matrix.total.total}" in fresh


def test_rebuild_command_restores_the_summary(cast, year):
    rules_run(root=cast.committee, period=year)
    kept = table()
    FindingSummary.objects.all().delete()
    call_command("summary_rebuild", stdout=StringIO())
    assert table() == kept


def test_the_cache_version_changes_with_the_counts_of_the_subtree_only(cast, year):
    rules_run(root=cast.committee, period=year)
    rules_run(root=cast.other_committee, period=year)
    orgs = (cast.committee, cast.branch1, cast.branch2, cast.other_committee)
    before = {org.code: selectors.cockpit_version(org) for org in orgs}
    rules_run(root=cast.committee, period=year)  # nothing changes
    assert {org.code: selectors.cockpit_version(org) for org in orgs} == before
    post = cast.branch1.posts.get(post="secretary")
    committee_services.post_end(record=post, on=timezone.localdate().replace(day=1))
    rules_run(root=cast.branch1, period=year)
    after = {org.code: selectors.cockpit_version(org) for org in orgs}
    assert after["JT"] != before["JT"] and after["ZB1"] != before["ZB1"]
    assert after["ZB2"] == before["ZB2"] and after["XD"] == before["XD"]
