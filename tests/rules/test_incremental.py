"""The incremental nightly run (zhibu.rulebook.run.Marks): a closed rule-period whose
input tables did not change keeps its findings without being judged, and findings stay
exactly those of a full run — on the demo enterprise and on a synthetic tree, unchanged
and after changes to inputs of closed periods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from tests.factories import record_meeting
from tests.rules import golden
from zhibu.core.rules import Period, registry
from zhibu.core.rules.models import Finding
from zhibu.core.scope import subtree_q
from zhibu.demo import builder as demo
from zhibu.demo.logins import ROOT_CODE
from zhibu.meetings.models import Meeting, MeetingKindRow
from zhibu.orgs.models import Org
from zhibu.rulebook import changes
from zhibu.rulebook.models import RuleMark
from zhibu.rulebook.run import (
    ALWAYS_DATED,
    Marks,
    _evaluate,
    date_field,
    input_tables,
    next_boundaries,
    rules_run,
)
from zhibu.synth import Plan, build

TODAY = golden.TODAY  # 2026-08-20: January to July are closed, August runs
YEAR = Period.parse(golden.YEAR)
ROOTS = (ROOT_CODE, "GLD")


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        demo.build(today=TODAY)
        build(
            Plan(members=360, branches=24, years=1, seed=7, code="GLD", today=TODAY),
            log=lambda _line: None,
        )
        yield
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _findings(root: Org) -> dict[tuple, tuple]:
    rows = Finding.objects.filter(subtree_q([root.path], field="org_path")).values_list(
        "rule_code", "period_code", "org_id", "subject_type", "subject_id", "digest", "status"
    )
    return {row[:5]: row[5:] for row in rows}


def _declared() -> list:
    return [
        rule
        for code in registry.codes()
        for rule in registry.versions(code)
        if rule.reads is not None
    ]


def test_the_triggers_count_every_kind_of_write(data):
    table = Meeting._meta.db_table
    before = changes.counts()[table]
    meeting = Meeting.objects.first()
    Meeting.objects.filter(pk=meeting.pk).update(title=meeting.title)  # bypasses save()
    after_update = changes.counts()[table]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET title = title WHERE id = %s", [meeting.pk])  # noqa: S608
    after_raw = changes.counts()[table]
    assert before < after_update < after_raw
    assert set(changes.tracked_tables()) <= set(changes.counts())
    assert not set(changes.counts()) & changes.UNTRACKED


def test_a_table_without_its_triggers_is_unguarded(data):
    table = MeetingKindRow._meta.db_table
    assert table in changes.counts()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending events: ALTER TABLE
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {changes.PG_TRIGGER}")
        else:
            cursor.execute(f'DROP TRIGGER "zc_{table}_u"')
    try:
        assert table not in changes.counts()
        marks = Marks("0001", None, [], TODAY, False)
        rule = registry.in_force("MTG-06", YEAR.start)
        assert marks.key(rule, Period.parse("2026-01")) is None  # judged every time
    finally:
        changes.install()
    assert table in changes.counts()


def test_every_rule_declares_what_it_reads(data):
    """Every rule declares its tables; each judged alone (no run cache shared with other
    rules) over both trees, for a closed and the running period of its kind, on the day
    and at the year's end: the tables its SQL names are declared."""
    undeclared = [
        code for code in registry.codes() for r in registry.versions(code) if r.reads is None
    ]
    assert not undeclared, undeclared
    for code in ROOTS:
        root = Org.objects.get(code=code)
        orgs = list(Org.objects.filter(subtree_q([root.path])).order_by("path"))
        for rule in _declared():
            kind = rule.period_kind if rule.period_kind != "snapshot" else "quarter"
            for sub in {Period.containing(kind, date(2026, 3, 15)), Period.containing(kind, TODAY)}:
                for today in (TODAY, date(2026, 12, 31)):
                    with changes.traced() as seen:
                        _evaluate(rule, orgs, sub, today, {}, subtree_q([root.path]))
                    assert seen <= input_tables(rule), (rule.code, seen - input_tables(rule))


def test_a_closed_period_does_not_depend_on_today(data):
    """What a declaration promises: a closed period is judged the same on any later day
    (``live_only`` rules are never judged for a closed period)."""
    root = Org.objects.get(code="GLD")
    orgs = list(Org.objects.filter(subtree_q([root.path])).order_by("path"))
    for rule in _declared():
        if rule.live_only:
            continue
        kind = rule.period_kind if rule.period_kind != "snapshot" else "quarter"
        # a yearly rule's closed year is the one before
        sub = Period.containing(kind, date(2025 if kind == "year" else 2026, 3, 15))
        first = _evaluate(rule, orgs, sub, TODAY, {}, subtree_q([root.path]))
        later = _evaluate(rule, orgs, sub, TODAY + timedelta(days=400), {}, subtree_q([root.path]))
        assert [(o.org_id, o.subject_id, o.status, o.numbers) for o in first] == [
            (o.org_id, o.subject_id, o.status, o.numbers) for o in later
        ], rule.code


def _run(root, **kwargs):
    return rules_run(root=root, period=YEAR, today=TODAY, **kwargs)


@pytest.mark.parametrize("code", ROOTS)
def test_an_unchanged_rerun_skips_closed_periods_and_keeps_every_finding(data, code):
    root = Org.objects.get(code=code)
    _run(root, full=True)
    full = _findings(root)
    again = _run(root)
    assert again.skipped > 0
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert _findings(root) == full
    # a forced full run agrees: nothing to write
    forced = _run(root, full=True)
    assert forced.skipped == 0
    assert (forced.created, forced.updated, forced.deleted) == (0, 0, 0)


def test_a_meeting_recorded_in_a_closed_month_is_picked_up(data):
    root = Org.objects.get(code="GLD")
    _run(root, full=True)
    _run(root)
    # a branch without a 主题党日 in a closed month records one
    missing = Finding.objects.filter(
        rule_code="MTG-06", period_code="2026-03", status="missing", org_path__startswith=root.path
    ).first()
    assert missing is not None
    org = Org.objects.get(pk=missing.org_id)
    record_meeting(org, date(2026, 3, 10), kinds=("theme_day",), today=TODAY)
    incremental = _run(root)
    assert incremental.updated >= 1
    assert Finding.objects.get(pk=missing.pk).status != "missing"
    after = _findings(root)
    forced = _run(root, full=True)
    assert (forced.created, forced.updated, forced.deleted) == (0, 0, 0)
    assert _findings(root) == after


def test_a_deleted_meeting_and_an_edited_org_are_picked_up(data):
    root = Org.objects.get(code=ROOT_CODE)
    _run(root, full=True)
    _run(root)
    ok = Finding.objects.filter(
        rule_code="MTG-02",
        period_code="2026-02",
        status="ok",
        org_path__startswith=root.path,
    ).first()
    assert ok is not None
    # deleted in bulk (QuerySet.delete, no service, no signal of the rulebook's)
    Meeting.objects.filter(
        org_id=ok.org_id,
        kind_rows__kind="branch_committee",
        on__gte=date(2026, 2, 1),
        on__lt=date(2026, 3, 1),
    ).delete()
    run = _run(root)
    assert Finding.objects.get(pk=ok.pk).status != "ok"
    assert run.updated >= 1
    after = _findings(root)
    forced = _run(root, full=True)
    assert (forced.created, forced.updated, forced.deleted) == (0, 0, 0)
    assert _findings(root) == after


def test_marks_are_per_scope_and_a_new_rule_version_is_judged_again(data, monkeypatch):
    root = Org.objects.get(code="GLD")
    _run(root, full=True)
    baseline = _run(root).skipped
    scopes = set(RuleMark.objects.values_list("scope", flat=True))
    child = Org.objects.filter(subtree_q([root.path]), depth=root.depth + 1).first()
    assert rules_run(root=child, period=YEAR, today=TODAY).skipped == 0  # a scope of its own
    assert set(RuleMark.objects.values_list("scope", flat=True)) > scopes
    rule = registry.in_force("MTG-06", YEAR.start)
    monkeypatch.setattr(type(rule), "version", rule.version + 1)
    bumped = _run(root)
    assert bumped.skipped == baseline - 12  # MTG-06's months (closed, running and to come)
    assert bumped.updated > 0  # its findings now carry the new version
    assert _run(root).skipped == baseline


def _rule_periods() -> int:
    """How many rule-periods a year's run on ``TODAY`` judges (or keeps)."""
    from zhibu.core.rules.engine import reference_day
    from zhibu.rulebook.run import periods_for_code

    n = 0
    for code in registry.codes():
        for sub in periods_for_code(code, YEAR):
            rule = registry.in_force(code, sub.start) or registry.in_force(
                code, reference_day(sub, TODAY)
            )
            if rule is None:
                continue
            if rule.live_only and reference_day(sub, TODAY) < TODAY:
                continue
            n += 1
    return n


def test_a_second_run_the_same_day_judges_nothing(data):
    """Every rule declares its reads, and a running period's key holds the day: a second
    run of the same day keeps every rule-period, reading the counts and the keys only."""
    from django.test.utils import CaptureQueriesContext

    root = Org.objects.get(code="GLD")
    _run(root, full=True)
    full = _findings(root)
    with CaptureQueriesContext(connection) as queries:
        again = _run(root)
    assert again.evaluated == 0
    assert again.skipped == _rule_periods()
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    # the counts, the orgs, the exemptions, the dated fields' next dates, the keys, the
    # run's row (+ savepoints)
    assert len(queries) <= 13, [q["sql"][:80] for q in queries]
    assert _findings(root) == full


def _judged(monkeypatch) -> set[tuple[str, str]]:
    """The rule-periods the runs after this call judge (rather than keep)."""
    from zhibu.rulebook import run as engine

    seen: set[tuple[str, str]] = set()
    judge = engine._evaluate

    def spy(rule, orgs, sub, today, *args):
        seen.add((rule.code, sub.code))
        return judge(rule, orgs, sub, today, *args)

    monkeypatch.setattr(engine, "_evaluate", spy)
    return seen


def _turns(rule, day: date) -> list:
    labels = {*ALWAYS_DATED, *(rule.dated or ())}
    return sorted(next_boundaries(labels, day).items())


def test_the_next_day_judges_the_running_periods_again(data, monkeypatch):
    """A running period is judged as of today: the next day a rule that depends on the day
    itself (ORG-08's days of vacancy) is judged again; one that declares ``dated`` only
    when one of its dates turned in between; closed periods are kept. Findings equal a
    full run's."""
    root = Org.objects.get(code="GLD")
    _run(root, full=True)
    tomorrow = TODAY + timedelta(days=1)
    judged = _judged(monkeypatch)
    nightly = rules_run(root=root, period=YEAR, today=tomorrow)
    assert 0 < nightly.skipped < _rule_periods()
    running = {
        (code, period)
        for code, period in Finding.objects.filter(
            subtree_q([root.path], field="org_path"), period_end__gt=tomorrow
        ).values_list("rule_code", "period_code")
    }
    assert running
    for code, period in running:
        rule = registry.in_force(code, tomorrow)
        moved = rule.dated is None or _turns(rule, TODAY) != _turns(rule, tomorrow)
        assert ((code, period) in judged) == moved, (code, period)
    assert ("ORG-08", "2026") in judged  # days of vacancy grow every day
    assert any(registry.in_force(code, tomorrow).dated is not None for code, _p in running - judged)
    after = _findings(root)
    forced = rules_run(root=root, period=YEAR, today=tomorrow, full=True)
    assert (forced.created, forced.updated, forced.deleted) == (0, 0, 0)
    assert _findings(root) == after


def test_a_dated_rule_is_judged_again_when_its_date_is_reached(data, monkeypatch):
    """A transfer recorded ahead (the old span ends, the new one starts the day after
    tomorrow) changes who is on the roll that day: the nights before keep the roster rules'
    running year, that night judges it again and matches a full run."""
    from zhibu.members.models import Member, MemberSpan

    root = Org.objects.get(code="GLD")
    branches = list(Org.objects.filter(subtree_q([root.path]), kind="branch").order_by("path")[:2])
    moving = MemberSpan.objects.filter(
        org=branches[0], end__isnull=True, status=Member.Status.FULL, start__lt=TODAY
    ).first()
    day = TODAY + timedelta(days=2)
    MemberSpan.objects.filter(pk=moving.pk).update(end=day)
    MemberSpan.objects.create(
        member_id=moving.member_id, org=branches[1], status=moving.status, start=day
    )
    _run(root, full=True)
    rules_run(root=root, period=YEAR, today=TODAY + timedelta(days=1))
    judged = _judged(monkeypatch)
    rules_run(root=root, period=YEAR, today=day)
    assert {("ORG-02", "2026"), ("EDU-01", "2026")} <= judged
    after = _findings(root)
    forced = rules_run(root=root, period=YEAR, today=day, full=True)
    assert (forced.created, forced.updated, forced.deleted) == (0, 0, 0)
    assert _findings(root) == after


def _outcomes(rule, orgs, root, day: date) -> list[tuple]:
    kind = rule.period_kind if rule.period_kind != "snapshot" else "year"
    sub = Period.containing(kind, day)
    return sorted(
        (
            o.org_id,
            o.subject_type,
            o.subject_id,
            o.status,
            str(o.explanation),
            repr(o.numbers),
            o.refs,
        )
        for o in _evaluate(rule, orgs, sub, day, {}, subtree_q([root.path]))
    )


def _day_mismatches(rule, *, pairs: int = 3) -> tuple[int, list]:
    """Judge ``rule``'s running period on pairs of consecutive days between which none of
    its declared dates turns, over both trees: (pairs compared, pairs that differ)."""
    kind = rule.period_kind if rule.period_kind != "snapshot" else "year"
    compared, differ = 0, []
    for code in ROOTS:
        root = Org.objects.get(code=code)
        orgs = list(Org.objects.filter(subtree_q([root.path])).order_by("path"))
        found = 0
        day = date(2026, 2, 3)
        while found < pairs and day < date(2026, 12, 1):
            after = day + timedelta(days=1)
            same_period = Period.containing(kind, day) == Period.containing(kind, after)
            if same_period and _turns(rule, day) == _turns(rule, after):
                found += 1
                compared += 1
                if _outcomes(rule, orgs, root, day) != _outcomes(rule, orgs, root, after):
                    differ.append((code, day))
                day += timedelta(days=71)  # spread over the year
            else:
                day = after
    return compared, differ


def test_a_dated_rule_depends_on_the_day_only_through_its_dates(data):
    """What ``dated`` promises: on two consecutive days between which none of the
    declared dates (nor the orgs' and supplements') turns, a running period is judged
    alike — on both trees, on days spread over the year."""
    for rule in _declared():
        if rule.dated is None:
            continue
        for label in rule.dated:
            model, _name = date_field(label)  # a date field …
            assert model._meta.db_table in input_tables(rule), (rule.code, label)  # … read
        compared, differ = _day_mismatches(rule)
        assert compared >= 4, rule.code
        assert not differ, (rule.code, differ)


def test_the_day_check_catches_a_rule_that_counts_days(data, monkeypatch):
    """The check above has teeth: ORG-08 counts the days a post is vacant, so declaring
    it ``dated`` would be wrong, and the check says so."""
    rule = registry.in_force("ORG-08", TODAY)
    monkeypatch.setattr(type(rule), "dated", ())
    _compared, differ = _day_mismatches(rule)
    assert differ


def test_a_talk_recorded_today_updates_the_running_year_the_same_day(data):
    """MTG-08 (a yearly rule, the year still running) declares the talks it reads: a talk
    recorded after a run is picked up by the next run of the same day."""
    from zhibu.meetings.models import Talk
    from zhibu.members.models import Member
    from zhibu.members.selectors import spans_on

    ON_ROLL = (Member.Status.FULL, Member.Status.PROBATIONARY)
    root = Org.objects.get(code="GLD")
    _run(root, full=True)
    assert _run(root).evaluated == 0
    finding = (
        Finding.objects.filter(
            subtree_q([root.path], field="org_path"),
            rule_code="MTG-08",
            period_code="2026",
            numbers__covered_pairs=0,
            numbers__members__gte=2,
        )
        .order_by("pk")
        .first()
    )
    assert finding is not None
    a, b = sorted(
        spans_on(TODAY, org_ids=[finding.org_id], statuses=ON_ROLL)
        .values_list("member", flat=True)
        .distinct()
    )[:2]
    Talk.objects.create(org_id=finding.org_id, on=TODAY, member_a_id=a, member_b_id=b, topic="谈心")
    again = _run(root)
    assert again.updated >= 1
    finding.refresh_from_db()
    assert finding.numbers["covered_pairs"] == 1
    after = _findings(root)
    forced = _run(root, full=True)
    assert (forced.created, forced.updated, forced.deleted) == (0, 0, 0)
    assert _findings(root) == after
