"""Reads behind the cockpit: findings of a subtree and period, aggregated set-based.

Every query filters by the org path range of the chosen org and by the period, and
groups in the database; the page costs the same few queries whatever the tree size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core.rules import Period, Rule, Status, messages, refs, registry
from zhibu.core.rules.models import Finding
from zhibu.core.scope import subtree_q
from zhibu.orgs.models import Org
from zhibu.rulebook.models import FindingSummary, SummaryVersion

# Worst first: the colour of a cell is its worst status.
SEVERITY = [Status.LATE, Status.MISSING, Status.SUSPECT, Status.DUE, Status.EXEMPT, Status.OK]
PROBLEMS = {Status.LATE, Status.MISSING, Status.SUSPECT, Status.DUE}

# Where a finding's reference ("type:uuid") leads.
REF_VIEWS = {
    "member": "members:detail",
    "meeting": "meetings:detail",
    "org": "orgs:detail",
    "committee": "orgs:committee",
    "case": "development:case",
    "request": "duties:request_detail",
    "letter": "duties:letter_detail",
    "task": "duties:task_detail",
    "rectification": "duties:detail",
    "supervision": "duties:supervision",
}
# What each reference is called on the findings page ("相关记录").
REF_LABELS = {
    "member": _("党员"),
    "meeting": _("会议"),
    "org": _("组织"),
    "committee": _("班子"),
    "case": _("发展档案"),
    "request": _("请示报告"),
    "letter": _("责任书"),
    "task": _("任务"),
    "rectification": _("整改事项"),
    "supervision": _("督办单"),
}


def period_q(period: Period) -> Q:
    """Findings that belong to ``period``: periodic rules' periods overlapping it, and
    snapshot rules filed under exactly this period."""
    snapshots = registry.snapshot_codes()
    periodic = Q(period_start__lt=period.end, period_end__gt=period.start) & ~Q(
        rule_code__in=snapshots
    )
    # Periods are calendar months, quarters and years, so every period overlapping this
    # one starts in its first calendar year: the bound changes nothing but lets
    # PostgreSQL prune the yearly partitions (zhibu.core.partitions).
    year = Q(period_start__gte=date(period.start.year, 1, 1), period_start__lt=period.end)
    return year & (periodic | Q(rule_code__in=snapshots, period_code=period.code))


def findings_in(
    *, user, org: Org, period: Period, sector: str = "", kind: str = ""
) -> QuerySet[Finding]:
    """The user's visible findings in ``org``'s subtree for ``period`` (scope enforced)."""
    qs = (
        Finding.objects.filter(permissions.scope_q(user, "finding.view", field="org_path"))
        .filter(subtree_q([org.path], field="org_path"))
        .filter(period_q(period))
    )
    if sector:
        qs = qs.filter(org__sector=sector)
    if kind:
        qs = qs.filter(org__kind=kind)
    return qs


@dataclass
class Cell:
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def problems(self) -> int:
        return sum(n for s, n in self.counts.items() if s in PROBLEMS)

    def _sum(self, *statuses) -> int:
        return sum(self.counts.get(s, 0) for s in statuses)

    @property
    def late_or_missing(self) -> int:
        return self._sum(Status.LATE, Status.MISSING)

    @property
    def due_or_suspect(self) -> int:
        return self._sum(Status.DUE, Status.SUSPECT)

    @property
    def ok_or_exempt(self) -> int:
        return self._sum(Status.OK, Status.EXEMPT)

    @property
    def worst(self) -> str:
        for status in SEVERITY:
            if self.counts.get(status):
                return status
        return ""


@dataclass
class Matrix:
    rows: list[tuple[Org | None, str]]  # (org, label); None = the chosen org itself ("本级")
    codes: list[str]
    cells: dict[str, dict[str, Cell]]  # row path → code → cell
    row_totals: dict[str, Cell]
    column_totals: dict[str, Cell]
    total: Cell


def children_of(org: Org) -> QuerySet[Org]:
    return Org.objects.filter(subtree_q([org.path]), depth=org.depth + 1).order_by("path")


def cockpit_matrix(*, user, org: Org, period: Period, sector: str = "", kind: str = "") -> Matrix:
    """Sub-orgs × rules, counts by status. Two queries: the children and one aggregate.

    Unfiltered, the aggregate reads the summary table: the org's own row and its
    children's rows (``FindingSummary``), never the findings below. The user may view
    ``org`` (the view checked), and scopes are whole subtrees, so every finding below
    counts. With a sector or kind filter it groups the findings themselves.
    """
    children = list(children_of(org))
    width = len(org.path) + Org.steplen
    rows: Iterable[tuple[str, str, str, int]]
    if sector or kind:
        rows = (
            findings_in(user=user, org=org, period=period, sector=sector, kind=kind)
            .annotate(prefix=Substr("org_path", 1, width))
            .values_list("prefix", "rule_code", "status")
            .annotate(n=Count("id"))
        )
    else:
        rows = summary_counts(org, period)
    cells: dict[str, dict[str, Cell]] = defaultdict(lambda: defaultdict(Cell))
    row_totals: dict[str, Cell] = defaultdict(Cell)
    column_totals: dict[str, Cell] = defaultdict(Cell)
    total = Cell()
    codes_seen: set[str] = set()
    for prefix, code, status, n in rows:
        key = prefix if len(prefix) == width else org.path
        for target in (cells[key][code], row_totals[key], column_totals[code], total):
            target.counts[status] = target.counts.get(status, 0) + n
        codes_seen.add(code)
    order = {code: i for i, code in enumerate(registry.codes())}
    codes = sorted(codes_seen, key=lambda c: order.get(c, 999))
    row_list: list[tuple[Org | None, str]] = [(None, org.path)] if row_totals.get(org.path) else []
    row_list += [(child, child.path) for child in children if child.path in row_totals]
    plain = {key: dict(by_code) for key, by_code in cells.items()}
    return Matrix(row_list, codes, plain, dict(row_totals), dict(column_totals), total)


def cockpit_version(org: Org) -> str:
    """What the cockpit of ``org`` depends on, as a cache version: the summary's token
    for the org (new whenever a count in its subtree changes) and the latest edit of its
    children (their names label the rows)."""
    token = SummaryVersion.objects.filter(org_path=org.path).values_list("token", flat=True).first()
    edited = children_of(org).aggregate(last=Max("updated_at"))["last"]
    return f"{token or ''}:{edited.timestamp() if edited else ''}"


def summary_counts(org: Org, period: Period) -> list[tuple[str, str, str, int]]:
    """(row path, rule, status, count) from the summary: the org's own findings under its
    own path, each child's subtree under the child's path."""
    rows = (
        FindingSummary.objects.filter(subtree_q([org.path], field="org_path"))
        .filter(depth__in=[org.depth, org.depth + 1])
        .filter(period_q(period))  # the same columns as findings
        .values_list("org_path", "depth", "rule_code", "status", "own", "total")
    )
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for path, depth, code, status, own, total in rows:
        n = own if depth == org.depth else total
        if n:
            counts[(path, code, status)] += n
    return [(*key, n) for key, n in counts.items()]


def monthly_trend(*, user, org: Org, period: Period, months: int = 12) -> list[dict]:
    """Problems and total findings of monthly periods for the ``months`` up to the period's
    end, from the org's summary rows (its subtree's counts)."""
    end = period.end
    start = end - relativedelta(months=months)
    rows = (
        FindingSummary.objects.filter(org_path=org.path)
        .filter(period_start__gte=start, period_start__lt=end)
        .exclude(rule_code__in=registry.snapshot_codes())
        .filter(period_code__regex=r"^[0-9]{4}-[0-9]{2}$")
        .values_list("period_code", "status")
        .annotate(n=Sum("total"))
    )
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for month, status, n in rows:
        table[month][status] = n
    series = []
    cursor = date(start.year, start.month, 1)
    while cursor < end:
        code = f"{cursor.year}-{cursor.month:02d}"
        counts = table.get(code, {})
        total = sum(counts.values())
        # Items still due (their deadline not passed) are not problems yet.
        problems = sum(n for s, n in counts.items() if s in PROBLEMS and s != Status.DUE)
        series.append(
            {
                "month": code,
                "total": total,
                "problems": problems,
                "due": counts.get(Status.DUE, 0),
                "ok": counts.get(Status.OK, 0),
            }
        )
        cursor += relativedelta(months=1)
    return series


def finding_text(finding: Finding) -> str:
    """A finding's explanation as shown, in the active language."""
    return messages.finding_text(finding)


def finding_refs(finding: Finding) -> list[str]:
    """The "type:uuid" references behind a finding, as shown: query references (the
    meetings a count rule counted) are resolved now, not when the finding was computed."""
    return refs.expand(finding.org_id, finding.refs)


def findings_refs(findings: list[Finding]) -> list[list[str]]:
    """``finding_refs`` for a page of findings, with one query per kind of query reference."""
    return refs.expand_many([(f.org_id, f.refs) for f in findings])


def ref_links(shown: list[str]) -> list[tuple[str, str | None]]:
    """(label, url) for each "type:uuid" reference of ``finding_refs``."""
    links = []
    for ref in shown or []:
        kind, ident = refs.split(ref)
        view = REF_VIEWS.get(kind)
        url = None
        if view and ident:
            try:
                url = reverse(view, args=[ident])
            except NoReverseMatch:
                url = None
        links.append((kind, url))
    return links


def _first_ref(finding: Finding, kind: str) -> str | None:
    for ref in finding_refs(finding):
        ref_kind, ident = refs.split(ref)
        if ref_kind == kind and ident:
            return ident
    return None


def finding_action(finding: Finding, rule: Rule | None) -> tuple[str, str] | None:
    """(label, url) of the natural next step for a problem finding (登记会议, 安排谈话,
    办理下一步 …), from its rule's ``action``; None when there is none to offer."""
    action = rule.action if rule is not None else None
    if action is None or finding.status not in PROBLEMS:
        return None
    ident = finding.org.public_id if action.target == "org" else _first_ref(finding, action.target)
    if ident is None:
        return None
    try:
        return str(action.label), reverse(action.url_name, args=[ident])
    except NoReverseMatch:
        return None


def exemption_member(finding: Finding) -> str | None:
    """The member a member-level finding is about: their exemption names them."""
    return _first_ref(finding, "member") if finding.subject_type == "member" else None
