"""References a finding stores and what they show ("相关记录").

A reference is ``"type:ident"`` (``meeting:<uuid>``, ``member:<uuid>`` …). A rule that
counts records (held meetings of a kind in a window) does not fetch and store every
record it counted: it stores one *query reference* such as ``held:<kind>:<from>:<to>``,
and the app that owns the records registers a resolver that lists them when the finding
is shown (``expand``). Higher layers (insight, api) call ``expand``; nothing else parses
references.
"""

from __future__ import annotations

from collections.abc import Callable

# A resolver answers many query references of its kind at once: it is given
# [(org id, the reference after "kind:"), ...] and returns {(org id, rest): [refs]}.
Resolver = Callable[[list[tuple[int, str]]], dict[tuple[int, str], list[str]]]
_RESOLVERS: dict[str, Resolver] = {}


def resolver(kind: str) -> Callable[[Resolver], Resolver]:
    """Register ``func(items)`` resolving ``kind:rest`` references (see ``Resolver``)."""

    def register(func: Resolver) -> Resolver:
        _RESOLVERS[kind] = func
        return func

    return register


def split(ref: str) -> tuple[str, str]:
    kind, _, ident = str(ref).partition(":")
    return kind, ident


def expand_many(items: list[tuple[int, list[str] | None]]) -> list[list[str]]:
    """``expand`` for many findings (org id, refs) with one query per kind of query
    reference, whatever their number: what a page of findings shows."""
    wanted: dict[str, set[tuple[int, str]]] = {}
    for org_id, refs in items:
        for ref in refs or ():
            kind, ident = split(ref)
            if kind in _RESOLVERS:
                wanted.setdefault(kind, set()).add((org_id, ident))
    found = {kind: _RESOLVERS[kind](sorted(keys)) for kind, keys in wanted.items()}
    out = []
    for org_id, refs in items:
        shown: list[str] = []
        for ref in refs or ():
            kind, ident = split(ref)
            if kind in found:
                shown.extend(found[kind].get((org_id, ident), []))
            else:
                shown.append(str(ref))
        out.append(shown)
    return out


def expand(org_id: int, refs: list[str] | None) -> list[str]:
    """Plain ``type:ident`` references, query references resolved for ``org_id``."""
    return expand_many([(org_id, refs)])[0]
