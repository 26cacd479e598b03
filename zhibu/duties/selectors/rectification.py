"""Reads of rectification items, scoped to the acting user."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.core.scope import subtree_q
from zhibu.duties.models import Rectification
from zhibu.meetings.models import Meeting

VIEW, WRITE = "finding.view", "meeting.record"


def visible_items(user) -> QuerySet[Rectification]:
    return Rectification.objects.filter(permissions.scope_q(user, VIEW, field="org__path"))


def item_for_user(user, public_id, *, action: str = VIEW) -> Rectification:
    """The item if the user may see it (else 404) and do ``action`` at its org (else 403)."""
    try:
        item = visible_items(user).select_related("org", "owner").get(public_id=public_id)
    except (Rectification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != VIEW and not permissions.can(user, action, item.org):
        raise PermissionDenied
    return item


def item_list(*, user, status: str = "", org=None) -> QuerySet[Rectification]:
    qs = visible_items(user).select_related("org", "owner")
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    if status in Rectification.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("status", "deadline", "id")


def can_recheck(user, item: Rectification) -> bool:
    """复查 is for the level above the item's org (granted strictly above it)."""
    return permissions.can_strictly_below(user, WRITE, item.org)


def life_problem_ref(meeting: Meeting) -> str:
    """How an item found at a meeting points back to it (``Rectification.source_ref``)."""
    return f"meeting:{meeting.public_id}"


def meeting_problems(meeting: Meeting) -> list[Rectification]:
    """The items found at ``meeting`` (a 组织生活会), for its page; the page checked access."""
    return list(
        Rectification.objects.filter(source_ref=life_problem_ref(meeting)).select_related("owner")
    )


def meeting_detail_context(meeting: Meeting) -> dict:
    """What the meeting page shows of rectification (registered in ``DutiesConfig.ready``)."""
    return {"problems": meeting_problems(meeting)}
