"""Reads of 督办单 and who may do what with them.

Who opens a 督办 on a record at org X: a 党委's 组织 roles (书记, 副书记, 组织委员, 党务工作者)
or its 纪检委员, granted at a committee strictly above X; or whoever the target kind lets
(a task's issuer, ``targets.register_target(can_open=...)``). Who replies: someone who
may record at X through a grant below the opening org (the 督办 is addressed to X, not to
the level that opened it). The opener's side accepts or asks again.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.accounts.models import Role
from zhibu.core.scope import subtree_q
from zhibu.duties.models import Supervision
from zhibu.duties.targets import Target
from zhibu.orgs.models import Org

VIEW, WRITE = "finding.view", "meeting.record"
OPENER_ROLES = frozenset(
    {Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.ORGANIZATION, Role.STAFF, Role.DISCIPLINE}
)


def visible_supervisions(user) -> QuerySet[Supervision]:
    return Supervision.objects.filter(permissions.scope_q(user, VIEW, field="org__path"))


def supervision_for_user(user, public_id) -> Supervision:
    try:
        return (
            visible_supervisions(user)
            .select_related("org", "by_org", "opened_by")
            .get(public_id=public_id)
        )
    except (Supervision.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def supervision_list(
    *, user, status: str = "", level: int | None = None, org=None, target_ref: str = ""
) -> QuerySet[Supervision]:
    qs = visible_supervisions(user).select_related("org", "by_org")
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    if status in Supervision.Status.values:
        qs = qs.filter(status=status)
    if level in Supervision.Level.values:
        qs = qs.filter(level=level)
    if target_ref:
        qs = qs.filter(target_ref=target_ref)
    return qs.order_by("status", "reply_due", "id")


def supervisions_of(ref: str) -> list[Supervision]:
    """The 督办 of one target, for its page (the page has checked access to the target)."""
    return list(Supervision.objects.filter(target_ref=ref).select_related("by_org"))


def _committee_grants_above(user, org: Org):
    """The user's opener grants at committees strictly above ``org``, deepest first."""
    found = [
        grant
        for grant in permissions.grants(user)
        if grant.role in OPENER_ROLES
        and grant.level == permissions.COMMITTEE
        and grant.path != permissions.ALL_ORGS
        and org.path.startswith(grant.path)
        and org.path != grant.path
    ]
    return sorted(found, key=lambda grant: len(grant.path), reverse=True)


def opener_org(user, target: Target) -> Org | None:
    """The org a 督办 by ``user`` on ``target`` is opened in the name of; None: may not."""
    grants = _committee_grants_above(user, target.org)
    if grants:
        return Org.objects.get(pk=grants[0].org_id)
    kind = target.kind
    if kind.can_open is not None and kind.can_open(user, target.record):
        if kind.opener_org is not None:
            return kind.opener_org(user, target.record)
        return Org.objects.get_parent(target.org) or target.org
    return None


def can_open(user, target: Target) -> bool:
    if _committee_grants_above(user, target.org):
        return True
    kind = target.kind
    return bool(kind.can_open is not None and kind.can_open(user, target.record))


def can_reply(user, supervision: Supervision) -> bool:
    """Addressed to the responsible org: a recording grant covering it from below the
    opening org (the 党委 that opened it does not answer its own 督办)."""
    org, opener = supervision.org, supervision.by_org
    return any(
        WRITE in grant.actions
        and grant.path != permissions.ALL_ORGS
        and org.path.startswith(grant.path)
        and not opener.path.startswith(grant.path)
        for grant in permissions.grants(user)
    )


def can_decide(user, supervision: Supervision) -> bool:
    """Accept or ask again: whoever opened it, or an opener role at the opening org or above."""
    if supervision.opened_by_id == user.pk:
        return True
    opener = supervision.by_org
    return any(
        grant.role in OPENER_ROLES
        and grant.level == permissions.COMMITTEE
        and grant.path != permissions.ALL_ORGS
        and opener.path.startswith(grant.path)
        for grant in permissions.grants(user)
    )


def is_discipline(user) -> bool:
    """The 纪检 view (约谈建议) is for 纪检委员 and the committees' 书记."""
    return any(
        grant.role in {Role.DISCIPLINE, Role.SECRETARY} and grant.level == permissions.COMMITTEE
        for grant in permissions.grants(user)
    )
