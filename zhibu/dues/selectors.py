"""Reads of 党费: who owes what for which month, sheets, ledgers, arrears — set-based.

Who owes a month (DUES-07, and no dues before joining or after leaving): a member on the
roll (正式 or 预备党员; a 预备党员's span starts at the 支部大会's date) on at least one day of
the month. The month is owed to the org of the first such span in the month, so a member
transferred out mid-month pays that month where they were (转出月份的党费在原支部交清).
How much: the base row in force (latest ``effective_month`` not after the month), the rate
table of that month and the local policy of the nearest committee above, then an approved
reduction or exemption (DUES-06).

Each function issues a fixed number of queries whatever the size of the subtree (pinned in
tests/dues/test_queries.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from zhibu.accounts import permissions
from zhibu.core.rules import Status
from zhibu.core.rules.registry import in_force
from zhibu.core.scope import STEPLEN, nearest, subtree_q
from zhibu.dues.models import (
    DuesBase,
    DuesPolicy,
    DuesSummary,
    Payment,
    Relief,
    Remittance,
    Voluntary,
)
from zhibu.dues.rates import FARMER_MIN, Category, Rounding, monthly_amount
from zhibu.members.models import Member, MemberSpan
from zhibu.orgs.models import Org
from zhibu.rulebook.changes import cached
from zhibu.rulebook.models import FindingSummary, SummaryVersion

ON_ROLL = (Member.Status.FULL, Member.Status.PROBATIONARY)
ZERO = Decimal("0.00")
ACTION = "dues.manage"


@dataclass
class Due:
    member_id: int
    org_id: int
    month: date
    name: str
    public_id: object
    category: str | None
    base: Decimal | None
    amount: Decimal | None  # None: no base declared (未核定)
    relief: str = ""  # Relief.Kind applied, if any
    org_path: str = ""

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label) if self.category else ""


# --- access ---------------------------------------------------------------------------------


def dues_orgs(user) -> QuerySet[Org]:
    return Org.objects.filter(permissions.scope_q(user, ACTION))


def dues_org_for_user(user, public_id) -> Org:
    """The org if the user holds dues.manage over it, else 404 (its existence not revealed)."""
    try:
        return dues_orgs(user).get(public_id=public_id)
    except (Org.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    except Exception as exc:  # a malformed UUID raises ValidationError
        raise Http404 from exc


def member_in_scope(user, public_id) -> Member:
    try:
        return Member.objects.select_related("org").get(
            permissions.scope_q(user, ACTION, "org__path"), public_id=public_id
        )
    except Exception as exc:
        raise Http404 from exc


# --- what is owed -----------------------------------------------------------------------------


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month += relativedelta(months=1)
    return months


def _policies() -> dict[str, tuple[Decimal, str]]:
    return {
        path: (farmer, rounding)
        for path, farmer, rounding in DuesPolicy.objects.values_list(
            "committee__path", "farmer_amount", "rounding"
        )
    }


def policy_for(path: str, policies: dict | None = None) -> tuple[Decimal, str]:
    found = nearest(path, policies if policies is not None else _policies())
    return found or (FARMER_MIN, Rounding.FEN)


def obligations(where: Q, months: list[date], *, members: list[int] | None = None) -> dict:
    """{(member id, month): Due} for members on the roll of orgs matching ``where`` (a Q on
    ``org``'s fields prefixed ``org__``) in any of ``months``. Four queries."""
    if not months:
        return {}
    first, end = months[0], months[-1] + relativedelta(months=1)
    spans = MemberSpan.objects.filter(where, status__in=ON_ROLL, start__lt=end).filter(
        Q(end__isnull=True) | Q(end__gt=first)
    )
    if members is not None:
        spans = spans.filter(member__in=members)
    span_rows = list(
        spans.order_by("start").values_list(
            "member", "org", "org__path", "member__name", "member__public_id", "start", "end"
        )
    )
    by_member: dict[int, list[tuple]] = defaultdict(list)
    for row in span_rows:
        by_member[row[0]].append(row)
    ids = list(by_member)
    bases: dict[int, list[tuple[date, str, Decimal | None]]] = defaultdict(list)
    for member_id, effective, cat, value in (
        DuesBase.objects.filter(member__in=ids, effective_month__lt=end)
        .order_by("member", "effective_month")
        .values_list("member", "effective_month", "category", "base")
    ):
        bases[member_id].append((effective, cat, value))
    reliefs: dict[int, list[tuple]] = defaultdict(list)
    for member_id, kind, amount, start, stop in (
        Relief.objects.filter(
            member__in=ids,
            status=Relief.Status.APPROVED,
            kind__in=(Relief.Kind.REDUCE, Relief.Kind.EXEMPT),
            from_month__lt=end,
        )
        .filter(Q(to_month__isnull=True) | Q(to_month__gte=first))
        .values_list("member", "kind", "amount", "from_month", "to_month")
    ):
        reliefs[member_id].append((kind, amount, start, stop))
    policies = _policies()
    result = {}
    for member_id, rows in by_member.items():
        for month in months:
            month_end = month + relativedelta(months=1)
            span = next(
                (r for r in rows if r[5] < month_end and (r[6] is None or r[6] > month)), None
            )
            if span is None:
                continue
            category: str | None = None
            base: Decimal | None = None
            for effective, cat, value in bases.get(member_id, ()):
                if effective <= month:
                    category, base = cat, value
            farmer, rounding = policy_for(span[2], policies)
            amount = (
                monthly_amount(category, base, month, farmer_amount=farmer, rounding=rounding)
                if category
                else None
            )
            applied = ""
            for kind, reduced, start, stop in reliefs.get(member_id, ()):
                if start <= month and (stop is None or month <= stop):
                    applied = kind
                    amount = ZERO if kind == Relief.Kind.EXEMPT else (reduced or ZERO)
            result[(member_id, month)] = Due(
                member_id,
                span[1],
                month,
                span[3],
                span[4],
                category,
                base,
                amount,
                applied,
                span[2],
            )
    return result


def owed_at(where: Q, months: list[date]) -> dict:
    """``obligations`` of every member on the roll of an org matching ``where`` in any of
    ``months``, judged over all their spans (so a month is owed where the member was
    first in it, even outside ``where``: callers keep the dues whose ``org_id`` they
    want). Five queries."""
    if not months:
        return {}
    first, end = months[0], months[-1] + relativedelta(months=1)
    ids = list(
        MemberSpan.objects.filter(where, status__in=ON_ROLL, start__lt=end)
        .filter(Q(end__isnull=True) | Q(end__gt=first))
        .values_list("member", flat=True)
        .distinct()
        .order_by()
    )
    return obligations(Q(), months, members=ids)


def member_due(member: Member, month: date) -> Due | None:
    """What ``member`` owes for ``month`` (None: not on the roll in it)."""
    return obligations(Q(), [month], members=[member.pk]).get((member.pk, month))


# --- the monthly sheet ------------------------------------------------------------------------


@dataclass
class SheetRow:
    due: Due
    payment: Payment | None = None

    @property
    def paid(self) -> bool:
        return self.payment is not None


def sheet(org: Org, month: date) -> list[SheetRow]:
    """A branch's monthly sheet: each member who owes the month here, and their payment."""
    dues = obligations(Q(org=org), [month])
    paid = {
        p.member_id: p
        for p in Payment.objects.filter(
            member__in=[d.member_id for d in dues.values()], month=month
        )
    }
    rows = [SheetRow(d, paid.get(d.member_id)) for d in dues.values() if d.org_id == org.pk]
    rows.sort(key=lambda r: r.due.name)
    return rows


def sheet_version(org: Org, month: date) -> str:
    """The sheet's state as a version: a save over a sheet changed since it was read is
    refused (someone else entered payments meanwhile)."""
    agg = Payment.objects.filter(org=org, month=month).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    return f"{agg['n'] or 0}:{agg['last'].isoformat() if agg['last'] else ''}"


# --- ledger -----------------------------------------------------------------------------------


@dataclass
class LedgerRow:
    org: Org
    members: int = 0
    unassessed: int = 0  # no base declared
    due: Decimal = ZERO
    collected: Decimal = ZERO
    paid: int = 0
    outstanding: Decimal = ZERO
    voluntary: Decimal = ZERO
    centre: Decimal = ZERO
    remitted: Decimal | None = None  # this org's 上缴 for the month
    received: Decimal = ZERO  # 上缴 received from orgs below
    children_remitted: Decimal = ZERO  # what the orgs directly below say they remitted
    depth: int = 0

    @property
    def rate(self) -> int | None:
        """Collection rate in whole percent (None when nothing is due)."""
        return round(self.collected * 100 / self.due) if self.due else None

    @property
    def expected_remit(self) -> Decimal:
        return self.collected + self.voluntary

    @property
    def reconciled(self) -> bool | None:
        """None: nothing to reconcile; True when its 上缴 equals what its subtree collected
        and what it received equals what the orgs below remitted to it."""
        if not self.expected_remit and self.remitted is None:
            return None
        return (
            self.remitted or ZERO
        ) == self.expected_remit and self.received == self.children_remitted


def ledger(org: Org, month: date, *, depth: int | None = None) -> list[LedgerRow]:
    """One row per org of ``org``'s subtree (tree order; only ``depth`` levels below it
    when given) for ``month``, each summing its whole subtree: due, collected,
    outstanding, voluntary, and the 上缴 reconciliation — from the monthly summary
    (``zhibu.dues.summary``): five queries whatever the size of the subtree once the
    month is held."""
    from zhibu.dues import summary

    summary.ensure([month])
    orgs_qs = Org.objects.filter(subtree_q([org.path])).exclude(kind=Org.Kind.GROUP)
    if depth is not None:
        orgs_qs = orgs_qs.filter(depth__lte=org.depth + depth)
    orgs = list(orgs_qs.order_by("path"))
    rows = {o.path: LedgerRow(o, depth=(len(o.path) - len(org.path)) // o.steplen) for o in orgs}
    for path, figures in summary.rollup(org, month).items():
        for cut in range(len(path), len(org.path) - 1, -org.steplen):
            row = rows.get(path[:cut])
            if row is None:
                continue
            row.members += figures["members"]
            row.unassessed += figures["unassessed"]
            row.due += figures["due"]
            row.collected += figures["collected"]
            row.paid += figures["paid"]
            row.outstanding += figures["outstanding"]
            row.voluntary += figures["voluntary"]
            row.centre += figures["centre"]
    _remittances(org, month, rows)
    return [rows[o.path] for o in orgs]


def _remittances(org: Org, month: date, rows: dict) -> None:
    """The 上缴 of ``month`` from and to the subtree's orgs onto their ledger rows (one
    query)."""
    for from_path, to_path, amount in Remittance.objects.filter(
        subtree_q([org.path], "from_org__path") | subtree_q([org.path], "to_org__path"),
        month=month,
    ).values_list("from_org__path", "to_org__path", "amount"):
        if from_path in rows:
            rows[from_path].remitted = amount
        parent = rows.get(from_path[: -org.steplen])
        if parent is not None and from_path.startswith(org.path) and from_path != org.path:
            parent.children_remitted += amount
        if to_path in rows:
            rows[to_path].received += amount


def ledger_from_records(org: Org, month: date) -> list[LedgerRow]:
    """``ledger`` computed from the raw records (every member's dues): what the summary
    must equal (tests/dues/test_summary.py). Seven queries, the subtree's size of work."""
    orgs = list(
        Org.objects.filter(subtree_q([org.path])).exclude(kind=Org.Kind.GROUP).order_by("path")
    )
    by_id = {o.pk: o for o in orgs}
    rows = {o.path: LedgerRow(o, depth=(len(o.path) - len(org.path)) // o.steplen) for o in orgs}

    def ancestors(path: str):
        for cut in range(len(path), len(org.path) - 1, -org.steplen):
            row = rows.get(path[:cut])
            if row is not None:
                yield row

    dues = owed_at(subtree_q([org.path], "org__path"), [month])
    paid = dict(
        Payment.objects.filter(org__in=by_id, month=month)
        .values_list("member")
        .annotate(s=Sum("amount"))
    )
    for due in dues.values():
        owner = by_id.get(due.org_id)
        if owner is None:
            continue
        got = paid.get(due.member_id)
        for row in ancestors(owner.path):
            row.members += 1
            row.unassessed += due.amount is None
            row.due += due.amount or ZERO
            if got is None:
                row.outstanding += due.amount or ZERO
    for org_id, total, n in (
        Payment.objects.filter(org__in=by_id, month=month)
        .values_list("org")
        .annotate(s=Sum("amount"), n=Count("id"))
    ):
        for row in ancestors(by_id[org_id].path):
            row.collected += total
            row.paid += n
    month_end = month + relativedelta(months=1)
    for org_id, amount, centre in Voluntary.objects.filter(
        org__in=by_id, paid_on__gte=month, paid_on__lt=month_end
    ).values_list("org", "amount", "for_centre"):
        for row in ancestors(by_id[org_id].path):
            row.voluntary += amount
            if centre:
                row.centre += amount
    for from_id, to_id, amount in Remittance.objects.filter(
        Q(from_org__in=by_id) | Q(to_org__in=by_id), month=month
    ).values_list("from_org", "to_org", "amount"):
        if from_id in by_id:
            rows[by_id[from_id].path].remitted = amount
            parent = rows.get(by_id[from_id].path[: -org.steplen])
            if parent is not None:
                parent.children_remitted += amount
        if to_id in by_id:
            rows[by_id[to_id].path].received += amount
    return [rows[o.path] for o in orgs]


def monthly_collection(org: Org, year: int) -> list[dict]:
    """Collected per month of ``year`` in the subtree (the chart), from the summary for
    the months it holds (one grouped query) and the payments for the others."""
    from zhibu.dues import summary

    months = [date(year, m, 1) for m in range(1, 13)]
    held = summary.held_months(months)
    totals = {m: f["collected"] for m, f in summary.month_totals(org, held).items()}
    if len(held) < 12:
        totals.update(_collected_from_payments(org, year, exclude=held))
    return [
        {
            "month": f"{m:02d}",
            "collected": str((totals.get(date(year, m, 1)) or ZERO).quantize(ZERO)),
        }
        for m in range(1, 13)
    ]


def _collected_from_payments(org: Org, year: int, *, exclude: list[date]) -> dict:
    return dict(
        Payment.objects.filter(subtree_q([org.path], "org__path"), month__year=year)
        .exclude(month__in=exclude)
        .values_list("month")
        .annotate(s=Sum("amount"))
        .order_by()
    )


def monthly_collection_from_records(org: Org, year: int) -> list[dict]:
    totals = dict(
        Payment.objects.filter(subtree_q([org.path], "org__path"), month__year=year)
        .values_list("month")
        .annotate(s=Sum("amount"))
    )
    return [
        {"month": f"{m:02d}", "collected": str(totals.get(date(year, m, 1), ZERO))}
        for m in range(1, 13)
    ]


# --- statements -------------------------------------------------------------------------------


@dataclass
class StatementLine:
    month: date
    due: Decimal | None
    payment: Payment | None
    relief: str = ""


def member_statement(
    member: Member, year: int, *, today: date | None = None
) -> list[StatementLine]:
    """The member's months of ``year`` up to the running month (later ones only if paid
    in advance): what was due and paid."""
    current = (today or timezone.localdate()).replace(day=1)
    months = months_between(date(year, 1, 1), date(year, 12, 1))
    dues = obligations(Q(), months, members=[member.pk])
    paid = {p.month: p for p in Payment.objects.filter(member=member, month__year=year)}
    lines = []
    for month in months:
        due = dues.get((member.pk, month))
        if (due is None or month > current) and month not in paid:
            continue
        lines.append(
            StatementLine(
                month, due.amount if due else None, paid.get(month), due.relief if due else ""
            )
        )
    return lines


def org_year(org: Org, year: int, *, today: date | None = None) -> list[dict]:
    """Due, collected and outstanding of the subtree per month of ``year`` (up to the
    running month), from the monthly summary: one grouped query once the months are held."""
    from zhibu.dues import summary

    current = (today or timezone.localdate()).replace(day=1)
    months = months_between(date(year, 1, 1), min(date(year, 12, 1), current))
    if not months:
        return []
    summary.ensure(months)
    totals = summary.month_totals(org, months)
    out = []
    for month in months:
        figures = totals.get(month, {})
        out.append(
            {
                "month": month,
                "members": figures.get("members") or 0,
                "due": figures.get("due") or ZERO,
                "collected": figures.get("collected") or ZERO,
                "outstanding": figures.get("outstanding") or ZERO,
            }
        )
    return out


def org_year_from_records(org: Org, year: int, *, today: date | None = None) -> list[dict]:
    """``org_year`` from the raw records (what the summary must equal)."""
    current = (today or timezone.localdate()).replace(day=1)
    months = months_between(date(year, 1, 1), min(date(year, 12, 1), current))
    if not months:
        return []
    dues = owed_at(subtree_q([org.path], "org__path"), months)
    dues = {k: d for k, d in dues.items() if d.org_path.startswith(org.path)}
    paid = {
        (m, month): amount
        for m, month, amount in Payment.objects.filter(
            subtree_q([org.path], "org__path"), month__year=year
        ).values_list("member", "month", "amount")
    }
    out = []
    for month in months:
        due = collected = outstanding = ZERO
        members = 0
        for (member_id, m), d in dues.items():
            if m != month:
                continue
            members += 1
            due += d.amount or ZERO
            if (member_id, month) not in paid:
                outstanding += d.amount or ZERO
        collected = sum((a for (m, mo), a in paid.items() if mo == month), ZERO)
        out.append(
            {
                "month": month,
                "members": members,
                "due": due,
                "collected": collected,
                "outstanding": outstanding,
            }
        )
    return out


# --- arrears (DUES-10 reminders, DUES-11 findings) ---------------------------------------------


@dataclass
class Arrears:
    member_id: int
    org_id: int
    name: str
    public_id: object
    months: int  # consecutive unpaid months ending with the last complete month
    since: date  # the first of them


def arrears(
    where: Q,
    on: date,
    *,
    window: int = 12,
    members: list[int] | None = None,
    orgs_seen: set[int] | None = None,
) -> list[Arrears]:
    """Members on the roll on ``on`` (orgs matching ``where``) with consecutive unpaid
    months ending with the month before ``on``'s (the running month is not late yet).
    Months before joining, months exempted (DUES-06) and months deferred with a recorded
    reason do not count, nor months off the roll (before joining, suspended); each ends the
    run. Counting stops at ``window`` months. Four queries."""
    current = on.replace(day=1)
    first = current - relativedelta(months=window)
    spans = MemberSpan.objects.filter(where, status__in=ON_ROLL, start__lte=on).filter(
        Q(end__isnull=True) | Q(end__gt=on)
    )
    if members is not None:
        spans = spans.filter(member__in=members)
    roll = {
        m: (org_id, name, pid)
        for m, org_id, name, pid in spans.values_list(
            "member", "org", "member__name", "member__public_id"
        )
    }
    ids = list(roll)
    if orgs_seen is not None:
        orgs_seen.update(org_id for org_id, _name, _pid in roll.values())
    # Months on the roll (a suspension, 停止党籍, owes nothing and breaks the run).
    rolled: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for m, start, stop in (
        MemberSpan.objects.filter(member__in=ids, status__in=ON_ROLL, start__lt=current)
        .filter(Q(end__isnull=True) | Q(end__gt=first))
        .values_list("member", "start", "end")
    ):
        rolled[m].append((start, stop))
    paid: dict[int, set[date]] = defaultdict(set)
    for m, month in Payment.objects.filter(
        member__in=ids, month__gte=first, month__lt=current
    ).values_list("member", "month"):
        paid[m].add(month)
    excused: dict[int, list[tuple[date, date | None]]] = defaultdict(list)
    for m, start, stop in (
        Relief.objects.filter(member__in=ids, from_month__lt=current)
        .filter(
            Q(kind=Relief.Kind.DEFER) | Q(kind=Relief.Kind.EXEMPT, status=Relief.Status.APPROVED)
        )
        .filter(Q(to_month__isnull=True) | Q(to_month__gte=first))
        .values_list("member", "from_month", "to_month")
    ):
        excused[m].append((start, stop))
    result = []
    for member_id, (org_id, name, pid) in roll.items():
        count, month = 0, current - relativedelta(months=1)
        while month >= first and month not in paid[member_id]:
            month_end = month + relativedelta(months=1)
            if not any(a < month_end and (b is None or b > month) for a, b in rolled[member_id]):
                break  # not on the roll that month: before joining, or suspended
            if any(a <= month and (b is None or month <= b) for a, b in excused[member_id]):
                break
            count += 1
            month -= relativedelta(months=1)
        if count:
            result.append(
                Arrears(member_id, org_id, name, pid, count, month + relativedelta(months=1))
            )
    result.sort(key=lambda a: (-a.months, a.name))
    return result


# --- the cockpit's 党费 panel --------------------------------------------------------------------

# The rule that judges long arrears: the panel counts its findings, never a second reckoning.
ARREARS_RULE = "DUES-11"


@dataclass
class PanelRow:
    org: Org
    own: bool
    due: Decimal = ZERO
    collected: Decimal = ZERO
    long_arrears: int = 0  # DUES-11's suspect findings in its latest judgement
    arrears_period: str = ""  # the period code of that judgement ("" when never judged)
    arrears_citation: object = None  # DUES-11's Citation (rendered in the viewer's language)

    @property
    def rate(self) -> int | None:
        return round(self.collected * 100 / self.due) if self.due else None


def dues_panel(*, org: Org, children: list[Org], today: date) -> list[PanelRow]:
    """Per direct sub-organisation (and 本级): this month's collection rate (the monthly
    summary) and the members DUES-11 found in long arrears (its suspect findings, from the
    findings summary). Two grouped queries once the month is held, whatever the size of
    the subtree."""
    month = today.replace(day=1)
    targets = [PanelRow(org, True)] + [PanelRow(c, False) for c in children]
    by_path = {row.org.path: row for row in targets[1:]}

    def row_for(path: str) -> PanelRow:
        return by_path.get(path[: len(org.path) + STEPLEN]) or targets[0]

    from zhibu.dues import summary

    summary.ensure([month])
    where = subtree_q([org.path], "org__path")
    for prefix, due, collected in (
        DuesSummary.objects.filter(where, month=month)
        .annotate(_branch=Substr("org__path", 1, len(org.path) + STEPLEN))
        .values_list("_branch")
        .annotate(d=Sum("due"), c=Sum("collected"))
        .order_by()
    ):
        row = row_for(prefix)
        row.due += due or ZERO
        row.collected += collected or ZERO
    period, counts = dues11_counts(org, today)
    rule = in_force(ARREARS_RULE, today)
    for row in targets:
        row.arrears_period = period
        row.arrears_citation = rule.citation if rule is not None else None
    for path, n in counts.items():
        row_for(path).long_arrears += n
    return [r for r in targets if not r.own or r.due or r.long_arrears]


def dues11_counts(org: Org, today: date) -> tuple[str, dict[str, int]]:
    """DUES-11's suspect findings in its latest judgement over ``org``'s subtree: (the
    period code, {row path: count}) — the org's own findings under its path, each child
    subtree's under the child's path, as the cockpit's matrix counts them. One query on
    the findings summary (``zhibu.rulebook.summary``), whatever the size of the subtree.

    A snapshot rule is filed under every period a run covers (the running month, quarter
    and year, judged as of the run's day); its latest judgement is the stored period
    starting by ``today`` with the latest end (then the latest start), as the reminders'
    "superseded" test reads it — chosen over the whole subtree (the org's own summary row
    counts every finding below it), so a period whose suspects all turned OK still wins.
    """
    rows = list(
        FindingSummary.objects.filter(subtree_q([org.path], field="org_path"))
        .filter(
            depth__in=[org.depth, org.depth + 1],
            rule_code=ARREARS_RULE,
            period_start__lte=today,
            period_start__gte=date(today.year - 1, 1, 1),
        )
        .values_list(
            "org_path",
            "depth",
            "period_code",
            "period_start",
            "period_end",
            "status",
            "own",
            "total",
        )
    )
    judged = [(end, start, code) for path, _d, code, start, end, *_ in rows if path == org.path]
    if not judged:
        return "", {}
    latest = max(judged)[2]
    counts: dict[str, int] = defaultdict(int)
    for path, depth, code, _start, _end, status, own, total in rows:
        if code != latest or status != Status.SUSPECT:
            continue
        n = own if depth == org.depth else total
        if n:
            counts[path] += n
    return latest, dict(counts)


# The tables the panel's figures come from that carry change counters (the monthly
# summary, kept by the writes; an org's move or new child changes paths). The findings
# summary has none (the rule run writes it): ``cached_dues_panel`` keys on the org's
# ``SummaryVersion`` token instead, new whenever a count in its subtree changes.
PANEL_SOURCES = (
    "dues_duessummary",
    "dues_duesdirty",
    "orgs_org",
)


def cached_dues_panel(*, org: Org, children: list[Org], today: date) -> list[PanelRow]:
    """``dues_panel`` from the cache while none of its tables and none of the findings
    counts in the org's subtree changed."""
    from zhibu.dues import summary

    summary.ensure([today.replace(day=1)])  # before the version: it may write the summary
    token = SummaryVersion.objects.filter(org_path=org.path).values_list("token", flat=True).first()
    return cached(
        "dues-panel",
        PANEL_SOURCES,
        (org.pk, org.path, today.isoformat(), token or "", *(c.pk for c in children)),
        lambda: dues_panel(org=org, children=children, today=today),
    )
