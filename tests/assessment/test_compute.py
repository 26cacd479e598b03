"""Draft sheets computed from the evidence (RESP-04): each deduction ties to its record,
scores stay in 0..max, and the computation is set-based (a fixed number of queries)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.assessment.conftest import TODAY, line_of, sheet_of
from tests.factories import make_org
from zhibu.assessment import services
from zhibu.assessment.models import Indicator, Sheet
from zhibu.development.models import DevPlan, DevPlanQuota
from zhibu.orgs.models import Org

pytestmark = pytest.mark.django_db


def test_one_draft_sheet_per_branch_of_the_subtree(computed, cast):
    orgs = set(computed.sheets.values_list("org__name", flat=True))
    assert orgs == {"第一党支部", "第二党支部"}
    assert all(s.status == Sheet.Status.DRAFT for s in computed.sheets.all())
    assert computed.indicators.count() == len(services.STANDARD_INDICATORS)
    assert sum(i.max_points for i in computed.indicators.all()) == 100


def test_missing_committee_months_deduct_two_points_each_and_open_their_findings(
    computed, cast, evidence
):
    line = line_of(sheet_of(computed, cast.branch1), "支部委员会会议每月召开")
    assert line.computed == line.score == Decimal("4.0")  # 10 − 3 × 2
    urls = sorted(d.url for d in line.deductions.all())
    assert urls == sorted(f"/duties/findings/{f.pk}/" for f in evidence["mtg02"])
    assert {d.ref for d in line.deductions.all()} == {f"finding:{f.pk}" for f in evidence["mtg02"]}
    # exempted, ok, last year's and another committee's findings cost nothing
    assert line_of(sheet_of(computed, cast.branch2), "支部委员会会议每月召开").score == 10


def test_a_finding_below_the_branch_counts_for_the_branch(computed, cast, evidence):
    line = line_of(sheet_of(computed, cast.branch1), "党员集体学习学时达标")
    assert line.score == 4
    assert line.deductions.get().url == f"/duties/findings/{evidence['edu'].pk}/"


def test_late_tasks_and_overdue_rectifications_deduct_with_links(computed, cast, evidence):
    sheet = sheet_of(computed, cast.branch2)
    task_line = line_of(sheet, "责任书任务按期完成")
    assert task_line.score == 8
    assert task_line.deductions.get().url == f"/duties/tasks/{evidence['task'].public_id}/"
    rect_line = line_of(sheet, "整改事项按期销号")
    assert rect_line.score == 3
    assert rect_line.deductions.get().url == f"/duties/{evidence['item'].public_id}/"


def test_deductions_are_capped_at_the_indicator_maximum(scheme, cast):
    from tests.assessment.conftest import finding

    for m in range(1, 13):
        finding(cast.branch1, "MTG-02", f"2025-{m:02d}")
    services.sheets_compute(scheme=scheme, today=TODAY)
    line = line_of(sheet_of(scheme, cast.branch1), "支部委员会会议每月召开")
    assert line.score == 0 and line.deductions.count() == 12


def test_development_plan_shortfall(scheme, cast):
    plan = DevPlan.objects.create(committee=cast.committee, year=2025, quota=3)
    DevPlanQuota.objects.create(plan=plan, org=cast.branch1, quota=2)
    services.sheets_compute(scheme=scheme, today=TODAY)
    line = line_of(sheet_of(scheme, cast.branch1), "完成年度发展党员计划")
    assert line.score == 1  # 5 − 2 places × 2
    assert line.deductions.get().url == "/development/plan/?year=2025"


def test_manual_indicators_wait_for_the_assessor(computed, cast):
    sheet = sheet_of(computed, cast.branch1)
    line = line_of(sheet, "组织生活、党员、发展党员等台账档案齐全规范")
    assert line.computed is None and line.score is None
    auto = sum((x.score or 0) for x in sheet.lines.all())
    assert sheet.total == auto


def test_recompute_keeps_adjustments_and_leaves_issued_sheets(computed, cast, evidence):
    sheet1, sheet2 = sheet_of(computed, cast.branch1), sheet_of(computed, cast.branch2)
    line = line_of(sheet1, "支部委员会会议每月召开")
    services.line_adjust(line=line, score="6", reason="4 月会议记录已补录", by=cast.party_secretary)
    services.sheet_issue(sheet=sheet2, on=TODAY)
    evidence["task"].delete()
    services.sheets_compute(scheme=computed, today=TODAY)
    line.refresh_from_db()
    assert line.score == 6 and line.computed == 4 and line.deductions.count() == 3
    assert line_of(sheet2, "责任书任务按期完成").score == 8  # issued: untouched


def test_unknown_rule_code_refused_for_finding_indicators(scheme):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.indicator_add(
            scheme=scheme,
            category="operation",
            title="x",
            max_points=Decimal(5),
            source="finding",
            params={"rule": " "},
        )
    assert str(services.RULE_MISSING) in exc.value.messages
    with pytest.raises(ValidationError):
        services.indicator_add(
            scheme=scheme, category="operation", title="x", max_points=Decimal(0)
        )
    with pytest.raises(ValidationError):
        services.indicator_add(
            scheme=scheme, category="operation", title="x", max_points=Decimal(5), source="nope"
        )
    assert not scheme.indicators.filter(title="x").exists()
    assert Indicator.objects.filter(scheme=scheme).count() == len(services.STANDARD_INDICATORS)


def test_computing_is_set_based(scheme, cast, evidence):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            services.sheets_compute(scheme=scheme, today=TODAY)
        return len(ctx.captured_queries)

    count()  # sheets exist from here on
    few = count()
    for n in range(6):
        branch = make_org(cast.general_branch, Org.Kind.BRANCH, f"新党支部{n}", code=f"XB{n}")
        from tests.assessment.conftest import finding

        finding(branch, "MTG-02", "2025-06")
    count()  # creates the new sheets
    assert count() == few
    # One query per automatic indicator plus a fixed twelve (and, on PostgreSQL, ANALYZE of
    # the three tables written in bulk).
    automatic = Indicator.objects.filter(scheme=scheme).exclude(source=Indicator.MANUAL).count()
    analyze = 3 if connection.vendor == "postgresql" else 0
    assert few == automatic + 12 + analyze


def test_only_branches_that_existed_in_the_year(scheme, cast):
    make_org(
        cast.general_branch,
        Org.Kind.BRANCH,
        "新建党支部",
        code="NEW",
        established_on=date(2026, 1, 5),
    )
    services.sheets_compute(scheme=scheme, today=TODAY)
    assert not scheme.sheets.filter(org__name="新建党支部").exists()
    assert not scheme.sheets.filter(org=cast.group1).exists()
