"""Keeping the monthly dues summary (``DuesSummary``) equal to the raw records.

Each row is one org's **own** figures for one month: the members owing the month there
(and how many have no base), what they owe, what was collected there, what is still
outstanding, voluntary payments. Readers (the ledger, the year statement, the chart, the
cockpit's panel) roll rows up the tree by path in one query, so a view costs the same
few queries whatever the size of the tree — instead of every member's dues each time.

How it stays right, like the findings summary (``zhibu.rulebook.summary``):

- every write that changes a month's figures marks its (org, month) pairs dirty inside
  its own transaction (``mark``): payments and their corrections, bases, reliefs
  decided, voluntary payments, local parameters (the committee's whole subtree), and
  membership changes (signals on members and their spans, ``zhibu.dues.apps``);
- ``sync`` computes the dirty pairs again from the raw records — set-based, a handful of
  grouped queries per month whatever the number of orgs — and clears them. The services
  call it before they return; readers call it first too (one query when nothing is
  dirty), so a write that only marked (a signal) shows at the next view at the latest;
- only months listed in ``DuesSummaryMonth`` are kept: a month is built whole the first
  time it is read (``ensure``) and kept from then on;
- ``rebuild`` (``manage.py dues_summary``) computes every held month again: after a bulk
  load that bypassed the services (synth, raw SQL), or to repair.

Bulk writes here ANALYZE the tables they filled (``zhibu.core.bulk.analyze``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Q, Sum

from zhibu.core.bulk import analyze
from zhibu.core.scope import subtree_q
from zhibu.dues.models import DuesDirty, DuesSummary, DuesSummaryMonth, Payment, Voluntary
from zhibu.members.models import Member, MemberSpan
from zhibu.orgs.models import Org

ZERO = Decimal("0.00")
CHUNK = 500  # orgs per IN (...) list
ANALYZE_ROWS = 5_000
FIGURES = (
    "members",
    "unassessed",
    "due",
    "collected",
    "paid",
    "outstanding",
    "voluntary",
    "centre",
)


def held_months(months: Iterable[date] | None = None) -> list[date]:
    """The months the summary holds (of ``months``, or all)."""
    qs = DuesSummaryMonth.objects.all()
    if months is not None:
        wanted = sorted({m.replace(day=1) for m in months})
        if not wanted:
            return []
        qs = qs.filter(month__in=wanted)
    return sorted(qs.values_list("month", flat=True))


def mark(org_ids: Iterable[int], *, since: date | None = None, until: date | None = None) -> int:
    """Mark ``org_ids``' held months between ``since`` and ``until`` (inclusive, months)
    dirty; returns the pairs marked. Two queries."""
    orgs = sorted(set(org_ids))
    if not orgs:
        return 0
    qs = DuesSummaryMonth.objects.all()
    if since is not None:
        qs = qs.filter(month__gte=since.replace(day=1))
    if until is not None:
        qs = qs.filter(month__lte=until.replace(day=1))
    months = list(qs.values_list("month", flat=True))
    rows = [DuesDirty(org_id_value=o, month=m) for m in months for o in orgs]
    DuesDirty.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


def mark_pairs(pairs: Iterable[tuple[int, date]]) -> int:
    """Mark (org id, month) pairs dirty, those of held months only. Two queries."""
    wanted = {(org_id, month.replace(day=1)) for org_id, month in pairs}
    if not wanted:
        return 0
    held = set(held_months(m for _o, m in wanted))
    rows = [DuesDirty(org_id_value=o, month=m) for o, m in sorted(wanted) if m in held]
    DuesDirty.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def members_changed(member_ids: Iterable[int], *, since=None, until=None) -> int:
    """Mark the months of the orgs these members were on the roll of."""
    return mark(member_orgs(member_ids), since=since, until=until)


def mark_subtree(org: Org, *, since: date | None = None) -> int:
    return mark(Org.objects.filter(subtree_q([org.path])).values_list("pk", flat=True), since=since)


def _own_rows(orgs: list[int] | None, month: date) -> list[DuesSummary]:
    """The own rows of ``orgs`` (every org when None) for ``month``, from the raw records:
    the obligations' four queries and three grouped ones, per chunk of orgs."""
    if orgs is None:
        return _chunk_rows(None, month)
    out: list[DuesSummary] = []
    for i in range(0, len(orgs), CHUNK):
        out.extend(_chunk_rows(orgs[i : i + CHUNK], month))
    return out


def _chunk_rows(chunk: list[int] | None, month: date) -> list[DuesSummary]:
    from zhibu.dues import selectors  # the obligations (selectors read the summary too)

    month_end = month + relativedelta(months=1)
    where = Q() if chunk is None else Q(org__in=chunk)
    rows: dict[int, DuesSummary] = {}

    def row(org_id: int) -> DuesSummary:
        if org_id not in rows:
            rows[org_id] = DuesSummary(org_id=org_id, month=month)
        return rows[org_id]

    if chunk is None:
        dues = list(selectors.obligations(Q(), [month]).values())
    else:
        # Every member on a chunk org's roll in the month, judged over all their spans: a
        # member who came in mid-month owes the month where they were first in it.
        wanted = set(chunk)
        dues = [d for d in selectors.owed_at(where, [month]).values() if d.org_id in wanted]
    payments = Payment.objects.filter(month=month)
    if chunk is not None:
        payments = payments.filter(member__in=[d.member_id for d in dues])
    paid_members = set(payments.values_list("member", flat=True).order_by())
    for d in dues:
        r = row(d.org_id)
        r.members += 1
        r.unassessed += d.amount is None
        r.due += d.amount or ZERO
        if d.member_id not in paid_members:
            r.outstanding += d.amount or ZERO
    for org_id, total, n in (
        Payment.objects.filter(where, month=month)
        .values_list("org")
        .annotate(s=Sum("amount"), n=Count("id"))
        .order_by()
    ):
        r = row(org_id)
        r.collected += total
        r.paid += n
    for org_id, total, centre in (
        Voluntary.objects.filter(where, paid_on__gte=month, paid_on__lt=month_end)
        .values_list("org")
        .annotate(s=Sum("amount"), c=Sum("amount", filter=Q(for_centre=True)))
        .order_by()
    ):
        r = row(org_id)
        r.voluntary += total
        r.centre += centre or ZERO
    return list(rows.values())


def _write(orgs: list[int] | None, month: date) -> int:
    """Replace the own rows of ``orgs`` (all when None) for ``month``."""
    fresh = [r for r in _own_rows(orgs, month) if any(getattr(r, f) for f in FIGURES)]
    stale = DuesSummary.objects.filter(month=month)
    if orgs is None:
        stale.delete()
    else:
        for i in range(0, len(orgs), CHUNK):
            stale.filter(org__in=orgs[i : i + CHUNK]).delete()
    DuesSummary.objects.bulk_create(fresh, batch_size=2000)
    return len(fresh)


def sync() -> int:
    """Compute the dirty (org, month) pairs again and clear them; returns rows written.
    One query when nothing is dirty."""
    if not DuesDirty.objects.exists():
        return 0
    return _sync()


@transaction.atomic
def _sync() -> int:
    pairs = list(DuesDirty.objects.values_list("pk", "org_id_value", "month"))
    if not pairs:
        return 0
    by_month: dict[date, set[int]] = defaultdict(set)
    for _pk, org_id, month in pairs:
        by_month[month].add(org_id)
    written = 0
    for month, orgs in sorted(by_month.items()):
        written += _write(sorted(orgs), month)
    ids = [pk for pk, _o, _m in pairs]
    for i in range(0, len(ids), CHUNK):
        DuesDirty.objects.filter(pk__in=ids[i : i + CHUNK]).delete()
    if written >= ANALYZE_ROWS:
        analyze(DuesSummary)
    return written


@transaction.atomic
def build_month(month: date) -> int:
    """(Re)build ``month`` for the whole tree and hold it from now on."""
    month = month.replace(day=1)
    written = _write(None, month)
    DuesSummaryMonth.objects.update_or_create(month=month)
    DuesDirty.objects.filter(month=month).delete()
    if written >= ANALYZE_ROWS:
        analyze(DuesSummary)
    return written


def ensure(months: Iterable[date]) -> None:
    """Hold ``months`` (build those not held yet) and bring dirty pairs up to date."""
    wanted = sorted({m.replace(day=1) for m in months})
    held = set(held_months(wanted))
    for month in wanted:
        if month not in held:
            build_month(month)
    sync()


def rebuild(months: Iterable[date] | None = None) -> int:
    """Compute ``months`` (every held month when None) again from the raw records."""
    targets = sorted({m.replace(day=1) for m in months}) if months else held_months()
    return sum(build_month(m) for m in targets)


def rollup(org: Org, month: date) -> dict[str, dict]:
    """{org path: own figures} of ``org``'s subtree for ``month`` (one query)."""
    return {
        values.pop("org__path"): values
        for values in DuesSummary.objects.filter(subtree_q([org.path], "org__path"), month=month)
        .values("org__path", *FIGURES)
        .order_by()
    }


def month_totals(org: Org, months: list[date]) -> dict[date, dict]:
    """{month: figures of ``org``'s whole subtree} (one grouped query)."""
    if not months:
        return {}
    return {
        values.pop("month"): values
        for values in DuesSummary.objects.filter(
            subtree_q([org.path], "org__path"), month__in=months
        )
        .values("month")
        .annotate(**{f: Sum(f) for f in FIGURES})
        .order_by()
    }


def member_orgs(member_ids: Iterable[int]) -> set[int]:
    """Every org a member was on the roll of (the owners of their months)."""

    ids = list(member_ids)
    orgs = set(MemberSpan.objects.filter(member__in=ids).values_list("org", flat=True))
    orgs.update(
        o for o in Member.objects.filter(pk__in=ids).values_list("org", flat=True) if o is not None
    )
    return orgs


def on_member_saved(sender, instance, raw=False, **kwargs) -> None:
    """A member saved (status, org, 转正 …): their orgs' held months are marked."""
    if raw or not DuesSummaryMonth.objects.exists():
        return
    members_changed([instance.pk])


def on_span_changed(sender, instance, raw=False, **kwargs) -> None:
    """A roll span written or deleted one by one (``bulk_create`` sends nothing: the
    member's own save, which precedes a rebuild of their spans, marks the new org)."""
    if raw or not DuesSummaryMonth.objects.exists():
        return
    mark([instance.org_id], since=instance.start, until=instance.end)
