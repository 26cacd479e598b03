"""Subtree filters on materialised paths, as index-friendly range conditions.

An org's subtree is every path that starts with the org's path. ``LIKE 'p%'`` cannot use a
B-tree index on every engine and collation (SQLite's case-insensitive LIKE, PostgreSQL with
a non-C collation), but the equivalent range ``p <= path < successor(p)`` can, everywhere:
paths use treebeard's alphabet 0-9A-Z, which sorts the same in every collation we run on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.db.models import Q

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

T = TypeVar("T")


def successor(path: str) -> str | None:
    """The smallest path greater than every path starting with ``path`` (None: unbounded)."""
    chars = list(path)
    for i in range(len(chars) - 1, -1, -1):
        position = ALPHABET.index(chars[i])
        if position + 1 < len(ALPHABET):
            chars[i] = ALPHABET[position + 1]
            return "".join(chars[: i + 1])
    return None


def collapse(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path's subtree."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def runs(paths: Iterable[str]) -> list[tuple[str, str]]:
    """``collapse(paths)`` as runs (first, last) of consecutive siblings: one parent, and
    last steps that are successive base-36 numbers. No path lies between two such
    siblings' subtrees, so a run's subtrees are the one range [first, successor(last))."""
    result: list[tuple[str, str]] = []
    for path in collapse(paths):
        if result:
            first, last = result[-1]
            parent, step = path[:-STEPLEN], path[-STEPLEN:]
            if (
                len(path) == len(last)
                and parent == last[:-STEPLEN]
                and int(step, 36) == int(last[-STEPLEN:], 36) + 1
            ):
                result[-1] = (first, path)
                continue
        result.append((path, path))
    return result


def subtree_q(paths: Iterable[str], field: str = "path") -> Q:
    """Rows whose ``field`` lies in the subtree of any of ``paths`` (none: matches nothing);
    consecutive siblings' subtrees make one range."""
    condition = Q(pk__in=[])
    for path, last in runs(paths):
        upper = successor(last)
        part = Q(**{f"{field}__gte": path})
        if upper is not None:
            part &= Q(**{f"{field}__lt": upper})
        condition |= part
    return condition


def in_subtree(path: str, roots: Iterable[str]) -> bool:
    return any(path.startswith(root) for root in roots)


# Treebeard's materialised-path step: each level adds four characters. ``Org.steplen``
# is set from this, so path arithmetic below needs no import of the org model.
STEPLEN = 4


def ancestor_paths(path: str, *, include_self: bool = False) -> list[str]:
    """The paths above ``path``, from the root down (and ``path`` itself if asked)."""
    stop = len(path) + 1 if include_self else len(path)
    return [path[:cut] for cut in range(STEPLEN, stop, STEPLEN)]


def parent_path(path: str) -> str:
    """The parent's path; a root is its own parent (so a subtree filter still holds)."""
    return path[:-STEPLEN] or path


def nearest(path: str, by_path: Mapping[str, T]) -> T | None:
    """The value keyed by the deepest path at or above ``path`` (e.g. the nearest
    committee's supplement), or None."""
    for cut in range(len(path), 0, -STEPLEN):
        found = by_path.get(path[:cut])
        if found is not None:
            return found
    return None
