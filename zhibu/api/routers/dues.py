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
from ninja import Field, Query, Router, Schema, Status

from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.schemas import ERRORS, Day, Filters, In, Record
from zhibu.dues import selectors, services
from zhibu.dues.models import DuesBase, Payment
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
