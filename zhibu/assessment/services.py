"""Writes of the assessment: schemes and their indicators, computing the draft sheets from
the evidence, adjusting, issuing, appeals, confirming, and turning a deduction into a
rectification item (RESP-04, RESP-05)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from zhibu.assessment import sources
from zhibu.assessment.models import Appeal, Category, Deduction, Indicator, Line, Scheme, Sheet
from zhibu.core.scope import subtree_q
from zhibu.core.versioning import check_version
from zhibu.duties.models import Rectification
from zhibu.duties.services.rectification import rectification_create
from zhibu.orgs.models import Org

NOT_COMMITTEE = _("考核方案由党委或党总支制定。")
SCHEME_EXISTS = _("该组织本年度已有考核方案。")
TITLE_EMPTY = _("请填写方案名称。")
THRESHOLDS = _("等次分数线应满足：好 ≥ 较好 ≥ 一般。")
UNKNOWN_SOURCE = _("未知的评分方式。")
MAX_POINTS = _("分值应大于 0 且不超过 100。")
RULE_MISSING = _("请填写规则编号。")
SCHEME_IN_USE = _("已有考核表下发或确认，不能再修改指标。")
NOT_EMPTY = _("方案已有指标，不能再载入标准方案。")
SCORE_RANGE = _("得分应在 0 到 %(max)s 分之间。")
SCORE_BAD = _("请填写有效的分数。")
REASON_EMPTY = _("调整得分须写明理由。")
MANUAL_REASON = _("人工评分须写明评分理由或佐证。")
SHEET_CONFIRMED = _("考核表已确认，不能再修改。")
NOT_DRAFT = _("只有草稿状态的考核表可以下发。")
NOT_ISSUED = _("考核表尚未下发，不能申诉。")
APPEAL_LATE = _("申诉期限已过（%(day)s 截止），不能再申诉。")
APPEAL_EMPTY = _("请填写申诉理由。")
ANSWER_EMPTY = _("请填写答复意见。")
ANSWERED = _("该申诉已答复。")
APPEAL_PENDING = _("尚有申诉未答复，不能确认。")
WINDOW_OPEN = _("申诉期（至 %(day)s）尚未结束，且本组织未提出申诉，暂不能确认。")
MANUAL_UNSCORED = _("尚有人工评分指标未评分：%(titles)s。")
CONFIRM_NOT_ISSUED = _("考核表下发后才能确认。")
ALREADY_RECTIFYING = _("该扣分已转为整改事项。")
NOUN_LINE = _("考核得分")
NOUN_SHEET = _("考核表")


# --- schemes ---------------------------------------------------------------------------------


@transaction.atomic
def scheme_create(
    *,
    org: Org,
    year: int,
    title: str,
    appeal_days: int = 7,
    good_min: Decimal = Decimal(90),
    fairly_good_min: Decimal = Decimal(80),
    average_min: Decimal = Decimal(60),
    standard_min: Decimal = Decimal(80),
    model_min: Decimal | None = None,
    standard: bool = False,
    by=None,
) -> Scheme:
    if org.kind not in Org.COMMITTEE_KINDS:
        raise ValidationError({"org": NOT_COMMITTEE})
    if not title.strip():
        raise ValidationError({"title": TITLE_EMPTY})
    if Scheme.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": SCHEME_EXISTS})
    scheme = Scheme(
        org=org,
        year=year,
        title=title.strip(),
        appeal_days=appeal_days,
        good_min=good_min,
        fairly_good_min=fairly_good_min,
        average_min=average_min,
        standard_min=standard_min,
        model_min=model_min,
        created_by=by,
    )
    _check_thresholds(scheme)
    scheme.full_clean(exclude=["created_by"])
    scheme.save()
    if standard:
        standard_load(scheme=scheme)
    return scheme


def _check_thresholds(scheme: Scheme) -> None:
    if not (scheme.good_min >= scheme.fairly_good_min >= scheme.average_min):
        raise ValidationError({"good_min": THRESHOLDS})


@transaction.atomic
def scheme_update(*, scheme: Scheme, version=None, by=None, **fields) -> Scheme:
    """Title, appeal window and thresholds (the local parameters); version-checked."""
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    check_version(scheme, version, noun=_("考核方案"))
    for name, value in fields.items():
        setattr(scheme, name, value)
    if not scheme.title.strip():
        raise ValidationError({"title": TITLE_EMPTY})
    _check_thresholds(scheme)
    scheme.full_clean(exclude=["created_by", "org"])
    scheme.save()
    return scheme


# The standard scheme (标准方案): 100 points over the eight groups; automatic where the
# evidence decides, manual where only the assessor can judge. Editable after loading.
# (category, title, max, source, params, basis)
STANDARD_INDICATORS: tuple[tuple[str, str, int, str, dict, str], ...] = (
    (
        Category.ORGANISATION,
        "按期换届",
        5,
        "finding",
        {"rule": "ORG-05", "per": 5},
        "任期届满未换届扣 5 分（ORG-05）",
    ),
    (
        Category.ORGANISATION,
        "书记配备",
        5,
        "finding",
        {"rule": "ORG-08", "per": 5},
        "书记空缺超过规定期限扣 5 分（ORG-08）",
    ),
    (
        Category.ORGANISATION,
        "支部委员会设置",
        5,
        "finding",
        {"rule": "ORG-04", "per": 5},
        "应设支委会而未设扣 5 分（ORG-04）",
    ),
    (
        Category.SYSTEMS,
        "三会一课、谈心谈话、民主评议等制度健全并执行",
        10,
        "manual",
        {},
        "查阅制度文本和执行记录",
    ),
    (
        Category.OPERATION,
        "支部委员会会议每月召开",
        10,
        "finding",
        {"rule": "MTG-02", "per": 2},
        "每缺 1 个月扣 2 分（MTG-02）",
    ),
    (
        Category.OPERATION,
        "支部党员大会每季度召开",
        10,
        "finding",
        {"rule": "MTG-01", "per": 3},
        "每缺 1 个季度扣 3 分（MTG-01）",
    ),
    (
        Category.ACTIVITIES,
        "主题党日每月开展",
        5,
        "finding",
        {"rule": "MTG-06", "per": 1},
        "每缺 1 个月扣 1 分（MTG-06）",
    ),
    (
        Category.ACTIVITIES,
        "党课按期讲授",
        5,
        "finding",
        {"rule": "MTG-04", "per": 2},
        "每缺 1 次扣 2 分（MTG-04）",
    ),
    (
        Category.ACTIVITIES,
        "党员集体学习学时达标",
        5,
        "finding",
        {"rule": "EDU-01", "per": 1},
        "每有 1 名党员学时不足扣 1 分（EDU-01）",
    ),
    (
        Category.RECORDS,
        "组织生活、党员、发展党员等台账档案齐全规范",
        10,
        "manual",
        {},
        "现场查阅台账档案",
    ),
    (
        Category.ROLE,
        "完成年度发展党员计划",
        5,
        "development_plan",
        {"per": 2},
        "每少发展 1 名扣 2 分（DEV-20）",
    ),
    (Category.ROLE, "党员先锋模范作用发挥", 5, "manual", {}, "结合群众评价和工作实绩评分"),
    (
        Category.INTEGRITY,
        "整改事项按期销号",
        5,
        "rectifications_overdue",
        {"per": 2},
        "每有 1 项逾期扣 2 分（RESP-05）",
    ),
    (Category.INTEGRITY, "廉洁教育和廉政风险防控", 5, "manual", {}, "查阅廉洁教育记录"),
    (
        Category.CENTRAL,
        "责任书任务按期完成",
        10,
        "tasks_late",
        {"per": 2},
        "每有 1 项逾期扣 2 分（RESP-02）",
    ),
)


@transaction.atomic
def standard_load(*, scheme: Scheme) -> int:
    """Fill an empty scheme with the standard indicators."""
    if scheme.indicators.exists():
        raise ValidationError(NOT_EMPTY)
    Indicator.objects.bulk_create(
        Indicator(
            scheme=scheme,
            category=category,
            title=title,
            max_points=Decimal(points),
            source=source,
            params=params,
            basis=basis,
            position=n,
        )
        for n, (category, title, points, source, params, basis) in enumerate(STANDARD_INDICATORS)
    )
    return len(STANDARD_INDICATORS)


def _frozen(scheme: Scheme) -> bool:
    return scheme.sheets.exclude(status=Sheet.Status.DRAFT).exists()


@transaction.atomic
def indicator_add(
    *,
    scheme: Scheme,
    category: str,
    title: str,
    max_points: Decimal,
    source: str = Indicator.MANUAL,
    params: dict | None = None,
    basis: str = "",
) -> Indicator:
    if _frozen(scheme):
        raise ValidationError(SCHEME_IN_USE)
    if not (Decimal(0) < max_points <= Decimal(100)):
        raise ValidationError({"max_points": MAX_POINTS})
    params = dict(params or {})
    if source != Indicator.MANUAL:
        kind = sources.kind_of(source)
        if kind is None:
            raise ValidationError({"source": UNKNOWN_SOURCE})
        params = kind.with_defaults(params)
        if source == "finding" and not str(params.get("rule", "")).strip():
            raise ValidationError({"rule": RULE_MISSING})
    position = scheme.indicators.count()
    indicator = Indicator(
        scheme=scheme,
        category=category,
        title=title.strip(),
        max_points=max_points,
        source=source,
        params=params,
        basis=basis.strip(),
        position=position,
    )
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> None:
    if _frozen(indicator.scheme):
        raise ValidationError(SCHEME_IN_USE)
    indicator.delete()


# --- computing the draft sheets --------------------------------------------------------------


def orgs_in_scope(scheme: Scheme):
    """The organisations assessed: the branches below the scheme's organisation that
    existed at some time in the year."""
    start, end = date(scheme.year, 1, 1), date(scheme.year, 12, 31)
    return (
        Org.objects.filter(subtree_q([scheme.org.path]), kind__in=Org.BRANCH_KINDS)
        .exclude(pk=scheme.org_id)
        .filter(established_on__lte=end)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=start))
        .order_by("path")
    )


@dataclass
class ComputeResult:
    sheets: int
    created: int
    deductions: int


def _clamp(value: Decimal, top: Decimal) -> Decimal:
    return max(Decimal(0), min(top, value))


@transaction.atomic
def sheets_compute(*, scheme: Scheme, today: date | None = None) -> ComputeResult:
    """Compute (or recompute) every draft sheet of ``scheme`` from the evidence, set-based:
    one query per automatic indicator for all organisations, plus a fixed number of reads
    and bulk writes. Issued and confirmed sheets are left as they are; a line the assessor
    adjusted keeps its score (its deductions are refreshed)."""
    today = today or timezone.localdate()
    orgs = list(orgs_in_scope(scheme))
    indicators = list(scheme.indicators.all())
    existing = {s.org_id: s for s in scheme.sheets.all()}
    new = [Sheet(scheme=scheme, org=o, org_path=o.path) for o in orgs if o.pk not in existing]
    bulk_create_with_history(new, Sheet, batch_size=500)
    if new:
        existing = {s.org_id: s for s in scheme.sheets.all()}
    drafts = [s for s in existing.values() if s.status == Sheet.Status.DRAFT]
    draft_orgs = [o for o in orgs if o.pk in {s.org_id for s in drafts}]
    hits: dict[int, dict[int, list[sources.Hit]]] = {}
    for indicator in indicators:
        kind = None if indicator.is_manual else sources.kind_of(indicator.source)
        if kind is not None and draft_orgs:
            hits[indicator.pk] = kind.collect(
                draft_orgs, scheme.year, kind.with_defaults(indicator.params), today
            )
    lines = {
        (line.sheet_id, line.indicator_id): line for line in Line.objects.filter(sheet__in=drafts)
    }
    Deduction.objects.filter(line__sheet__in=drafts).delete()
    to_create, to_update = [], []
    for sheet in drafts:
        for indicator in indicators:
            line = lines.get((sheet.pk, indicator.pk))
            if line is None:
                line = Line(sheet=sheet, indicator=indicator)
                to_create.append(line)
            else:
                to_update.append(line)
            if indicator.pk in hits:
                owed = hits[indicator.pk].get(sheet.org_id, [])
                line.computed = _clamp(
                    indicator.max_points - sum((h.points for h in owed), Decimal(0)),
                    indicator.max_points,
                )
                if not line.adjusted:
                    line.score = line.computed
            elif not indicator.is_manual:  # an unknown kind (its app removed): nothing owed
                line.computed = indicator.max_points
                if not line.adjusted:
                    line.score = line.computed
    bulk_create_with_history(to_create, Line, batch_size=1000)
    now = timezone.now()
    for line in to_update:
        line.updated_at = now
    Line.objects.bulk_update(to_update, ["computed", "score", "updated_at"], batch_size=500)
    by_key = {(line.sheet_id, line.indicator_id): line for line in [*to_create, *to_update]}
    deductions = [
        Deduction(
            line=by_key[(sheet.pk, indicator_id)],
            points=h.points,
            text=h.text[:300],
            ref=h.ref[:80],
            url=h.url[:300],
        )
        for sheet in drafts
        for indicator_id, per_org in hits.items()
        for h in per_org.get(sheet.org_id, [])
    ]
    Deduction.objects.bulk_create(deductions, batch_size=1000)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for line in by_key.values():
        totals[line.sheet_id] += line.score or Decimal(0)
    for sheet in drafts:
        sheet.total, sheet.computed_at, sheet.updated_at = totals[sheet.pk], now, now
    Sheet.objects.bulk_update(drafts, ["total", "computed_at", "updated_at"], batch_size=500)
    Scheme.objects.filter(pk=scheme.pk).update(computed_at=now)
    _analyze(["assessment_line", "assessment_deduction", "assessment_sheet"])
    return ComputeResult(len(drafts), len(new), len(deductions))


def _analyze(tables: list[str]) -> None:
    """Bulk writes refresh the planner's statistics on PostgreSQL (as the rule runs do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


def _sheet_total(sheet: Sheet) -> Decimal:
    return sum((s or Decimal(0) for s in sheet.lines.values_list("score", flat=True)), Decimal(0))


# --- adjusting, issuing, appeals, confirming --------------------------------------------------


def parse_score(value) -> Decimal:
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": SCORE_BAD}) from None
    if not score.is_finite():
        raise ValidationError({"score": SCORE_BAD})
    if abs(score) > 1000:  # far outside any indicator (and beyond what quantize can hold)
        return score
    return score.quantize(Decimal("0.1"))


@transaction.atomic
def line_adjust(*, line: Line, score, reason: str, by, version=None) -> Line:
    """The assessor sets a line's score with a reason (manual scoring or an adjustment of
    the computed score). Refused outside 0..max, without a reason, on a confirmed sheet,
    or over a newer change (``version``)."""
    line = Line.objects.select_for_update().select_related("indicator", "sheet").get(pk=line.pk)
    check_version(line, version, noun=NOUN_LINE)
    if line.sheet.status == Sheet.Status.CONFIRMED:
        raise ValidationError(SHEET_CONFIRMED)
    value = parse_score(score)
    top = line.indicator.max_points
    if value < 0 or value > top:
        raise ValidationError({"score": SCORE_RANGE % {"max": top}})
    if not reason.strip():
        raise ValidationError(
            {"reason": MANUAL_REASON if line.indicator.is_manual else REASON_EMPTY}
        )
    before = line.score
    line.score, line.adjusted, line.reason, line.adjusted_by = value, True, reason.strip(), by
    line.save()
    sheet = line.sheet
    sheet.total = _sheet_total(sheet)
    sheet.save(update_fields=["total", "updated_at"])
    line.before = before  # for the caller's audit record
    return line


@transaction.atomic
def sheet_issue(*, sheet: Sheet, on: date, version=None) -> Sheet:
    """下发: the organisation now sees its sheet; the appeal window runs from ``on``."""
    sheet = Sheet.objects.select_for_update().select_related("scheme").get(pk=sheet.pk)
    check_version(sheet, version, noun=NOUN_SHEET)
    if sheet.status != Sheet.Status.DRAFT:
        raise ValidationError(NOT_DRAFT)
    sheet.status, sheet.issued_on = Sheet.Status.ISSUED, on
    sheet.save()
    return sheet


@transaction.atomic
def sheets_issue(*, scheme: Scheme, on: date) -> int:
    """下发 every draft sheet of the scheme at once."""
    return Sheet.objects.filter(scheme=scheme, status=Sheet.Status.DRAFT).update(
        status=Sheet.Status.ISSUED, issued_on=on, updated_at=timezone.now()
    )


@transaction.atomic
def appeal_file(
    *, sheet: Sheet, text: str, by, line: Line | None = None, today: date | None = None
) -> Appeal:
    """申诉 by the assessed organisation, within the scheme's window after 下发."""
    today = today or timezone.localdate()
    sheet = Sheet.objects.select_for_update().select_related("scheme").get(pk=sheet.pk)
    if sheet.status != Sheet.Status.ISSUED:
        raise ValidationError(SHEET_CONFIRMED if sheet.confirmed_on else NOT_ISSUED)
    deadline = sheet.appeal_deadline
    if deadline is not None and today > deadline:
        raise ValidationError(APPEAL_LATE % {"day": deadline})
    if not text.strip():
        raise ValidationError({"text": APPEAL_EMPTY})
    appeal = Appeal(sheet=sheet, line=line, text=text.strip(), by=by, on=today)
    appeal.full_clean(exclude=["by", "line"])
    appeal.save()
    sheet.save(update_fields=["updated_at"])
    return appeal


@transaction.atomic
def appeal_answer(*, appeal: Appeal, answer: str, by, today: date | None = None) -> Appeal:
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.answered:
        raise ValidationError(ANSWERED)
    if not answer.strip():
        raise ValidationError({"answer": ANSWER_EMPTY})
    appeal.answer, appeal.answered_by = answer.strip(), by
    appeal.answered_on = today or timezone.localdate()
    appeal.save()
    Sheet.objects.filter(pk=appeal.sheet_id).update(updated_at=timezone.now())
    return appeal


@transaction.atomic
def sheet_confirm(*, sheet: Sheet, by, version=None, today: date | None = None) -> Sheet:
    """确认: graded by the scheme's thresholds, 规范化 status follows. Refused while an
    appeal waits for its answer, while the window is still open and unused, or while a
    manual indicator is unscored."""
    today = today or timezone.localdate()
    sheet = Sheet.objects.select_for_update().select_related("scheme").get(pk=sheet.pk)
    check_version(sheet, version, noun=NOUN_SHEET)
    if sheet.status == Sheet.Status.CONFIRMED:
        raise ValidationError(SHEET_CONFIRMED)
    if sheet.status != Sheet.Status.ISSUED:
        raise ValidationError(CONFIRM_NOT_ISSUED)
    appeals = list(sheet.appeals.all())
    if any(not a.answered for a in appeals):
        raise ValidationError(APPEAL_PENDING)
    deadline = sheet.appeal_deadline
    if not appeals and deadline is not None and today <= deadline:
        raise ValidationError(WINDOW_OPEN % {"day": deadline})
    unscored = list(
        sheet.lines.filter(score__isnull=True).values_list("indicator__title", flat=True)
    )
    if unscored:
        raise ValidationError(MANUAL_UNSCORED % {"titles": "、".join(unscored)})
    total = _sheet_total(sheet)
    sheet.total = total
    sheet.grade = sheet.scheme.grade_of(total)
    sheet.standing = sheet.scheme.standing_of(total)
    sheet.status, sheet.confirmed_on, sheet.confirmed_by = Sheet.Status.CONFIRMED, today, by
    sheet.save()
    return sheet


@transaction.atomic
def deduction_rectify(
    *,
    deduction: Deduction,
    measure: str,
    deadline: date,
    owner=None,
    by=None,
    today: date | None = None,
) -> Rectification:
    """A deduction becomes a rectification item in the duties loop (source 党建考核)."""
    if Rectification.objects.filter(source_ref=deduction.rectification_ref).exists():
        raise ValidationError(ALREADY_RECTIFYING)
    line = deduction.line
    sheet = line.sheet
    return rectification_create(
        org=sheet.org,
        problem=f"{line.indicator.title}：{deduction.text}（扣 {deduction.points} 分）",
        measure=measure,
        deadline=deadline,
        owner=owner,
        source=Rectification.Source.ASSESSMENT,
        source_ref=deduction.rectification_ref,
        source_label=f"{sheet.scheme.year} {sheet.scheme.title}"[:200],
        by=by,
        today=today,
    )


def default_deadline(today: date) -> date:
    return today + timedelta(days=90)
