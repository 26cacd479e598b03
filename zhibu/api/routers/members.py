"""/api/v1/members: the roster through the same selectors and services as the pages.

The list is ``selectors.member_list`` (org subtree, status, category, name / pinyin /
initials / last four ID digits), one member is ``member_for_user`` (404 outside scope, 403
without the action), a new member is ``services.member_create`` (the create page's service,
DQ-01..04 included), an edit is ``services.member_update`` (the edit page's), a status
change is ``services.member_record_event`` and a transfer goes through
``zhibu.members.transfers``. Personal data leaves only masked: the API has no reveal.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelChoiceField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Query, Router, Status

from zhibu.api.errors import ApiError, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, OrgRecord, Record, page_of
from zhibu.core.db import replica_reads
from zhibu.members import selectors, services, transfers
from zhibu.members.choices import ETHNICITY_CHOICES, Education
from zhibu.members.forms import FORM_EVENT_KINDS
from zhibu.members.models import Member, MemberEvent, Transfer
from zhibu.orgs.models import Org, Unit
from zhibu.orgs.selectors import org_for_user

router = Router(tags=["members"])

VIEW, MANAGE, TRANSFER = "member.view", "member.manage", "member.transfer"
BAD_VERSION = _(
    '版本号格式不正确：请原样提交读取记录时得到的 version（或 If-Match: "<version>"）。'
)
PLACEMENT_ONLY_WHEN_MOVED = _("只有“党内调整”可以指定党支部或党小组。")
# Django's own (translated) message for a choice that is not among those offered, as the
# edit page's work-unit field answers it.
NOT_A_UNIT = ModelChoiceField.default_error_messages["invalid_choice"]

Ethnicity = Literal[tuple(value for value, _label in ETHNICITY_CHOICES)]  # type: ignore[valid-type]
EducationOrBlank = Literal[("", *Education.values)]  # type: ignore[valid-type]
EventKind = Literal[tuple(str(k) for k in FORM_EVENT_KINDS)]  # type: ignore[valid-type]
StartDirection = Literal["internal", "out"]
# Fields a PATCH may clear with null (the others keep their value on null).
CLEARABLE = frozenset({"work_unit", "applied_on"})


# --- output ----------------------------------------------------------------------------------


class MemberOut(OrgRecord):
    id: UUID
    name: str
    gender: str
    birth_date: date
    org_id: UUID
    org_name: str
    group_id: UUID | None
    status: str
    category: str
    applied_on: date | None
    admitted_on: date | None
    full_on: date | None
    party_age: int = Field(..., description="党龄（整年，自转正之日起算）")
    id_number_masked: str = Field(..., description="脱敏的公民身份号码；接口不提供完整号码")
    phone_masked: str = Field(..., description="脱敏的联系电话；接口不提供完整号码")
    version: str = Field(..., description="乐观锁版本：修改时原样放在 version 或 If-Match 中")

    @staticmethod
    def resolve_group_id(obj):
        return obj.group.public_id if obj.group_id else None

    @staticmethod
    def resolve_party_age(obj):
        return obj.party_age_on(timezone.localdate())

    @staticmethod
    def resolve_id_number_masked(obj):
        return obj.masked_id_number

    @staticmethod
    def resolve_phone_masked(obj):
        return obj.masked_phone

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


MemberPage = page_of(MemberOut)


class MemberDetailOut(MemberOut):
    former_name: str
    ethnicity: str
    native_place: str
    education: str
    degree: str
    occupation: str
    work_unit_id: UUID | None
    work_unit_name: str | None
    address: str
    exit_kind: str
    frail_exempt: bool
    frail_reason: str
    front_line: bool

    @staticmethod
    def resolve_work_unit_id(obj):
        return obj.work_unit.public_id if obj.work_unit_id else None

    @staticmethod
    def resolve_work_unit_name(obj):
        return obj.work_unit.name if obj.work_unit_id else None


class EventOut(OrgRecord):
    id: UUID
    kind: str
    on: date
    org_id: UUID | None
    org_name: str | None
    group_id: UUID | None
    status_after: str
    document_no: str
    note: str
    recorded_at: datetime

    @staticmethod
    def resolve_group_id(obj):
        return obj.group.public_id if obj.group_id else None


class TransferOut(Record):
    id: UUID
    member_id: UUID
    member_name: str
    direction: str
    status: str
    from_org_id: UUID | None
    from_org_name: str | None
    to_org_id: UUID | None
    to_org_name: str | None
    outside_org: str
    letter_no: str
    requested_on: date
    issued_on: date | None
    valid_until: date | None
    received_on: date | None
    reason: str
    rejection_reason: str
    note: str

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_from_org_id(obj):
        return obj.from_org.public_id if obj.from_org_id else None

    @staticmethod
    def resolve_from_org_name(obj):
        return obj.from_org.name if obj.from_org_id else None

    @staticmethod
    def resolve_to_org_id(obj):
        return obj.to_org.public_id if obj.to_org_id else None

    @staticmethod
    def resolve_to_org_name(obj):
        return obj.to_org.name if obj.to_org_id else None


# --- input -----------------------------------------------------------------------------------


class MemberFilters(Filters):
    org: UUID | None = Field(None, description="该组织及其全部下级")
    status: Member.Status | None = Field(None, description="不填为在册党员（正式、预备、停止党籍）")
    category: Member.Category | None = None
    q: str = Field("", max_length=50, description="姓名、全拼、首字母或身份证号后四位")
    cursor: str | None = None
    limit: int = 50


class MemberCreateIn(In):
    """The create page's fields; DQ-01..04 are checked by the same service."""

    org: UUID = Field(..., description="所在党支部")
    group: UUID | None = Field(None, description="所在党小组")
    name: str = Field(..., max_length=50)
    former_name: str = Field("", max_length=50)
    gender: Member.Gender
    ethnicity: Ethnicity = "汉族"
    birth_date: Day
    id_number: str = Field("", max_length=50, description="18 位公民身份号码，末位可为 X")
    phone: str = Field("", max_length=50)
    native_place: str = Field("", max_length=50)
    education: EducationOrBlank = ""
    degree: str = Field("", max_length=30)
    occupation: str = Field("", max_length=100)
    work_unit: UUID | None = None
    address: str = Field("", max_length=200)
    category: Member.Category = Member.Category.IN_SERVICE
    applied_on: Day | None = None
    admitted_on: Day = Field(..., description="支部大会通过接收为预备党员的日期")
    full_on: Day | None = Field(None, description="转正日期；预备党员不填")
    document_no: str = Field("", max_length=100)


class MemberUpdateIn(In):
    """The edit page's fields. Left out: unchanged; "" clears a text field; null clears
    ``work_unit`` and ``applied_on`` and leaves any field that must have a value unchanged;
    an empty ``id_number`` keeps the stored number (as on the page)."""

    version: str | None = Field(None, description="读取时得到的 version；已被他人修改则 409")
    name: str | None = Field(None, max_length=50)
    former_name: str | None = Field(None, max_length=50)
    gender: Member.Gender | None = None
    ethnicity: Ethnicity | None = None
    birth_date: Day | None = None
    id_number: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=50)
    native_place: str | None = Field(None, max_length=50)
    education: EducationOrBlank | None = None
    degree: str | None = Field(None, max_length=30)
    occupation: str | None = Field(None, max_length=100)
    work_unit: UUID | None = None
    address: str | None = Field(None, max_length=200)
    category: Member.Category | None = None
    applied_on: Day | None = None
    frail_exempt: bool | None = None
    frail_reason: str | None = Field(None, max_length=200)
    front_line: bool | None = None


class EventIn(In):
    kind: EventKind = Field(..., description="转接经 /transfers 办理，不在此登记")
    on: Day
    org: UUID | None = Field(None, description="党内调整后的党支部（不填为原支部）")
    group: UUID | None = Field(None, description="党内调整后的党小组")
    document_no: str = Field("", max_length=100)
    note: str = Field("", max_length=300)


class TransferIn(In):
    direction: StartDirection = Field(..., description="internal 系统内转接；out 转出至系统外")
    to_org: str = Field("", max_length=30, description="系统内转接：接收党支部的组织代码，如 ZB01")
    outside_org: str = Field("", max_length=200, description="转出至系统外：对方党组织全称")
    requested_on: Day
    reason: str = Field("", max_length=200)
    note: str = Field("", max_length=300)


class TransferApproveIn(In):
    issued_on: Day
    letter_no: str = Field(
        "", max_length=50, description="介绍信编号；转出至系统外时必填（MBR-04）"
    )
    valid_until: Day | None = Field(None, description="不填为开具日期起 3 个月")


class TransferReceiptIn(In):
    on: Day = Field(..., description="回执所载接收日期")


# --- handlers --------------------------------------------------------------------------------


@router.get("", response={200: MemberPage, **ERRORS}, summary="党员名册")
def list_members(request, filters: Query[MemberFilters]):
    require_anywhere(request.user, VIEW)
    org = org_for_user(request.user, filters.org) if filters.org else None
    qs = selectors.member_list(
        user=request.user,
        org=org,
        q=filters.q,
        status=filters.status or None,
        category=filters.category or None,
    )
    with replica_reads():  # a read-only list: the replica may serve it
        items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@router.get("/{member_id}", response={200: MemberDetailOut, **ERRORS}, summary="党员详情（脱敏）")
def get_member(request, member_id: UUID):
    require_anywhere(request.user, VIEW)
    return selectors.member_for_user(request.user, member_id)


@router.post("", response={201: MemberDetailOut, **ERRORS}, summary="登记党员")
def create_member(request, payload: MemberCreateIn):
    require_anywhere(request.user, MANAGE)
    org = org_for_user(request.user, payload.org, action=MANAGE)
    group = org_for_user(request.user, payload.group, action=MANAGE) if payload.group else None
    data = payload.dict(exclude={"org", "group", "work_unit"})
    member = services.member_create(
        org=org, group=group, work_unit=_unit(payload.work_unit), by=request.user, **data
    )
    return Status(201, member)


@router.patch(
    "/{member_id}", response={200: MemberDetailOut, **ERRORS}, summary="修改党员信息（乐观锁）"
)
def update_member(
    request,
    member_id: UUID,
    payload: MemberUpdateIn,
    if_match: str | None = Header(
        None, alias="If-Match", description='读取时得到的 version，写作 "<version>"'
    ),
):
    require_anywhere(request.user, MANAGE)
    member = selectors.member_for_user(request.user, member_id, write=True)
    expected = [
        _version(payload.version, "version") if payload.version is not None else None,
        _if_match(if_match),
    ]
    changes = {
        field: value
        for field, value in payload.dict(exclude_unset=True, exclude={"version"}).items()
        if value is not None or field in CLEARABLE
    }
    if "work_unit" in changes:
        changes["work_unit"] = _unit(payload.work_unit)
    with transaction.atomic():
        if any(expected):
            # Compare under the row's lock, so a write between this check and the save
            # cannot slip in (the service locks the same row again).
            current = (
                Member.objects.select_for_update()
                .filter(pk=member.pk)
                .values_list("updated_at", flat=True)
                .get()
            )
            if any(v is not None and v != current for v in expected):
                raise ApiError(409)
        member = services.member_update(member=member, by=request.user, **changes)
    return selectors.member_for_user(request.user, member.public_id)


@router.get(
    "/{member_id}/events", response={200: list[EventOut], **ERRORS}, summary="党籍变动（时间顺序）"
)
def list_events(request, member_id: UUID):
    require_anywhere(request.user, VIEW)
    member = selectors.member_for_user(request.user, member_id)
    return list(member.events.select_related("org", "group").order_by("on", "id"))


@router.post(
    "/{member_id}/events",
    response={201: EventOut, **ERRORS},
    summary="记录党籍变动（转正、停止党籍、党内调整等；状态不允许时返回 422）",
)
def record_event(request, member_id: UUID, payload: EventIn):
    require_anywhere(request.user, MANAGE)
    member = selectors.member_for_user(request.user, member_id, write=True)
    org = group = None
    if payload.kind == MemberEvent.Kind.MOVED:
        org = org_for_user(request.user, payload.org, action=MANAGE) if payload.org else None
        if payload.group:
            group = org_for_user(request.user, payload.group, action=MANAGE)
    elif payload.org or payload.group:
        field = "org" if payload.org else "group"
        raise ValidationError({field: PLACEMENT_ONLY_WHEN_MOVED})
    event = services.member_record_event(
        member=member,
        kind=payload.kind,
        on=payload.on,
        org=org,
        group=group,
        document_no=payload.document_no,
        note=payload.note,
        by=request.user,
    )
    return Status(201, event)


@router.get(
    "/{member_id}/transfers",
    response={200: list[TransferOut], **ERRORS},
    summary="组织关系转接记录",
)
def list_transfers(request, member_id: UUID):
    require_anywhere(request.user, VIEW)
    member = selectors.member_for_user(request.user, member_id)
    return list(member.transfers.select_related("member", "from_org", "to_org"))


@router.post(
    "/{member_id}/transfers",
    response={201: TransferOut, **ERRORS},
    summary="申请组织关系转接（系统内或转出至系统外）",
)
def start_transfer(request, member_id: UUID, payload: TransferIn):
    require_anywhere(request.user, MANAGE)
    member = selectors.member_for_user(request.user, member_id, write=True)
    data = payload.dict(exclude={"to_org"})
    to_org: Org | None = None
    if payload.direction == Transfer.Direction.INTERNAL:
        to_org = transfers.branch_by_code(payload.to_org)  # the receiver is named by its code
    transfer = transfers.transfer_start(member=member, to_org=to_org, by=request.user, **data)
    return Status(201, transfer)


def _transfer(request, member_id: UUID, transfer_id: UUID) -> Transfer:
    """A transfer of the member, for the sending side's steps (``member.transfer`` there)."""
    require_anywhere(request.user, TRANSFER)
    member = selectors.member_for_user(request.user, member_id)
    transfer = selectors.transfer_for_user(request.user, transfer_id, action=TRANSFER, side="from")
    if transfer.member_id != member.pk:
        raise ApiError(404)
    return transfer


@router.post(
    "/{member_id}/transfers/{transfer_id}/approve",
    response={200: TransferOut, **ERRORS},
    summary="转出方审批并开具介绍信（转出至系统外须填介绍信编号）",
)
def approve_transfer(request, member_id: UUID, transfer_id: UUID, payload: TransferApproveIn):
    transfer = _transfer(request, member_id, transfer_id)
    return transfers.transfer_approve(transfer=transfer, by=request.user, **payload.dict())


@router.post(
    "/{member_id}/transfers/{transfer_id}/receipt",
    response={200: TransferOut, **ERRORS},
    summary="登记系统外介绍信回执（党员转出）",
)
def record_receipt(request, member_id: UUID, transfer_id: UUID, payload: TransferReceiptIn):
    transfer = _transfer(request, member_id, transfer_id)
    return transfers.transfer_record_receipt(transfer=transfer, by=request.user, on=payload.on)


# --- helpers ---------------------------------------------------------------------------------


def _unit(public_id: UUID | None) -> Unit | None:
    """A work unit by id (the pages offer every unit), else 422 on the field."""
    if public_id is None:
        return None
    unit = Unit.objects.filter(public_id=public_id).first()
    if unit is None:
        raise ValidationError({"work_unit": NOT_A_UNIT})
    return unit


def _version(text: str, field: str) -> datetime:
    """A version as read (``updated_at`` in ISO 8601 with its offset), else 400."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        message = str(BAD_VERSION)
        raise ApiError(400, message, [{"field": field, "rule": None, "message": message}])
    return value


def _if_match(header: str | None) -> datetime | None:
    """``If-Match: "<version>"`` (quotes optional); ``*`` matches any version."""
    if header is None or header.strip() == "*":
        return None
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return _version(value, "If-Match")
