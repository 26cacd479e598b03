"""Reads of the org tree, always scoped to what the acting user may see.

``org_for_user`` is the only door to a single org: outside the user's scope it answers
404 (its existence does not leak); inside the scope but without the needed action, 403.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhibu.accounts import permissions
from zhibu.core.scope import ancestor_paths, collapse, parent_path
from zhibu.orgs.models import CommitteePost, Org, OrgEvent


def visible_orgs(user, action: str = "org.view") -> QuerySet[Org]:
    """Every org the user may act on with ``action``: one indexed range query per grant."""
    return Org.objects.filter(permissions.scope_q(user, action))


def org_for_user(user, public_id, *, action: str = "org.view") -> Org:
    """The org with ``public_id`` if the user may see it (else 404) and do ``action`` (else 403)."""
    try:
        org = visible_orgs(user).get(public_id=public_id)
    except (Org.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None  # not a UUID at all (``?org=notuuid``) is not found either
    if action != "org.view" and not permissions.can(user, action, org):
        raise PermissionDenied
    return org


def org_list(
    *,
    user,
    q: str = "",
    kind: str | None = None,
    sector: str | None = None,
    include_dissolved: bool = False,
    action: str = "org.view",
) -> QuerySet[Org]:
    qs = visible_orgs(user, action)
    if not include_dissolved:
        today = timezone.localdate()
        qs = qs.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
    if q:
        term = q.strip()
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(short_name__icontains=term)
            | Q(code__iexact=term)
            | Q(name_initials__startswith=term.lower())
        )
    if kind:
        qs = qs.filter(kind=kind)
    if sector:
        qs = qs.filter(sector=sector)
    return qs.order_by("path")


def roots_for(user) -> list[Org]:
    """The top orgs of the user's scope (their assignment orgs, minus nested ones)."""
    paths = permissions.scope_paths(user, "org.view")
    if paths == [permissions.ALL_ORGS]:
        return list(Org.objects.filter(depth=1).order_by("path"))
    return list(Org.objects.filter(path__in=collapse(paths)).order_by("path"))


@dataclass
class AsOfRow:
    org: Org
    parent_id: int | None
    depth: int


def tree_as_of(*, user, on: date) -> list[AsOfRow]:
    """The visible tree as it stood on ``on``: orgs then existing, under their parents then.

    Built from the current tree and the dated move events after ``on``: each later move
    is undone by putting the org back under its ``from_parent``. Two queries. (A parent
    outside the user's scope shows its child at the top.)
    """
    orgs = [o for o in visible_orgs(user).order_by("path") if o.exists_on(on)]
    by_id = {o.pk: o for o in orgs}
    parent_of: dict[int, int | None] = {}
    path_index = {o.path: o.pk for o in orgs}
    for org in orgs:
        parent_of[org.pk] = path_index.get(parent_path(org.path)) if org.depth > 1 else None
    later_moves = OrgEvent.objects.filter(
        kind=OrgEvent.Kind.MOVED, on__gt=on, org__in=by_id
    ).order_by("-on", "-id")
    for move in later_moves:  # undo the newest first
        parent_of[move.org_id] = move.from_parent_id
    children: dict[int | None, list[Org]] = defaultdict(list)
    for org in orgs:
        parent_id = parent_of.get(org.pk)
        children[parent_id if parent_id in by_id else None].append(org)
    rows: list[AsOfRow] = []
    stack = [(org, 0) for org in reversed(children[None])]
    while stack:
        org, depth = stack.pop()
        rows.append(AsOfRow(org=org, parent_id=parent_of.get(org.pk), depth=depth))
        stack.extend((child, depth + 1) for child in reversed(children[org.pk]))
    return rows


def posts_on(org_ids, day: date, posts=None) -> QuerySet[CommitteePost]:
    """Posts held on ``day`` at the given orgs (set-based, for pages and rules alike)."""
    qs = CommitteePost.objects.filter(org__in=org_ids, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    if posts:
        qs = qs.filter(post__in=posts)
    return qs.select_related("holder", "committee")


def ancestors_of(org: Org, user) -> list[Org]:
    """The visible ancestors of ``org``, top first (for breadcrumbs)."""
    paths = ancestor_paths(org.path)
    return list(visible_orgs(user).filter(path__in=paths).order_by("depth"))


def move_targets(*, user, org: Org) -> list[Org]:
    """Orgs ``org`` may be moved under: in the user's structure scope, right kind, not its own
    subtree, not dissolved."""
    from zhibu.orgs.services import ALLOWED_PARENTS

    kinds = [k for k in ALLOWED_PARENTS[org.kind] if k]
    qs = (
        visible_orgs(user, "org.structure")
        .filter(kind__in=kinds, dissolved_on__isnull=True)
        .exclude(path__startswith=org.path)
        .order_by("path")
    )
    return list(qs)
