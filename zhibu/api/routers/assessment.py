"""/api/v1/assessment-schemes and /api/v1/assessment-sheets (党建考核, RESP-04): the pages'
services and scoped selectors. An assessor (``assessment.manage`` at the scheme's
organisation) reads every sheet of the scheme and adjusts, answers and confirms; an
organisation reads its own issued sheet and appeals; nobody else sees a sheet (404), and
no endpoint ranks organisations for members (RESP-06). Writes on an existing record take
its ``version`` (or If-Match): a stale one answers 409."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Status

from zhibu.api.errors import ApiError, check_version
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Filters, In, Record, page_of
from zhibu.assessment import selectors, services
from zhibu.assessment.models import Sheet
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent

schemes_router = Router(tags=["assessment"])
sheets_router = Router(tags=["assessment"])


# --- schemes -------------------------------------------------------------------------------


class IndicatorOut(Record):
    id: UUID
    category: str
    title: str
    basis: str
    max_points: Decimal
    source: str = Field(..., description="manual 或自动评分来源（finding、tasks_late …）")
    params: dict


class SchemeOut(Record):
    id: UUID
    org_id: UUID
    org_name: str
    year: int
    title: str
    appeal_days: int
    good_min: Decimal
    fairly_good_min: Decimal
    average_min: Decimal
    standard_min: Decimal
    model_min: Decimal | None
    version: str

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class SchemeDetailOut(SchemeOut):
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(obj):
        return list(obj.indicators.all())


SchemePage = page_of(SchemeOut)


class SchemeFilters(Filters):
    year: int | None = Field(None, ge=1900, le=2999)
    cursor: str | None = None
    limit: int = 50


@schemes_router.get("", response={200: SchemePage, **ERRORS}, summary="考核方案列表（考核组织）")
def list_schemes(request, filters: Query[SchemeFilters]):
    qs = selectors.managed_schemes(request.user).select_related("org")
    if filters.year:
        qs = qs.filter(year=filters.year)
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@schemes_router.get("/{scheme_id}", response={200: SchemeDetailOut, **ERRORS}, summary="考核方案")
def get_scheme(request, scheme_id: UUID):
    return selectors.scheme_for_user(request.user, scheme_id)


# --- sheets --------------------------------------------------------------------------------


class DeductionOut(Record):
    id: UUID
    points: Decimal
    text: str
    ref: str = Field(..., description="依据记录，如 finding:<id>、task:<id>")
    url: str = Field(..., description="打开依据记录的页面地址")


class LineOut(Record):
    id: UUID
    indicator_id: UUID
    category: str
    title: str
    max_points: Decimal
    computed: Decimal | None = Field(..., description="系统计算得分；人工评分指标为空")
    score: Decimal | None
    adjusted: bool
    reason: str
    version: str
    deductions: list[DeductionOut]

    @staticmethod
    def resolve_indicator_id(obj):
        return obj.indicator.public_id

    @staticmethod
    def resolve_category(obj):
        return obj.indicator.category

    @staticmethod
    def resolve_title(obj):
        return obj.indicator.title

    @staticmethod
    def resolve_max_points(obj):
        return obj.indicator.max_points

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()

    @staticmethod
    def resolve_deductions(obj):
        return list(obj.deductions.all())


class AppealOut(Record):
    id: UUID
    line_id: UUID | None
    text: str
    on: date
    answer: str
    answered_on: date | None

    @staticmethod
    def resolve_line_id(obj):
        return obj.line.public_id if obj.line_id else None


class SheetOut(Record):
    id: UUID
    scheme_id: UUID
    year: int
    org_id: UUID
    org_name: str
    status: str
    total: Decimal
    issued_on: date | None
    appeal_deadline: date | None
    confirmed_on: date | None
    grade: str = Field(..., description="good/fairly_good/average/poor；确认前为空")
    standing: str = Field(..., description="model/met/not_met（规范化）；确认前为空")
    version: str = Field(..., description="乐观锁版本：确认时原样提交")

    @staticmethod
    def resolve_scheme_id(obj):
        return obj.scheme.public_id

    @staticmethod
    def resolve_year(obj):
        return obj.scheme.year

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class SheetDetailOut(SheetOut):
    lines: list[LineOut]
    appeals: list[AppealOut]

    @staticmethod
    def resolve_lines(obj):
        return selectors.sheet_lines(obj)

    @staticmethod
    def resolve_appeals(obj):
        return list(obj.appeals.select_related("line"))


SheetPage = page_of(SheetOut)


class SheetFilters(Filters):
    scheme: UUID | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    cursor: str | None = None
    limit: int = 50


class AdjustIn(In):
    score: Decimal = Field(..., description="0 到该指标分值之间，一位小数")
    reason: str = Field(..., max_length=2000)
    version: str | None = Field(None, description="该得分行的版本")


class AppealIn(In):
    text: str = Field(..., max_length=5000)
    line: UUID | None = Field(None, description="申诉的指标得分行；空：整张考核表")


class AnswerIn(In):
    answer: str = Field(..., max_length=5000)


class ConfirmIn(In):
    version: str | None = None


@sheets_router.get(
    "",
    response={200: SheetPage, **ERRORS},
    summary="考核表列表（考核组织：全部；被考核组织：本组织）",
)
def list_sheets(request, filters: Query[SheetFilters]):
    qs = selectors.visible_sheets(request.user).select_related("scheme", "org")
    if filters.scheme:
        qs = qs.filter(scheme__public_id=filters.scheme)
    if filters.year:
        qs = qs.filter(scheme__year=filters.year)
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@sheets_router.get("/{sheet_id}", response={200: SheetDetailOut, **ERRORS}, summary="考核表")
def get_sheet(request, sheet_id: UUID):
    return selectors.sheet_for_user(request.user, sheet_id)


def _assessed(request, sheet_id: UUID) -> Sheet:
    sheet = selectors.sheet_for_user(request.user, sheet_id)
    if not selectors.is_assessor(request.user, sheet):
        raise ApiError(403)
    return sheet


@sheets_router.post(
    "/{sheet_id}/lines/{line_id}/adjust",
    response={200: SheetDetailOut, **ERRORS},
    summary="评分或调整得分（须写理由；乐观锁）",
)
def adjust_line(request, sheet_id: UUID, line_id: UUID, payload: AdjustIn):
    sheet = _assessed(request, sheet_id)
    line = sheet.lines.select_related("indicator").filter(public_id=line_id).first()
    if line is None:
        raise Http404
    check_version(request, line, payload.version)
    saved = services.line_adjust(
        line=line, score=payload.score, reason=payload.reason, by=request.user
    )
    audit_record(
        kind=AuditEvent.Kind.OVERRIDE,
        summary=f"调整考核得分 {sheet.org.name} {line.indicator.title}",
        request=request,
        obj=saved,
        org_path=sheet.org_path,
        details={
            "sheet": str(sheet.public_id),
            "computed": str(saved.computed),
            "before": str(saved.before),
            "score": str(saved.score),
            "reason": saved.reason,
        },
    )
    return selectors.sheet_for_user(request.user, sheet_id)


@sheets_router.post(
    "/{sheet_id}/appeal",
    response={201: AppealOut, **ERRORS},
    summary="被考核组织申诉（下发后申诉期内）",
)
def appeal(request, sheet_id: UUID, payload: AppealIn):
    sheet = selectors.sheet_for_user(request.user, sheet_id)
    if not selectors.can_appeal(request.user, sheet):
        raise ApiError(403)
    line = None
    if payload.line:
        line = sheet.lines.filter(public_id=payload.line).first()
        if line is None:
            raise Http404
    return Status(
        201, services.appeal_file(sheet=sheet, text=payload.text, line=line, by=request.user)
    )


@sheets_router.post(
    "/{sheet_id}/appeals/{appeal_id}/answer",
    response={200: AppealOut, **ERRORS},
    summary="答复申诉（考核组织）",
)
def answer_appeal(request, sheet_id: UUID, appeal_id: UUID, payload: AnswerIn):
    sheet = _assessed(request, sheet_id)
    found = sheet.appeals.filter(public_id=appeal_id).first()
    if found is None:
        raise Http404
    return services.appeal_answer(appeal=found, answer=payload.answer, by=request.user)


@sheets_router.post(
    "/{sheet_id}/issue", response={200: SheetDetailOut, **ERRORS}, summary="下发考核表（乐观锁）"
)
def issue_sheet(request, sheet_id: UUID, payload: ConfirmIn):
    sheet = _assessed(request, sheet_id)
    check_version(request, sheet, payload.version)
    services.sheet_issue(sheet=sheet, on=timezone.localdate())
    return selectors.sheet_for_user(request.user, sheet_id)


@sheets_router.post(
    "/{sheet_id}/confirm",
    response={200: SheetDetailOut, **ERRORS},
    summary="确认考核结果并评定等次（乐观锁）",
)
def confirm_sheet(request, sheet_id: UUID, payload: ConfirmIn):
    sheet = _assessed(request, sheet_id)
    check_version(request, sheet, payload.version)
    sheet = services.sheet_confirm(sheet=sheet, by=request.user)
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        summary=f"确认考核结果 {sheet.org.name} {sheet.scheme.year}",
        request=request,
        obj=sheet,
        org_path=sheet.org_path,
        details={"total": str(sheet.total), "grade": sheet.grade, "standing": sheet.standing},
    )
    return selectors.sheet_for_user(request.user, sheet_id)
