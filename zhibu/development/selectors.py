"""Reads of development cases, scoped like members; the next step and its window; the
pipeline board and the plan against actual."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.core.rules.params import params_for
from zhibu.core.scope import subtree_q
from zhibu.development import rules
from zhibu.development.models import OPEN_STATUSES, Case, DevPlan, Step
from zhibu.development.steps import LAST, STEPS
from zhibu.orgs.models import Org


def visible_cases(user, action: str = "development.view") -> QuerySet[Case]:
    return Case.objects.filter(permissions.scope_q(user, action, field="org__path"))


def case_for_user(user, public_id, *, write: bool = False) -> Case:
    """The case if visible (else 404); with ``write``, development.manage there (else 403)."""
    try:
        case = (
            visible_cases(user)
            .select_related("org", "member", "work_unit")
            .get(public_id=public_id)
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write and not permissions.can(user, "development.manage", case.org):
        raise PermissionDenied
    return case


def case_list(
    *, user, org=None, status: str = "", stage: int | None = None, q: str = ""
) -> QuerySet[Case]:
    qs = visible_cases(user).select_related("org")
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    qs = qs.filter(status=status) if status else qs.filter(status__in=OPEN_STATUSES)
    if stage:
        qs = qs.filter(stage=stage)
    if q:
        term = q.strip()
        qs = qs.filter(
            Q(name__contains=term)
            | Q(name_pinyin__startswith=term.lower())
            | Q(name_initials__startswith=term.lower())
        )
    return qs.order_by("org__path", "stage", "name_pinyin")


@dataclass
class NextStep:
    number: int
    name: str
    earliest: date | None
    latest: date | None
    reasons: list[str] = field(default_factory=list)


def next_step(case: Case, today: date, *, params=params_for) -> NextStep | None:
    """The step that comes next, with the window the rules allow and why: the rules in
    force ``today`` with the parameters of the case's committee (supplements included),
    the same ones ``services.step_record`` checks against (``rules.step_window``)."""
    if case.status in (Case.Status.STOPPED, Case.Status.ARCHIVED):
        return None
    if case.last_step >= LAST:
        return None
    steps = list(case.steps.order_by("on", "id"))
    number = case.last_step + 1
    if number == 7 and 6 not in {s.number for s in steps}:
        number = 6
    # Only the steps after a 公示 look at publicities (DEV-10): one query fewer elsewhere.
    publicities = list(case.publicities.all()) if STEPS[number].publicity else []
    sc = rules.StepContext(case=case, number=number, on=today, steps=steps, publicities=publicities)
    window = rules.step_window(sc, params)
    return NextStep(
        number,
        str(STEPS[number].name),
        window.earliest,
        window.latest,
        [str(reason) for reason in window.reasons],
    )


def next_steps(cases: Iterable[Case], today: date) -> list[tuple[Case, NextStep | None]]:
    """``next_step`` for a page of cases, looking up each rule's parameters once per branch."""
    params = functools.cache(params_for)
    return [(case, next_step(case, today, params=params)) for case in cases]


@dataclass
class BoardRow:
    org: object
    by_stage: dict[int, int]
    probation: int
    total: int


def pipeline(*, user, org) -> list[BoardRow]:
    """Open cases per branch and stage in ``org``'s subtree: one aggregate query."""
    rows = (
        visible_cases(user)
        .filter(subtree_q([org.path], field="org__path"), status__in=OPEN_STATUSES)
        .values_list("org", "stage", "status")
        .annotate(n=Count("id"))
    )
    table: dict[int, dict] = defaultdict(lambda: {"stages": defaultdict(int), "probation": 0})
    for org_id, stage, status, n in rows:
        table[org_id]["stages"][stage] += n
        if status == Case.Status.PROBATION:
            table[org_id]["probation"] += n
    orgs = {o.pk: o for o in Org.objects.filter(pk__in=table).order_by("path")}
    return [
        BoardRow(orgs[pk], dict(data["stages"]), data["probation"], sum(data["stages"].values()))
        for pk, data in sorted(table.items(), key=lambda item: orgs[item[0]].path)
    ]


@dataclass
class PlanActual:
    plan: DevPlan | None
    admitted: int
    young: int
    women: int
    front_line: int
    college: int
    by_org: dict[int, int]

    def pct(self, n: int) -> int:
        return round(100 * n / self.admitted) if self.admitted else 0


COLLEGE = {"doctorate", "master", "bachelor", "college"}


def plan_actual(*, committee, year: int) -> PlanActual:
    """Admissions approved in ``year`` under ``committee`` (step 17) against its plan."""
    approved = (
        Step.objects.filter(number=17, on__year=year)
        .filter(subtree_q([committee.path], field="case__org__path"))
        .select_related("case")
    )
    cases = [s.case for s in approved]
    by_org: dict[int, int] = defaultdict(int)
    for case in cases:
        by_org[case.org_id] += 1
    young = sum(1 for c in cases if c.age_on(date(year, 12, 31)) <= 35)
    return PlanActual(
        plan=DevPlan.objects.filter(committee=committee, year=year)
        .prefetch_related("quotas__org")
        .first(),
        admitted=len(cases),
        young=young,
        women=sum(1 for c in cases if c.gender == "F"),
        front_line=sum(1 for c in cases if c.front_line),
        college=sum(1 for c in cases if c.education in COLLEGE),
        by_org=dict(by_org),
    )
