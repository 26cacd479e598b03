"""Subtree filters as path ranges (zhibu.core.scope)."""

from __future__ import annotations

from itertools import combinations

from zhibu.core.scope import runs, subtree_q, successor

# A tree's paths around the awkward places: the step after 9 is A, after Z the next
# position carries, and a parent sorts between its last child's subtree and the next
# parent's first child.
TREE = [
    "0001",
    "00010001",
    "000100010001",
    "00010009",
    "0001000A",
    "0001000A0003",
    "0001000Z",
    "00010010",
    "00010011",
    "0001ZZZZ",
    "0002",
    "00020000",
    "00020001",
]


def _in_ranges(path: str, chosen: list[str]) -> bool:
    for first, last in runs(chosen):
        upper = successor(last)
        if first <= path and (upper is None or path < upper):
            return True
    return False


def test_runs_give_exactly_the_chosen_subtrees():
    roots = [p for p in TREE if len(p) == 8] + ["0002"]
    for n in range(1, 5):
        for chosen in combinations(roots, n):
            for path in TREE:
                expected = any(path.startswith(root) for root in chosen)
                assert _in_ranges(path, list(chosen)) == expected, (chosen, path)


def test_consecutive_siblings_make_one_range():
    assert runs(["00010009", "0001000A", "0001000B"]) == [("00010009", "0001000B")]
    assert runs(["0001000Z", "00010010"]) == [("0001000Z", "00010010")]
    # Successive numbers under different parents are not siblings: "0002" lies between.
    assert runs(["0001ZZZZ", "00020000"]) == [("0001ZZZZ", "0001ZZZZ"), ("00020000", "00020000")]
    # A gap (a sibling not chosen) keeps two ranges; a nested path is dropped.
    assert runs(["00010001", "00010003", "000100030001"]) == [
        ("00010001", "00010001"),
        ("00010003", "00010003"),
    ]


def test_subtree_q_of_a_run_is_one_range_condition():
    condition = subtree_q(["00010001", "00010002", "00010003"])
    assert str(condition).count("path__gte") == 1


def test_a_context_states_the_runs_ranges_on_a_relation():
    from datetime import date

    from zhibu.core.rules.base import Context

    bounds = subtree_q(["0001"]) & ~subtree_q(["00010002", "00010003"])
    ctx = Context(orgs=[], period=None, on=date(2026, 1, 1), params={}, today=date(2026, 1, 1))
    assert ctx.within("org").children == [("org__in", [])]  # no ranges: the orgs themselves
    ctx.bounds = bounds
    condition = ctx.within("org")
    assert str(condition) == str(bounds).replace("('", "('org__")
    negated = [child for child in condition.children if getattr(child, "negated", False)]
    assert len(negated) == 1  # the excluded subtrees stay excluded
