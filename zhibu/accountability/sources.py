"""Where accountability signals (问责线索) come from: a registry other apps fill.

The 纪检 view lists signals with their evidence (a rule failing for consecutive periods,
a 督办 unanswered, a rectification overdue twice, an assessment graded 差 …). Each kind
is computed by one *source* registered here, so an app above this one (assessment, for a
sheet graded 差) adds its kind without accountability importing it.

A source is called with the subtree's root paths the viewer may see and the day, and
returns ``Signal`` values computed set-based over that subtree (a fixed number of
queries, whatever its size).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Signal:
    kind: str  # the registered kind, e.g. "assessment_poor"
    key: str  # stable identity within the kind, e.g. "sheet:<public_id>" (a decision closes it)
    org_id: int  # the organisation held to account
    title: str  # what happened, in the user's language
    evidence_url: str  # where the evidence is shown (the finding, the 督办, the sheet …)
    since: date  # when the signal arose


SourceFn = Callable[[list[str], date], Iterable[Signal]]


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    fn: SourceFn


_SOURCES: dict[str, Source] = {}


def register(kind: str, label: str, fn: SourceFn) -> None:
    """Register (or replace) the source of one kind of signal; call from ``AppConfig.ready``."""
    _SOURCES[kind] = Source(kind, label, fn)


def sources() -> list[Source]:
    return list(_SOURCES.values())
