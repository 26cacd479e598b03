"""The nightly run fanned out over the task queue (zhibu.insight.fanout).

The suite's task backend runs each job at once (ImmediateBackend), so ``tick`` here does
the whole night in-process; the database backend with real workers is measured by
``make bench`` ("fan-out: 1 vs 2 workers")."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command

from tests.factories import make_member, make_org
from zhibu.core.rules.models import Finding, RuleRun
from zhibu.core.scope import subtree_q
from zhibu.insight import fanout
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run

TODAY = date(2026, 6, 15)  # three open periods: the month, quarter and year


@pytest.fixture
def tree(cast):
    """The cast's 集团党委 gains two second-level 党委 with branches and members; its own
    党总支 stays attached to it directly."""
    for n in (1, 2):
        second = make_org(cast.committee, Org.Kind.COMMITTEE, f"二级党委{n}", code=f"EJ{n}")
        general = make_org(second, Org.Kind.GENERAL_BRANCH, f"二级党总支{n}", code=f"EZ{n}")
        branch = make_org(general, Org.Kind.BRANCH, f"支部{n}", code=f"EB{n}")
        make_member(branch, f"党员{n}")
    return cast


def _orgs_of(part: fanout.Part) -> list[int]:
    root = Org.objects.get(pk=part.root_id)
    qs = Org.objects.filter(subtree_q([root.path]))
    if part.exclude:
        qs = qs.exclude(subtree_q(part.exclude))
    return list(qs.values_list("pk", flat=True))


def _findings() -> set[tuple]:
    return set(
        Finding.objects.values_list(
            "rule_code", "period_code", "org_id", "subject_type", "subject_id", "status", "digest"
        ).order_by()
    )


def test_the_parts_cover_every_org_exactly_once(tree):
    parts = fanout.plan()
    # Two second-level committees, then each top-level org's own part.
    assert [p.root_code for p in parts] == ["EJ1", "EJ2", "JT", "XD"]
    assert parts[2].exclude and not parts[3].exclude
    counted = Counter(pk for part in parts for pk in _orgs_of(part))
    assert set(counted) == set(Org.objects.values_list("pk", flat=True))
    assert set(counted.values()) == {1}


def test_the_fanned_out_tick_stores_what_one_whole_tree_run_stores(tree):
    call_command("tick", "--date", TODAY.isoformat())
    fanned = _findings()
    assert fanned
    # Each part leaves one run per open period, filed under the part's root.
    runs = Counter(RuleRun.objects.filter(trigger="tick").values_list("org__code", flat=True))
    periods = len(fanout.open_periods(TODAY))
    assert runs == dict.fromkeys(["EJ1", "EJ2", "JT", "XD"], periods)
    # No part wrote a finding outside its own orgs: the runs' counts add up.
    assert sum(RuleRun.objects.values_list("created", flat=True)) == Finding.objects.count()

    Finding.objects.all().delete()
    for top in Org.objects.filter(depth=1):
        for period in fanout.open_periods(TODAY):
            rules_run(root=top, period=period, today=TODAY)
    assert _findings() == fanned


def test_a_part_run_again_writes_nothing(tree):
    part = next(p for p in fanout.plan() if p.root_code == "JT")
    fanout.run_part(part, TODAY)
    again = fanout.run_part(part, TODAY)
    assert [(r.created, r.updated, r.deleted) for r in again] == [(0, 0, 0)] * len(again)


def test_tick_wait_reports_a_failed_part_retries_it_and_fails(tree):
    lines: list[str] = []
    missing = Org.objects.order_by("-pk").first().pk + 1000
    results = [fanout.judge_part.enqueue(missing, [], TODAY.isoformat())]
    failed = fanout.wait(results, retries=1, poll=0, write=lines.append)
    assert len(failed) == 1
    assert len([line for line in lines if "failed" in line]) == 2  # the try and the retry


def test_tick_wait_finishes_inline(tree, capsys):
    call_command("tick", "--date", TODAY.isoformat(), "--wait")
    out = capsys.readouterr().out
    assert "4 part(s) queued" in out
    assert "EJ1 2026" in out
    assert "digests sent" in out
