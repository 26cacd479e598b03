"""The cockpit's 学习教育 panel: per direct sub-organisation (and 本级), this year's members
on the roll, those behind on EDU-01's 学时 as the rule last judged them (its running-year
finding counts who is behind so far, pro rata for those who joined in the year; after the
year, one finding per member short), courses held and self-study waiting for approval.
A fixed number of queries whatever the tree's size; counts only, never a ranking of
people (RESP-06). The shortfall comes from EDU-01's findings, not a second computation of
every member's hours: one source for the rule, and no pass over a year's attendance when
the cockpit opens."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max

from zhibu.core.rules.base import Status
from zhibu.core.rules.models import Finding, RuleRun
from zhibu.core.scope import subtree_q
from zhibu.members.models import Member, MemberSpan
from zhibu.members.selectors import spans_on
from zhibu.orgs.models import Org
from zhibu.rulebook import changes
from zhibu.rulebook.models import SummaryVersion
from zhibu.study.models import Course, SelfStudy
from zhibu.study.selectors.study import ON_ROLL

HOURS_RULE = "EDU-01"
PROBLEMS = (Status.LATE, Status.MISSING, Status.DUE, Status.SUSPECT)


@dataclass
class StudyRow:
    org: Org
    own: bool
    members: int = 0
    below: int = 0
    courses: int = 0
    pending: int = 0


def study_panel(*, org: Org, children: list[Org], year: int, today: date) -> list[StudyRow]:
    on = min(date(year, 12, 31), today)
    rows = [StudyRow(org, True), *(StudyRow(c, False) for c in children)]
    # The row of a path: the child whose subtree holds it, else 本级.
    by_prefix = sorted(((r.org.path, r) for r in rows[1:]), key=lambda p: -len(p[0]))

    def row_of(path: str) -> StudyRow:
        for prefix, row in by_prefix:
            if path.startswith(prefix):
                return row
        return rows[0]

    roll = (
        spans_on(on, statuses=ON_ROLL)
        .filter(subtree_q([org.path], "org__path"))
        .values_list("org__path")
        .annotate(n=Count("member", distinct=True))
        .order_by()
    )
    for path, n in roll:
        row_of(path).members += n
    for path, n in behind_by_path(org, year).items():
        row_of(path).below += n
    courses = Counter(
        Course.objects.filter(subtree_q([org.path], "org__path"), on__year=year).values_list(
            "org__path", flat=True
        )
    )
    for path, n in courses.items():
        row_of(path).courses += n
    pending = Counter(
        SelfStudy.objects.filter(
            subtree_q([org.path], "org__path"), status=SelfStudy.Status.PENDING
        ).values_list("org__path", flat=True)
    )
    for path, n in pending.items():
        row_of(path).pending += n
    return rows


def behind_by_path(org: Org, year: int) -> dict[str, int]:
    """{org path: members behind on EDU-01} for ``year`` in ``org``'s subtree, from the
    rule's findings (one query on the rule-period-path index): while the year runs each
    branch's finding counts them (``numbers.short``); after it, a finding per member."""
    counts: dict[str, int] = Counter()
    for path, subject, status, numbers in Finding.objects.filter(
        subtree_q([org.path], "org_path"), rule_code=HOURS_RULE, period_code=str(year)
    ).values_list("org_path", "subject_type", "status", "numbers"):
        if status not in PROBLEMS:
            continue
        counts[path] += 1 if subject == "member" else int((numbers or {}).get("short", 0))
    return dict(counts)


# The tables the panel's figures come from that carry change counters (the roll, courses,
# self-study; an org's move or new child changes paths). Findings have none (the rule run
# writes them): the key also holds the latest run and the org's summary token.
SOURCES = (MemberSpan, Member, Course, SelfStudy, Org)


def cached_study_panel(*, org: Org, children: list[Org], year: int, today: date) -> list[StudyRow]:
    """``study_panel`` from the cache while none of its tables changed and no rule run
    happened since (two queries then)."""
    last_run = RuleRun.objects.aggregate(last=Max("id"))["last"]
    token = SummaryVersion.objects.filter(org_path=org.path).values_list("token", flat=True)
    return changes.cached(
        "study-panel",
        [m._meta.db_table for m in SOURCES],
        (org.pk, org.path, year, today.isoformat(), last_run, *token, *(c.pk for c in children)),
        lambda: study_panel(org=org, children=children, year=year, today=today),
    )
