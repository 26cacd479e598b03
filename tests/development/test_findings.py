"""Development deadlines as findings in the cockpit, set-based over a whole subtree."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_member, make_org
from zhibu.core.models import Finding
from zhibu.core.rules import Period, in_force
from zhibu.core.rules.engine import evaluate
from zhibu.development import services
from zhibu.orgs.models import Org
from zhibu.rulebook.run import rules_run

pytestmark = pytest.mark.django_db


def findings(code, case):
    return Finding.objects.filter(rule_code=code, subject_type="case", subject_id=case.pk)


def test_talk_overdue_after_a_month(cast):
    case = services.case_open(
        org=cast.branch1,
        name="申请人",
        gender="F",
        birth_date=date(1999, 1, 1),
        applied_on=date(2026, 1, 5),
    )
    rules_run(root=cast.committee, period=Period.parse("2026Q1"), today=date(2026, 2, 4))
    assert findings("DEV-02", case).get().status == "due"
    rules_run(root=cast.committee, period=Period.parse("2026Q1"), today=date(2026, 2, 6))
    finding = findings("DEV-02", case).get()
    assert finding.status == "late" and "超过一个月" in finding.text
    assert finding.refs == [f"case:{case.public_id}"]


def test_a_closed_period_keeps_its_case_findings_and_gets_no_new_ones(cast):
    case = services.case_open(
        org=cast.branch1,
        name="申请人",
        gender="F",
        birth_date=date(1999, 1, 1),
        applied_on=date(2026, 1, 5),
    )
    rules_run(root=cast.committee, period=Period.parse("2026Q1"), today=date(2026, 2, 6))
    assert findings("DEV-02", case).get().period_code == "2026Q1"
    # Months later both quarters are closed: the open case must not be filed under 2025,
    # and 2026Q1's finding, stored while the quarter ran, stays as it was.
    for code in ("2025Q4", "2026Q1"):
        rules_run(root=cast.committee, period=Period.parse(code), today=date(2026, 6, 1))
    assert [f.period_code for f in findings("DEV-02", case)] == ["2026Q1"]


def test_approval_and_confirmation_overdue(driver, cast):
    d = driver().run(17)
    rules_run(root=cast.committee, period=Period.parse("2023Q4"), today=date(2023, 10, 1))
    assert findings("DEV-12", d.case).get(period_code="2023Q4").status == "late"
    d.run(23, start=17)
    rules_run(root=cast.committee, period=Period.parse("2024Q3"), today=date(2024, 8, 1))
    assert findings("DEV-14", d.case).get(period_code="2024Q3").status == "late"


def test_review_overdue_for_an_activist(driver, cast):
    d = driver().run(4)
    rules_run(root=cast.committee, period=Period.parse("2022Q4"), today=date(2022, 11, 1))
    assert findings("DEV-04", d.case).get().status == "late"


def test_rushed_batch_admissions_are_flagged(cast):
    from tests.development.conftest import vote

    cases = [
        services.case_open(
            org=cast.branch1,
            name=f"集中{i}",
            gender="M",
            birth_date=date(1995, 1, 1 + i),
            applied_on=date(2023, 1, 3),
        )
        for i in range(6)
    ]
    meeting_votes = [vote(c, date(2025, 12, 20), "admission") for c in cases[:1]]
    meeting = meeting_votes[0].meeting
    from zhibu.meetings.services.decisions import decision_record

    for case in cases[1:]:
        decision_record(
            meeting=meeting,
            title=f"{case.name}入党",
            kind="admission",
            candidate=case.name,
            yes=2,
            no=0,
            abstain=0,
            today=date(2026, 11, 26),
        )
    rules_run(
        root=cast.committee, period=Period.parse("2025"), today=date(2026, 1, 10), codes=["DEV-20"]
    )
    finding = Finding.objects.get(rule_code="DEV-20", org=cast.branch1)
    assert finding.status == "suspect" and "突击发展" in finding.text


@pytest.mark.parametrize(
    "code", ["DEV-02", "DEV-04", "DEV-12", "DEV-14", "DEV-16", "DEV-18", "DEV-21", "DEV-20"]
)
def test_deadline_rules_cost_the_same_queries_for_3_or_30_branches(db, code):
    root = make_org(None, Org.Kind.COMMITTEE, "党委")
    branches = []
    for i in range(30):
        branch = make_org(root, Org.Kind.BRANCH, f"支部{i}")
        make_member(branch, f"书记{i}", birth_date=date(1980, 1, 1 + i % 27))
        services.case_open(
            org=branch,
            name=f"申请人{i}",
            gender="M",
            birth_date=date(1999, 1, 1 + i % 27),
            applied_on=date(2025, 1, 5),
        )
        branches.append(branch)
    rule = in_force(code, date(2025, 6, 30))
    counts = []
    for subset in (branches[:3], branches):
        with CaptureQueriesContext(connection) as queries:
            evaluate(
                rule,
                list(Org.objects.filter(pk__in=[b.pk for b in subset])),
                period=Period.parse("2025"),
                today=date(2025, 6, 30),
            )
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4
