"""Reads of the roster, scoped to the acting user; and the dated roster every rule uses.

``member_for_user`` is the only door to one member record: outside the user's scope it
answers 404; inside it but without the needed action, 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.members.models import Member, MemberSpan, Sanction


def visible_members(user, action: str = "member.view") -> QuerySet[Member]:
    return Member.objects.filter(permissions.scope_q(user, action, field="org__path"))


def member_for_user(user, public_id, *, write: bool = False, action: str | None = None) -> Member:
    """The member with ``public_id`` if the user may see them (else 404) and act (else 403)."""
    try:
        member = (
            visible_members(user)
            .select_related("org", "group", "work_unit")
            .get(public_id=public_id)
        )
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    needed = action or ("member.manage" if write else None)
    if needed and not permissions.can(user, needed, member.org):
        raise PermissionDenied
    return member


def member_list(
    *,
    user,
    org=None,
    q: str = "",
    status: str | None = None,
    category: str | None = None,
    on_roster: bool = True,
) -> QuerySet[Member]:
    """The roster the user may see, optionally within ``org``'s subtree and filtered."""
    from zhibu.core.scope import subtree_q

    qs = visible_members(user).select_related("org", "group")
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    if status:
        qs = qs.filter(status=status)
    elif on_roster:
        qs = qs.filter(status__in=Member.ON_ROSTER)
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(search_q(q))
    return qs.order_by("org__path", "name_pinyin", "id")


def search_q(text: str) -> Q:
    """Name, full pinyin ("zhangsan"), initials ("zs") or the last four ID digits."""
    term = text.strip()
    lowered = term.lower().replace(" ", "")
    condition = Q(name__contains=term) | Q(former_name__contains=term)
    if lowered.isascii() and lowered.isalpha():
        condition |= Q(name_pinyin__startswith=lowered) | Q(name_initials__startswith=lowered)
    if len(term) == 4 and (term[:3].isdigit() and (term[3].isdigit() or term[3] in "xX")):
        condition |= Q(id_last4=term.upper())
    return condition


# --- the dated roster (used by rules, meetings and development) ---------------------------


def spans_on(
    day: date, *, org_ids: Iterable[int] | None = None, statuses=None
) -> QuerySet[MemberSpan]:
    """Roster spans running on ``day`` (optionally at the given orgs, in the given statuses)."""
    qs = MemberSpan.objects.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gt=day))
    if org_ids is not None:
        qs = qs.filter(org__in=list(org_ids))
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    return qs


def members_on(
    org, day: date, statuses=(Member.Status.FULL, Member.Status.PROBATIONARY)
) -> QuerySet[Member]:
    """The members of ``org`` (a branch; or a 党小组) on ``day`` in ``statuses``."""
    spans = spans_on(day, statuses=statuses)
    spans = spans.filter(group=org) if org.kind == "group" else spans.filter(org=org)
    return Member.objects.filter(pk__in=spans.values("member"))


def counts_on(day: date, org_ids: Iterable[int], statuses) -> dict[int, int]:
    """{org id: number of members in ``statuses`` on ``day``}: one aggregate query."""
    rows = (
        spans_on(day, org_ids=org_ids, statuses=statuses)
        .values_list("org")
        .annotate(n=Count("member", distinct=True))
    )
    return dict(rows)


def under_probation_sanction_on(day: date) -> QuerySet[Sanction]:
    """留党察看 sanctions running on ``day``: those members have no vote (VOTE-01, DISC-04)."""
    return Sanction.objects.filter(kind=Sanction.Kind.PROBATION, decided_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gt=day)
    )


def voters_on(org, day: date) -> QuerySet[Member]:
    """Members with voting rights on ``day``: full members not under 留党察看 (VOTE-01)."""
    return members_on(org, day, statuses=(Member.Status.FULL,)).exclude(
        pk__in=under_probation_sanction_on(day).values("member")
    )
