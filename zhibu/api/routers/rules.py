"""/api/v1/findings, /api/v1/rules, /api/v1/rules/run, /api/v1/exemptions and
/api/v1/supplements.

Exemptions and supplements go through ``zhibu.rulebook.services`` exactly as the cockpit's
pages do: an exemption is seen within ``finding.view`` scope and decided or revoked with
``exemption.approve`` on its org; an approval (or a request its requester may approve at
once) re-judges the findings it touches (``rerun_for_exemption``), and so does a revocation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from zhibu.accounts import permissions
from zhibu.api.errors import ApiError, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.params import parse_period
from zhibu.api.schemas import ERRORS, Day, Filters, In, OrgRecord, Record, page_of
from zhibu.core.db import replica_reads
from zhibu.core.rules import Status as FindingStatus
from zhibu.core.rules import refs, registry
from zhibu.core.rules.messages import finding_text
from zhibu.core.rules.models import Exemption, Supplement
from zhibu.core.scope import ancestor_paths, subtree_q
from zhibu.insight.selectors import findings_in, findings_refs
from zhibu.members.selectors import member_for_user
from zhibu.orgs.selectors import org_for_user
from zhibu.rulebook import services
from zhibu.rulebook.run import rerun_for_exemption, rules_run

router = Router(tags=["rules"])

PERIOD_REQUIRED = _(
    "请用 period（恰为该期间）或 within（含该期间所在的季度、年度）二者之一指定期间。"
)


class FindingOut(Schema):
    id: int = Field(..., description="检查结果编号：转为整改、督办（finding:<id>）时使用")
    rule: str
    rule_version: int
    period: str
    org_id: UUID
    org_name: str
    subject_type: str
    subject_id: int
    status: str
    original_status: str
    numbers: dict[str, Any]
    explanation: str
    citation: str
    refs: list[str]
    computed_at: datetime

    @staticmethod
    def resolve_explanation(obj):
        return finding_text(obj)

    @staticmethod
    def resolve_citation(obj):
        return obj.citation_text

    @staticmethod
    def resolve_refs(obj):
        shown = getattr(obj, "shown_refs", None)
        return shown if shown is not None else refs.expand(obj.org_id, obj.refs)

    @staticmethod
    def resolve_rule(obj):
        return obj.rule_code

    @staticmethod
    def resolve_period(obj):
        return obj.period_code

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name


FindingPage = page_of(FindingOut)


class FindingFilters(Filters):
    org: UUID
    period: str | None = Field(
        None, description="恰为该期间的结果（2025-07 只含月度结果）；与 within 二选一"
    )
    within: str | None = Field(
        None, description="落在该期间内的全部结果（2025-07 还含所在季度、年度的结果）"
    )
    rule: str | None = None
    status: FindingStatus | None = None
    cursor: str | None = None
    limit: int = 100


class ParamOut(Schema):
    name: str
    label: str
    default: int
    unit: str


class RuleOut(Schema):
    code: str
    version: int
    title: str
    regulation: str
    article: str
    confidence: str
    citation: str
    period_kind: str
    applies_to_kinds: list[str]
    params: list[ParamOut]
    effective_from: date
    effective_to: date | None

    @staticmethod
    def resolve_regulation(obj):
        return obj.citation.regulation

    @staticmethod
    def resolve_article(obj):
        return obj.citation.shown_article

    @staticmethod
    def resolve_confidence(obj):
        return obj.citation.confidence

    @staticmethod
    def resolve_citation(obj):
        return str(obj.citation)

    @staticmethod
    def resolve_applies_to_kinds(obj):
        return sorted(obj.kinds)

    @staticmethod
    def resolve_params(obj):
        return [
            {"name": p.name, "label": p.label, "default": p.default, "unit": p.unit}
            for p in obj.params
        ]


class RunIn(In):
    org: UUID
    period: str


class RunOut(Schema):
    org_id: UUID
    period: str
    evaluated: int
    created: int
    updated: int
    deleted: int
    duration_ms: int


@router.get("/findings", response={200: FindingPage, **ERRORS}, summary="检查结果")
def list_findings(request, filters: Query[FindingFilters]):
    require_anywhere(request.user, "finding.view")
    org = org_for_user(request.user, filters.org)
    if not permissions.can(request.user, "finding.view", org):
        raise ApiError(404)
    if (filters.period is None) == (filters.within is None):
        message = str(PERIOD_REQUIRED)
        raise ApiError(400, message, [{"field": "period", "rule": None, "message": message}])
    if filters.period is not None:
        period = parse_period(filters.period)
        qs = findings_in(user=request.user, org=org, period=period)
        qs = qs.filter(period_code=period.code)
    else:
        period = parse_period(filters.within or "", "within")
        qs = findings_in(user=request.user, org=org, period=period)
    qs = qs.select_related("org")
    if filters.rule:
        qs = qs.filter(rule_code=filters.rule)
    if filters.status:
        qs = qs.filter(status=filters.status)
    with replica_reads():  # a read-only list: the replica may serve it
        items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
        # The meetings behind count findings, for the whole page in a few queries.
        for finding, shown in zip(items, findings_refs(items), strict=True):
            finding.shown_refs = shown
    return {"items": items, "next_cursor": cursor}


@router.get("/rules", response={200: list[RuleOut], **ERRORS}, summary="规则目录")
def list_rules(request):
    return registry.catalogue()


@router.post("/rules/run", response={200: RunOut, **ERRORS}, summary="重新执行检查")
def run_rules(request, payload: RunIn):
    period = parse_period(payload.period)
    org = org_for_user(request.user, payload.org, action="rules.run")
    run = rules_run(root=org, period=period, by=request.user, trigger="api")
    return {
        "org_id": org.public_id,
        "period": period.code,
        "evaluated": run.evaluated,
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
        "duration_ms": run.duration_ms,
    }


# --- exemptions (检查豁免) ---------------------------------------------------------------


class ExemptionOut(OrgRecord):
    id: UUID
    rule: str
    org_id: UUID
    org_name: str
    member_id: UUID | None
    member_name: str | None
    start: date
    end: date
    reason: str
    state: str
    requested_by: str | None
    requested_at: datetime
    approver: str | None
    decided_at: datetime | None
    decision_note: str

    @staticmethod
    def resolve_rule(obj):
        return obj.rule_code

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id if obj.member else None

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name if obj.member else None

    @staticmethod
    def resolve_requested_by(obj):
        return str(obj.requested_by) if obj.requested_by else None

    @staticmethod
    def resolve_approver(obj):
        return str(obj.approver) if obj.approver else None


ExemptionPage = page_of(ExemptionOut)


class ExemptionFilters(Filters):
    org: UUID | None = Field(None, description="只列该组织（含下级）的豁免")
    state: Literal["requested", "approved", "rejected", "revoked"] | None = None
    rule: str | None = None
    cursor: str | None = None
    limit: int = 50


class ExemptionIn(In):
    org: UUID
    rule: str = Field(..., max_length=10)
    member: UUID | None = Field(None, description="只豁免该组织中的这名党员；不填则豁免整个组织")
    start: Day
    end: Day
    reason: str = Field(..., max_length=2000)


class DecisionIn(In):
    approve: bool
    note: str = Field("", max_length=300)


def _exemptions(user):
    return Exemption.objects.filter(
        permissions.scope_q(user, "finding.view", field="org__path")
    ).select_related("org", "member", "requested_by", "approver")


def _exemption_to_decide(request, exemption_id: UUID) -> Exemption:
    """As the decision page: 403 without ``exemption.approve`` anywhere, 404 outside the
    ``finding.view`` scope, 403 without ``exemption.approve`` on the exemption's org."""
    require_anywhere(request.user, "exemption.approve")
    exemption = _exemptions(request.user).filter(public_id=exemption_id).first()
    if exemption is None:
        raise Http404
    if not permissions.can(request.user, "exemption.approve", exemption.org):
        raise ApiError(403)
    return exemption


@router.get("/exemptions", response={200: ExemptionPage, **ERRORS}, summary="检查豁免")
def list_exemptions(request, filters: Query[ExemptionFilters]):
    require_anywhere(request.user, "finding.view")
    qs = _exemptions(request.user)
    if filters.org is not None:
        org = org_for_user(request.user, filters.org)
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.rule:
        qs = qs.filter(rule_code=filters.rule)
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@router.get(
    "/exemptions/{exemption_id}", response={200: ExemptionOut, **ERRORS}, summary="豁免详情"
)
def get_exemption(request, exemption_id: UUID):
    require_anywhere(request.user, "finding.view")
    exemption = _exemptions(request.user).filter(public_id=exemption_id).first()
    if exemption is None:
        raise Http404
    return exemption


@router.post(
    "/exemptions",
    response={201: ExemptionOut, **ERRORS},
    summary="申请豁免（有审批权限者直接批准）",
)
def request_exemption(request, payload: ExemptionIn):
    require_anywhere(request.user, "finding.view")
    org = org_for_user(request.user, payload.org)
    if not permissions.can(request.user, "finding.view", org):
        raise ApiError(404)
    member = member_for_user(request.user, payload.member) if payload.member else None
    exemption = services.exemption_request(
        rule_code=payload.rule,
        org=org,
        member=member,
        start=payload.start,
        end=payload.end,
        reason=payload.reason,
        by=request.user,
        request=request,
    )
    if exemption.state == Exemption.State.APPROVED:
        rerun_for_exemption(exemption, by=request.user)
    return Status(201, _exemptions(request.user).get(pk=exemption.pk))


@router.post(
    "/exemptions/{exemption_id}/decide",
    response={200: ExemptionOut, **ERRORS},
    summary="审批豁免（批准或驳回）",
)
def decide_exemption(request, exemption_id: UUID, payload: DecisionIn):
    exemption = _exemption_to_decide(request, exemption_id)
    services.exemption_decide(
        exemption=exemption,
        approve=payload.approve,
        note=payload.note,
        by=request.user,
        request=request,
    )
    if payload.approve:
        rerun_for_exemption(exemption, by=request.user)
    return _exemptions(request.user).get(pk=exemption.pk)


@router.post(
    "/exemptions/{exemption_id}/revoke",
    response={200: ExemptionOut, **ERRORS},
    summary="撤销豁免",
)
def revoke_exemption(request, exemption_id: UUID):
    exemption = _exemption_to_decide(request, exemption_id)
    services.exemption_revoke(exemption=exemption, by=request.user, request=request)
    rerun_for_exemption(exemption, by=request.user)
    return _exemptions(request.user).get(pk=exemption.pk)


# --- local supplements (补充规定) -----------------------------------------------------------


class SupplementOut(Record):
    id: UUID
    committee_id: UUID
    committee_name: str
    rule: str
    params: dict[str, int]
    enabled: bool
    effective_from: date
    effective_to: date | None
    document_no: str
    note: str
    created_at: datetime

    @staticmethod
    def resolve_committee_id(obj):
        return obj.committee.public_id

    @staticmethod
    def resolve_committee_name(obj):
        return obj.committee.name

    @staticmethod
    def resolve_rule(obj):
        return obj.rule_code


SupplementPage = page_of(SupplementOut)


class SupplementFilters(Filters):
    org: UUID = Field(..., description="该组织适用的补充规定：它本身及其上级党委制定的")
    rule: str | None = None
    cursor: str | None = None
    limit: int = 50


class SupplementIn(In):
    committee: UUID = Field(..., description="制定补充规定的党委")
    rule: str = Field(..., max_length=10)
    params: dict[str, int] = Field(default_factory=dict)
    enabled: bool = True
    effective_from: Day
    effective_to: Day | None = None
    document_no: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


@router.get("/supplements", response={200: SupplementPage, **ERRORS}, summary="补充规定")
def list_supplements(request, filters: Query[SupplementFilters]):
    require_anywhere(request.user, "finding.view")
    org = org_for_user(request.user, filters.org, action="finding.view")
    qs = Supplement.objects.filter(
        committee__path__in=ancestor_paths(org.path, include_self=True)
    ).select_related("committee")
    if filters.rule:
        qs = qs.filter(rule_code=filters.rule)
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@router.post(
    "/supplements",
    response={201: SupplementOut, **ERRORS},
    summary="制定补充规定（只能从严）",
)
def create_supplement(request, payload: SupplementIn):
    require_anywhere(request.user, "rules.configure")
    committee = org_for_user(request.user, payload.committee, action="rules.configure")
    supplement = services.supplement_create(
        committee=committee,
        rule_code=payload.rule,
        params=payload.params,
        enabled=payload.enabled,
        effective_from=payload.effective_from,
        effective_to=payload.effective_to,
        document_no=payload.document_no,
        note=payload.note,
        by=request.user,
        request=request,
    )
    return Status(201, supplement)
