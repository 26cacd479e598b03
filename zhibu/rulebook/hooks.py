"""What other apps do after a rule run, inside its transaction: e.g. duties verifies or
reopens the rectification items made from findings the run judged again. An app that
owns records judged by findings registers ``func(run, *, root, period, codes, today)`` in its
``AppConfig.ready``; every hook must be set-based over ``root``'s subtree (a bounded
number of queries, whatever its size), like ``summary.after_run``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

AfterRun = Callable[..., None]
_AFTER_RUN: list[AfterRun] = []


def register_after_run(func: AfterRun) -> AfterRun:
    """Call ``func(run, root=, period=, codes=, today=)`` after every rule run (idempotent)."""
    if func not in _AFTER_RUN:
        _AFTER_RUN.append(func)
    return func


def after_run(run, *, root, period, codes: Iterable[str] | None, today) -> None:
    for func in list(_AFTER_RUN):
        func(run, root=root, period=period, codes=list(codes) if codes else None, today=today)
