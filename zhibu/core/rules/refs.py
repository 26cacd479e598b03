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

Resolver = Callable[[int, str], list[str]]
_RESOLVERS: dict[str, Resolver] = {}


def resolver(kind: str) -> Callable[[Resolver], Resolver]:
    """Register ``func(org_id, rest)`` returning plain references for ``kind:rest``."""

    def register(func: Resolver) -> Resolver:
        _RESOLVERS[kind] = func
        return func

    return register


def split(ref: str) -> tuple[str, str]:
    kind, _, ident = str(ref).partition(":")
    return kind, ident


def expand(org_id: int, refs: list[str] | None) -> list[str]:
    """Plain ``type:ident`` references, query references resolved for ``org_id``."""
    out: list[str] = []
    for ref in refs or ():
        kind, ident = split(ref)
        func = _RESOLVERS.get(kind)
        out.extend(func(org_id, ident) if func is not None else [str(ref)])
    return out
