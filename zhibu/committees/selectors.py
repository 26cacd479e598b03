"""Reads that need the roll as well as the tree: the tree with member counts, and the
members who may hold a post or be a 定点联系人. Scoped like every selector."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from zhibu.core.scope import ancestor_paths, parent_path, subtree_q
from zhibu.members.models import Member
from zhibu.members.selectors import visible_members
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_list, posts_on, visible_orgs


@dataclass
class TreeRow:
    org: Org
    depth: int  # relative to the shown root, from 0
    members: int  # members on the roster in the org's whole subtree
    has_children: bool


def org_tree(*, user, on: date | None = None, include_dissolved: bool = False) -> list[TreeRow]:
    """The visible tree in path order with subtree member counts: two queries in all."""
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
            for path in ancestor_paths(org.path, include_self=True):
                totals[path] += count
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


def org_children(*, user, parent: Org, include_dissolved: bool = False) -> list[TreeRow]:
    """The visible children of ``parent`` with subtree member counts: two queries."""
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

    base = parent_path(org.path)
    return (
        visible_members(user)
        .filter(subtree_q([base], field="org__path"), status__in=Member.ON_ROSTER)
        .select_related("org")
        .order_by("org__path", "name_pinyin")
    )


def linkage_candidates(*, org: Org, on: date):
    """Members holding a post, on ``on``, in a committee above ``org`` (定点联系)."""
    ancestors = ancestor_paths(org.path)
    holders = posts_on(Org.objects.filter(path__in=ancestors).values("pk"), on).values("holder")
    return Member.objects.filter(pk__in=holders).order_by("name_pinyin")
