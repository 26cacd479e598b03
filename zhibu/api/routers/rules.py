"""/api/v1/findings, /api/v1/rules and /api/v1/rules/run."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from zhibu.accounts import permissions
from zhibu.api.errors import ApiError, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.params import parse_period
from zhibu.api.schemas import ERRORS, Filters, In, page_of
from zhibu.core.db import replica_reads
from zhibu.core.rules import Status, registry
from zhibu.insight.selectors import findings_in
from zhibu.orgs.selectors import org_for_user
from zhibu.rulebook.run import rules_run

router = Router(tags=["rules"])

PERIOD_REQUIRED = _(
    "请用 period（恰为该期间）或 within（含该期间所在的季度、年度）二者之一指定期间。"
)


class FindingOut(Schema):
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
    status: Status | None = None
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
