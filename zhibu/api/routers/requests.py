"""/api/v1/requests: 请示 and 报告 (REQ-01..06) — an org's incoming and outgoing
documents, one document, a new draft, sending it, and the receiver's answer or return.
The same services and scope as the pages: out of scope 404, a refused rule 422 with its
code, a stale ``version`` (or ``If-Match``) 409."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Field, Query, Router, Status

from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, Record, page_of
from zhibu.core.scope import subtree_q
from zhibu.duties.models import Request
from zhibu.duties.selectors import requests as selectors
from zhibu.duties.selectors.evidence import evidence_for
from zhibu.duties.selectors.requests import HANDLE, VIEW
from zhibu.duties.services import requests as services
from zhibu.duties.services.evidence import ref_of
from zhibu.meetings.models import Meeting
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_for_user, visible_orgs

router = Router(tags=["requests"])

# Literal values, not the model's TextChoices: their schema names (Kind, Status …) would
# collide with other enums of the same name in the OpenAPI components.
DocKind = Literal["request", "report"]
Urgency = Literal["very_urgent", "urgent", "normal"]
DocStatus = Literal["draft", "sent", "answered", "returned"]


class AttachmentOut(Record):
    id: UUID
    name: str
    size: int
    url: str

    @staticmethod
    def resolve_name(obj):
        return obj.original_name

    @staticmethod
    def resolve_url(obj):
        return reverse("duties:evidence", args=[obj.public_id])


class RequestOut(Record):
    id: UUID
    kind: DocKind
    subject: str
    body: str
    urgency: Urgency
    status: DocStatus
    sender_id: UUID
    sender_name: str
    receiver_id: UUID
    receiver_name: str
    copy_to_id: UUID | None
    meeting_id: UUID | None
    signer: str
    skip_reason: str
    skips_level: bool = Field(..., description="越级报送（REQ-01）")
    hidden_request: bool = Field(..., description="报告中夹带请示，报送时已确认提示（REQ-05）")
    schedule_key: str
    sent_on: date | None
    due_on: date | None = Field(..., description="答复时限：按紧急程度的法定工作日（REQ-06）")
    answer: str
    late_reason: str
    return_reason: str
    answered_on: date | None
    version: str

    @staticmethod
    def resolve_sender_id(obj):
        return obj.sender.public_id

    @staticmethod
    def resolve_sender_name(obj):
        return obj.sender.name

    @staticmethod
    def resolve_receiver_id(obj):
        return obj.receiver.public_id

    @staticmethod
    def resolve_receiver_name(obj):
        return obj.receiver.name

    @staticmethod
    def resolve_copy_to_id(obj):
        return obj.copy_to.public_id if obj.copy_to_id else None

    @staticmethod
    def resolve_meeting_id(obj):
        return obj.meeting.public_id if obj.meeting_id else None

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class RequestDetailOut(RequestOut):
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj):
        return evidence_for(ref_of(services.KIND, obj))


RequestPage = page_of(RequestOut)


class RequestFilters(Filters):
    org: UUID | None = None
    box: Literal["in", "out"] = "in"
    status: DocStatus | None = None
    cursor: str | None = None
    limit: int = 50


class RequestIn(In):
    sender: UUID
    receiver: UUID
    kind: DocKind
    subject: str = Field(..., max_length=200)
    body: str = Field(..., max_length=20000)
    urgency: Urgency = "normal"
    copy_to: UUID | None = None
    meeting: UUID | None = None
    signer: str = Field("", max_length=50)
    skip_reason: str = Field("", max_length=2000)
    schedule_key: str = Field("", max_length=40)


class RequestPatch(In):
    """Only the fields sent change; ``version`` (or ``If-Match``) guards the edit."""

    version: str | None = None
    receiver: UUID | None = None
    kind: DocKind | None = None
    subject: str | None = Field(None, max_length=200)
    body: str | None = Field(None, max_length=20000)
    urgency: Urgency | None = None
    copy_to: UUID | None = None
    meeting: UUID | None = None
    signer: str | None = Field(None, max_length=50)
    skip_reason: str | None = Field(None, max_length=2000)
    schedule_key: str | None = Field(None, max_length=40)


class SendIn(In):
    version: str | None = None
    acknowledge: bool = Field(False, description="报告含请求批准用语时，确认仍按报告报送")


class AnswerIn(In):
    version: str | None = None
    answer: str = Field(..., max_length=20000)
    on: Day | None = None
    late_reason: str = Field("", max_length=2000)


class ReturnIn(In):
    version: str | None = None
    reason: str = Field(..., max_length=2000)
    on: Day | None = None


def _detail(request, request_id: UUID, action: str = VIEW) -> Request:
    return selectors.request_for_user(request.user, request_id, action=action)


def _receiver(user, sender: Org, public_id: UUID) -> Org:
    """An org above ``sender`` or visible to the user; anything else is refused as REQ-01
    (an org out of scope answers the same, so its existence does not leak)."""
    found = (
        Org.objects.filter(public_id=public_id)
        .filter(pk__in=[o.pk for o in selectors.receivers_for(sender)])
        .first()
        or visible_orgs(user).filter(public_id=public_id).first()
    )
    if found is None:
        raise ValidationError({"receiver": ValidationError(services.NOT_ABOVE, code="REQ-01")})
    return found


@router.get("", response={200: RequestPage, **ERRORS}, summary="请示报告列表（收文/发文）")
def list_requests(request, filters: Query[RequestFilters]):
    if filters.org:
        org = org_for_user(request.user, filters.org, action=VIEW)
        qs = selectors.request_list(
            user=request.user, org=org, box=filters.box, status=filters.status or ""
        )
    else:
        require_anywhere(request.user, VIEW)
        qs = selectors.visible_requests(request.user).select_related(
            "sender", "receiver", "copy_to"
        )
        if filters.status:
            qs = qs.filter(status=filters.status)
    items, cursor = page(qs.select_related("meeting"), cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@router.get("/{request_id}", response={200: RequestDetailOut, **ERRORS}, summary="请示报告详情")
def get_request(request, request_id: UUID):
    return _detail(request, request_id)


def _copy_to(sender: Org, public_id: UUID | None) -> Org | None:
    if public_id is None:
        return None
    found = Org.objects.filter(subtree_q([sender.path[:4]]), public_id=public_id).first()
    if found is None:
        raise ApiError(404)
    return found


def _meeting(sender: Org, public_id: UUID | None) -> Meeting | None:
    if public_id is None:
        return None
    found = Meeting.objects.filter(public_id=public_id, org=sender).first()
    if found is None:
        raise ValidationError(
            {"meeting": ValidationError(services.MEETING_ELSEWHERE, code="REQ-03")}
        )
    return found


@router.post("", response={201: RequestDetailOut, **ERRORS}, summary="起草请示报告（草稿）")
def create_request(request, payload: RequestIn):
    sender = org_for_user(request.user, payload.sender, action=VIEW)
    if not selectors.holds_at(request.user, HANDLE, sender):
        raise ApiError(403)
    item = services.request_save(
        sender=sender,
        receiver=_receiver(request.user, sender, payload.receiver),
        copy_to=_copy_to(sender, payload.copy_to),
        meeting=_meeting(sender, payload.meeting),
        by=request.user,
        **payload.dict(exclude={"sender", "receiver", "copy_to", "meeting"}),
    )
    return Status(201, _detail(request, item.public_id))


@router.patch(
    "/{request_id}",
    response={200: RequestDetailOut, **ERRORS},
    summary="修改草稿或被退回的请示报告（乐观锁）",
)
def update_request(request, request_id: UUID, payload: RequestPatch):
    item = _detail(request, request_id, "edit")
    check_version(request, item, payload.version)
    sent = payload.dict(exclude_unset=True, exclude={"version"})
    sender = item.sender
    fields: dict[str, Any] = {
        "receiver": _receiver(request.user, sender, sent["receiver"])
        if sent.get("receiver")
        else item.receiver,
        "copy_to": _copy_to(sender, sent["copy_to"]) if "copy_to" in sent else item.copy_to,
        "meeting": _meeting(sender, sent["meeting"]) if "meeting" in sent else item.meeting,
    }
    for name in ("kind", "subject", "body", "urgency", "signer", "skip_reason", "schedule_key"):
        value = sent.get(name)
        fields[name] = getattr(item, name) if value is None else value
    services.request_save(sender=sender, record=item, by=request.user, **fields)
    return _detail(request, request_id)


@router.post(
    "/{request_id}/send",
    response={200: RequestDetailOut, **ERRORS},
    summary="报送（报告夹带请示须确认；越级须写明理由）",
)
def send_request(request, request_id: UUID, payload: SendIn):
    item = _detail(request, request_id, "edit")
    check_version(request, item, payload.version)
    services.request_send(
        record=item, by=request.user, acknowledge=payload.acknowledge, request=request
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/answer",
    response={200: RequestDetailOut, **ERRORS},
    summary="批复/答复（仅主送组织；超过时限须说明）",
)
def answer_request(request, request_id: UUID, payload: AnswerIn):
    item = _detail(request, request_id, "answer")
    check_version(request, item, payload.version)
    services.request_answer(
        record=item,
        answer=payload.answer,
        on=payload.on,
        late_reason=payload.late_reason,
        by=request.user,
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/return",
    response={200: RequestDetailOut, **ERRORS},
    summary="退回（仅主送组织，须写明理由）",
)
def return_request(request, request_id: UUID, payload: ReturnIn):
    item = _detail(request, request_id, "answer")
    check_version(request, item, payload.version)
    services.request_return(record=item, reason=payload.reason, on=payload.on, by=request.user)
    return _detail(request, request_id)
