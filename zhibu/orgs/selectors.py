"""Reads of the org tree, always scoped to what the acting user may see.

``org_for_user`` is the only door to a single org: outside the user's scope it answers
404 (its existence does not leak); inside the scope but without the needed action, 403.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhibu.accounts import permissions
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
            Q(name__icontains=term) | Q(short_name__icontains=term) | Q(code__iexact=term)
            | Q(name_initials__startswith=term.lower())
        )  # fmt: skip
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
    from zhibu.core.scope import collapse

    return list(Org.objects.filter(path__in=collapse(paths)).order_by("path"))


@dataclass
class TreeRow:
    org: Org
    depth: int  # relative to the shown root, from 0
    members: int  # members on the roster in the org's whole subtree
    has_children: bool


def org_tree(*, user, on: date | None = None, include_dissolved: bool = False) -> list[TreeRow]:
    """The visible tree in path order with subtree member counts: two queries in all."""
    from zhibu.members.models import Member

    orgs = list(org_list(user=user, include_dissolved=include_dissolved))
    if not orgs:
        return []
    direct = dict(
        Member.objects.filter(
            org__in=[o.pk for o in orgs if o.is_branch], status__in=Member.ON_ROSTER
        )
        .values_list("org")
        .annotate(n=Count("id"))
    )
    totals: dict[str, int] = defaultdict(int)
    for org in orgs:
        count = direct.get(org.pk, 0)
        if count:
            for cut in range(Org.steplen, len(org.path) + 1, Org.steplen):
                totals[org.path[:cut]] += count
    top_depth = min(o.depth for o in orgs)
    rows = []
    for i, org in enumerate(orgs):
        # In path order, a node's first descendant (if any is visible) comes right after it.
        following = orgs[i + 1].path if i + 1 < len(orgs) else ""
        has_children = following.startswith(org.path)
        rows.append(
            TreeRow(
                org=org,
                depth=org.depth - top_depth,
                members=totals.get(org.path, 0),
                has_children=has_children,
            )
        )
    return rows


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
        parent_path = org.path[: -Org.steplen]
        parent_of[org.pk] = path_index.get(parent_path) if parent_path else None
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


def org_children(*, user, parent: Org, include_dissolved: bool = False) -> list[TreeRow]:
    """The visible children of ``parent`` with subtree member counts: two queries."""
    from django.db.models.functions import Substr

    from zhibu.core.scope import subtree_q
    from zhibu.members.models import Member

    children = visible_orgs(user).filter(subtree_q([parent.path]), depth=parent.depth + 1)
    if not include_dissolved:
        today = timezone.localdate()
        children = children.filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
    children = list(children.order_by("path"))
    if not children:
        return []
    width = len(parent.path) + Org.steplen
    counts = dict(
        Member.objects.filter(
            subtree_q([parent.path], field="org__path"), status__in=Member.ON_ROSTER
        )
        .annotate(prefix=Substr("org__path", 1, width))
        .values_list("prefix")
        .annotate(n=Count("id"))
    )
    return [
        TreeRow(org=c, depth=0, members=counts.get(c.path, 0), has_children=c.numchild > 0)
        for c in children
    ]


def post_candidates(*, user, org: Org):
    """Members who may hold a post at ``org``: on the roster within its parent's subtree."""
    from zhibu.core.scope import subtree_q
    from zhibu.members.models import Member
    from zhibu.members.selectors import visible_members

    base = org.path[: -Org.steplen] or org.path
    return (
        visible_members(user)
        .filter(subtree_q([base], field="org__path"), status__in=Member.ON_ROSTER)
        .select_related("org")
        .order_by("org__path", "name_pinyin")
    )


def linkage_candidates(*, org: Org, on: date):
    """Members holding a post, on ``on``, in a committee above ``org`` (定点联系)."""
    from zhibu.members.models import Member

    ancestors = [org.path[:i] for i in range(Org.steplen, len(org.path), Org.steplen)]
    holders = posts_on(Org.objects.filter(path__in=ancestors).values("pk"), on).values("holder")
    return Member.objects.filter(pk__in=holders).order_by("name_pinyin")


def ancestors_of(org: Org, user) -> list[Org]:
    """The visible ancestors of ``org``, top first (for breadcrumbs)."""
    paths = [org.path[:i] for i in range(Org.steplen, len(org.path), Org.steplen)]
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
