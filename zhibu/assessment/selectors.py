"""Reads of the assessment, always scoped.

Who sees what (RESP-06: no public leaderboard):
- the assessor — ``assessment.manage`` at the scheme's organisation — sees the scheme and
  all its sheets, in a table they can sort;
- an organisation's leaders (``finding.view`` at or above the sheet's organisation, below
  the scheme) see that sheet once it is 下发, never the others' and never a ranking;
- ordinary members hold neither action and see no sheet.
Anything else answers 404.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.assessment.models import Appeal, Deduction, Grade, Line, Scheme, Sheet, Standing
from zhibu.core.scope import subtree_q

ASSESS = "assessment.manage"
VIEW = "finding.view"
APPEAL = "request.handle"  # acting in the organisation's name (as for 请示报告)

SORTS = {
    "org": ("org_path",),
    "-org": ("-org_path",),
    "total": ("total", "org_path"),
    "-total": ("-total", "org_path"),
    "grade": ("grade", "org_path"),
    "status": ("status", "org_path"),
}


def managed_schemes(user) -> QuerySet[Scheme]:
    return Scheme.objects.filter(permissions.scope_q(user, ASSESS, field="org__path"))


def scheme_for_user(user, public_id) -> Scheme:
    try:
        return managed_schemes(user).select_related("org").get(public_id=public_id)
    except (Scheme.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_assessor(user, sheet: Sheet) -> bool:
    return permissions.can(user, ASSESS, sheet.scheme.org)


def visible_sheets(user) -> QuerySet[Sheet]:
    """Sheets the user may open: all of the schemes they assess, and issued or confirmed
    sheets of organisations they lead."""
    assessed = permissions.scope_q(user, ASSESS, field="scheme__org__path")
    led = permissions.scope_q(user, VIEW, field="org_path") & ~Q(status=Sheet.Status.DRAFT)
    return Sheet.objects.filter(assessed | led)


def sheet_for_user(user, public_id) -> Sheet:
    try:
        return (
            visible_sheets(user)
            .select_related("scheme", "scheme__org", "org", "confirmed_by")
            .get(public_id=public_id)
        )
    except (Sheet.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_appeal(user, sheet: Sheet) -> bool:
    """The organisation itself appeals: a grant at the sheet's organisation that may act in
    its name (书记, 副书记, 组织委员 …), not the assessor above it."""
    return any(
        grant.path == sheet.org_path and APPEAL in grant.actions
        for grant in permissions.grants(user)
    )


def line_for_user(user, public_id) -> Line:
    try:
        line = Line.objects.select_related("sheet", "sheet__scheme__org", "indicator").get(
            public_id=public_id
        )
    except (Line.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not visible_sheets(user).filter(pk=line.sheet_id).exists():
        raise Http404
    return line


def deduction_for_user(user, public_id) -> Deduction:
    try:
        deduction = Deduction.objects.select_related(
            "line__indicator", "line__sheet__scheme__org", "line__sheet__org"
        ).get(public_id=public_id)
    except (Deduction.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not visible_sheets(user).filter(pk=deduction.line.sheet_id).exists():
        raise Http404
    return deduction


def appeal_for_user(user, public_id) -> Appeal:
    try:
        appeal = Appeal.objects.select_related("sheet__scheme__org").get(public_id=public_id)
    except (Appeal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not visible_sheets(user).filter(pk=appeal.sheet_id).exists():
        raise Http404
    return appeal


def sheet_lines(sheet: Sheet) -> list[Line]:
    """The sheet's lines with their deductions (two queries)."""
    return list(
        sheet.lines.select_related("indicator", "adjusted_by")
        .prefetch_related("deductions")
        .order_by("indicator__position", "indicator_id")
    )


def sheet_table(scheme: Scheme, sort: str = "org") -> list[Sheet]:
    """The assessor's table of a scheme's sheets (sortable; never shown to members)."""
    order = SORTS.get(sort, SORTS["org"])
    return list(scheme.sheets.select_related("org").order_by(*order))


@dataclass
class YearSummary:
    year: int
    sheets: int
    confirmed: int
    grades: list[tuple[str, str, int]]  # (value, label, count)
    standings: list[tuple[str, str, int]]


def year_summary(*, org, year: int) -> YearSummary:
    """The year's sheets of ``org``'s subtree, as counts (the cockpit's 考核 panel): two
    aggregate reads, no names, no ranking."""
    rows = list(
        Sheet.objects.filter(
            subtree_q([org.path], field="org_path"), scheme__year=year
        ).values_list("status", "grade", "standing")
    )
    grades = Counter(g for s, g, _ in rows if s == Sheet.Status.CONFIRMED)
    standings = Counter(st for s, _, st in rows if s == Sheet.Status.CONFIRMED)
    return YearSummary(
        year=year,
        sheets=len(rows),
        confirmed=sum(1 for s, _, _ in rows if s == Sheet.Status.CONFIRMED),
        grades=[(v, str(label), grades.get(v, 0)) for v, label in Grade.choices],
        standings=[(v, str(label), standings.get(v, 0)) for v, label in Standing.choices],
    )


def poor_sheets(paths: list[str], day: date) -> QuerySet[Sheet]:
    """Confirmed sheets graded 差 in the subtrees of ``paths`` (accountability signals)."""
    return Sheet.objects.filter(
        subtree_q(paths, field="org_path"),
        grade=Grade.POOR,
        status=Sheet.Status.CONFIRMED,
        confirmed_on__lte=day,
    )
