"""/api/v1/accountability-signals (问责线索, read) and /api/v1/accountability-decisions
(问责决定: list, get, create, update with ``version``). Strict scope as on the pages: only
``discipline.view`` holders, within their subtrees; 404 for everybody else (not even 403,
which would confirm the resource). Writes need ``discipline.manage`` at the org (403)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhibu.accountability import selectors, services
from zhibu.accountability.models import Decision
from zhibu.accountability.selectors import MANAGE, VIEW
from zhibu.accounts import permissions
from zhibu.api.errors import ApiError
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, OrgRecord, page_of
from zhibu.core.scope import in_subtree
from zhibu.members.models import Member
from zhibu.orgs.models import Org

signals_router = Router(tags=["accountability"])
decisions_router = Router(tags=["accountability"])


def _strict(user) -> None:
    if not permissions.holds_anywhere(user, VIEW):
        raise Http404


def _org(user, public_id: UUID) -> Org:
    org = Org.objects.filter(public_id=public_id).first()
    if org is None or not in_subtree(org.path, selectors.view_paths(user)):
        raise Http404
    return org


class SignalOut(Schema):
    ref: str = Field(..., description="<kind>:<key>，作出问责决定时引用")
    kind: str
    kind_label: str
    key: str
    org_id: UUID
    org_name: str
    title: str
    evidence_url: str
    since: date
    closed: bool
    decision_id: UUID | None


class SignalFilters(Filters):
    kind: str = ""
    org: UUID | None = None
    state: str = Field("", description="open 待处理、closed 已问责关闭，空为全部")


@signals_router.get("", response={200: list[SignalOut], **ERRORS}, summary="问责线索（纪检）")
def list_signals(request, filters: Query[SignalFilters]):
    _strict(request.user)
    org = _org(request.user, filters.org) if filters.org else None
    rows = selectors.signals_for(request.user, timezone.localdate(), kind=filters.kind, org=org)
    if filters.state == "open":
        rows = [r for r in rows if r.closed_by is None]
    elif filters.state == "closed":
        rows = [r for r in rows if r.closed_by is not None]
    out = []
    for group_org, group in selectors.grouped(rows):
        for row in group:
            out.append(
                {
                    "ref": selectors.signal_ref(row.signal),
                    "kind": row.signal.kind,
                    "kind_label": row.label,
                    "key": row.signal.key,
                    "org_id": group_org.public_id,
                    "org_name": group_org.name,
                    "title": str(row.signal.title),
                    "evidence_url": row.signal.evidence_url,
                    "since": row.signal.since,
                    "closed": row.closed_by is not None,
                    "decision_id": row.closed_by.public_id if row.closed_by else None,
                }
            )
    return out


class DecisionSignalOut(Schema):
    ref: str
    title: str
    evidence_url: str
    since: date

    @staticmethod
    def resolve_ref(obj):
        return f"{obj.kind}:{obj.key}"


class DecisionOut(OrgRecord):
    id: UUID
    org_id: UUID
    org_name: str
    person_id: UUID | None
    person_name: str | None
    kind: Decision.Kind
    kind_label: str
    decided_on: date
    deciding_org_id: UUID
    deciding_org_name: str
    reason: str
    document_no: str
    discipline_ref: str
    signals: list[DecisionSignalOut]
    version: str

    @staticmethod
    def resolve_person_id(obj):
        return obj.person.public_id if obj.person_id else None

    @staticmethod
    def resolve_person_name(obj):
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_deciding_org_id(obj):
        return obj.deciding_org.public_id

    @staticmethod
    def resolve_deciding_org_name(obj):
        return obj.deciding_org.name

    @staticmethod
    def resolve_signals(obj):
        return list(obj.signals.all())

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


DecisionPage = page_of(DecisionOut)


class DecisionFilters(Filters):
    kind: Decision.Kind | None = None
    org: UUID | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    cursor: str | None = None
    limit: int = 50


class DecisionIn(In):
    org: UUID = Field(..., description="被问责组织")
    signals: list[str] = Field(
        ..., description="线索引用 <kind>:<key>（见 /accountability-signals）"
    )
    kind: Decision.Kind
    decided_on: Day
    deciding_org: UUID = Field(..., description="决定机关：被问责组织本身或其上级")
    reason: str = Field(..., max_length=4000)
    person: UUID | None = None
    document_no: str = Field("", max_length=100)
    discipline_ref: str = Field("", max_length=64)


class DecisionUpdateIn(In):
    kind: Decision.Kind
    decided_on: Day
    deciding_org: UUID
    reason: str = Field(..., max_length=4000)
    person: UUID | None = None
    document_no: str = Field("", max_length=100)
    discipline_ref: str = Field("", max_length=64)
    version: str | None = None


def _decision(request, decision_id: UUID) -> Decision:
    return selectors.decision_for_user(request.user, decision_id)


def _person(org: Org, public_id: UUID | None) -> Member | None:
    if public_id is None:
        return None
    person = Member.objects.select_related("org").filter(public_id=public_id).first()
    if person is None:
        raise ApiError(
            422,
            details=[{"field": "person", "rule": None, "message": str(services.PERSON_ELSEWHERE)}],
        )
    return person


def _decider(user, org: Org, public_id: UUID) -> Org:
    found = next((o for o in selectors.deciding_orgs(user, org) if o.public_id == public_id), None)
    if found is None:
        raise ApiError(
            422,
            details=[
                {"field": "deciding_org", "rule": None, "message": str(services.DECIDER_NOT_ABOVE)}
            ],
        )
    return found


@decisions_router.get("", response={200: DecisionPage, **ERRORS}, summary="问责决定列表（纪检）")
def list_decisions(request, filters: Query[DecisionFilters]):
    _strict(request.user)
    org = _org(request.user, filters.org) if filters.org else None
    qs = selectors.decision_list(
        request.user, kind=filters.kind or "", org=org, year=filters.year
    ).prefetch_related("signals")
    items, cursor = page(qs.order_by("pk"), cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@decisions_router.post("", response={201: DecisionOut, **ERRORS}, summary="作出问责决定")
def create_decision(request, payload: DecisionIn):
    _strict(request.user)
    org = _org(request.user, payload.org)
    if not permissions.can(request.user, MANAGE, org):
        raise ApiError(403)
    today = timezone.localdate()
    decision = services.decision_create(
        org=org,
        kind=payload.kind,
        decided_on=payload.decided_on,
        deciding_org=_decider(request.user, org, payload.deciding_org),
        reason=payload.reason,
        signals=selectors.resolve_signals(request.user, payload.signals, today),
        person=_person(org, payload.person),
        document_no=payload.document_no,
        discipline_ref=payload.discipline_ref,
        by=request.user,
        request=request,
    )
    return Status(201, _decision(request, decision.public_id))


@decisions_router.get(
    "/{decision_id}", response={200: DecisionOut, **ERRORS}, summary="问责决定详情"
)
def get_decision(request, decision_id: UUID):
    _strict(request.user)
    return _decision(request, decision_id)


@decisions_router.patch(
    "/{decision_id}", response={200: DecisionOut, **ERRORS}, summary="修改问责决定（须带 version）"
)
def update_decision(request, decision_id: UUID, payload: DecisionUpdateIn):
    _strict(request.user)
    decision = _decision(request, decision_id)
    if not permissions.can(request.user, MANAGE, decision.org):
        raise ApiError(403)
    header = request.headers.get("If-Match")
    version = payload.version or (header.strip().strip('"') if header else None)
    if version and version != "*" and version != decision.updated_at.isoformat():
        raise ApiError(409)
    services.decision_update(
        decision=decision,
        kind=payload.kind,
        decided_on=payload.decided_on,
        deciding_org=_decider(request.user, decision.org, payload.deciding_org),
        reason=payload.reason,
        person=_person(decision.org, payload.person),
        document_no=payload.document_no,
        discipline_ref=payload.discipline_ref,
        by=request.user,
        request=request,
    )
    return _decision(request, decision_id)
