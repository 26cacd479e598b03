"""Reads of development cases, scoped like members; the next step and its window; the
pipeline board and the plan against actual."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.scope import subtree_q
from zhibu.development.models import OPEN_STATUSES, Case, DevPlan, Step
from zhibu.development.steps import PUBLICITY_LABELS, STEPS


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


def next_step(case: Case, today: date) -> NextStep | None:
    """The step that comes next, with the window the rules allow and why."""
    if case.status in (Case.Status.STOPPED, Case.Status.ARCHIVED):
        return None
    steps = list(case.steps.order_by("on", "id"))
    recorded = {s.number for s in steps}
    last = steps[-1] if steps else None
    number = case.last_step + 1 if case.last_step < 25 else None
    if number is None:
        return None
    if number == 7 and 6 not in recorded:
        number = 6
    definition = STEPS[number]
    earliest = last.on if last else None
    latest = None
    reasons: list[str] = []

    def first(n):
        return next((s.on for s in steps if s.number == n), None)

    def later(day: date | None, why: str) -> None:
        nonlocal earliest
        if day and (earliest is None or day > earliest):
            earliest = day
        if day:
            reasons.append(why)

    if number == 2 and first(1):
        latest = first(1) + relativedelta(months=1)
        reasons.append(_("DEV-02：递交申请书后一个月内谈话"))
    if number == 6:
        last_review = max([s.on for s in steps if s.number in (3, 6)], default=None)
        if last_review:
            latest = last_review + relativedelta(months=6)
            reasons.append(_("DEV-04：每半年考察一次"))
    if number == 7 and first(3):
        later(first(3) + relativedelta(years=1), _("DEV-05：确定为入党积极分子满一年"))
    if number == 17 and first(15):
        latest = first(15) + relativedelta(months=3)
        reasons.append(_("DEV-12：支部大会后三个月内审批（特殊情况六个月）"))
    if number == 20 and first(17):
        latest = first(17) + relativedelta(months=1)
        reasons.append(_("DEV-18：批准后一个月内入党宣誓"))
    if number in (22, 23) and case.probation_end:
        if number == 23:
            later(case.probation_end, _("DEV-14：预备期满方可讨论转正"))
        latest = case.probation_end + relativedelta(months=1)
        reasons.append(_("DEV-14：预备期满后及时讨论转正"))
    if number == 25 and first(24):
        latest = first(24) + timedelta(days=7)
        reasons.append(_("DEV-21：转正后一周内归档"))
    if definition.publicity:
        done = [p for p in case.publicities.all() if p.key == definition.publicity]
        if done:
            later(
                max(p.ends_on for p in done) + timedelta(days=1),
                _("DEV-10：%(p)s期满后") % {"p": PUBLICITY_LABELS[definition.publicity]},
            )
        else:
            reasons.append(_("DEV-10：须先%(p)s") % {"p": PUBLICITY_LABELS[definition.publicity]})
    return NextStep(number, str(definition.name), earliest, latest, reasons)


@dataclass
class BoardRow:
    org: object
    by_stage: dict[int, int]
    probation: int
    total: int


def pipeline(*, user, org) -> list[BoardRow]:
    """Open cases per branch and stage in ``org``'s subtree: one aggregate query."""
    from zhibu.orgs.models import Org

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
        plan=DevPlan.objects.filter(committee=committee, year=year).prefetch_related("quotas__org").first(),
        admitted=len(cases), young=young, women=sum(1 for c in cases if c.gender == "F"),
        front_line=sum(1 for c in cases if c.front_line), college=sum(1 for c in cases if c.education in COLLEGE),
        by_org=dict(by_org),
    )  # fmt: skip
