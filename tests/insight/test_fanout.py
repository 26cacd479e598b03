"""The nightly run fanned out over the task queue (zhibu.insight.fanout).

The suite's task backend runs each job at once (ImmediateBackend), so ``tick`` here does
the whole night in-process; the database backend with real workers is measured by
``make bench`` ("fan-out: 1 vs 2 workers")."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import make_member, make_org
from zhibu.core.rules.models import Finding, RuleRun
from zhibu.core.scope import runs, subtree_q
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
    if part.only is not None:
        qs = qs.filter(subtree_q(part.only))
    if part.exclude:
        qs = qs.exclude(subtree_q(part.exclude))
    return list(qs.values_list("pk", flat=True))


def _findings() -> set[tuple]:
    return set(
        Finding.objects.values_list(
            "rule_code", "period_code", "org_id", "subject_type", "subject_id", "status", "digest"
        ).order_by()
    )


@pytest.mark.parametrize("count", [1, 2, 3, 10])
def test_the_parts_cover_every_org_exactly_once(tree, count):
    parts = fanout.plan(count)
    counted = Counter(pk for part in parts for pk in _orgs_of(part))
    assert set(counted) == set(Org.objects.values_list("pk", flat=True))
    assert set(counted.values()) == {1}
    # 集团党委 has two second-level committees (at most three parts); 兄弟党委 none.
    assert Counter(p.root_code for p in parts) == {"JT": min(count, 3), "XD": 1}


def test_each_part_is_one_path_range_of_consecutive_children_balanced_by_size(tree):
    jt = Org.objects.get(code="JT")
    children = list(
        Org.objects.filter(subtree_q([jt.path]), depth=2)
        .order_by("path")
        .values_list("path", flat=True)
    )
    sizes = {c: Org.objects.filter(subtree_q([c])).count() for c in children}
    for count in (2, 3):
        parts = [p for p in fanout.plan(count) if p.root_code == "JT"]
        own, rest = parts[0], parts[1:]
        assert own.only is None and [p.exclude for p in rest] == [()] * len(rest)
        groups = [p.only for p in rest]
        # The children, in order, cut into runs; the first part excludes the others'.
        assert own.exclude == tuple(c for g in groups for c in g)
        first = children[: children.index(groups[0][0])]
        assert [*first, *(c for g in groups for c in g)] == children
        for narrowing in (own.exclude, *groups):
            assert len(runs(narrowing)) == 1  # one range condition per part
        loads = [1 + sum(sizes[c] for c in first)] + [sum(sizes[c] for c in g) for g in groups]
        assert len(loads) == count
        # No cut could move a child to make the heaviest part lighter than one child.
        assert max(loads) - min(loads) <= max(sizes.values())


def test_the_fanned_out_tick_stores_what_one_whole_tree_run_stores(tree):
    call_command("tick", "--date", TODAY.isoformat())
    fanned = _findings()
    assert fanned
    # Each part leaves one run per open period, filed under the part's root.
    runs = Counter(RuleRun.objects.filter(trigger="tick").values_list("org__code", flat=True))
    periods = len(fanout.open_periods(TODAY))
    assert runs == {"JT": 3 * periods, "XD": periods}  # the default 4 parts: JT has 3
    # No part wrote a finding outside its own orgs: the runs' counts add up.
    assert sum(RuleRun.objects.values_list("created", flat=True)) == Finding.objects.count()

    Finding.objects.all().delete()  # by hand: a full run (a part's scope may be the tree's)
    for top in Org.objects.filter(depth=1):
        for period in fanout.open_periods(TODAY):
            rules_run(root=top, period=period, today=TODAY, full=True)
    assert _findings() == fanned


def test_a_part_run_again_writes_nothing(tree):
    part = next(p for p in fanout.plan() if p.root_code == "JT" and p.exclude)
    fanout.run_part(part, TODAY)
    again = fanout.run_part(part, TODAY)
    assert [(r.created, r.updated, r.deleted) for r in again] == [(0, 0, 0)] * len(again)
    assert all(r.skipped for r in again)  # the same day: kept, not judged
    # tick --full: every rule-period judged again, and still nothing to write
    forced = fanout.run_part(part, TODAY, full=True)
    assert [(r.skipped, r.created, r.updated, r.deleted) for r in forced] == [(0, 0, 0, 0)] * len(
        forced
    )
    assert all(r.evaluated for r in forced)


def test_tick_wait_reports_a_failed_part_retries_it_and_fails(tree):
    lines: list[str] = []
    missing = Org.objects.order_by("-pk").first().pk + 1000
    results = [fanout.judge_part.enqueue(missing, None, [], TODAY.isoformat())]
    failed = fanout.wait(results, retries=1, poll=0, write=lines.append)
    assert len(failed) == 1
    assert len([line for line in lines if "failed" in line]) == 2  # the try and the retry


def test_tick_refuses_zero_parts(tree):
    with pytest.raises(CommandError, match="至少为 1"):
        call_command("tick", "--parts", "0")


def test_tick_wait_finishes_inline(tree, capsys):
    call_command("tick", "--date", TODAY.isoformat(), "--wait")
    out = capsys.readouterr().out
    assert "4 part(s) queued" in out
    assert "JT[1 二级党委] 2026" in out
    assert "digests sent" in out


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a worker process needs a shared database"
)
@pytest.mark.django_db(transaction=True)
def test_a_real_db_worker_takes_the_queued_parts():
    """The database backend for real: ``tick`` queues the parts in the task table and a
    ``db_worker`` process (``--batch``: until the queue is empty) runs them and finishes."""
    top = make_org(None, Org.Kind.COMMITTEE, "真实党委", code="ZS")
    for n in (1, 2):
        second = make_org(top, Org.Kind.COMMITTEE, f"真实二级党委{n}", code=f"ZS{n}")
        make_member(make_org(second, Org.Kind.BRANCH, f"真实支部{n}", code=f"ZSB{n}"), "党员")
    db = connection.settings_dict
    env = {
        **os.environ,
        "ZHIBU_ENV": "development",
        "ZHIBU_DEBUG": "0",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    env.pop("ZHIBU_REPLICA_URL", None)
    manage = [sys.executable, "manage.py"]
    queued = subprocess.run(
        [*manage, "tick", "--date", TODAY.isoformat(), "--parts", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "2 part(s) queued" in queued.stdout
    subprocess.run(
        [*manage, "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT task_path, status FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
        )
        rows = cursor.fetchall()
    assert [status for _, status in rows] == ["SUCCESSFUL"] * 3
    assert rows[-1][0] == "zhibu.insight.fanout.tick_finish"
    periods = len(fanout.open_periods(TODAY))
    assert RuleRun.objects.filter(org=top, trigger="tick").count() == 2 * periods
    assert Finding.objects.filter(org_path__startswith=top.path).exists()
