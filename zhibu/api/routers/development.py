"""/api/v1/development-cases, their steps, 公示, 特批 (overrides) and stopping: the same
services as the pages, so a step that breaks a rule answers 422 with the rule code, its
citation and the earliest date."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.http import Http404
from ninja import Field, Query, Router, Status

from zhibu.accounts import permissions
from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, Record, page_of
from zhibu.core.db import replica_reads
from zhibu.development import selectors, services
from zhibu.development.models import Case, Step
from zhibu.development.steps import PUBLICITY_LABELS, STEPS
from zhibu.meetings.models import Decision
from zhibu.members.selectors import visible_members
from zhibu.orgs.selectors import org_for_user

router = Router(tags=["development-cases"])

# The keys of PUBLICITY_LABELS (publicity_start refuses any other with 422).
PublicityKey = Literal["activist", "target", "admission", "confirmation"]


class PublicityOut(Record):
    id: UUID
    key: str
    label: str
    start: date
    working_days: int
    ends_on: date = Field(..., description="公示结束日期：按法定工作日（含调休）计算")
    official_calendar: bool = Field(
        ..., description="false：该年度尚无法定节假日安排，按周一至周五计算"
    )
    objections: str

    @staticmethod
    def resolve_label(obj):
        return str(PUBLICITY_LABELS.get(obj.key, obj.key))


class CaseOut(Record):
    id: UUID
    org_id: UUID
    name: str
    gender: str
    birth_date: date
    id_number_masked: str
    status: str
    stage: int
    last_step: int
    admitted_on: date | None
    probation_end: date | None
    member_id: UUID | None
    stop_reason: str
    publicities: list[PublicityOut]
    version: str

    @staticmethod
    def resolve_publicities(obj):
        return sorted(obj.publicities.all(), key=lambda p: (p.start, p.pk))

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_id_number_masked(obj):
        return obj.masked_id_number

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id if obj.member_id else None


CasePage = page_of(CaseOut)


class CaseFilters(Filters):
    org: UUID | None = None
    status: Case.Status | None = None
    stage: int | None = None
    q: str = ""
    cursor: str | None = None
    limit: int = 50


class CaseIn(In):
    org: UUID
    name: str
    gender: str
    birth_date: date
    applied_on: date
    id_number: str = ""
    occupation: str = ""
    front_line: bool = False
    expected_departure: date | None = None


class StepOut(Record):
    id: UUID
    number: int
    name: str
    on: date
    document: str
    note: str
    outcome: str

    @staticmethod
    def resolve_name(obj):
        return str(STEPS[obj.number].name)


class StepIn(In):
    number: int
    on: date
    document: str = ""
    note: str = ""
    talker: UUID | None = None
    contacts: list[UUID] = []
    introducers: list[UUID] = []
    conclusion: str = ""
    training_days: Decimal | None = None
    training_hours: Decimal | None = None
    decision: UUID | None = None
    outcome: Step.Outcome | None = None
    extend_months: int | None = None


@router.get("", response={200: CasePage, **ERRORS}, summary="发展党员列表")
def list_cases(request, filters: Query[CaseFilters]):
    org = org_for_user(request.user, filters.org) if filters.org else None
    qs = selectors.case_list(
        user=request.user, org=org, status=filters.status or "", stage=filters.stage, q=filters.q
    )
    with replica_reads():  # a read-only list: the replica may serve it
        items, cursor = page(
            qs.select_related("org", "member").prefetch_related("publicities"),
            cursor=filters.cursor,
            limit=filters.limit,
        )
    return {"items": items, "next_cursor": cursor}


@router.post("", response={201: CaseOut, **ERRORS}, summary="登记入党申请")
def create_case(request, payload: CaseIn):
    org = org_for_user(request.user, payload.org, action="development.manage")
    data = payload.dict(exclude={"org"})
    case = services.case_open(org=org, by=request.user, **data)
    return Status(201, case)


@router.get("/{case_id}", response={200: CaseOut, **ERRORS}, summary="发展党员详情")
def get_case(request, case_id: UUID):
    return selectors.case_for_user(request.user, case_id)


@router.get("/{case_id}/steps", response={200: list[StepOut], **ERRORS}, summary="已登记步骤")
def list_steps(request, case_id: UUID):
    case = selectors.case_for_user(request.user, case_id)
    return list(case.steps.order_by("on", "id"))


@router.post(
    "/{case_id}/steps", response={201: StepOut, **ERRORS}, summary="登记步骤（违反规则返回 422）"
)
def record_step(request, case_id: UUID, payload: StepIn):
    case = selectors.case_for_user(request.user, case_id, write=True)
    if payload.number not in STEPS:
        raise ApiError(400, details=[{"field": "number", "rule": None, "message": "1–25"}])
    members = visible_members(request.user)

    def pick(ids):
        found = list(members.filter(public_id__in=ids))
        if len(found) != len(set(ids)):
            raise ApiError(404)
        return found

    people = {}
    if payload.talker:
        people["talker"] = pick([payload.talker])
    if payload.contacts:
        people["contacts"] = pick(payload.contacts)
    if payload.introducers:
        people["introducers"] = pick(payload.introducers)
    decision = None
    if payload.decision:
        decision = (
            Decision.objects.filter(public_id=payload.decision, meeting__org=case.org)
            .select_related("meeting")
            .first()
        )
        if decision is None:
            raise ApiError(404)
    step = services.step_record(
        case=case,
        number=payload.number,
        on=payload.on,
        by=request.user,
        people=people,
        document=payload.document,
        note=payload.note,
        conclusion=payload.conclusion,
        training_days=payload.training_days,
        training_hours=payload.training_hours,
        decision=decision,
        outcome=payload.outcome or "",
        extend_months=payload.extend_months,
    )
    return Status(201, step)


# --- 公示, 特批 and stopping ----------------------------------------------------------------


class PublicityIn(In):
    key: PublicityKey = Field(..., description="activist、target、admission 或 confirmation")
    start: Day
    working_days: int | None = Field(None, ge=1, le=30, description="不填按规定（默认 5 个工作日）")
    objections: str = Field("", max_length=2000)


class OverrideOut(Record):
    id: UUID
    step_number: int
    rule: str
    reason: str
    state: str
    requested_by: str | None
    requested_at: datetime
    approver: str | None
    decided_at: datetime | None

    @staticmethod
    def resolve_rule(obj):
        return obj.rule_code

    @staticmethod
    def resolve_requested_by(obj):
        return str(obj.requested_by) if obj.requested_by else None

    @staticmethod
    def resolve_approver(obj):
        return str(obj.approver) if obj.approver else None


class OverrideIn(In):
    step_number: int = Field(..., ge=1, le=25)
    rule: str = Field(..., max_length=10)
    reason: str = Field(..., max_length=2000)


class OverrideDecisionIn(In):
    approve: bool


class StopIn(In):
    version: str | None = None
    on: Day
    reason: str = Field(..., max_length=300)


def _case(request, case_id: UUID, *, write: bool = False) -> Case:
    return selectors.case_for_user(request.user, case_id, write=write)


def _overrides(case: Case):
    return case.overrides.select_related("requested_by", "approver").order_by("requested_at")


@router.post(
    "/{case_id}/publicity",
    response={201: PublicityOut, **ERRORS},
    summary="登记公示（按工作日计算结束日期）",
)
def start_publicity(request, case_id: UUID, payload: PublicityIn):
    case = _case(request, case_id, write=True)
    record = services.publicity_start(case=case, by=request.user, **payload.dict())
    return Status(201, record)


@router.get("/{case_id}/overrides", response={200: list[OverrideOut], **ERRORS}, summary="特批申请")
def list_overrides(request, case_id: UUID):
    return list(_overrides(_case(request, case_id)))


@router.post(
    "/{case_id}/overrides",
    response={201: OverrideOut, **ERRORS},
    summary="申请特批（上级党委负责人申请即批准）",
)
def request_override(request, case_id: UUID, payload: OverrideIn):
    case = _case(request, case_id)
    if not (
        permissions.can(request.user, "development.manage", case.org)
        or services.may_approve(request.user, case)
    ):
        raise ApiError(403)
    override = services.override_request(
        case=case,
        step_number=payload.step_number,
        rule_code=payload.rule,
        reason=payload.reason,
        by=request.user,
        request=request,
    )
    return Status(201, _overrides(case).get(pk=override.pk))


@router.post(
    "/{case_id}/overrides/{override_id}/decide",
    response={200: OverrideOut, **ERRORS},
    summary="审批特批（上级党委）",
)
def decide_override(request, case_id: UUID, override_id: UUID, payload: OverrideDecisionIn):
    require_anywhere(request.user, "development.approve")
    case = _case(request, case_id)
    override = case.overrides.filter(public_id=override_id).first()
    if override is None:
        raise Http404
    services.override_decide(
        override=override, approve=payload.approve, by=request.user, request=request
    )
    return _overrides(case).get(pk=override.pk)


@router.post("/{case_id}/stop", response={200: CaseOut, **ERRORS}, summary="终止发展程序（乐观锁）")
def stop_case(request, case_id: UUID, payload: StopIn):
    case = _case(request, case_id, write=True)
    check_version(request, case, payload.version)
    services.case_stop(case=case, reason=payload.reason, on=payload.on, by=request.user)
    return _case(request, case_id)
