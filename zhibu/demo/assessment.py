"""党建考核 in the demo (RESP-04), after the rulebook has run:

- last year's scheme of the 党委 (the standard one), every branch's sheet computed from
  last year's evidence, the manual indicators scored by the 党委组织部, issued in January,
  and confirmed after the appeal window; one branch appealed and was answered;
- one branch graded 差 (its weakest sheet, with the 运行规范 items cut down after the
  special inspection found back-filled minutes — adjustments with reasons, audited as
  any other), and its deductions turned into rectification items (the accountability
  view shows it as a signal);
- this year's scheme with its draft sheets computed from this year's evidence so far.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from zhibu.accounts.models import User
from zhibu.assessment import services
from zhibu.assessment.models import Grade, Line, Scheme, Sheet
from zhibu.demo.clock import at, moment
from zhibu.demo.state import Demo
from zhibu.orgs.models import Org

# Manual indicators: (score out of max, reason) for an ordinary branch and the weak one.
MANUAL_SCORES = {
    "三会一课、谈心谈话、民主评议等制度健全并执行": (Decimal(9), Decimal(4)),
    "组织生活、党员、发展党员等台账档案齐全规范": (Decimal(8), Decimal(3)),
    "党员先锋模范作用发挥": (Decimal(5), Decimal(2)),
    "廉洁教育和廉政风险防控": (Decimal(4), Decimal(2)),
}
MANUAL_REASON = "现场查阅制度文本、台账和会议记录，听取群众意见"
WEAK_REASON = "专项检查发现：支委会、党员大会记录多为事后补记，议题和决定事项不全，经核实不予认定"
APPEAL_TEXT = "本支部 9 月支委会因防汛抢险推迟至 10 月初召开，有会议记录，请予核减扣分。"
APPEAL_ANSWER = "经核实，会议延期未按规定报备，维持原评分。"
MEASURE = "支部委员会逐项研究整改，明确责任人和时限，留存会议记录等佐证材料"


def _score_manual(sheet: Sheet, weak: bool, by) -> None:
    for line in sheet.lines.select_related("indicator").filter(computed__isnull=True):
        normal, low = MANUAL_SCORES.get(line.indicator.title, (line.indicator.max_points, None))
        value = low if weak and low is not None else normal
        services.line_adjust(
            line=line, score=min(value, line.indicator.max_points), reason=MANUAL_REASON, by=by
        )


def _make_poor(sheet: Sheet, scheme: Scheme, by) -> None:
    """Cut the 运行规范 and 活动经常 items (with the inspection's reason) until 差."""
    lines = sheet.lines.select_related("indicator").filter(
        indicator__category__in=["operation", "activities"]
    )
    for line in lines.order_by("indicator__position"):
        sheet.refresh_from_db()
        if sheet.total < scheme.average_min:
            return
        services.line_adjust(line=line, score=Decimal(1), reason=WEAK_REASON, by=by)


def _weakest(scheme: Scheme) -> Sheet | None:
    return scheme.sheets.select_related("org").order_by("total", "org_path").first()


def build(demo: Demo, root: Org) -> None:
    staff = User.objects.filter(username="zuzhibu").first()
    branch_user = User.objects.filter(username="zhibu").first()
    last = demo.today.year - 1
    if staff is None or Scheme.objects.filter(org=root, year=last).exists():
        return
    today = demo.today
    window = 7
    issued_on = min(date(last + 1, 1, 10), today - timedelta(days=window + 2))
    with at(moment(issued_on - timedelta(days=20), 10)):
        scheme = services.scheme_create(
            org=root,
            year=last,
            title=f"{last} 年度党支部规范化建设考核",
            appeal_days=window,
            model_min=Decimal(95),
            standard=True,
            by=staff,
        )
        services.sheets_compute(scheme=scheme, today=issued_on)
    weak = _weakest(scheme)
    with at(moment(issued_on - timedelta(days=3), 15)):
        for sheet in scheme.sheets.all():
            _score_manual(sheet, weak is not None and sheet.pk == weak.pk, staff)
        if weak is not None:
            _make_poor(weak, scheme, staff)
    with at(moment(issued_on, 9)):
        services.sheets_issue(scheme=scheme, on=issued_on)
    appealing = (
        scheme.sheets.filter(org__code="RLJT-RY").first() if branch_user is not None else None
    )
    if appealing is not None and appealing != weak:
        with at(moment(issued_on + timedelta(days=2), 16)):
            appeal = services.appeal_file(
                sheet=appealing,
                text=APPEAL_TEXT,
                by=branch_user,
                today=issued_on + timedelta(days=2),
            )
        with at(moment(issued_on + timedelta(days=4), 10)):
            services.appeal_answer(
                appeal=appeal, answer=APPEAL_ANSWER, by=staff, today=issued_on + timedelta(days=4)
            )
    confirmed_on = issued_on + timedelta(days=window + 1)
    with at(moment(confirmed_on, 11)):
        for sheet in scheme.sheets.all():
            services.sheet_confirm(sheet=sheet, by=staff, today=confirmed_on)
    if weak is not None:
        weak.refresh_from_db()
        assert weak.grade == Grade.POOR, "the demo's weak branch should be graded 差"
        _rectify(weak, staff, today, confirmed_on)
    with at(moment(today, 8)):
        current = services.scheme_create(
            org=root,
            year=today.year,
            title=f"{today.year} 年度党支部规范化建设考核",
            appeal_days=window,
            model_min=Decimal(95),
            standard=True,
            by=staff,
        )
        services.sheets_compute(scheme=current, today=today)


def _rectify(sheet: Sheet, by, today: date, confirmed_on: date) -> None:
    """Each automatic deduction of the 差 sheet becomes a rectification item (at most
    five: the 党委 picks the ones that matter)."""
    lines = Line.objects.filter(sheet=sheet).prefetch_related("deductions")
    deductions = [d for line in lines for d in line.deductions.all()][:5]
    with at(moment(max(confirmed_on, today - timedelta(days=1)), 14)):
        for n, deduction in enumerate(deductions):
            services.deduction_rectify(
                deduction=deduction,
                measure=MEASURE,
                deadline=today + timedelta(days=30 + 15 * n),
                by=by,
                today=today,
            )
