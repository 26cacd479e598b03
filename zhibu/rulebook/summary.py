"""Keeping the cockpit's summary table (``FindingSummary``) equal to the findings.

After a run over ``root`` for ``period`` changed findings, ``after_run`` recomputes the
summary rows of the run's subtree for the periods the run can touch (every stored period
overlapping ``period``, a superset of what it judged) and corrects the rows of the
orgs above ``root`` by the difference in ``root``'s own totals. All of it is set-based
SQL — one GROUP BY over the subtree's findings, then one roll-up statement per tree
level over the summary itself — and idempotent: running it again writes the same rows.
``rebuild`` recomputes the whole table (after a bulk load, or for data from before it
existed).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

from zhibu.core.rules.models import Finding
from zhibu.core.rules.periods import Period
from zhibu.core.scope import STEPLEN, ancestor_paths, successor
from zhibu.rulebook.models import FindingSummary

# Writing this many rows or more refreshes the planner's statistics on the table.
ANALYZE_ROWS = 5_000

KEY = "rule_code, period_code, period_start, period_end, status"


def _tables() -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(FindingSummary._meta.db_table), quote(Finding._meta.db_table)


def _where(path: str | None, period: Period | None, codes: list[str] | None) -> tuple[str, list]:
    """Criteria shared by findings and summary rows: a subtree, a period, rule codes."""
    parts, params = ["1 = 1"], []
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


def _totals(cursor, path: str, period: Period | None, codes: list[str] | None) -> dict:
    summary, _ = _tables()
    where, params = _where(None, period, codes)
    cursor.execute(
        f"SELECT {KEY}, total FROM {summary} WHERE org_path = %s AND {where}",  # noqa: S608
        [path, *params],
    )
    return {tuple(row[:5]): row[5] for row in cursor.fetchall()}


def _recompute(cursor, path: str | None, period: Period | None, codes: list[str] | None) -> int:
    """Delete and recompute the rows of ``path``'s subtree (every org when None)."""
    summary, finding = _tables()
    where, params = _where(path, period, codes)
    cursor.execute(f"DELETE FROM {summary} WHERE {where}", params)  # noqa: S608
    # Each org's own findings …
    cursor.execute(
        f"INSERT INTO {summary} (org_path, depth, {KEY}, own, total) "  # noqa: S608
        f"SELECT org_path, LENGTH(org_path) / {STEPLEN}, {KEY}, COUNT(*), COUNT(*) "
        f"FROM {finding} WHERE {where} GROUP BY org_path, {KEY}",
        params,
    )
    written = max(cursor.rowcount, 0)
    # … then each level adds its children's totals, from the deepest level up.
    cursor.execute(f"SELECT MAX(depth) FROM {summary} WHERE {where}", params)  # noqa: S608
    deepest = cursor.fetchone()[0] or 0
    top = len(path) // STEPLEN if path else 1
    for depth in range(deepest, top, -1):
        cut = (depth - 1) * STEPLEN
        cursor.execute(
            f"INSERT INTO {summary} (org_path, depth, {KEY}, own, total) "  # noqa: S608
            f"SELECT SUBSTR(org_path, 1, {cut}), {depth - 1}, {KEY}, 0, SUM(total) "
            f"FROM {summary} WHERE depth = {depth} AND {where} "
            f"GROUP BY SUBSTR(org_path, 1, {cut}), {KEY} "
            "ON CONFLICT (org_path, rule_code, period_code, status) "
            f"DO UPDATE SET total = {summary}.own + excluded.total",
            params,
        )
        written += max(cursor.rowcount, 0)
    return written


def _analyze(cursor) -> None:
    summary, _ = _tables()
    cursor.execute(f"ANALYZE {summary}")


def after_run(run, *, root, period: Period, codes: Iterable[str] | None = None) -> None:
    """Bring the summary in line with what ``run`` (over ``root``'s subtree) stored."""
    if not (run.created or run.updated or run.deleted):
        return  # nothing stored changed: nor did any count
    selected = sorted(codes) if codes else None
    with transaction.atomic(), connection.cursor() as cursor:
        before = _totals(cursor, root.path, period, selected)
        written = _recompute(cursor, root.path, period, selected)
        after = _totals(cursor, root.path, period, selected)
        delta = {
            key: after.get(key, 0) - before.get(key, 0)
            for key in before.keys() | after.keys()
            if after.get(key, 0) != before.get(key, 0)
        }
        above = ancestor_paths(root.path)
        if delta and above:
            summary, _ = _tables()
            cursor.executemany(
                f"INSERT INTO {summary} (org_path, depth, {KEY}, own, total) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s, %s, %s, 0, %s) "
                "ON CONFLICT (org_path, rule_code, period_code, status) "
                f"DO UPDATE SET total = {summary}.total + excluded.total",
                [
                    (path, len(path) // STEPLEN, *key, change)
                    for path in above
                    for key, change in sorted(delta.items())
                ],
            )
            marks = ", ".join(["%s"] * len(above))
            cursor.execute(
                f"DELETE FROM {summary} WHERE org_path IN ({marks}) AND total = 0",  # noqa: S608
                above,
            )
        if written >= ANALYZE_ROWS:
            _analyze(cursor)


def rebuild(*, root=None) -> int:
    """Recompute the summary of ``root``'s subtree (every org when None) from the
    findings; returns how many rows were written. Orgs above ``root`` are corrected too."""
    with transaction.atomic(), connection.cursor() as cursor:
        if root is None:
            written = _recompute(cursor, None, None, None)
        else:
            before = _totals(cursor, root.path, None, None)
            written = _recompute(cursor, root.path, None, None)
            after = _totals(cursor, root.path, None, None)
            if before != after:
                # Rare (a repair): recompute the whole table rather than patch the ancestors.
                written += _recompute(cursor, None, None, None)
        _analyze(cursor)
    return written
