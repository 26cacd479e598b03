"""Synthetic organisations at scale, for benchmarks (``manage.py synth``).

Realistic in shape — a top committee over second-level committees, 党总支 and branches of
about 22 members, committees where branches qualify, secretaries (some vacant), members
with consistent dates, events and roster spans — but written with bulk inserts that
bypass the per-record services, so a million members load in minutes on PostgreSQL.
Everything is deterministic by seed. Each module adds its records in ``STEPS``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction
from django.utils import timezone


@dataclass
class Plan:
    members: int
    branches: int
    years: int
    seed: int
    code: str
    today: date = field(default_factory=timezone.localdate)

    @property
    def rng(self) -> random.Random:
        return random.Random(self.seed)


@dataclass
class Built:
    """What earlier steps made, for later steps to build on (ids, not model instances)."""

    root_id: int = 0
    branch_ids: list[int] = field(default_factory=list)
    committee_branch_ids: set[int] = field(default_factory=set)
    group_ids: dict[int, list[int]] = field(default_factory=dict)  # branch → groups
    members_by_branch: dict[int, list[int]] = field(default_factory=dict)  # on the roll
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


Step = Callable[[Plan, Built], None]
STEPS: list[tuple[int, str, Step]] = []


def step(name: str, order: int) -> Callable[[Step], Step]:
    """Register a build step; steps run by ``order`` (orgs before members before meetings)."""

    def register(func: Step) -> Step:
        if all(existing != name for _, existing, _ in STEPS):
            STEPS.append((order, name, func))
            STEPS.sort(key=lambda entry: entry[0])
        return func

    return register


def build(plan: Plan, log: Callable[[str], None] = print) -> Built:
    from zhibu.synth import meetings, members, orgs  # noqa: F401  (importing registers their steps)

    built = Built()
    for _, name, func in STEPS:
        started = time.monotonic()
        with transaction.atomic():
            func(plan, built)
        built.timings[name] = time.monotonic() - started
        log(
            f"{name}: {built.timings[name]:.1f}s {', '.join(f'{k}={v}' for k, v in built.counts.items() if k.startswith(name))}"
        )
    # Fresh statistics: after a bulk load the planner would otherwise guess one row per
    # table (a member search on PostgreSQL took 50 s before, 0.2 s after).
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built.timings["analyze"] = time.monotonic() - started
    return built
