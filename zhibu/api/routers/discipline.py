"""/api/v1/discipline-records: discipline records (DISC) under their strict scope — 纪检
roles over the member's org subtree, and the 书记 of the deciding organisation for its own
decisions. Anyone else gets 404 on every path, the list included (not 403: that would
say the resource holds something for them). Writes need ``discipline.manage``; an edit
carries the record's ``version`` (or ``If-Match``), a stale one answers 409."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Status

from zhibu.api.errors import ApiError, check_version
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, Record, page_of
from zhibu.core.scope import ancestor_paths
from zhibu.discipline import selectors, services
from zhibu.discipline.models import DisciplineRecord
from zhibu.orgs.models import Org

router = Router(tags=["discipline"])

RecordKind = Literal[
    "reminder",
    "criticism",
    "self_review",
    "admonition",
    "warning",
    "serious_warning",
    "removal_from_post",
    "probation",
    "expulsion",
]
PostKind = Literal[
    "",
    "secretary",
    "deputy_secretary",
    "organization",
    "publicity",
    "discipline",
    "member",
    "group_leader",
]


class DisciplineRecordOut(Record):
    id: UUID
    member_id: UUID
    member_name: str
    kind: RecordKind
    form: int = Field(..., description="四种形态 1–4（DISC-07）")
    decided_on: date
    deciding_org_id: UUID
    deciding_org_name: str
    document_no: str
    facts: str
    status: Literal["in_effect", "revoked"]
    probation_years: int | None
    extended_on: date | None
    outcome: Literal["", "restored", "expelled"]
    outcome_on: date | None
    ref_post: str
    effect_until: date | None = Field(..., description="影响期至（DISC-02..05，按决定日期计算）")
    post_bar_until: date | None
    version: str

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_deciding_org_id(obj):
        return obj.deciding_org.public_id

    @staticmethod
    def resolve_deciding_org_name(obj):
        return obj.deciding_org.name

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


RecordPage = page_of(DisciplineRecordOut)


class RecordFilters(Filters):
    kind: RecordKind | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    cursor: str | None = None
    limit: int = 50


class RecordIn(In):
    member: UUID
    deciding_org: UUID
    kind: RecordKind
    form: int | None = Field(None, ge=1, le=4)
    decided_on: Day
    document_no: str = Field("", max_length=100)
    facts: str = Field(..., max_length=20000)
    probation_years: int | None = None
    extended_on: Day | None = None
    outcome: Literal["", "restored", "expelled"] = ""
    outcome_on: Day | None = None
    ref_post: PostKind = ""
    ref_org: UUID | None = None


class RecordPatch(In):
    version: str | None = None
    kind: RecordKind | None = None
    form: int | None = Field(None, ge=1, le=4)
    decided_on: Day | None = None
    document_no: str | None = Field(None, max_length=100)
    facts: str | None = Field(None, max_length=20000)
    probation_years: int | None = None
    extended_on: Day | None = None
    outcome: Literal["", "restored", "expelled"] | None = None
    outcome_on: Day | None = None
    ref_post: PostKind | None = None
    ref_org: UUID | None = None


def _require_scope(user) -> None:
    if not selectors.may_see_any(user):
        raise ApiError(404)


def _above(member, public_id: UUID | None, *, with_group: bool = False) -> Org | None:
    """An org at or above the member's (their 党小组 too for a post): else 422 as the
    service says it, so an org's existence elsewhere does not leak."""
    if public_id is None:
        return None
    paths = ancestor_paths(member.org.path, include_self=True)
    if with_group and member.group_id:
        paths.append(member.group.path)
    found = Org.objects.filter(path__in=paths, public_id=public_id).first()
    if found is None:
        raise ValidationError({"deciding_org": services.ORG_NOT_ABOVE})
    return found


def _out(user, public_id) -> DisciplineRecord:
    return selectors.record_for_user(user, public_id)


@router.get("", response={200: RecordPage, **ERRORS}, summary="纪律处分记录列表（仅纪检范围）")
def list_records(request, filters: Query[RecordFilters]):
    _require_scope(request.user)
    qs = selectors.record_list(
        user=request.user, kind=filters.kind or "", year=filters.year
    ).select_related("member", "deciding_org")
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@router.get("/{record_id}", response={200: DisciplineRecordOut, **ERRORS}, summary="纪律处分记录")
def get_record(request, record_id: UUID):
    return _out(request.user, record_id)


@router.post("", response={201: DisciplineRecordOut, **ERRORS}, summary="登记纪律处分或处理")
def create_record(request, payload: RecordIn):
    _require_scope(request.user)
    member = selectors.member_for_manage(request.user, payload.member)
    data = payload.dict(exclude={"member", "deciding_org", "ref_org"})
    record = services.record_save(
        member=member,
        deciding_org=_above(member, payload.deciding_org),
        ref_org=_above(member, payload.ref_org, with_group=True),
        by=request.user,
        **data,
    )
    return Status(201, _out(request.user, record.public_id))


@router.patch(
    "/{record_id}",
    response={200: DisciplineRecordOut, **ERRORS},
    summary="修改纪律处分记录（乐观锁）",
)
def update_record(request, record_id: UUID, payload: RecordPatch):
    record = selectors.record_for_user(request.user, record_id, write=True)
    check_version(request, record, payload.version)
    sent = payload.dict(exclude_unset=True, exclude={"version"})
    if "ref_org" in sent:
        sent["ref_org"] = _above(record.member, sent["ref_org"], with_group=True)
    services.record_save(record=record, by=request.user, **sent)
    return _out(request.user, record_id)
