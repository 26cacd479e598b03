"""/api/v1/development-cases and their steps: the same services as the pages, so a step
that breaks a rule answers 422 with the rule code, its citation and the earliest date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from ninja import Query, Router, Schema, Status

from zhibu.api.errors import ApiError
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Filters, In, page_of
from zhibu.core.db import replica_reads
from zhibu.development import selectors, services
from zhibu.development.models import Case, Step
from zhibu.development.steps import STEPS
from zhibu.meetings.models import Decision
from zhibu.members.selectors import visible_members
from zhibu.orgs.selectors import org_for_user

router = Router(tags=["development-cases"])


class CaseOut(Schema):
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

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

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


class StepOut(Schema):
    id: UUID
    number: int
    name: str
    on: date
    document: str
    note: str
    outcome: str

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

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
            qs.select_related("org", "member"), cursor=filters.cursor, limit=filters.limit
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
