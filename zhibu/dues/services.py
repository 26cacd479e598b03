"""Every write of 党费: bases, reliefs, payments (sheet, import), voluntary, 上缴, cases.

A refused write raises ``ValidationError`` with one of the Chinese messages below and
writes nothing (each service is one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.scope import ancestor_paths
from zhibu.core.versioning import check_version
from zhibu.dues import selectors, summary
from zhibu.dues.models import (
    DuesBase,
    DuesPolicy,
    LapseCase,
    Payment,
    PaymentCorrection,
    Relief,
    Remittance,
    Voluntary,
)
from zhibu.dues.rates import BASED, CENT, FARMER_MAX, FARMER_MIN, Category, Rounding
from zhibu.members.models import Member
from zhibu.orgs.models import Org

BACK_PAY_MONTHS = 6  # DUES-10: back-payment generally within 6 months
ADVANCE_MONTHS = 12

NEGATIVE_BASE = _("党费基数不能为负数。")
BASE_REQUIRED = _("“%(category)s”按基数计算党费，请填写党费基数。")
MONTH_REQUIRED = _("请填写基数的起始月份（DUES-08：自领取新工资的当月起按新基数交纳）。")
BASE_TWICE = _("%(name)s %(month)s 起的党费基数已核定，请修改原记录。")
NOT_ON_ROLL = _(
    "%(name)s 在 %(month)s 不在本组织党员名册中：入党（支部大会通过）前和离开后的月份不交党费。"
)
DUPLICATE = _("%(name)s %(month)s 的党费已交纳，不能重复登记。")
DUPLICATE_IN_BATCH = _("%(name)s %(month)s 在本次登记中出现了两次。")
WRONG_AMOUNT = _("%(name)s %(month)s 应交 %(due)s 元，登记金额为 %(amount)s 元，不符。")
UNASSESSED = _("%(name)s 尚未核定 %(month)s 适用的党费类别和基数，请先核定。")
TOO_OLD = _("补缴一般限于最近 %(n)s 个月（DUES-10，党费规定第十二条）：%(month)s 已超出。")
TOO_FAR = _("预交最多至 %(limit)s。")
DEDUCTION = _("党组织不得从工资中扣缴党费（DUES-12，党费规定第十四条），请选择党员本人交纳的方式。")
QUARTERLY_CONSENT = _("按季交纳须经支部同意（DUES-10），请在备注中注明同意情况。")
STALE_SHEET = _("您打开此表后，其他人已登记了本月党费，您的登记未保存。请刷新后重新登记。")
NOTHING_ENTERED = _("没有勾选任何党员。")
AMOUNT_POSITIVE = _("金额须大于零。")
REDUCE_AMOUNT = _("减交须填写减交后的每月金额。")
MONTHS_ORDER = _("截止月份不能早于起始月份。")
NOT_HIGHER = _("减免须由上级党委审批（DUES-06，党费规定第七条），本支部不能自行批准。")
ALREADY_DECIDED = _("该申请已经审批。")
NO_PARENT = _("没有上级党组织，无法上缴。")
REMITTED_TWICE = _("%(org)s %(month)s 的党费已上缴，不能重复登记。")
NOT_RECEIVER = _("只有接收党委可以确认收到。")
CASE_OPEN = _("%(name)s 已有待研究的自行脱党处置。")
REASON_REQUIRED = _("请填写更正或冲销的理由。")
CORRECT_AMOUNT = _("%(name)s %(month)s 应交 %(due)s 元，更正后的金额须与应交金额一致。")
NOTHING_CORRECTED = _("更正内容与原记录相同，没有需要更正的内容。")
FARMER_RANGE = _("农民党员每月党费须在 0.2 元至 1 元之间（DUES-05，党费规定第五条）。")
BAD_ROUNDING = _("请选择计算精度。")
NOT_COMMITTEE = _("党费本地参数由党委制定，本组织不是党委。")
MEETING_REQUIRED = _("支部作出处置意见，须注明研究的会议（党员大会或支委会）。")


def _money(value: Decimal | None) -> Decimal | None:
    return value.quantize(CENT) if value is not None else None


def month_label(month: date) -> str:
    return f"{month.year}-{month.month:02d}"


# --- bases ------------------------------------------------------------------------------------


def check_base(category: str, base: Decimal | None, effective_month: date | None) -> None:
    errors: dict[str, list] = {}
    if effective_month is None:
        errors.setdefault("effective_month", []).append(MONTH_REQUIRED)
    if base is not None and base < 0:
        errors.setdefault("base", []).append(NEGATIVE_BASE)
    if category in BASED and base is None:
        errors.setdefault("base", []).append(BASE_REQUIRED % {"category": Category(category).label})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def base_declare(
    *,
    member: Member,
    category: str,
    base: Decimal | None,
    effective_month: date | None,
    note: str = "",
    by=None,
    batch=None,
) -> DuesBase:
    """Declare a member's category and base from ``effective_month`` on (DUES-08)."""
    check_base(category, base, effective_month)
    assert effective_month is not None
    month = effective_month.replace(day=1)
    if DuesBase.objects.filter(member=member, effective_month=month).exists():
        raise ValidationError(
            {"effective_month": BASE_TWICE % {"name": member.name, "month": month_label(month)}}
        )
    record = DuesBase(
        member=member,
        category=category,
        base=_money(base) if category in BASED else None,
        effective_month=month,
        note=note,
        declared_by=by,
        import_batch=batch,
    )
    record.full_clean()
    record.save()
    summary.members_changed([member.pk], since=month)
    if batch is None:  # an import syncs once at its end
        summary.sync()
    return record


@transaction.atomic
def base_update(
    *, record: DuesBase, category: str, base: Decimal | None, note: str = "", by=None
) -> DuesBase:
    check_base(category, base, record.effective_month)
    record.category = category
    record.base = _money(base) if category in BASED else None
    record.note = note
    record.declared_by = by
    record.full_clean()
    record.save()
    summary.members_changed([record.member_id], since=record.effective_month)
    summary.sync()
    return record


# --- reliefs (DUES-06) ------------------------------------------------------------------------


@transaction.atomic
def relief_request(
    *,
    member: Member,
    kind: str,
    from_month: date,
    to_month: date | None,
    reason: str,
    discussed_on: date,
    amount: Decimal | None = None,
    meeting=None,
    by=None,
) -> Relief:
    """The branch's request after its discussion; a deferral (缓交) with a good reason is
    the branch's own record, reductions and exemptions wait for the higher 党委."""
    from_month = from_month.replace(day=1)
    to_month = to_month.replace(day=1) if to_month else None
    if to_month and to_month < from_month:
        raise ValidationError({"to_month": MONTHS_ORDER})
    if kind == Relief.Kind.REDUCE and (amount is None or amount < 0):
        raise ValidationError({"amount": REDUCE_AMOUNT})
    relief = Relief(
        member=member,
        org=member.org,
        kind=kind,
        amount=amount if kind == Relief.Kind.REDUCE else None,
        from_month=from_month,
        to_month=to_month,
        reason=reason,
        discussed_on=discussed_on,
        meeting=meeting,
        status=Relief.Status.APPROVED if kind == Relief.Kind.DEFER else Relief.Status.REQUESTED,
    )
    relief.full_clean()
    relief.save()
    return relief


def higher_committee(org: Org) -> Org | None:
    """The nearest 党委/党总支 above ``org``."""
    paths = ancestor_paths(org.path)
    return (
        Org.objects.filter(path__in=paths, kind__in=Org.COMMITTEE_KINDS).order_by("-path").first()
    )


@transaction.atomic
def relief_decide(*, relief: Relief, approve: bool, by, on: date) -> Relief:
    relief = Relief.objects.select_for_update().select_related("org").get(pk=relief.pk)
    if relief.status != Relief.Status.REQUESTED:
        raise ValidationError(ALREADY_DECIDED)
    approver = higher_committee(relief.org)
    if approver is None or not permissions.can(by, selectors.ACTION, approver):
        raise ValidationError(NOT_HIGHER)
    relief.status = Relief.Status.APPROVED if approve else Relief.Status.REJECTED
    relief.approver_org, relief.decided_on, relief.decided_by = approver, on, by
    relief.save()
    if approve and relief.kind != Relief.Kind.DEFER:
        summary.members_changed([relief.member_id], since=relief.from_month, until=relief.to_month)
        summary.sync()
    return relief


# --- payments ---------------------------------------------------------------------------------


@dataclass
class Entry:
    member: Member
    month: date
    amount: Decimal
    method: str
    paid_on: date
    paid_by: str = ""
    quarterly: bool = False
    note: str = ""


def kind_of(month: date, paid_on: date) -> str:
    current = paid_on.replace(day=1)
    if month < current:
        return Payment.Kind.BACK
    if month > current:
        return Payment.Kind.ADVANCE
    return Payment.Kind.REGULAR


def check_entries(
    entries: Sequence[Entry], *, org: Org | None = None, within: Org | None = None
) -> tuple[list, list[str]]:
    """(Payment objects ready to insert, Chinese errors). Five queries for any number.
    ``org``: each month must be owed to that org (a sheet); ``within``: to an org of
    that subtree (an import, the API)."""
    errors: list[str] = []
    if not entries:
        return [], [str(NOTHING_ENTERED)]
    months = sorted({e.month.replace(day=1) for e in entries})
    members = list({e.member.pk for e in entries})
    dues = selectors.obligations(
        Q(), selectors.months_between(months[0], months[-1]), members=members
    )
    existing = set(
        Payment.objects.filter(member__in=members, month__in=months).values_list("member", "month")
    )
    seen: set[tuple[int, date]] = set()
    payments = []
    for e in entries:
        month = e.month.replace(day=1)
        values = {"name": e.member.name, "month": month_label(month)}
        key = (e.member.pk, month)
        due = dues.get(key)
        problem: object = None
        if e.method not in Payment.Method.values:
            problem = DEDUCTION
        elif (
            due is None
            or (org is not None and due.org_id != org.pk)
            or (within is not None and not due.org_path.startswith(within.path))
        ):
            problem = NOT_ON_ROLL % values
        elif key in existing:
            problem = DUPLICATE % values
        elif key in seen:
            problem = DUPLICATE_IN_BATCH % values
        elif due.amount is None:
            problem = UNASSESSED % values
        elif e.amount != due.amount:
            problem = WRONG_AMOUNT % {**values, "due": due.amount, "amount": e.amount}
        elif kind_of(month, e.paid_on) == Payment.Kind.BACK and month < (
            e.paid_on.replace(day=1) - relativedelta(months=BACK_PAY_MONTHS)
        ):
            problem = TOO_OLD % {**values, "n": BACK_PAY_MONTHS}
        elif month > e.paid_on.replace(day=1) + relativedelta(months=ADVANCE_MONTHS):
            limit = e.paid_on.replace(day=1) + relativedelta(months=ADVANCE_MONTHS)
            problem = TOO_FAR % {"limit": month_label(limit)}
        elif e.quarterly and not e.note.strip():
            problem = QUARTERLY_CONSENT
        seen.add(key)
        if problem is not None:
            errors.append(str(problem))
            continue
        assert due is not None and due.amount is not None
        payments.append(
            Payment(
                member=e.member,
                org_id=due.org_id,
                month=month,
                amount=e.amount,
                due=due.amount,
                kind=kind_of(month, e.paid_on),
                method=e.method,
                paid_on=e.paid_on,
                paid_by=e.paid_by.strip(),
                quarterly=e.quarterly,
                note=e.note.strip(),
            )
        )
    return payments, errors


@transaction.atomic
def payments_record(
    *,
    entries: Sequence[Entry],
    by,
    org: Org | None = None,
    within: Org | None = None,
    version: str | None = None,
    month: date | None = None,
    batch=None,
) -> list[Payment]:
    """Record payments all or nothing. With ``org`` (a sheet), each month must be owed to
    that org; ``version`` (the sheet's, ``selectors.sheet_version``) refuses a stale sheet."""
    if org is not None and version is not None and month is not None:
        Org.objects.select_for_update().filter(pk=org.pk).first()
        if selectors.sheet_version(org, month) != version:
            raise ValidationError(STALE_SHEET, code="stale")
    payments, errors = check_entries(entries, org=org, within=within)
    if errors:
        raise ValidationError(errors)
    for p in payments:
        p.recorded_by, p.import_batch = by, batch
    try:
        with transaction.atomic():
            created = Payment.objects.bulk_create(payments)
    except IntegrityError:  # a concurrent entry of the same month
        raise ValidationError(DUPLICATE % {"name": "", "month": ""}) from None
    summary.mark_pairs((p.org_id, p.month) for p in payments)
    summary.sync()
    return created


@transaction.atomic
def voluntary_record(
    *, member: Member, amount: Decimal, paid_on: date, note: str = "", by=None
) -> Voluntary:
    """DUES-09: a voluntary payment of 1000 yuan or more at once goes entirely to the centre."""
    if amount is None or amount <= 0:
        raise ValidationError({"amount": AMOUNT_POSITIVE})
    record = Voluntary(
        member=member,
        org=member.org,
        amount=amount,
        paid_on=paid_on,
        for_centre=amount >= Voluntary.CENTRE_THRESHOLD,
        note=note,
        recorded_by=by,
    )
    record.full_clean()
    record.save()
    summary.mark_pairs([(record.org_id, paid_on)])
    summary.sync()
    return record


# --- corrections ------------------------------------------------------------------------------


def _payment_values(payment: Payment) -> dict:
    return {
        "amount": str(payment.amount),
        "method": payment.method,
        "paid_on": payment.paid_on.isoformat(),
        "paid_by": payment.paid_by,
        "note": payment.note,
    }


def _locked_payment(payment: Payment, version, noun) -> Payment:

    locked = Payment.objects.select_for_update().select_related("member", "org").get(pk=payment.pk)
    check_version(locked, version, noun=noun)
    return locked


def _audit_correction(correction: PaymentCorrection, payment: Payment, request=None) -> None:

    audit_record(
        kind=AuditEvent.Kind.RECORD_UNLOCKED,
        summary=(
            f"党费{correction.get_kind_display()} {payment.member.name} "
            f"{month_label(payment.month)}：{correction.reason}"
        ),
        actor=correction.by,
        request=request,
        obj=payment,
        org_path=payment.org.path,
        details={"before": correction.before, "after": correction.after},
    )


@transaction.atomic
def payment_correct(
    *,
    payment: Payment,
    reason: str,
    by,
    amount: Decimal,
    method: str,
    paid_on: date,
    paid_by: str = "",
    note: str = "",
    version=None,
    request=None,
) -> Payment:
    """Correct a recorded payment (a wrong amount after its base was corrected, a wrong
    method or day) with the reason; refused over a newer change (``version``)."""

    if not (reason or "").strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    if method not in Payment.Method.values:
        raise ValidationError({"method": DEDUCTION})
    payment = _locked_payment(payment, None, _("党费交纳记录"))
    check_version(payment, version, noun=_("党费交纳记录"))
    due = selectors.member_due(payment.member, payment.month)
    values = {"name": payment.member.name, "month": month_label(payment.month)}
    if due is None or due.amount is None:
        raise ValidationError({"amount": UNASSESSED % values})
    if amount is None or amount != due.amount:
        raise ValidationError({"amount": CORRECT_AMOUNT % {**values, "due": due.amount}})
    before = _payment_values(payment)
    payment.amount, payment.due, payment.method = amount, due.amount, method
    payment.paid_on, payment.paid_by, payment.note = paid_on, paid_by.strip(), note.strip()
    payment.kind = kind_of(payment.month, paid_on)
    after = _payment_values(payment)
    if after == before:
        raise ValidationError(NOTHING_CORRECTED)
    payment._history_user = by  # type: ignore[attr-defined]
    payment.full_clean()
    payment.save()
    correction = PaymentCorrection.objects.create(
        payment=payment,
        member=payment.member,
        org=payment.org,
        month=payment.month,
        kind=PaymentCorrection.Kind.CORRECT,
        before=before,
        after=after,
        reason=reason.strip(),
        by=by,
    )
    _audit_correction(correction, payment, request)
    summary.mark_pairs([(payment.org_id, payment.month)])
    summary.sync()
    return payment


@transaction.atomic
def payment_reverse(*, payment: Payment, reason: str, by, version=None, request=None):
    """Reverse (冲销) a payment recorded in error: the record goes, its correction stays
    with the reason, and the month is owed again (and may be entered anew)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": REASON_REQUIRED})
    payment = _locked_payment(payment, version, _("党费交纳记录"))
    correction = PaymentCorrection.objects.create(
        payment=None,
        member=payment.member,
        org=payment.org,
        month=payment.month,
        kind=PaymentCorrection.Kind.REVERSE,
        before=_payment_values(payment),
        reason=reason.strip(),
        by=by,
    )
    _audit_correction(correction, payment, request)
    payment._history_user = by  # type: ignore[attr-defined]
    org_id, month = payment.org_id, payment.month
    payment.delete()
    summary.mark_pairs([(org_id, month)])
    summary.sync()
    return correction


# --- 上缴 -------------------------------------------------------------------------------------


@transaction.atomic
def remittance_record(
    *, from_org: Org, month: date, amount: Decimal, remitted_on: date, note: str = "", by=None
) -> Remittance:
    month = month.replace(day=1)
    parent = Org.objects.get_parent(from_org)
    if parent is None:
        raise ValidationError(NO_PARENT)
    if amount is None or amount < 0:
        raise ValidationError({"amount": AMOUNT_POSITIVE})
    if Remittance.objects.filter(from_org=from_org, month=month).exists():
        raise ValidationError(REMITTED_TWICE % {"org": from_org.name, "month": month_label(month)})
    return Remittance.objects.create(
        from_org=from_org,
        to_org=parent,
        month=month,
        amount=amount,
        remitted_on=remitted_on,
        note=note,
        recorded_by=by,
    )


@transaction.atomic
def remittance_confirm(*, remittance: Remittance, on: date, by) -> Remittance:
    if not permissions.can(by, selectors.ACTION, remittance.to_org):
        raise ValidationError(NOT_RECEIVER)
    remittance.received_on = on
    remittance.save()
    return remittance


# --- local parameters ----------------------------------------------------------------------


@transaction.atomic
def policy_save(
    *,
    committee: Org,
    farmer_amount: Decimal | None,
    rounding: str,
    by,
    version=None,
    request=None,
) -> DuesPolicy:
    """A committee's local parameters for its subtree (DUES-05's farmers' amount, the
    rounding rule); refused over a newer change (``version``). Every held month of the
    subtree is computed again."""

    if committee.kind not in Org.COMMITTEE_KINDS:
        raise ValidationError(NOT_COMMITTEE)
    errors: dict[str, list] = {}
    if farmer_amount is None or not (FARMER_MIN <= farmer_amount <= FARMER_MAX):
        errors["farmer_amount"] = [FARMER_RANGE]
    if rounding not in Rounding.values:
        errors["rounding"] = [BAD_ROUNDING]
    if errors:
        raise ValidationError(errors)
    assert farmer_amount is not None
    policy = DuesPolicy.objects.select_for_update().filter(committee=committee).first()
    before = {}
    if policy is None:
        policy = DuesPolicy(committee=committee)
    else:
        check_version(policy, version, noun=_("党费本地参数"))
        before = {"farmer_amount": str(policy.farmer_amount), "rounding": policy.rounding}
    policy.farmer_amount, policy.rounding = farmer_amount.quantize(CENT), rounding
    policy.full_clean()
    policy.save()
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        summary=f"党费本地参数 {committee.name}：农民党员 {policy.farmer_amount} 元，"
        f"{policy.get_rounding_display()}",
        actor=by,
        request=request,
        obj=committee,
        org_path=committee.path,
        details={
            "before": before,
            "after": {"farmer_amount": str(policy.farmer_amount), "rounding": rounding},
        },
    )
    summary.mark_subtree(committee)
    summary.sync()
    return policy


# --- 自行脱党 cases (DUES-11 / MBR-06) --------------------------------------------------------


@transaction.atomic
def lapse_open(*, member: Member, on: date, months: int, by=None) -> LapseCase:
    if LapseCase.objects.filter(member=member, decision=LapseCase.Decision.OPEN).exists():
        raise ValidationError(CASE_OPEN % {"name": member.name})
    return LapseCase.objects.create(
        member=member, org=member.org, opened_on=on, months=months, recorded_by=by
    )


@transaction.atomic
def lapse_decide(
    *, case: LapseCase, decision: str, decided_on: date, meeting, note: str = "", by=None
) -> LapseCase:
    """The branch's decision, recorded with the meeting that took it."""
    if decision != LapseCase.Decision.OPEN and meeting is None:
        raise ValidationError({"meeting": MEETING_REQUIRED})
    case.decision, case.decided_on, case.meeting, case.note = decision, decided_on, meeting, note
    case.recorded_by = by
    case.full_clean()
    case.save()
    return case
