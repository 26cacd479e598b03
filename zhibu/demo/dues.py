"""A year of 党费 in the demo enterprise (bulk-written, so the step takes seconds).

- Every member gets a category and base from the roster's 人员类别 (在职 with a pay from
  2,600 to 16,000 yuan so every band of DUES-01 occurs, 退休 with a pension, 农民, 学生 …),
  declared from January of last year; one member's raise applies from this year's March
  (DUES-08).
- The twelve complete months before today and the running month are paid in the usual
  way (the running month by most members, not all), paid by a relative for a few.
- Seeded arrears in the 热源厂党支部 (the "zhibu" login's branch): one member has paid
  nothing for six months (DUES-11: a finding in the cockpit with its citation), one for
  five months (a reminder only), one for two.
- Last month's 上缴 is recorded up the tree for every org and reconciles.
- One voluntary payment of 2,000 yuan (DUES-09: all to the centre).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Q, Sum

from zhibu.core.bulk import analyze
from zhibu.core.scope import subtree_q
from zhibu.demo.logins import DEMO_LOGINS
from zhibu.demo.state import Demo
from zhibu.dues import selectors, services
from zhibu.dues.models import DuesBase, Payment, Remittance, Voluntary
from zhibu.dues.rates import Category
from zhibu.members.models import Member, MemberSpan
from zhibu.orgs.models import Org

ARREARS_BRANCH = "RLJT-RY"
ARREARS = (6, 5, 2)  # consecutive unpaid months of three members of that branch
CATEGORY = {
    Member.Category.IN_SERVICE: Category.IN_SERVICE,
    Member.Category.RETIRED: Category.RETIRED,
    Member.Category.FARMER: Category.FARMER,
    Member.Category.STUDENT: Category.STUDENT,
    Member.Category.UNEMPLOYED: Category.UNEMPLOYED,
    Member.Category.OTHER: Category.SELF_EMPLOYED,
}
METHODS = (
    Payment.Method.ONLINE,
    Payment.Method.ONLINE,
    Payment.Method.TRANSFER,
    Payment.Method.CASH,
)


def _pay(rng) -> Decimal:
    return Decimal(rng.randrange(2600_00, 16000_00, 50)) / 100


def build(demo: Demo, root: Org) -> dict[str, int]:
    rng = demo.rng("dues")
    current = demo.today.replace(day=1)
    start = date(current.year - 1, 1, 1)
    # Everyone on the roll at some time of the year, including those who have left since
    # (they owed their months while they were members).
    members = list(
        Member.objects.filter(
            pk__in=MemberSpan.objects.filter(
                subtree_q([root.path], "org__path"), status__in=selectors.ON_ROLL
            )
            .filter(Q(end__isnull=True) | Q(end__gt=start))
            .values("member")
        )
        .order_by("pk")
        .values_list("pk", "category", "name", "org__code", "status")
    )
    bases = []
    for pk, category, _name, _code, _status in members:
        cat = CATEGORY.get(category, Category.IN_SERVICE)
        base = None
        if cat == Category.RETIRED:
            base = Decimal(rng.randrange(2800_00, 7600_00, 100)) / 100
        elif cat in (Category.IN_SERVICE, Category.SELF_EMPLOYED):
            base = _pay(rng)
        bases.append(
            DuesBase(member_id=pk, category=cat, base=base, effective_month=start, note="演示数据")
        )
    raised = next((b for b in bases if b.category == Category.IN_SERVICE), None)
    if raised is not None and current.month >= 3:
        bases.append(
            DuesBase(
                member_id=raised.member_id,
                category=Category.IN_SERVICE,
                base=(raised.base or Decimal(0)) + Decimal("1200.00"),
                effective_month=date(current.year, 3, 1),
                note="演示数据：3 月起调资",
            )
        )
    DuesBase.objects.bulk_create(bases, batch_size=2000)

    # Who lags behind: three members of the seeded branch, never a demo login's own record.
    logins = {login.full_name for login in DEMO_LOGINS}
    candidates = [
        pk
        for pk, _c, name, code, status in members
        if code == ARREARS_BRANCH and name not in logins and status in selectors.ON_ROLL
    ]
    lagging = dict(
        zip(candidates[:: max(1, len(candidates) // 4)][: len(ARREARS)], ARREARS, strict=False)
    )

    months = selectors.months_between(start, current)
    dues = selectors.obligations(subtree_q([root.path], "org__path"), months)
    payments = []
    for (member_id, month), due in dues.items():
        if due.amount is None:
            continue
        unpaid_from = current - relativedelta(months=lagging.get(member_id, 0))
        if member_id in lagging and month >= unpaid_from:
            continue
        if month == current and rng.random() < 0.35:
            continue  # the running month: not everyone has paid yet
        paid_on = month + relativedelta(days=rng.randrange(3, 20))
        if month == current:
            paid_on = min(paid_on, demo.today)
        payments.append(
            Payment(
                member_id=member_id,
                org_id=due.org_id,
                month=month,
                amount=due.amount,
                due=due.amount,
                kind=Payment.Kind.REGULAR,
                method=METHODS[rng.randrange(len(METHODS))],
                paid_on=paid_on,
                paid_by="家属代交" if rng.random() < 0.03 else "",
            )
        )
    Payment.objects.bulk_create(payments, batch_size=2000)
    analyze(DuesBase, Payment)

    if candidates:
        services.voluntary_record(
            member=Member.objects.get(pk=candidates[-1]),
            amount=Decimal("2000.00"),
            paid_on=demo.today - relativedelta(days=20),
            note="演示数据：自愿多交",
        )

    # Last month's 上缴, bottom-up: each org remits what its subtree collected.
    last = current - relativedelta(months=1)
    orgs = list(
        Org.objects.filter(subtree_q([root.path])).exclude(kind=Org.Kind.GROUP).order_by("-depth")
    )
    by_path = {o.path: o for o in orgs}
    collected = dict(
        Payment.objects.filter(org__in=orgs, month=last)
        .values_list("org")
        .annotate(s=Sum("amount"))
    )
    month_end = last + relativedelta(months=1)
    for org_id, amount in (
        Voluntary.objects.filter(org__in=orgs, paid_on__gte=last, paid_on__lt=month_end)
        .values_list("org")
        .annotate(s=Sum("amount"))
    ):
        collected[org_id] = collected.get(org_id, Decimal(0)) + amount
    totals = {o.pk: Decimal(0) for o in orgs}
    for o in orgs:
        totals[o.pk] += collected.get(o.pk, Decimal(0))
        parent = by_path.get(o.path[: -o.steplen])
        if parent is not None:
            totals[parent.pk] += totals[o.pk]
    remits = []
    for o in orgs:
        parent = by_path.get(o.path[: -o.steplen])
        if parent is None or not totals[o.pk]:
            continue
        remits.append(
            Remittance(
                from_org=o,
                to_org=parent,
                month=last,
                amount=totals[o.pk],
                remitted_on=month_end + relativedelta(days=4),
                received_on=month_end + relativedelta(days=6),
                note="演示数据",
            )
        )
    Remittance.objects.bulk_create(remits)
    return {"dues_payments": len(payments), "dues_bases": len(bases), "remittances": len(remits)}
