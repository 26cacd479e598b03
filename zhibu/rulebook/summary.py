"""Keeping the cockpit's summary table (``FindingSummary``) equal to the findings.

After a run over ``root`` for ``period`` changed findings, ``after_run`` counts the
subtree's findings per org × rule × period × status (every stored period overlapping
``period``: a superset of what the run judged), compares them with the orgs' ``own``
counts in the summary, and applies only the differences — to the org's own row and to
the ``total`` of every org above it, up to the root of the tree (so the committees
above the run's root stay right too). All of it is set-based SQL: one GROUP BY over the
subtree's findings and one upsert per tree level over the (small) differences. It is
idempotent: a second call finds no difference and writes nothing. Every org whose counts
changed gets a new ``SummaryVersion`` token, the cockpit's cache key. ``rebuild`` applies
the same comparison to the whole table (after a bulk load, or for findings stored
before the table existed).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import connection, transaction

from zhibu.core.rules.models import Finding
from zhibu.core.rules.periods import Period
from zhibu.core.scope import STEPLEN, successor
from zhibu.rulebook.models import FindingSummary, SummaryVersion

# Writing this many rows or more refreshes the planner's statistics on the table.
ANALYZE_ROWS = 5_000

KEY = "rule_code, period_code, period_start, period_end, status"
DELTA = "zhibu_summary_delta"


def _where(path: str | None, period: Period | None, codes: list[str] | None) -> tuple[str, list]:
    """Criteria shared by findings and summary rows: a subtree, a period, rule codes."""
    parts: list[str] = ["1 = 1"]
    params: list = []
    if path:
        parts.append("org_path >= %s")
        params.append(path)
        upper = successor(path)
        if upper is not None:
            parts.append("org_path < %s")
            params.append(upper)
    if period is not None:
        parts.append("period_start < %s AND period_end > %s")
        params += [period.end, period.start]
    if codes:
        parts.append(f"rule_code IN ({', '.join(['%s'] * len(codes))})")
        params += list(codes)
    return " AND ".join(parts), params


def _refresh(path: str | None, period: Period | None, codes: list[str] | None) -> int:
    """Bring the summary in line with the findings of ``path``'s subtree (every org when
    None), ``period`` and ``codes``; returns how many summary rows were written."""
    quote = connection.ops.quote_name
    summary = quote(FindingSummary._meta.db_table)
    finding = quote(Finding._meta.db_table)
    versions = quote(SummaryVersion._meta.db_table)
    token = uuid.uuid4().hex
    where, params = _where(path, period, codes)
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {DELTA}")
        # What each org's own counts should become, minus what the summary says they are.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {DELTA} AS "  # noqa: S608 - names from the models
            f"SELECT org_path, {KEY}, SUM(n) AS d FROM ("
            f" SELECT org_path, {KEY}, COUNT(*) AS n FROM {finding} WHERE {where}"
            f" GROUP BY org_path, {KEY}"
            f" UNION ALL"
            f" SELECT org_path, {KEY}, -own AS n FROM {summary} WHERE {where} AND own <> 0"
            f") changes GROUP BY org_path, {KEY} HAVING SUM(n) <> 0",
            params + params,
        )
        cursor.execute(f"SELECT MAX(LENGTH(org_path)) FROM {DELTA}")  # noqa: S608
        deepest = cursor.fetchone()[0] or 0
        # Each difference changes its org's own and total counts and the total of every
        # org above it: one upsert per level of the tree.
        for cut in range(deepest, 0, -STEPLEN):
            cursor.execute(
                f"INSERT INTO {summary} (org_path, depth, {KEY}, own, total) "  # noqa: S608
                f"SELECT SUBSTR(org_path, 1, {cut}), {cut // STEPLEN}, {KEY}, "
                f"SUM(CASE WHEN LENGTH(org_path) = {cut} THEN d ELSE 0 END), SUM(d) "
                f"FROM {DELTA} WHERE LENGTH(org_path) >= {cut} "
                f"GROUP BY SUBSTR(org_path, 1, {cut}), {KEY} "
                # One lock order for every run (deepest level first, then path and key):
                # concurrent runs of sibling subtrees queue on their shared ancestors'
                # rows instead of deadlocking.
                f"ORDER BY 1, {KEY} "
                "ON CONFLICT (org_path, rule_code, period_code, status) DO UPDATE SET "
                f"own = {summary}.own + excluded.own, total = {summary}.total + excluded.total",
            )
            written += max(cursor.rowcount, 0)
            # A new version for every org whose subtree's counts changed.
            cursor.execute(
                f"INSERT INTO {versions} (org_path, token) "  # noqa: S608
                f"SELECT DISTINCT SUBSTR(org_path, 1, {cut}), %s FROM {DELTA} "
                f"WHERE LENGTH(org_path) >= {cut} ORDER BY 1 "
                f"ON CONFLICT (org_path) DO UPDATE SET token = excluded.token",
                [token],
            )
        if written:
            cursor.execute(f"DELETE FROM {summary} WHERE total = 0")  # noqa: S608
        cursor.execute(f"DROP TABLE {DELTA}")
        if written >= ANALYZE_ROWS:
            cursor.execute(f"ANALYZE {summary}")
    return written


def after_run(run, *, root, period: Period, codes: Iterable[str] | None = None) -> None:
    """Bring the summary in line with what ``run`` (over ``root``'s subtree) stored."""
    if not (run.created or run.updated or run.deleted):
        return  # nothing stored changed: nor did any count
    _refresh(root.path, period, sorted(codes) if codes else None)


def rebuild(*, root=None) -> int:
    """Correct the summary of ``root``'s subtree (every org when None) from the stored
    findings — and the orgs above it; returns how many rows were written."""
    return _refresh(root.path if root is not None else None, None, None)
