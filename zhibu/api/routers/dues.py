"""/api/v1/dues: categories, members' bases, a branch's monthly sheet, payments and the
ledger — the same services and scoped selectors as the pages (``dues.manage``; outside the
scope 404). Money is a decimal string ("52.30"), never a float. A sheet's ``version`` is
sent back with its payments: a sheet changed since it was read answers 409; a month paid
twice answers 422."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhibu.accounts import permissions
from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.schemas import ERRORS, Day, Filters, In, Record
from zhibu.dues import selectors, services
from zhibu.dues.models import DuesBase, Payment, Relief, Remittance
from zhibu.dues.rates import RULE_OF, Category, parse_month
from zhibu.members.models import Member

router = Router(tags=["dues"])
ACTION = selectors.ACTION
Month = str  # "2026-03"


def _month(text: str) -> date:
    month = parse_month(text)
    if month is None:
        raise ApiError(400, "月份格式不正确，请写成 2026-03。")
    return month


class CategoryOut(Schema):
    code: str
    label: str
    rule: str


class BaseOut(Record):
    id: UUID
    member_id: UUID
    category: str
    base: Decimal | None
    effective_month: str
    note: str
    version: str

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id

    @staticmethod
    def resolve_effective_month(obj):
        return services.month_label(obj.effective_month)

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class BaseIn(In):
    category: Category
    base: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    effective_month: str | None = Field(
        None, description="2026-03；自领取新工资的当月起（DUES-08）"
    )
    note: str = Field("", max_length=200)


class BaseUpdateIn(In):
    version: str | None = None
    category: Category
    base: Decimal | None = Field(None, max_digits=12, decimal_places=2)
    note: str = Field("", max_length=200)


class SheetRowOut(Schema):
    member_id: UUID
    name: str
    category: str | None
    base: Decimal | None
    due: Decimal | None
    paid: bool
    payment_id: UUID | None
    amount: Decimal | None


class SheetOut(Schema):
    org_id: UUID
    month: str
    version: str = Field(..., description="乐观锁版本：登记交纳时原样提交")
    rows: list[SheetRowOut]


class PaymentIn(In):
    member: UUID
    amount: Decimal = Field(..., max_digits=12, decimal_places=2)
    method: Payment.Method
    paid_on: Day
    paid_by: str = Field("", max_length=50, description="代交人（亲属或其他党员）")
    quarterly: bool = False
    note: str = Field("", max_length=200)


class PaymentsIn(In):
    org: UUID
    month: str
    version: str | None = None
    payments: list[PaymentIn] = Field(..., min_length=1, max_length=1000)


class PaymentOut(Record):
    id: UUID
    member_id: UUID
    month: str
    amount: Decimal
    due: Decimal
    kind: str
    method: str
    paid_on: date
    paid_by: str

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id

    @staticmethod
    def resolve_month(obj):
        return services.month_label(obj.month)


class LedgerRowOut(Schema):
    org_id: UUID
    org_name: str
    depth: int
    members: int
    unassessed: int
    due: Decimal
    collected: Decimal
    outstanding: Decimal
    voluntary: Decimal
    expected_remit: Decimal
    remitted: Decimal | None
    received: Decimal
    reconciled: bool | None


class LedgerFilters(Filters):
    org: UUID
    month: str


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="党费类别")
def categories(request):
    return [{"code": c.value, "label": str(c.label), "rule": RULE_OF[c]} for c in Category]


def _member(request, member_id: UUID) -> Member:
    require_anywhere(request.user, ACTION)
    return selectors.member_in_scope(request.user, member_id)


@router.get(
    "/members/{member_id}/bases", response={200: list[BaseOut], **ERRORS}, summary="党员的党费基数"
)
def list_bases(request, member_id: UUID):
    member = _member(request, member_id)
    return list(DuesBase.objects.filter(member=member).select_related("member"))


@router.post(
    "/members/{member_id}/bases", response={201: BaseOut, **ERRORS}, summary="核定党费基数"
)
def create_base(request, member_id: UUID, payload: BaseIn):
    member = _member(request, member_id)
    month = parse_month(payload.effective_month) if payload.effective_month else None
    if payload.effective_month and month is None:
        raise ValidationError({"effective_month": "月份格式不正确，请写成 2026-03。"})
    record = services.base_declare(
        member=member,
        category=payload.category,
        base=payload.base,
        effective_month=month,
        note=payload.note,
        by=request.user,
    )
    return Status(201, record)


@router.patch(
    "/bases/{base_id}", response={200: BaseOut, **ERRORS}, summary="修改党费基数（乐观锁）"
)
def update_base(request, base_id: UUID, payload: BaseUpdateIn):
    require_anywhere(request.user, ACTION)
    record = DuesBase.objects.select_related("member").filter(public_id=base_id).first()
    if record is None:
        raise ApiError(404)
    selectors.member_in_scope(request.user, record.member.public_id)
    check_version(request, record, payload.version)
    return services.base_update(
        record=record,
        category=payload.category,
        base=payload.base,
        note=payload.note,
        by=request.user,
    )


@router.get(
    "/sheets/{org_id}/{month}", response={200: SheetOut, **ERRORS}, summary="支部月度党费收缴表"
)
def get_sheet(request, org_id: UUID, month: str):
    require_anywhere(request.user, ACTION)
    org = selectors.dues_org_for_user(request.user, org_id)
    first = _month(month)
    rows = selectors.sheet(org, first)
    return {
        "org_id": org.public_id,
        "month": services.month_label(first),
        "version": selectors.sheet_version(org, first),
        "rows": [
            {
                "member_id": r.due.public_id,
                "name": r.due.name,
                "category": r.due.category,
                "base": r.due.base,
                "due": r.due.amount,
                "paid": r.paid,
                "payment_id": r.payment.public_id if r.payment else None,
                "amount": r.payment.amount if r.payment else None,
            }
            for r in rows
        ],
    }


@router.post(
    "/payments",
    response={201: list[PaymentOut], **ERRORS},
    summary="登记党费交纳（整表，全部或全不）",
)
def create_payments(request, payload: PaymentsIn):
    require_anywhere(request.user, ACTION)
    org = selectors.dues_org_for_user(request.user, payload.org)
    month = _month(payload.month)
    people = {
        m.public_id: m
        for m in Member.objects.filter(public_id__in=[p.member for p in payload.payments])
    }
    if len(people) != len({p.member for p in payload.payments}):
        raise ApiError(404)
    entries = [
        services.Entry(
            member=people[p.member],
            month=month,
            amount=p.amount,
            method=p.method,
            paid_on=p.paid_on,
            paid_by=p.paid_by,
            quarterly=p.quarterly,
            note=p.note,
        )
        for p in payload.payments
    ]
    try:
        created = services.payments_record(
            entries=entries, by=request.user, org=org, month=month, version=payload.version
        )
    except ValidationError as exc:
        if exc.error_list and exc.error_list[0].code == "stale":
            raise ApiError(409, str(services.STALE_SHEET)) from None
        raise
    return Status(201, created)


@router.get(
    "/ledger",
    response={200: list[LedgerRowOut], **ERRORS},
    summary="党费收缴台账（含下级、上缴核对）",
)
def ledger(request, filters: Query[LedgerFilters]):
    require_anywhere(request.user, ACTION)
    org = selectors.dues_org_for_user(request.user, filters.org)
    return [
        {
            "org_id": r.org.public_id,
            "org_name": r.org.name,
            "depth": r.depth,
            "members": r.members,
            "unassessed": r.unassessed,
            "due": r.due,
            "collected": r.collected,
            "outstanding": r.outstanding,
            "voluntary": r.voluntary,
            "expected_remit": r.expected_remit,
            "remitted": r.remitted,
            "received": r.received,
            "reconciled": r.reconciled,
        }
        for r in selectors.ledger(org, _month(filters.month))
    ]


# --- voluntary payments, reliefs (减免), 上缴 ----------------------------------------------------


class VoluntaryIn(In):
    amount: Decimal = Field(..., max_digits=12, decimal_places=2)
    paid_on: Day
    note: str = Field("", max_length=200)


class VoluntaryOut(Record):
    id: UUID
    member_id: UUID
    amount: Decimal
    paid_on: date
    for_centre: bool = Field(..., description="一次 1000 元以上：全额上缴中央（DUES-09）")
    note: str

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id


@router.post(
    "/members/{member_id}/voluntary",
    response={201: VoluntaryOut, **ERRORS},
    summary="登记自愿多交党费",
)
def create_voluntary(request, member_id: UUID, payload: VoluntaryIn):
    member = _member(request, member_id)
    record = services.voluntary_record(
        member=member,
        amount=payload.amount,
        paid_on=payload.paid_on,
        note=payload.note,
        by=request.user,
    )
    return Status(201, record)


class ReliefIn(In):
    kind: Relief.Kind
    amount: Decimal | None = Field(
        None, max_digits=12, decimal_places=2, description="减交后的每月金额（减交必填）"
    )
    from_month: str = Field(..., description="2026-03")
    to_month: str | None = Field(None, description="2026-12；不填为长期")
    reason: str = Field(..., min_length=1, max_length=300)
    discussed_on: Day


class ReliefOut(Record):
    id: UUID
    member_id: UUID
    org_id: UUID
    kind: str
    amount: Decimal | None
    from_month: str
    to_month: str | None
    reason: str
    discussed_on: date
    status: str
    decided_on: date | None

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_from_month(obj):
        return services.month_label(obj.from_month)

    @staticmethod
    def resolve_to_month(obj):
        return services.month_label(obj.to_month) if obj.to_month else None


class DecisionIn(In):
    approve: bool


@router.get(
    "/members/{member_id}/reliefs",
    response={200: list[ReliefOut], **ERRORS},
    summary="党员的党费减免",
)
def list_reliefs(request, member_id: UUID):
    member = _member(request, member_id)
    return list(Relief.objects.filter(member=member).select_related("member", "org"))


@router.post(
    "/members/{member_id}/reliefs",
    response={201: ReliefOut, **ERRORS},
    summary="登记减免申请（支部讨论后；减交、免交待上级党委审批，DUES-06）",
)
def create_relief(request, member_id: UUID, payload: ReliefIn):
    member = _member(request, member_id)
    start = _month(payload.from_month)
    stop = _month(payload.to_month) if payload.to_month else None
    relief = services.relief_request(
        member=member,
        kind=payload.kind,
        amount=payload.amount,
        from_month=start,
        to_month=stop,
        reason=payload.reason,
        discussed_on=payload.discussed_on,
        by=request.user,
    )
    return Status(201, relief)


@router.post(
    "/reliefs/{relief_id}/decision",
    response={200: ReliefOut, **ERRORS},
    summary="上级党委审批减免（DUES-06）",
)
def decide_relief(request, relief_id: UUID, payload: DecisionIn):
    require_anywhere(request.user, ACTION)
    relief = (
        Relief.objects.filter(
            permissions.scope_q(request.user, ACTION, "org__path"), public_id=relief_id
        )
        .select_related("member", "org")
        .first()
    )
    if relief is None:
        raise ApiError(404)
    return services.relief_decide(
        relief=relief, approve=payload.approve, by=request.user, on=timezone.localdate()
    )


class RemittanceIn(In):
    org: UUID = Field(..., description="上缴的组织")
    month: str = Field(..., description="2026-03")
    amount: Decimal = Field(..., max_digits=12, decimal_places=2)
    remitted_on: Day
    note: str = Field("", max_length=200)


class RemittanceOut(Record):
    id: UUID
    from_org_id: UUID
    to_org_id: UUID
    month: str
    amount: Decimal
    remitted_on: date
    received_on: date | None
    note: str

    @staticmethod
    def resolve_from_org_id(obj):
        return obj.from_org.public_id

    @staticmethod
    def resolve_to_org_id(obj):
        return obj.to_org.public_id

    @staticmethod
    def resolve_month(obj):
        return services.month_label(obj.month)


@router.get(
    "/remittances",
    response={200: list[RemittanceOut], **ERRORS},
    summary="某月的上缴：本组织上缴的和下级上缴给本组织的",
)
def list_remittances(request, filters: Query[LedgerFilters]):
    require_anywhere(request.user, ACTION)
    org = selectors.dues_org_for_user(request.user, filters.org)
    month = _month(filters.month)
    return list(
        Remittance.objects.filter(Q(from_org=org) | Q(to_org=org), month=month)
        .select_related("from_org", "to_org")
        .order_by("id")
    )


@router.post("/remittances", response={201: RemittanceOut, **ERRORS}, summary="登记上缴")
def create_remittance(request, payload: RemittanceIn):
    require_anywhere(request.user, ACTION)
    org = selectors.dues_org_for_user(request.user, payload.org)
    record = services.remittance_record(
        from_org=org,
        month=_month(payload.month),
        amount=payload.amount,
        remitted_on=payload.remitted_on,
        note=payload.note,
        by=request.user,
    )
    return Status(201, record)


@router.post(
    "/remittances/{remittance_id}/confirm",
    response={200: RemittanceOut, **ERRORS},
    summary="接收党委确认收到上缴",
)
def confirm_remittance(request, remittance_id: UUID):
    require_anywhere(request.user, ACTION)
    record = (
        Remittance.objects.filter(
            permissions.scope_q(request.user, ACTION, "to_org__path"), public_id=remittance_id
        )
        .select_related("from_org", "to_org")
        .first()
    )
    if record is None:
        raise ApiError(404)
    return services.remittance_confirm(remittance=record, on=timezone.localdate(), by=request.user)
