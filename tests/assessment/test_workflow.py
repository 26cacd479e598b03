"""Adjust → issue → appeal → answer → confirm, with the refusals: scores outside 0..max,
no reason, a stale version, an appeal after the window, confirming too early."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from tests.assessment.conftest import TODAY, line_of, sheet_of
from zhibu.assessment import services
from zhibu.assessment.models import Grade, Sheet, Standing
from zhibu.assessment.signals import poor_assessments
from zhibu.core.versioning import STALE_EDIT
from zhibu.duties.models import Rectification

pytestmark = pytest.mark.django_db

MANUAL = (
    "三会一课、谈心谈话、民主评议等制度健全并执行",
    "组织生活、党员、发展党员等台账档案齐全规范",
    "党员先锋模范作用发挥",
    "廉洁教育和廉政风险防控",
)


def score_manual(sheet, by, points=("8", "8", "4", "4")):
    for title, value in zip(MANUAL, points, strict=True):
        services.line_adjust(line=line_of(sheet, title), score=value, reason="现场查阅", by=by)


@pytest.mark.parametrize("bad", ["-1", "10.5", "11", "abc", "NaN", ""])
def test_scores_outside_zero_to_max_are_refused(computed, cast, bad):
    line = line_of(sheet_of(computed, cast.branch1), "支部委员会会议每月召开")
    with pytest.raises(ValidationError) as exc:
        services.line_adjust(line=line, score=bad, reason="理由", by=cast.party_secretary)
    assert exc.value.messages[0] in {
        str(services.SCORE_RANGE % {"max": Decimal("10.0")}),
        str(services.SCORE_BAD),
    }
    line.refresh_from_db()
    assert line.score == 4 and not line.adjusted


def test_adjusting_needs_a_reason(computed, cast):
    line = line_of(sheet_of(computed, cast.branch1), "支部委员会会议每月召开")
    with pytest.raises(ValidationError) as exc:
        services.line_adjust(line=line, score="6", reason="  ", by=cast.party_secretary)
    assert exc.value.messages == [str(services.REASON_EMPTY)]
    manual = line_of(sheet_of(computed, cast.branch1), MANUAL[0])
    with pytest.raises(ValidationError) as exc:
        services.line_adjust(line=manual, score="6", reason="", by=cast.party_secretary)
    assert exc.value.messages == [str(services.MANUAL_REASON)]
    line.refresh_from_db()
    assert line.score == 4


def test_a_stale_version_is_refused(computed, cast, time_machine):
    line = line_of(sheet_of(computed, cast.branch1), "支部委员会会议每月召开")
    old = line.updated_at
    time_machine.move_to(datetime(2026, 1, 20, 11, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    services.line_adjust(line=line, score="5", reason="补录", by=cast.party_secretary)
    with pytest.raises(ValidationError) as exc:
        services.line_adjust(
            line=line, score="9", reason="再调", by=cast.party_secretary, version=old
        )
    assert str(STALE_EDIT).split("%")[0] in exc.value.messages[0]
    line.refresh_from_db()
    assert line.score == 5


def test_adjusting_updates_the_total_and_keeps_history(computed, cast):
    sheet = sheet_of(computed, cast.branch1)
    before = sheet.total
    line = line_of(sheet, "支部委员会会议每月召开")
    services.line_adjust(
        line=line, score="7", reason="9 月会议已召开，记录补录", by=cast.party_secretary
    )
    sheet.refresh_from_db()
    assert sheet.total == before + 3
    assert line.history.count() >= 2


def test_appeal_within_the_window_then_answer_and_confirm(computed, cast):
    sheet = sheet_of(computed, cast.branch1)
    score_manual(sheet, cast.party_secretary)
    services.sheet_issue(sheet=sheet, on=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.sheet_confirm(sheet=sheet, by=cast.party_secretary, today=TODAY)
    assert "申诉期" in exc.value.messages[0]
    appeal = services.appeal_file(
        sheet=sheet, text="9 月支委会已召开", by=cast.branch_secretary, today=TODAY + timedelta(3)
    )
    with pytest.raises(ValidationError) as exc:
        services.sheet_confirm(sheet=sheet, by=cast.party_secretary, today=TODAY)
    assert exc.value.messages == [str(services.APPEAL_PENDING)]
    with pytest.raises(ValidationError):
        services.appeal_answer(appeal=appeal, answer=" ", by=cast.party_secretary)
    services.appeal_answer(appeal=appeal, answer="经核实，维持原分", by=cast.party_secretary)
    sheet = services.sheet_confirm(sheet=sheet, by=cast.party_secretary, today=TODAY)
    assert sheet.status == Sheet.Status.CONFIRMED
    # 4 + 5+5+5 + 10+10 + 5+5+4 + 5+3? (no plan) … the computed total plus manual 24
    assert sheet.grade == computed.grade_of(sheet.total)
    assert sheet.standing == computed.standing_of(sheet.total)
    with pytest.raises(ValidationError):
        services.line_adjust(
            line=line_of(sheet, MANUAL[0]), score="1", reason="x", by=cast.party_secretary
        )


def test_appeal_after_the_window_is_refused(computed, cast):
    sheet = sheet_of(computed, cast.branch1)
    services.sheet_issue(sheet=sheet, on=date(2026, 1, 5))
    with pytest.raises(ValidationError) as exc:
        services.appeal_file(sheet=sheet, text="不服", by=cast.branch_secretary, today=TODAY)
    assert exc.value.messages == [str(services.APPEAL_LATE % {"day": date(2026, 1, 12)})]
    assert not sheet.appeals.exists()


def test_appeal_before_issue_and_empty_appeal_are_refused(computed, cast):
    sheet = sheet_of(computed, cast.branch1)
    with pytest.raises(ValidationError):
        services.appeal_file(sheet=sheet, text="不服", by=cast.branch_secretary, today=TODAY)
    services.sheet_issue(sheet=sheet, on=TODAY)
    with pytest.raises(ValidationError) as exc:
        services.appeal_file(sheet=sheet, text=" ", by=cast.branch_secretary, today=TODAY)
    assert exc.value.messages == [str(services.APPEAL_EMPTY)]
    assert not sheet.appeals.exists()


def test_confirm_needs_every_manual_indicator_scored(computed, cast):
    sheet = sheet_of(computed, cast.branch1)
    services.sheet_issue(sheet=sheet, on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.sheet_confirm(sheet=sheet, by=cast.party_secretary, today=TODAY)
    assert "尚有人工评分指标未评分" in exc.value.messages[0]
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.ISSUED and not sheet.grade


@pytest.mark.parametrize(
    ("total", "grade", "standing"),
    [
        (Decimal("95"), Grade.GOOD, Standing.MODEL),
        (Decimal("90"), Grade.GOOD, Standing.MET),
        (Decimal("85"), Grade.FAIRLY_GOOD, Standing.MET),
        (Decimal("79.9"), Grade.AVERAGE, Standing.NOT_MET),
        (Decimal("59.9"), Grade.POOR, Standing.NOT_MET),
    ],
)
def test_grades_and_standing_follow_local_thresholds(scheme, total, grade, standing):
    scheme.model_min = Decimal(95)
    assert scheme.grade_of(total) == grade
    assert scheme.standing_of(total) == standing


def test_a_poor_sheet_is_an_accountability_signal_and_deductions_become_items(computed, cast):
    sheet = sheet_of(computed, cast.branch1)
    score_manual(sheet, cast.party_secretary, ("0", "0", "0", "0"))
    for line in sheet.lines.filter(computed__isnull=False):
        services.line_adjust(line=line, score="2", reason="核减", by=cast.party_secretary)
    services.sheet_issue(sheet=sheet, on=date(2026, 1, 1))
    sheet = services.sheet_confirm(sheet=sheet, by=cast.party_secretary, today=TODAY)
    assert sheet.grade == Grade.POOR
    (signal,) = list(poor_assessments([cast.committee.path], TODAY))
    assert signal.kind == "assessment_poor" and signal.org_id == cast.branch1.pk
    assert signal.key == f"sheet:{sheet.public_id}"
    assert signal.evidence_url == f"/assessment/sheets/{sheet.public_id}/"
    assert list(poor_assessments([cast.other_committee.path], TODAY)) == []
    assert list(poor_assessments([cast.committee.path], date(2026, 1, 19))) == []

    deduction = line_of(sheet, "支部委员会会议每月召开").deductions.first()
    item = services.deduction_rectify(
        deduction=deduction,
        measure="每月召开支委会",
        deadline=date(2026, 3, 31),
        by=cast.party_secretary,
        today=TODAY,
    )
    assert item.source == Rectification.Source.ASSESSMENT
    assert item.source_ref == f"assessment:{deduction.public_id}"
    assert item.org == cast.branch1
    with pytest.raises(ValidationError):
        services.deduction_rectify(
            deduction=deduction, measure="x", deadline=date(2026, 3, 31), today=TODAY
        )
    assert Rectification.objects.filter(source_ref=item.source_ref).count() == 1


def test_signals_count_queries_once(computed, cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(poor_assessments([cast.committee.path], TODAY))


def test_scheme_bad_input(cast, scheme):
    with pytest.raises(ValidationError):
        services.scheme_create(org=cast.committee, year=2025, title="重复", by=None)
    with pytest.raises(ValidationError):
        services.scheme_create(org=cast.branch1, year=2026, title="支部不能制定", by=None)
    with pytest.raises(ValidationError) as exc:
        services.scheme_create(
            org=cast.committee, year=2026, title="x", good_min=Decimal(70), by=None
        )
    assert exc.value.messages == [str(services.THRESHOLDS)]
    assert not cast.committee.pk or not type(scheme).objects.filter(year=2026).exists()
