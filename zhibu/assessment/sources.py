"""Where an automatic indicator's deductions come from: a registry of source kinds.

An indicator names a kind (``finding``, ``tasks_late`` …) and its parameters. A kind's
``collect(orgs, year, params, today)`` returns, for every organisation of the sheets at
once, the deductions it owes — each tied to its record and an address that opens it —
with one query whatever the number of organisations (set-based; the test pins it).
Records below a sheet's organisation (a 党小组's finding, a member's study hours) count
for the nearest organisation that has a sheet.

Another app adds a kind with ``register``; rules added later (DUES …) need no new kind:
``finding`` takes any rule code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from zhibu.core.rules.base import Status
from zhibu.core.rules.models import Finding
from zhibu.core.scope import nearest, subtree_q
from zhibu.development.models import DevPlanQuota, Step
from zhibu.duties.models import Rectification, Task


@dataclass(frozen=True)
class Hit:
    """One deduction owed by an organisation."""

    org_id: int
    points: Decimal
    text: str
    ref: str
    url: str


Collect = Callable[[Sequence, int, dict, date], dict[int, list[Hit]]]


@dataclass(frozen=True)
class Param:
    key: str
    label: object
    default: object


@dataclass(frozen=True)
class SourceKind:
    key: str
    label: object
    collect: Collect
    params: tuple[Param, ...] = field(default=())

    def with_defaults(self, params: dict) -> dict:
        merged = {p.key: p.default for p in self.params}
        merged.update({k: v for k, v in (params or {}).items() if v not in (None, "")})
        return merged

    def describe(self, params: dict) -> str:
        values = self.with_defaults(params)
        return "；".join(f"{p.label}：{values[p.key]}" for p in self.params)


_KINDS: dict[str, SourceKind] = {}


def register(kind: SourceKind) -> None:
    _KINDS[kind.key] = kind


def kind_of(key: str) -> SourceKind | None:
    return _KINDS.get(key)


def kinds() -> list[SourceKind]:
    return list(_KINDS.values())


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def _owner(orgs: Sequence) -> Callable[[str], int | None]:
    by_path = {org.path: org.pk for org in orgs}
    return lambda path: nearest(path, by_path)


def _per(params: dict) -> Decimal:
    return Decimal(str(params.get("per") or 1))


# --- findings of a rule -----------------------------------------------------------------

PROBLEM = (Status.MISSING, Status.LATE)
STATUS_LABEL = dict(Status.choices)


def findings_of_rule(orgs: Sequence, year: int, params: dict, today: date) -> dict[int, list[Hit]]:
    """Problem findings (缺失/逾期) of one rule in periods starting in ``year``; an exempted
    finding is not a problem and costs nothing."""
    start, end = _year(year)
    owner = _owner(orgs)
    per = _per(params)
    rule = str(params.get("rule") or "")
    found: dict[int, list[Hit]] = defaultdict(list)
    rows = (
        Finding.objects.filter(
            subtree_q([o.path for o in orgs], field="org_path"),
            rule_code=rule,
            period_start__gte=start,
            period_start__lt=end,
            status__in=PROBLEM,
        )
        .order_by("period_start", "id")
        .values_list("id", "org_path", "period_code", "status")
    )
    for pk, path, period, status in rows:
        org_id = owner(path)
        if org_id is None:
            continue
        found[org_id].append(
            Hit(
                org_id,
                per,
                f"{rule} {period}：{STATUS_LABEL.get(status, status)}",
                f"finding:{pk}",
                reverse("duties:finding", args=[pk]),
            )
        )
    return found


# --- tasks (zhibu/duties) ------------------------------------------------------------------


def tasks_late(orgs: Sequence, year: int, params: dict, today: date) -> dict[int, list[Hit]]:
    """Tasks due in ``year`` (and already due) not confirmed done by their due date."""
    start, end = _year(year)
    owner = _owner(orgs)
    per = _per(params)
    found: dict[int, list[Hit]] = defaultdict(list)
    rows = (
        Task.objects.filter(
            subtree_q([o.path for o in orgs], field="org__path"),
            due__gte=start,
            due__lt=min(end, today),
        )
        .filter(~Q(status=Task.Status.DONE) | Q(confirmed_on__gt=F("due")))
        .order_by("due", "id")
        .values_list("public_id", "org__path", "title", "due")
    )
    for public_id, path, title, due in rows:
        org_id = owner(path)
        if org_id is not None:
            text = _("任务未按期完成：%(title)s（时限 %(due)s）") % {"title": title, "due": due}
            found[org_id].append(
                Hit(
                    org_id,
                    per,
                    str(text)[:300],
                    f"task:{public_id}",
                    reverse("duties:task_detail", args=[public_id]),
                )
            )
    return found


# --- rectification items (zhibu/duties) ----------------------------------------------------


def rectifications_overdue(
    orgs: Sequence, year: int, params: dict, today: date
) -> dict[int, list[Hit]]:
    """Rectification items with a deadline in ``year`` still open after it, or 销号 late.
    Items made by this assessment are left out (they would count against the sheet twice)."""
    start, end = _year(year)
    owner = _owner(orgs)
    per = _per(params)
    found: dict[int, list[Hit]] = defaultdict(list)
    rows = (
        Rectification.objects.filter(
            subtree_q([o.path for o in orgs], field="org__path"),
            deadline__gte=start,
            deadline__lt=min(end, today),
        )
        .exclude(source_ref__startswith="assessment:")
        .filter(Q(status=Rectification.Status.OPEN) | Q(closed_on__gt=F("deadline")))
        .order_by("deadline", "id")
        .values_list("public_id", "org__path", "problem", "deadline")
    )
    for public_id, path, problem, deadline in rows:
        org_id = owner(path)
        if org_id is not None:
            text = _("整改逾期：%(problem)s（期限 %(deadline)s）") % {
                "problem": problem[:80],
                "deadline": deadline,
            }
            found[org_id].append(
                Hit(
                    org_id,
                    per,
                    str(text)[:300],
                    f"rectification:{public_id}",
                    reverse("duties:detail", args=[public_id]),
                )
            )
    return found


# --- development plan (zhibu/development, DEV-20) ------------------------------------------


def development_plan(orgs: Sequence, year: int, params: dict, today: date) -> dict[int, list[Hit]]:
    """A branch's quota in the year's development plan against admissions approved (step 17)
    in the year: ``per`` points for each place short."""
    owner = _owner(orgs)
    per = _per(params)
    paths = [o.path for o in orgs]
    quotas = DevPlanQuota.objects.filter(
        subtree_q(paths, field="org__path"), plan__year=year, quota__gt=0
    ).values_list("org__path", "quota", "plan__committee__name")
    admitted = dict(
        Step.objects.filter(subtree_q(paths, field="case__org__path"), number=17, on__year=year)
        .values_list("case__org__path")
        .annotate(n=Count("id"))
        .values_list("case__org__path", "n")
    )
    found: dict[int, list[Hit]] = defaultdict(list)
    for path, quota, committee in quotas:
        org_id = owner(path)
        if org_id is None:
            continue
        got = sum(n for p, n in admitted.items() if p.startswith(path))
        short = quota - got
        if short > 0:
            text = _("%(committee)s %(year)s 年发展计划名额 %(quota)s 名，完成 %(got)s 名") % {
                "committee": committee,
                "year": year,
                "quota": quota,
                "got": got,
            }
            found[org_id].append(
                Hit(
                    org_id,
                    per * short,
                    str(text),
                    f"devplan:{year}:{path}",
                    reverse("development:plan") + f"?year={year}",
                )
            )
    return found


PER = Param("per", _("每项扣分"), 1)

register(
    SourceKind(
        "finding",
        _("合规检查问题（按规则）"),
        findings_of_rule,
        (Param("rule", _("规则编号"), ""), PER),
    )
)
register(SourceKind("tasks_late", _("任务未按期完成"), tasks_late, (PER,)))
register(SourceKind("rectifications_overdue", _("整改逾期"), rectifications_overdue, (PER,)))
register(SourceKind("development_plan", _("发展党员计划完成情况"), development_plan, (PER,)))
