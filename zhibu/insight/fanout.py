"""The nightly run fanned out over the task queue (django-tasks, database backend).

``manage.py tick`` splits each top-level org's tree into independent *parts*: the
top-level org's children (second-level 党委, and 党总支 or branches attached to it
directly), in path order, are cut into runs of consecutive children balanced by org
count, each child with its whole subtree; the top-level org itself goes with the first
run. A part is one ``rules_run`` over the top-level org narrowed to its children
(``only=``) or, for the first part, with the other parts' children left out
(``exclude=``). Consecutive siblings' subtrees make one path range, so a part's queries
carry one range condition, as a whole-tree run's do.

Every org belongs to exactly one part, so no two parts judge the same org or write the
same findings, and the parts may run at once on any number of ``db_worker`` processes on
any number of machines. A run costs a fixed few hundred queries whatever its size, so a
part per second-level committee would multiply that cost (64 committees at size M: about
6× the work of one whole-tree run); ``--parts`` (default 4) parts per top-level tree keep
it small while giving each worker work. A part evaluates all open periods in turn (the periods overlap —
a year's run judges its months — so they stay in one job). ``rules_run`` is idempotent,
so a part run twice, or retried after a failure, writes nothing new.

The steps after the evaluation (audit chain check and anchor, digests, import recovery)
run once all parts are done: inline with ``tick --wait``, otherwise in a ``tick_finish``
job that re-schedules itself until every part of the night has left its ``RuleRun``.
"""

from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus

from zhibu.accounts.services import chain_broken_alert
from zhibu.core.audit import anchor_write, audit_verify
from zhibu.core.rules import Period
from zhibu.core.rules.models import RuleRun
from zhibu.core.scope import STEPLEN, subtree_q
from zhibu.members.imports import purge_stale, recover_interrupted
from zhibu.notices.dispatch import send_day
from zhibu.orgs.models import Org
from zhibu.rulebook.reminders import send_digests
from zhibu.rulebook.run import rules_run

# Records may be back-filled for a week after a meeting (the lock window), so the
# previous period stays open that long after it ends.
GRACE_DAYS = 7
# How long the finishing job waits for the parts before it finishes anyway.
FINISH_PATIENCE = timedelta(hours=6)
FINISH_POLL_SECONDS = 30


def open_periods(today: date) -> list[Period]:
    periods = [Period.containing(kind, today) for kind in ("month", "quarter", "year")]
    for kind in ("month", "quarter", "year"):
        previous = Period.containing(kind, today).previous()
        if today - previous.last_day <= timedelta(days=GRACE_DAYS):
            periods.append(previous)
    # Larger periods first: a year run covers its months and quarters for most rules.
    return sorted(set(periods), key=lambda p: p.end - p.start, reverse=True)


DEFAULT_PARTS = 4


@dataclass(frozen=True)
class Part:
    """One job of the nightly run: ``root``'s subtree, narrowed to the ``only`` subtrees
    (``None``: all of it) and without the ``exclude`` subtrees."""

    root_id: int
    root_code: str
    only: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()


def plan(parts: int = DEFAULT_PARTS) -> list[Part]:
    """The parts of tonight's run, up to ``parts`` per top-level tree. Every org of every
    active top-level tree is in exactly one part, and every part is one path range."""
    planned: list[Part] = []
    for top in Org.objects.filter(depth=1, dissolved_on__isnull=True).order_by("path"):
        paths = sorted(Org.objects.filter(subtree_q([top.path])).values_list("path", flat=True))
        children = [path for path in paths if len(path) == len(top.path) + STEPLEN]
        count = max(1, min(parts, len(children)))
        if count == 1:
            planned.append(Part(top.pk, top.code))
            continue
        size = {child: _count_under(paths, child) for child in children}
        groups = _split(children, size, count)
        others = tuple(path for group in groups[1:] for path in group)
        planned.append(Part(top.pk, top.code, exclude=others))
        planned.extend(Part(top.pk, top.code, only=tuple(group)) for group in groups[1:])
    return planned


def _split(children: list[str], size: dict[str, int], count: int) -> list[list[str]]:
    """``children`` (in path order) cut into ``count`` non-empty runs of consecutive
    children, each run's org count as near an equal share as the cuts allow (the first
    run also carries the top-level org). Consecutive siblings' subtrees are one path
    range (``zhibu.core.scope.runs``), so each part's queries carry one range condition
    instead of a list of subtrees or of ids."""
    prefix, total = [], 1  # the top-level org itself goes with the first run
    for child in children:
        total += size[child]
        prefix.append(total)
    cuts = [0]
    for k in range(1, count):
        goal = total * k / count
        # Leave at least one child before the cut and one for each later run.
        candidates = range(cuts[-1] + 1, len(children) - (count - k) + 1)
        cuts.append(min(candidates, key=lambda i: abs(prefix[i - 1] - goal)))
    cuts.append(len(children))
    return [children[a:b] for a, b in pairwise(cuts)]


def _count_under(paths: list[str], prefix: str) -> int:
    start = bisect_left(paths, prefix)
    end = start
    while end < len(paths) and paths[end].startswith(prefix):
        end += 1
    return end - start


def run_part(
    part: Part, today: date, trigger: str = "tick", *, full: bool = False
) -> list[RuleRun]:
    """Evaluate the open periods over one part (what one job does); ``full`` judges every
    rule-period again instead of keeping the unchanged ones (``rules_run(full=True)``)."""
    root = Org.objects.get(pk=part.root_id)
    return [
        rules_run(
            root=root,
            period=period,
            today=today,
            trigger=trigger,
            only=part.only,
            exclude=part.exclude,
            full=full,
        )
        for period in open_periods(today)
    ]


@task()
def judge_part(
    root_id: int, only: list[str] | None, exclude: list[str], today: str, full: bool = False
) -> list[str]:
    """The queued job: one part of the nightly run. Returns one summary line per period."""
    root = Org.objects.get(pk=root_id)
    part = Part(root_id, root.code, tuple(only) if only is not None else None, tuple(exclude))
    runs = run_part(part, dt.date.fromisoformat(today), full=full)
    label = f"{root.code}[{len(only)} 二级党委]" if only is not None else root.code
    return [
        f"{label} {run.period_code}: +{run.created} ~{run.updated} -{run.deleted} "
        f"({run.duration_ms} ms)"
        for run in runs
    ]


def enqueue(parts: list[Part], today: date, *, full: bool = False):
    return [
        judge_part.enqueue(
            p.root_id,
            list(p.only) if p.only is not None else None,
            list(p.exclude),
            today.isoformat(),
            full,
        )
        for p in parts
    ]


def parts_done(parts: list[Part], today: date, since: dt.datetime) -> bool:
    """Whether every part has stored its runs for ``today``'s open periods since ``since``
    (the parts of one tree all file their runs under its top-level org)."""
    wanted = Counter((p.root_id, period.code) for p in parts for period in open_periods(today))
    stored = Counter(
        RuleRun.objects.filter(
            trigger="tick", started_at__gte=since, org_id__in={p.root_id for p in parts}
        ).values_list("org_id", "period_code")
    )
    return all(stored[key] >= n for key, n in wanted.items())


def wait(results, *, retries: int = 1, poll: float = 0.5, write: Callable[[str], None]) -> list:
    """Wait for the queued parts; re-queue a failed part up to ``retries`` times.
    Returns the results that still failed."""
    pending = list(results)
    attempts: dict[str, int] = {}
    failed = []
    while pending:
        still = []
        for result in pending:
            if not result.is_finished:
                result.refresh()
            if result.status == TaskResultStatus.SUCCESSFUL:
                for line in result.return_value or []:
                    write(line)
            elif result.status == TaskResultStatus.FAILED:
                tries = attempts.get(str(result.args), 0)
                error = (
                    result.errors[-1].traceback.strip().splitlines()[-1] if result.errors else ""
                )
                write(f"part {result.args[0]} failed: {error}")
                if tries < retries:
                    attempts[str(result.args)] = tries + 1
                    still.append(judge_part.enqueue(*result.args))
                else:
                    failed.append(result)
            else:
                still.append(result)
        pending = still
        if pending:
            time.sleep(poll)
    return failed


def finish(today: date, write: Callable[[str], None], warn: Callable[[str], None]) -> None:
    """After the evaluation: the audit chain, the daily digests, import housekeeping."""
    check_audit_chain(write, warn)
    sent = send_digests(today)
    recovered = recover_interrupted()
    purged = purge_stale()
    write(f"interrupted imports recovered: {recovered}; stale uploads removed: {purged}")
    write(f"digests sent: {sent}")
    notices = send_day(today)
    write(
        f"reminders: {notices['channels']} channel digest(s), {notices['people']} person(s), "
        f"{notices['retried']} delivery retr(ies)"
    )


def check_audit_chain(write: Callable[[str], None], warn: Callable[[str], None]) -> None:
    """Verify the chain, alert on any break, then anchor the head outside the database.
    The head is anchored even after a break: the older anchors keep reporting it."""
    result = audit_verify()
    if not result.ok:
        alerted = chain_broken_alert(breaks=len(result.breaks), first_reason=result.reason)
        warn(
            f"audit chain: {len(result.breaks)} break(s), first at #{result.broken_seq}; "
            f"{alerted} administrator(s) alerted"
        )
    anchor = anchor_write()
    if anchor is not None:
        write(f"audit chain anchored at #{anchor.seq}")


@task()
def tick_finish(today: str, since: str, deadline: str, count: int = DEFAULT_PARTS) -> str:
    """The finishing job of a ``tick`` that did not wait: it runs the steps after the
    evaluation once every part is done, or re-schedules itself (up to ``deadline``)."""
    day = dt.date.fromisoformat(today)
    parts = plan(int(count))
    now = timezone.now()
    done = parts_done(parts, day, dt.datetime.fromisoformat(since))
    if not done and now < dt.datetime.fromisoformat(deadline):
        later = now + timedelta(seconds=FINISH_POLL_SECONDS)
        tick_finish.using(run_after=later).enqueue(today, since, deadline, count)
        return "waiting for the parts"
    lines: list[str] = []
    finish(day, lines.append, lines.append)
    return "\n".join(lines)
