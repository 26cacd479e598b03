"""Reads of 请示 and 报告, scoped to the acting user.

Who sees a document: users whose scope covers its sender, its receiver or the org it is
copied to. Who acts on it: only the organisation itself — users holding
``request.handle`` through a role *at* the sender (draft, attach, send) or *at* the
receiver (answer, return), not through a role higher up: a document is written and
answered in an organisation's own name (REQ-01).
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.core.scope import ancestor_paths, subtree_q
from zhibu.duties.models import ReportSchedule, Request
from zhibu.meetings.models import Meeting
from zhibu.orgs.models import Org

VIEW, HANDLE = "finding.view", "request.handle"
EDITABLE = (Request.Status.DRAFT, Request.Status.RETURNED)


def visible_requests(user) -> QuerySet[Request]:
    return Request.objects.filter(
        permissions.scope_q(user, VIEW, field="sender__path")
        | permissions.scope_q(user, VIEW, field="receiver__path")
        | permissions.scope_q(user, VIEW, field="copy_to__path")
    )


def holds_at(user, action: str, org: Org) -> bool:
    """``action`` granted by a role at ``org`` itself."""
    return any(g.org_id == org.pk and action in g.actions for g in permissions.grants(user))


def handling_orgs(user) -> list[Org]:
    """The orgs in whose name ``user`` writes and answers."""
    ids = [g.org_id for g in permissions.grants(user) if HANDLE in g.actions and g.org_id]
    return list(Org.objects.filter(pk__in=ids).order_by("path"))


def request_for_user(user, public_id, *, action: str = VIEW) -> Request:
    """The document if ``user`` may see it (else 404) and, for ``"edit"`` / ``"answer"``,
    act on it as its sender / receiver (else 403)."""
    try:
        item = (
            visible_requests(user)
            .select_related("sender", "receiver", "copy_to", "meeting", "sent_by", "answered_by")
            .get(public_id=public_id)
        )
    except (Request.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "edit" and not can_edit(user, item):
        raise PermissionDenied
    if action == "answer" and not can_answer(user, item):
        raise PermissionDenied
    return item


def can_edit(user, item: Request) -> bool:
    return holds_at(user, HANDLE, item.sender)


def can_answer(user, item: Request) -> bool:
    return holds_at(user, HANDLE, item.receiver)


def request_list(*, user, org: Org, box: str = "in", status: str = "") -> QuerySet[Request]:
    """收文 (``box="in"``: sent to ``org`` or copied to it), 发文 (``"out"``: sent by
    ``org``) or 待答复 (``"pending"``: sent to ``org`` or an organisation below it and not
    yet answered — the cockpit's drill-down)."""
    qs = visible_requests(user).select_related("sender", "receiver", "copy_to")
    if box == "out":
        qs = qs.filter(sender=org)
    elif box == "pending":
        qs = qs.filter(subtree_q([org.path], field="receiver__path"), status=Request.Status.SENT)
    else:
        qs = qs.filter(Q(receiver=org) | Q(copy_to=org)).exclude(status=Request.Status.DRAFT)
    if status in Request.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("-sent_on", "-id")


def receivers_for(sender: Org) -> list[Org]:
    """The organisations above ``sender``, the direct parent first."""
    paths = ancestor_paths(sender.path)
    return list(Org.objects.filter(path__in=paths).order_by("-depth"))


def copy_targets(sender: Org) -> list[Org]:
    """Committees of the same tree a document may be copied to (双重领导, REQ-02)."""
    return list(
        Org.objects.filter(subtree_q([sender.path[:4]]), kind__in=Org.COMMITTEE_KINDS)
        .exclude(pk=sender.pk)
        .order_by("path")[:200]
    )


def meetings_for(sender: Org, today: date) -> list[Meeting]:
    """The sender's meetings of the last year, to name the one that studied it (REQ-03)."""
    return list(
        Meeting.objects.filter(
            org=sender,
            status__in=Meeting.HELD_STATUSES,
            on__lte=today,
            on__gte=today - relativedelta(years=1),
        ).order_by("-on", "-id")[:100]
    )


def schedules_for(org: Org, *, active_only: bool = True) -> list[ReportSchedule]:
    """The yearly reports ``org`` owes (set by the committees above it)."""
    qs = ReportSchedule.objects.filter(committee__path__in=ancestor_paths(org.path))
    if active_only:
        qs = qs.filter(active=True)
    return [s for s in qs.select_related("committee") if s.covers(org)]


def schedules_set_by(org: Org) -> list[ReportSchedule]:
    """The yearly reports ``org`` (a committee) asks of the orgs below it."""
    return list(ReportSchedule.objects.filter(committee=org).order_by("sort_order", "id"))
