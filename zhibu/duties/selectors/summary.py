"""The 责任落实 panel of the cockpit: per sub-organisation, how the responsibility work
stands — letters signed, tasks overdue, open 督办, 请示 and 报告 awaiting the answer of an
organisation there, rectification items open and overdue. Set-based: one grouped query per record kind for the whole subtree,
whatever its size (pinned in tests/duties/test_summary.py).

``cached_duty_panel`` (the cockpit's) keeps the counts in the cache under the org, its
path, the year, today (overdue moves with the day) and the change counts of the tables
they come from (``zhibu.rulebook.changes``: database triggers, so every write counts —
services, bulk writes, deletes, imports): a cockpit view when nothing changed reads one
small row set instead of five aggregates over the subtree, and any write to those
tables shows at the next view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from zhibu.core.scope import STEPLEN, subtree_q
from zhibu.duties.models import Letter, Rectification, Request, Supervision, Task
from zhibu.orgs.models import Org
from zhibu.rulebook import changes

# The figures of a row; each drills down to the list of its records (duties_panel.html).
FIGURES = (
    "letters",
    "letters_signed",
    "tasks",
    "tasks_overdue",
    "supervisions_open",
    "supervisions_overdue",
    "requests_waiting",
    "requests_overdue",
    "rectifications_open",
    "rectifications_overdue",
)


@dataclass
class DutyRow:
    org: Org
    own: bool  # the organisation's own records (本级), not a sub-organisation's subtree
    counts: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> int:
        if name in FIGURES:
            return self.counts.get(name, 0)
        raise AttributeError(name)

    @property
    def query(self) -> str:
        """The list pages' narrowing to this row: the subtree, or the org itself (本级)."""
        own = "&own=1" if self.own else ""
        return f"&org={self.org.public_id}{own}"

    @property
    def letters_unsigned(self) -> int:
        return self.counts.get("letters", 0) - self.counts.get("letters_signed", 0)

    @property
    def attention(self) -> bool:
        """Something here is late: unsigned, overdue, or unanswered past its limit."""
        return bool(
            self.letters_unsigned
            or self.tasks_overdue
            or self.supervisions_overdue
            or self.requests_overdue
            or self.rectifications_overdue
        )


def _grouped(qs: QuerySet, path_field: str, length: int, **aggregates) -> dict[str, dict]:
    """``aggregates`` of ``qs`` per first ``length`` characters of the org path."""
    rows = (
        qs.annotate(_branch=Substr(path_field, 1, length))
        .values("_branch")
        .annotate(**aggregates)
        .order_by()
    )
    return {row.pop("_branch"): row for row in rows}


def duty_panel(*, org: Org, children: list[Org], year: int, today: date) -> list[DutyRow]:
    """One row for ``org``'s own records and one per child (its whole subtree)."""
    return _rows(org, children, duty_counts(org=org, year=year, today=today))


def _rows(org: Org, children: list[Org], counts: dict[str, dict]) -> list[DutyRow]:
    rows = [DutyRow(org, True)] + [DutyRow(child, False) for child in children]
    for row in rows:
        row.counts.update(counts.get(row.org.path, {}))
    return rows


# The tables the panel's counts come from; an org's move or new child changes paths.
SOURCES = (Letter, Task, Supervision, Request, Rectification, Org)
CACHE_SECONDS = 3600  # bounds memory only: the version in the key makes every hit current


def cached_duty_panel(*, org: Org, children: list[Org], year: int, today: date) -> list[DutyRow]:
    """``duty_panel`` from the cache while none of its tables changed (one query then)."""
    counts = changes.cached(
        "duty-panel",
        [m._meta.db_table for m in SOURCES],
        (org.pk, org.path, year, today.isoformat()),
        lambda: duty_counts(org=org, year=year, today=today),
        seconds=CACHE_SECONDS,
    )
    return _rows(org, children, counts)


def duty_counts(*, org: Org, year: int, today: date) -> dict[str, dict]:
    """The panel's figures per org path (``org``'s own and each child's subtree):
    five grouped queries."""
    length = len(org.path) + STEPLEN
    below = subtree_q([org.path], field="org__path")
    open_task = ~Q(status=Task.Status.DONE)
    parts = [
        _grouped(
            Letter.objects.filter(
                subtree_q([org.path], field="recipient__path"), year=year
            ).exclude(status=Letter.Status.DRAFT),
            "recipient__path",
            length,
            letters=Count("id"),
            letters_signed=Count("id", filter=Q(status=Letter.Status.SIGNED)),
        ),
        _grouped(
            Task.objects.filter(below, due__year=year),
            "org__path",
            length,
            tasks=Count("id"),
            tasks_overdue=Count("id", filter=open_task & Q(due__lt=today)),
        ),
        _grouped(
            Supervision.objects.filter(below).exclude(status=Supervision.Status.CLOSED),
            "org__path",
            length,
            supervisions_open=Count("id"),
            supervisions_overdue=Count(
                "id", filter=Q(status=Supervision.Status.OPEN, reply_due__lt=today)
            ),
        ),
        _grouped(
            Request.objects.filter(
                subtree_q([org.path], field="receiver__path"), status=Request.Status.SENT
            ),
            "receiver__path",
            length,
            requests_waiting=Count("id"),
            requests_overdue=Count("id", filter=Q(due_on__lt=today)),
        ),
        _grouped(
            Rectification.objects.filter(below, status=Rectification.Status.OPEN),
            "org__path",
            length,
            rectifications_open=Count("id"),
            rectifications_overdue=Count("id", filter=Q(deadline__lt=today)),
        ),
    ]
    counts: dict[str, dict] = {}
    for part in parts:
        for path, figures in part.items():
            counts.setdefault(path, {}).update(figures)
    return counts
