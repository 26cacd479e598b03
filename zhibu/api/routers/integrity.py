"""/api/v1/integrity-flags: 真实性核查 flags (suspect findings of DQ-06 … DQ-09) — list,
get, and the inspector's verdict (POST …/mark with ``version`` or ``If-Match``). As on
the pages: ``integrity.review`` somewhere (else 403), a flag outside the user's subtrees
answers 404."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ninja import Field, Query, Router, Schema

from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Filters, In, page_of
from zhibu.core.rules import refs
from zhibu.integrity import selectors, services
from zhibu.integrity.models import FlagReview

router = Router(tags=["integrity"])


class ReviewOut(Schema):
    state: str
    state_label: str
    reason: str
    reviewed_by: str
    reviewed_at: datetime
    version: str


class FlagOut(Schema):
    id: int = Field(..., description="可疑记录编号（检查结果编号）")
    rule: str
    period: str
    org_id: UUID
    org_name: str
    subject_type: str
    explanation: str
    numbers: dict
    refs: list[str] = Field(..., description="相关记录 meeting:<id>、member:<id>")
    review: ReviewOut | None = Field(None, description="核查结论；未核查为 null")


FlagPage = page_of(FlagOut)


class FlagFilters(Filters):
    code: str = Field("", description="DQ-06 … DQ-09")
    state: str = Field("", description="open 待核查、verified 已核实、explained 已说明，空为全部")
    period: str = Field("", max_length=10)
    cursor: str | None = None
    limit: int = 50


class MarkIn(In):
    state: str = Field(..., description="verified 已核实 或 explained 已说明")
    reason: str = Field("", max_length=2000, description="已说明时必填")
    version: str | None = Field(None, description="核查结论的 version（首次标注可省略）")


def _out(finding, review: FlagReview | None) -> dict:
    return {
        "id": finding.pk,
        "rule": finding.rule_code,
        "period": finding.period_code,
        "org_id": finding.org.public_id,
        "org_name": finding.org.name,
        "subject_type": finding.subject_type,
        "explanation": finding.text,
        "numbers": finding.numbers,
        "refs": refs.expand(finding.org_id, finding.refs),
        "review": None
        if review is None
        else {
            "state": review.state,
            "state_label": str(review.get_state_display()),
            "reason": review.reason,
            "reviewed_by": str(review.reviewed_by or ""),
            "reviewed_at": review.updated_at,
            "version": review.updated_at.isoformat(),
        },
    }


@router.get("", response={200: FlagPage, **ERRORS}, summary="真实性核查：可疑记录列表")
def list_flags(request, filters: Query[FlagFilters]):
    require_anywhere(request.user, selectors.ACTION)
    qs = selectors.filtered(
        request.user, code=filters.code, state=filters.state, period=filters.period
    )
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    reviews = selectors.reviews_of(items)
    return {
        "items": [_out(f, reviews.get(FlagReview.key_of(f))) for f in items],
        "next_cursor": cursor,
    }


def _flag(request, flag_id: int):
    require_anywhere(request.user, selectors.ACTION)
    if not 0 < flag_id < 2**63:  # beyond any key: not found (and no database overflow)
        raise ApiError(404)
    finding = selectors.flag_for_user(request.user, flag_id)
    return finding, selectors.reviews_of([finding]).get(FlagReview.key_of(finding))


@router.get("/{flag_id}", response={200: FlagOut, **ERRORS}, summary="可疑记录详情")
def get_flag(request, flag_id: int):
    return _out(*_flag(request, flag_id))


@router.post(
    "/{flag_id}/mark",
    response={200: FlagOut, **ERRORS},
    summary="标注核查结论：已核实或已说明（已有结论时须带 version 或 If-Match）",
)
def mark_flag(request, flag_id: int, payload: MarkIn):
    finding, review = _flag(request, flag_id)
    if review is not None:
        check_version(request, review, payload.version)
    elif payload.version and payload.version != "*":
        raise ApiError(409)  # a verdict that does not exist cannot be the one read
    services.flag_mark(finding=finding, state=payload.state, reason=payload.reason, by=request.user)
    return _out(*_flag(request, flag_id))
