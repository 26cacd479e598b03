"""Reads of discipline records under their strict scope (DISC, issue 17).

A record is visible to:
- a user holding ``discipline.view`` (纪检 roles) at an org whose subtree holds the
  record's member's org, and
- the 书记 of the deciding organisation, for that organisation's own decisions.
Nobody else — not other secretaries, 组织委员, the member's branch staff or the platform
administrators — ever receives one: every page, export and API handler reads through
``visible_records`` / ``record_for_user``, and anything else answers 404.
"""

from __future__ import annotations

from collections import Counter
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.accounts.models import Role
from zhibu.discipline.models import DisciplineRecord
from zhibu.members.models import Member

VIEW = "discipline.view"
MANAGE = "discipline.manage"


def secretary_org_ids(user) -> set[int]:
    """Orgs where ``user`` is 书记 today (from the cached grants: no query)."""
    return {
        g.org_id
        for g in permissions.grants(user)
        if g.role == Role.SECRETARY and g.org_id is not None
    }


def may_see_any(user) -> bool:
    return bool(permissions.scope_paths(user, VIEW)) or bool(secretary_org_ids(user))


def visible_records(user) -> QuerySet[DisciplineRecord]:
    condition = Q(pk__in=[])
    if permissions.scope_paths(user, VIEW):
        condition |= permissions.scope_q(user, VIEW, field="member__org__path")
    secretary = secretary_org_ids(user)
    if secretary:
        condition |= Q(deciding_org__in=secretary)
    return DisciplineRecord.objects.filter(condition)


def managed_records(user) -> QuerySet[DisciplineRecord]:
    if not permissions.scope_paths(user, MANAGE):
        return DisciplineRecord.objects.none()
    return DisciplineRecord.objects.filter(
        permissions.scope_q(user, MANAGE, field="member__org__path")
    )


def record_for_user(user, public_id: UUID | str, *, write: bool = False) -> DisciplineRecord:
    """The record, or 404 outside the strict scope (``write``: ``discipline.manage``)."""
    qs = managed_records(user) if write else visible_records(user)
    record = (
        qs.filter(public_id=public_id)
        .select_related("member", "member__org", "deciding_org", "ref_org", "created_by")
        .first()
    )
    if record is None:
        raise Http404
    return record


def can_manage(user, record: DisciplineRecord) -> bool:
    return permissions.can(user, MANAGE, record.member.org)


def record_list(
    *, user, org=None, kind: str = "", year: int | None = None
) -> QuerySet[DisciplineRecord]:
    qs = visible_records(user).select_related("member", "member__org", "deciding_org")
    if org is not None:
        qs = qs.filter(Q(member__org__path__startswith=org.path) | Q(deciding_org=org))
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(decided_on__year=year)
    return qs.order_by("-decided_on", "-id")


def members_to_record(user, q: str) -> QuerySet[Member]:
    """Members a 纪检 manager may record a measure for (by name or pinyin)."""
    if not permissions.scope_paths(user, MANAGE) or not q.strip():
        return Member.objects.none()
    q = q.strip()
    return (
        Member.objects.filter(permissions.scope_q(user, MANAGE, field="org__path"))
        .filter(
            Q(name__contains=q) | Q(name_pinyin__startswith=q.lower()) | Q(name_initials=q.lower())
        )
        .exclude(status__in=[Member.Status.DECEASED, Member.Status.TRANSFERRED_OUT])
        .select_related("org")
        .order_by("name_pinyin", "id")[:30]
    )


def member_for_manage(user, public_id: UUID | str) -> Member:
    member = (
        Member.objects.filter(permissions.scope_q(user, MANAGE, field="org__path"))
        .filter(public_id=public_id)
        .select_related("org")
        .first()
    )
    if member is None:
        raise Http404
    return member


def statistics(user, org=None) -> dict:
    """DISC-07: the records in scope counted by year and 四种形态 — counts only, no names.
    One query."""
    qs = visible_records(user).filter(status=DisciplineRecord.Status.IN_EFFECT)
    if org is not None:
        qs = qs.filter(Q(member__org__path__startswith=org.path) | Q(deciding_org=org))
    counts: Counter = Counter()
    kinds: Counter = Counter()
    for year, form, kind in qs.values_list("decided_on__year", "form", "kind"):
        counts[(year, form)] += 1
        kinds[(year, kind)] += 1
    years = sorted({y for y, _ in counts}, reverse=True)
    forms = list(DisciplineRecord.Form)
    rows = []
    for year in years:
        cells = [counts[(year, f.value)] for f in forms]
        total = sum(cells)
        rows.append(
            {
                "year": year,
                "cells": cells,
                "total": total,
                "shares": [round(100 * c / total) if total else 0 for c in cells],
                "kinds": [(k.label, kinds[(year, k.value)]) for k in DisciplineRecord.Kind],
            }
        )
    return {"forms": forms, "rows": rows}
