"""/api/v1/supervisions (督办), /api/v1/rectifications (整改, RESP-05) and
/api/v1/inspections (检查巡察): the same services, scoping and errors as the pages — 404
outside scope, 403 for a visible record the role may not change, 409 for a stale
``version`` (body or If-Match), 422 with a Chinese message for refused input."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Status

from zhibu.accounts import permissions
from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, OrgRecord, Record, page_of
from zhibu.duties.models import Inspection, Rectification, Supervision
from zhibu.duties.selectors import rectification as rect_selectors
from zhibu.duties.selectors import supervision as sup_selectors
from zhibu.duties.selectors.evidence import evidence_for
from zhibu.duties.services import rectification as rect_services
from zhibu.duties.services import supervision as sup_services
from zhibu.duties.services.evidence import ref_of
from zhibu.duties.targets import target_for
from zhibu.members.selectors import visible_members
from zhibu.orgs.selectors import org_for_user

VIEW, WRITE = "finding.view", "meeting.record"

supervisions = Router(tags=["supervisions"])
rectifications = Router(tags=["rectifications"])
inspections = Router(tags=["inspections"])


class EvidenceOut(Record):
    id: UUID
    name: str
    content_type: str
    size: int
    uploaded_at: datetime

    @staticmethod
    def resolve_name(obj):
        return obj.original_name


# --- 督办 --------------------------------------------------------------------------------


class SupervisionEntryOut(Record):
    id: UUID
    kind: str
    text: str
    by: str | None
    at: datetime

    @staticmethod
    def resolve_by(obj):
        return str(obj.by) if obj.by_id else None


class SupervisionOut(OrgRecord):
    id: UUID
    org_id: UUID
    org_name: str
    by_org_id: UUID
    by_org_name: str
    target: str = Field(..., description="督办对象：<kind>:<编号>，如 rectification:<uuid>")
    target_label: str
    level: int = Field(..., description="1 提醒、2 督办、3 约谈建议")
    level_label: str
    request: str
    opened_on: date
    working_days: int
    reply_due: date
    status: str
    escalated_on: date | None
    closed_on: date | None
    version: str

    @staticmethod
    def resolve_by_org_id(obj):
        return obj.by_org.public_id

    @staticmethod
    def resolve_by_org_name(obj):
        return obj.by_org.name

    @staticmethod
    def resolve_target(obj):
        return obj.target_ref

    @staticmethod
    def resolve_level_label(obj):
        return str(obj.get_level_display())

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class SupervisionDetailOut(SupervisionOut):
    entries: list[SupervisionEntryOut]
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_entries(obj):
        return list(obj.entries.select_related("by"))

    @staticmethod
    def resolve_evidence(obj):
        return evidence_for(ref_of("supervision", obj))


SupervisionPage = page_of(SupervisionOut)


class SupervisionFilters(Filters):
    org: UUID | None = None
    status: Supervision.Status | None = None
    level: int | None = None
    target: str = ""
    cursor: str | None = None
    limit: int = 50


class SupervisionIn(In):
    target: str = Field(
        ..., max_length=80, description="<kind>:<编号>：finding、rectification、task …"
    )
    request: str = Field(..., max_length=2000)
    level: int = Field(1, ge=1, le=3)
    working_days: int = Field(sup_services.DEFAULT_DAYS, description="1–30 个工作日")
    reply_due: Day | None = Field(None, description="不填则按工作日计算")


class ReplyIn(In):
    text: str = Field(..., max_length=4000)
    version: str | None = None


class DecideIn(In):
    accept: bool
    note: str = Field("", max_length=2000)
    working_days: int | None = None
    version: str | None = None


def _supervision(request, supervision_id: UUID) -> Supervision:
    return sup_selectors.supervision_for_user(request.user, supervision_id)


@supervisions.get("", response={200: SupervisionPage, **ERRORS}, summary="督办单列表")
def list_supervisions(request, filters: Query[SupervisionFilters]):
    require_anywhere(request.user, VIEW)
    org = org_for_user(request.user, filters.org) if filters.org else None
    qs = sup_selectors.supervision_list(
        user=request.user,
        status=filters.status or "",
        level=filters.level,
        org=org,
        target_ref=filters.target,
    ).select_related("org", "by_org")
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@supervisions.post("", response={201: SupervisionDetailOut, **ERRORS}, summary="发出督办单")
def open_supervision(request, payload: SupervisionIn):
    require_anywhere(request.user, VIEW)
    target = target_for(request.user, payload.target)
    if not sup_selectors.can_open(request.user, target):
        raise ApiError(403)
    item = sup_services.supervision_open(
        target=target,
        request=payload.request,
        level=payload.level,
        working_days=payload.working_days,
        reply_due=payload.reply_due,
        by=request.user,
    )
    return Status(201, _supervision(request, item.public_id))


@supervisions.get(
    "/{supervision_id}", response={200: SupervisionDetailOut, **ERRORS}, summary="督办单详情"
)
def get_supervision(request, supervision_id: UUID):
    return _supervision(request, supervision_id)


@supervisions.post(
    "/{supervision_id}/reply",
    response={200: SupervisionDetailOut, **ERRORS},
    summary="回复督办（责任组织；佐证文件在页面上传）",
)
def reply_supervision(request, supervision_id: UUID, payload: ReplyIn):
    item = _supervision(request, supervision_id)
    check_version(request, item, payload.version)
    sup_services.supervision_reply(supervision=item, text=payload.text, by=request.user)
    return _supervision(request, supervision_id)


@supervisions.post(
    "/{supervision_id}/decide",
    response={200: SupervisionDetailOut, **ERRORS},
    summary="审核回复：通过办结，或要求重新回复",
)
def decide_supervision(request, supervision_id: UUID, payload: DecideIn):
    item = _supervision(request, supervision_id)
    if not sup_selectors.can_decide(request.user, item):
        raise ApiError(403)
    check_version(request, item, payload.version)
    sup_services.supervision_decide(
        supervision=item,
        accept=payload.accept,
        note=payload.note,
        working_days=payload.working_days,
        by=request.user,
    )
    return _supervision(request, supervision_id)


class EscalateIn(In):
    note: str = Field("", max_length=2000)
    version: str | None = None


@supervisions.post(
    "/{supervision_id}/escalate",
    response={200: SupervisionDetailOut, **ERRORS},
    summary="升级督办（提醒→督办→约谈建议；逾期未回复的每晚自动升级）",
)
def escalate_supervision(request, supervision_id: UUID, payload: EscalateIn):
    item = _supervision(request, supervision_id)
    if not sup_selectors.can_decide(request.user, item):
        raise ApiError(403)
    check_version(request, item, payload.version)
    sup_services.supervision_escalate(supervision=item, note=payload.note, by=request.user)
    return _supervision(request, supervision_id)


# --- 整改 --------------------------------------------------------------------------------


class RectificationOut(OrgRecord):
    id: UUID
    org_id: UUID
    org_name: str
    source: str
    source_ref: str
    source_label: str
    problem: str
    measure: str
    owner_id: UUID | None
    owner_name: str | None
    deadline: date
    status: str
    evidence: str
    closed_on: date | None
    rechecked_on: date | None
    recheck_note: str
    reopened: int
    finding_rule: str
    finding_period: str
    version: str

    @staticmethod
    def resolve_owner_id(obj):
        return obj.owner.public_id if obj.owner_id else None

    @staticmethod
    def resolve_owner_name(obj):
        return obj.owner.name if obj.owner_id else None

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class RectificationDetailOut(RectificationOut):
    evidence_files: list[EvidenceOut]
    supervisions: list[SupervisionOut]

    @staticmethod
    def resolve_evidence_files(obj):
        return evidence_for(ref_of("rectification", obj))

    @staticmethod
    def resolve_supervisions(obj):
        return sup_selectors.supervisions_of(ref_of("rectification", obj))


RectificationPage = page_of(RectificationOut)


class RectificationFilters(Filters):
    org: UUID | None = None
    status: Rectification.Status | None = None
    source: Rectification.Source | None = None
    cursor: str | None = None
    limit: int = 50


class RectificationIn(In):
    org: UUID
    problem: str = Field(..., max_length=4000)
    measure: str = Field(..., max_length=4000)
    deadline: Day
    owner: UUID | None = None


class FromFindingIn(In):
    finding: int = Field(..., description="检查结果编号（GET /api/v1/findings 的 id）")
    measure: str = Field(..., max_length=4000)
    deadline: Day
    problem: str = Field("", max_length=4000, description="不填则用检查结果的说明和依据")
    owner: UUID | None = None


class CloseIn(In):
    evidence: str = Field(..., max_length=4000)
    on: Day
    version: str | None = None


class RecheckIn(In):
    passed: bool = Field(
        True, description="由检查结果转来的事项不带 manual 时忽略此项：重新检查决定是否通过"
    )
    manual: bool = Field(
        False,
        description="由检查结果转来的事项：人工复查（仅在检查期间结束后允许，须写复查意见）",
    )
    on: Day | None = None
    note: str = Field("", max_length=300)
    version: str | None = None


def _item(request, item_id: UUID, action: str = VIEW) -> Rectification:
    return rect_selectors.item_for_user(request.user, item_id, action=action)


def _owner(request, org, owner_id: UUID | None):
    if owner_id is None:
        return None
    owner = visible_members(request.user).filter(public_id=owner_id).select_related("org").first()
    if owner is None:
        raise ApiError(404)
    return owner


@rectifications.get("", response={200: RectificationPage, **ERRORS}, summary="整改事项列表")
def list_rectifications(request, filters: Query[RectificationFilters]):
    require_anywhere(request.user, VIEW)
    org = org_for_user(request.user, filters.org) if filters.org else None
    qs = rect_selectors.item_list(user=request.user, status=filters.status or "", org=org)
    if filters.source:
        qs = qs.filter(source=filters.source)
    items, cursor = page(
        qs.select_related("org", "owner"), cursor=filters.cursor, limit=filters.limit
    )
    return {"items": items, "next_cursor": cursor}


@rectifications.post("", response={201: RectificationDetailOut, **ERRORS}, summary="登记整改事项")
def create_rectification(request, payload: RectificationIn):
    require_anywhere(request.user, WRITE)
    org = org_for_user(request.user, payload.org, action=WRITE)
    item = rect_services.rectification_create(
        org=org,
        problem=payload.problem,
        measure=payload.measure,
        deadline=payload.deadline,
        owner=_owner(request, org, payload.owner),
        by=request.user,
    )
    return Status(201, _item(request, item.public_id))


@rectifications.post(
    "/from-finding",
    response={201: RectificationDetailOut, **ERRORS},
    summary="检查结果转为整改（重新检查不再发现该问题时自动复查通过）",
)
def rectification_from_finding(request, payload: FromFindingIn):
    require_anywhere(request.user, WRITE)
    finding = target_for(request.user, f"finding:{payload.finding}").record
    if not permissions.can(request.user, WRITE, finding.org):
        raise ApiError(403)
    item = rect_services.rectification_from_finding(
        finding=finding,
        measure=payload.measure,
        deadline=payload.deadline,
        problem=payload.problem,
        owner=_owner(request, finding.org, payload.owner),
        by=request.user,
    )
    return Status(201, _item(request, item.public_id))


@rectifications.get(
    "/{item_id}", response={200: RectificationDetailOut, **ERRORS}, summary="整改事项详情"
)
def get_rectification(request, item_id: UUID):
    return _item(request, item_id)


@rectifications.post(
    "/{item_id}/close",
    response={200: RectificationDetailOut, **ERRORS},
    summary="销号（须有整改成效和佐证；乐观锁）",
)
def close_rectification(request, item_id: UUID, payload: CloseIn):
    item = _item(request, item_id, WRITE)
    check_version(request, item, payload.version)
    rect_services.rectification_close(
        item=item, evidence=payload.evidence, on=payload.on, by=request.user
    )
    return _item(request, item_id)


@rectifications.post(
    "/{item_id}/recheck",
    response={200: RectificationDetailOut, **ERRORS},
    summary="复查：上级复查；由检查结果转来的事项重新检查（期间结束后可 manual 人工复查）",
)
def recheck_rectification(request, item_id: UUID, payload: RecheckIn):
    item = _item(request, item_id)
    check_version(request, item, payload.version)
    if item.from_finding and not payload.manual:
        if not permissions.can(request.user, "rules.run", item.org):
            raise ApiError(403)
        rect_services.rectification_recheck_finding(item=item, by=request.user)
        return _item(request, item_id)
    if not rect_selectors.can_recheck(request.user, item):
        raise ApiError(403)
    rect_services.rectification_recheck(
        item=item,
        passed=payload.passed,
        on=payload.on or timezone.localdate(),
        note=payload.note,
        by=request.user,
    )
    return _item(request, item_id)


# --- 检查巡察 -----------------------------------------------------------------------------


class InspectionOut(OrgRecord):
    id: UUID
    org_id: UUID
    org_name: str
    kind: str
    title: str
    on: date
    inspectors: str
    summary: str
    problems: list[RectificationOut]

    @staticmethod
    def resolve_problems(obj):
        return list(
            Rectification.objects.filter(
                source_ref=rect_services.inspection_ref(obj)
            ).select_related("org", "owner")
        )


InspectionPage = page_of(InspectionOut)


class InspectionFilters(Filters):
    org: UUID | None = None
    cursor: str | None = None
    limit: int = 50


class InspectionIn(In):
    org: UUID
    kind: Inspection.Kind = Inspection.Kind.CHECK
    title: str = Field(..., max_length=200)
    on: Day
    inspectors: str = Field("", max_length=200)
    summary: str = Field("", max_length=4000)


class ProblemIn(In):
    problem: str = Field(..., max_length=4000)
    measure: str = Field(..., max_length=4000)
    deadline: Day
    owner: UUID | None = None


def _inspection(request, inspection_id: UUID) -> Inspection:
    found = (
        Inspection.objects.filter(permissions.scope_q(request.user, VIEW, field="org__path"))
        .select_related("org")
        .filter(public_id=inspection_id)
        .first()
    )
    if found is None:
        raise ApiError(404)
    return found


@inspections.get("", response={200: InspectionPage, **ERRORS}, summary="检查巡察列表")
def list_inspections(request, filters: Query[InspectionFilters]):
    require_anywhere(request.user, VIEW)
    qs = Inspection.objects.filter(
        permissions.scope_q(request.user, VIEW, field="org__path")
    ).select_related("org")
    if filters.org:
        org = org_for_user(request.user, filters.org)
        qs = qs.filter(org__path__startswith=org.path)
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@inspections.post("", response={201: InspectionOut, **ERRORS}, summary="登记检查巡察")
def create_inspection(request, payload: InspectionIn):
    require_anywhere(request.user, WRITE)
    org = org_for_user(request.user, payload.org, action=WRITE)
    item = rect_services.inspection_create(
        org=org, by=request.user, **payload.dict(exclude={"org"})
    )
    return Status(201, _inspection(request, item.public_id))


@inspections.get(
    "/{inspection_id}", response={200: InspectionOut, **ERRORS}, summary="检查巡察详情"
)
def get_inspection(request, inspection_id: UUID):
    return _inspection(request, inspection_id)


@inspections.post(
    "/{inspection_id}/problems",
    response={201: RectificationDetailOut, **ERRORS},
    summary="登记检查发现的问题（列入整改）",
)
def add_problem(request, inspection_id: UUID, payload: ProblemIn):
    inspection = _inspection(request, inspection_id)
    if not permissions.can(request.user, WRITE, inspection.org):
        raise PermissionDenied
    item = rect_services.inspection_problem_add(
        inspection=inspection,
        problem=payload.problem,
        measure=payload.measure,
        deadline=payload.deadline,
        owner=_owner(request, inspection.org, payload.owner),
        by=request.user,
    )
    return Status(201, _item(request, item.public_id))
