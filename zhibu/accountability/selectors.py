"""Reads for the 纪检 view, all within the strict scope: ``discipline.view`` holders see
the signals and decisions of their subtrees; everybody else is answered 404."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.scope import in_subtree, subtree_q
from zhibu.orgs.models import Org

from .models import Decision, DecisionSignal
from .sources import Signal, sources

VIEW, MANAGE = "discipline.view", "discipline.manage"


def strict(action: str) -> Callable:
    """``requires(action)``, but a user holding ``action`` nowhere is answered 404 (the
    discipline pages' strict scope: not even the page's existence is confirmed)."""

    def decorator(view: Callable) -> Callable:
        guarded = requires(action)(view)

        @wraps(guarded)
        def wrapper(request, *args: Any, **kwargs: Any):
            if not permissions.holds_anywhere(request.user, action):
                raise Http404
            return guarded(request, *args, **kwargs)

        return wrapper

    return decorator


def view_paths(user) -> list[str]:
    """The subtree roots whose signals and decisions ``user`` may see (never ``*``: a
    platform grant never holds ``discipline.view``; if one ever did, it sees every root)."""
    paths = permissions.scope_paths(user, VIEW)
    if paths == [permissions.ALL_ORGS]:
        return list(Org.get_root_nodes().values_list("path", flat=True))
    return paths


@dataclass(frozen=True)
class Row:
    signal: Signal
    label: str  # the kind's label
    closed_by: Decision | None  # the decision that closed it


def kinds() -> list[tuple[str, str]]:
    return [(source.kind, source.label) for source in sources()]


def signals_for(user, day: date, *, kind: str = "", org: Org | None = None) -> list[Row]:
    """Every signal in the user's scope (narrowed to ``kind`` and ``org``'s subtree), each
    with the decision that closed it, if any: the sources' queries plus one."""
    paths = view_paths(user)
    if org is not None:
        if not in_subtree(org.path, paths):
            return []
        paths = [org.path]
    if not paths:
        return []
    found: list[tuple[Signal, str]] = []
    for source in sources():
        if kind and source.kind != kind:
            continue
        found.extend((signal, str(source.label)) for signal in source.fn(paths, day))
    closing = {
        (row.kind, row.key): row.decision
        for row in DecisionSignal.objects.filter(subtree_q(paths, field="org__path"))
        .select_related("decision")
        .only("kind", "key", "decision__public_id", "decision__kind", "decision__decided_on")
    }
    rows = [Row(signal, label, closing.get((signal.kind, signal.key))) for signal, label in found]
    rows.sort(key=lambda row: (row.signal.org_id, row.signal.since, row.signal.kind))
    return rows


def grouped(rows: list[Row]) -> list[tuple[Org, list[Row]]]:
    """The rows by organisation, in tree order (one query for the orgs)."""
    orgs = {o.id: o for o in Org.objects.filter(id__in={row.signal.org_id for row in rows})}
    groups: dict[int, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.signal.org_id, []).append(row)
    return [(orgs[oid], groups[oid]) for oid in sorted(groups, key=lambda i: orgs[i].path)]


def visible_decisions(user) -> QuerySet[Decision]:
    return Decision.objects.filter(subtree_q(view_paths(user), field="org__path"))


def decision_for_user(user, public_id) -> Decision:
    try:
        return (
            visible_decisions(user)
            .select_related("org", "deciding_org", "person")
            .get(public_id=public_id)
        )
    except (Decision.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None  # a malformed id is not found either


def decision_list(user, *, kind: str = "", org: Org | None = None, year: int | None = None):
    qs = visible_decisions(user).select_related("org", "deciding_org", "person")
    if kind in Decision.Kind.values:
        qs = qs.filter(kind=kind)
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    if year:
        qs = qs.filter(decided_on__year=year)
    return qs.order_by("-decided_on", "-id")


def signal_ref(signal: Signal) -> str:
    return f"{signal.kind}:{signal.key}"


def deciding_orgs(user, org: Org) -> list[Org]:
    """Where ``user`` may decide about ``org``: the org itself or an org above it, at
    which the user holds ``discipline.manage`` (nearest first)."""
    paths = [
        grant.path
        for grant in permissions.grants(user)
        if MANAGE in grant.actions and grant.path != permissions.ALL_ORGS
    ]
    above = [p for p in paths if org.path.startswith(p)]
    return list(Org.objects.filter(path__in=above).order_by("-depth"))


SIGNAL_UNKNOWN = _("线索 %(ref)s 不存在、已不再成立或不在您的管理范围内。")


def resolve_signals(user, refs: list[str], day: date) -> list[Signal]:
    """The signals named ``kind:key`` among those in ``user``'s scope today; an unknown
    or out-of-scope one is refused (ValidationError on ``signals``), naming it."""
    by_ref = {signal_ref(row.signal): row.signal for row in signals_for(user, day)}
    missing = [ref for ref in refs if ref not in by_ref]
    if missing:
        raise ValidationError({"signals": SIGNAL_UNKNOWN % {"ref": missing[0]}})
    return [by_ref[ref] for ref in dict.fromkeys(refs)]
