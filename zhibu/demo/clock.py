"""The demo's clock: records of the past are entered as if on the day they describe.

The services stamp what they write with ``timezone.now()`` (a meeting's 录入时间, a
step's 记录时间, history rows, ``created_at``) and check dates against
``timezone.localdate()``. A history written in one sitting would show every meeting of
the last two years as "会后 N 天补录" and could not enter a 整改期限 that has passed by now.
So each entry of the demo's history runs at the moment it would have been made:
``Timeline`` runs the entries in that order, ``at`` moves the clock for one entry.
Nothing here changes what the services check, only the time they read.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils import timezone

_real_now = timezone.now  # the real clock, whatever ``at`` does meanwhile


def moment(day: date, hour: int = 18, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` local time, never later than the real now."""
    when = timezone.make_aware(datetime.combine(day, time(hour, minute)))
    return min(when, _real_now())


@contextmanager
def at(when: datetime) -> Iterator[None]:
    """Let ``timezone.now()`` (and so ``localdate()``) answer ``when`` inside the block."""
    previous = timezone.now
    timezone.now = lambda: when
    try:
        yield
    finally:
        timezone.now = previous


@dataclass(order=True)
class _Entry:
    when: datetime
    seq: int
    run: Callable[[], None] = field(compare=False)


class Timeline:
    """Entries of the demo's history, run in the order they would have been made."""

    def __init__(self) -> None:
        self._heap: list[_Entry] = []
        self._seq = itertools.count()

    def add(self, when: datetime, run: Callable[[], None]) -> None:
        heapq.heappush(self._heap, _Entry(when, next(self._seq), run))

    def run(self) -> int:
        done = 0
        while self._heap:
            entry = heapq.heappop(self._heap)
            with at(entry.when):
                entry.run()
            done += 1
        return done
