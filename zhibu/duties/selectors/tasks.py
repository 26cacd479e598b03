"""Reads of tasks, scoped to the acting user: a task is seen by whoever sees its owner or
its issuer. ``task_for_user`` is the one door (pages, API, exports, and 督办 sheets that
target ``"task:<public id>"``)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse

from zhibu.accounts import permissions
from zhibu.core.scope import subtree_q
from zhibu.duties.models import Task, TaskProgress
from zhibu.orgs.models import Org

VIEW, WRITE = "finding.view", "meeting.record"


def visible_tasks(user) -> QuerySet[Task]:
    return Task.objects.filter(
        permissions.scope_q(user, VIEW, field="org__path")
        | permissions.scope_q(user, VIEW, field="issuer__path")
    )


def task_for_user(user, public_id, *, action: str = VIEW) -> Task:
    """The task if ``user`` sees it (else 404); with ``action`` other than viewing, the user
    must hold it at the task's owner org (else 403)."""
    try:
        task = (
            visible_tasks(user)
            .select_related("org", "issuer", "department", "item__letter", "meeting")
            .get(public_id=public_id)
        )
    except (Task.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if action != VIEW and not (
        permissions.can(user, action, task.org) or permissions.can(user, action, task.issuer)
    ):
        raise PermissionDenied
    return task


def task_ref(task: Task) -> str:
    """How other records (督办 sheets, findings) name a task."""
    return f"task:{task.public_id}"


def task_list(
    *,
    user,
    status: str = "",
    org: Org | None = None,
    year: int | None = None,
    today: date | None = None,
) -> QuerySet[Task]:
    """``status``: a stored status, or "overdue" (open and past due)."""
    qs = visible_tasks(user).select_related("org", "issuer", "department", "item__letter")
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path") | Q(issuer=org))
    if year and 1900 <= year <= 2999:  # a year beyond the calendar filters nothing
        qs = qs.filter(due__year=year)
    if status == "overdue" and today is not None:
        qs = qs.exclude(status=Task.Status.DONE).filter(due__lt=today)
    elif status in Task.Status.values:
        qs = qs.filter(status=status)
    return qs.order_by("due", "id")


def meeting_tasks_context(meeting) -> dict:
    """What the page of a 党委 / 党总支 meeting shows of tasks assigned on its decisions
    (registered in ``DutiesConfig.ready``; the meeting page has checked access)."""
    if meeting.org.kind not in Org.COMMITTEE_KINDS:
        return {}
    tasks = list(Task.objects.filter(meeting=meeting).select_related("org").order_by("due", "id"))
    new = reverse("duties:task_new", args=[meeting.org.public_id])
    return {"meeting_tasks": tasks, "task_new_url": f"{new}?meeting={meeting.public_id}"}


def task_reports(task: Task) -> list[TaskProgress]:
    return list(task.reports.select_related("by").order_by("on", "id"))
