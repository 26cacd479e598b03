"""The parameters in force for an org: a rule's defaults, tightened by the local
supplement of the nearest committee above (docs/rules.md, design consequence 2).

Workflow checks (a development step's earliest date) and rule runs both ask here, so a
hint, a block and a finding agree under any supplement.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from zhibu.core.rules.base import Rule
from zhibu.core.rules.models import Supplement
from zhibu.core.scope import nearest


@dataclass
class ParamGroup:
    params: dict[str, int]
    enabled: bool
    orgs: list


def param_groups(rule: Rule, orgs: list, on: date, shared: dict | None = None) -> list[ParamGroup]:
    """Split ``orgs`` by the local supplement that governs them (nearest committee above).

    Usually one group; at most one per supplement in force. One query — or, given a
    run's ``shared`` memo, one query per run for every rule and day (the table is small).
    """
    if shared is None:
        supplements = list(
            Supplement.objects.filter(rule_code=rule.code, effective_from__lte=on)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gt=on))
            .select_related("committee")
        )
    else:
        if "supplements" not in shared:
            every: dict[str, list[Supplement]] = defaultdict(list)
            for row in Supplement.objects.select_related("committee"):
                every[row.rule_code].append(row)
            shared["supplements"] = every
        supplements = [
            s
            for s in shared["supplements"].get(rule.code, ())
            if s.effective_from <= on and (s.effective_to is None or s.effective_to > on)
        ]
    by_path = {s.committee.path: s for s in supplements}
    if not by_path:
        return [ParamGroup(rule.default_params(), True, orgs)]
    grouped: dict[int | None, list] = defaultdict(list)
    chosen: dict[int | None, Supplement | None] = {None: None}
    for org in orgs:
        supplement = nearest(org.path, by_path)
        key = supplement.pk if supplement else None
        chosen[key] = supplement
        grouped[key].append(org)
    groups = []
    for key, members in grouped.items():
        supplement = chosen[key]
        params = {**rule.default_params(), **(supplement.params if supplement else {})}
        groups.append(ParamGroup(params, supplement.enabled if supplement else True, members))
    return groups


def params_for(rule: Rule, org, on: date) -> dict[str, int]:
    """The parameters ``rule`` applies to one org on ``on`` (defaults or its supplement).
    Workflow checks and the hints that announce them (development's next step) ask here."""
    if not rule.params:
        return {}
    groups = param_groups(rule, [org], on)
    return groups[0].params if groups else rule.default_params()
