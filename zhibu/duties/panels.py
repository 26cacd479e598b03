"""The home page's 责任事项 panel: what waits on the user's own organisations — their
tasks not yet done, 督办 awaiting their reply, rectification items open, and 请示报告 they
must answer. "Own" means where the user holds a role that records work (not every
organisation below it: a 党委 secretary's own tasks are the 党委's, not each branch's)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from zhibu.accounts import permissions
from zhibu.duties.models import Rectification, Request, Supervision, Task
from zhibu.duties.selectors.requests import HANDLE

WRITE = "meeting.record"
SHOWN = 5


def own_orgs(user, action: str) -> set[int]:
    return {g.org_id for g in permissions.grants(user) if g.org_id and action in g.actions}


def _first(qs: QuerySet) -> tuple[list, int]:
    rows = list(qs[: SHOWN + 1])
    return rows[:SHOWN], (qs.count() if len(rows) > SHOWN else len(rows))


def duties_panel(request: HttpRequest) -> dict | None:
    user = request.user
    orgs, answering = own_orgs(user, WRITE), own_orgs(user, HANDLE)
    if not orgs and not answering:
        return None
    today = timezone.localdate()
    tasks, n_tasks = _first(
        Task.objects.filter(org_id__in=orgs)
        .exclude(status=Task.Status.DONE)
        .select_related("org", "issuer")
        .order_by("due", "id")
    )
    sheets, n_sheets = _first(
        Supervision.objects.filter(org_id__in=orgs, status=Supervision.Status.OPEN)
        .select_related("org", "by_org")
        .order_by("reply_due", "id")
    )
    items, n_items = _first(
        Rectification.objects.filter(org_id__in=orgs, status=Rectification.Status.OPEN)
        .select_related("org")
        .order_by("deadline", "id")
    )
    to_answer, n_answer = _first(
        Request.objects.filter(receiver_id__in=answering, status=Request.Status.SENT)
        .select_related("sender", "receiver")
        .order_by("due_on", "id")
    )
    if not (n_tasks or n_sheets or n_items or n_answer):
        return None
    return {
        "today": today,
        "tasks": tasks,
        "n_tasks": n_tasks,
        "sheets": sheets,
        "n_sheets": n_sheets,
        "items": items,
        "n_items": n_items,
        "to_answer": to_answer,
        "n_answer": n_answer,
    }
