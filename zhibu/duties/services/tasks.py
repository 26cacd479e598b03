"""Writes to tasks (任务): made from a signed letter's items or from a 党委 meeting's
decision; progress reports with evidence files by the owner; completion confirmed by the
issuer, or returned with a reason."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.duties.models import Letter, Task, TaskProgress
from zhibu.duties.services.evidence import evidence_add, ref_of
from zhibu.meetings.models import Meeting
from zhibu.orgs.models import Department, Org

WRITE = "meeting.record"

TITLE_EMPTY = _("请填写任务内容。")
DUE_BEFORE_START = _("完成时限不能早于交办日期（%(day)s）。")
OWNER_OUTSIDE = _("责任组织应是交办组织本身或其下级组织。")
DEPARTMENT_ELSEWHERE = _("责任部门应是责任组织或交办组织的职能部门。")
MEETING_ELSEWHERE = _("只能依据交办组织自己召开的会议决定交办任务。")
ISSUER_LEVEL = _("任务由党委或党总支交办。")
NOTE_EMPTY = _("请填写进展情况。")
PERCENT_RANGE = _("完成进度应在 0–100 之间。")
PERCENT_DONE = _("申请确认完成时，完成进度应为 100%。")
REPORT_IN_FUTURE = _("报告日期不能晚于今天。")
DONE_ALREADY = _("任务已确认完成，不能再报告进展。")
AWAITING = _("任务已申请确认完成，请等待交办组织确认或退回。")
NOT_SUBMITTED = _("只有已申请确认完成的任务可以确认或退回。")
NOT_ISSUER = _("只有交办组织（%(org)s）可以确认或退回该任务。")
REASON_EMPTY = _("退回时请写明理由。")
CONFIRM_BEFORE_REPORT = _("确认日期不能早于完成报告日期（%(day)s）。")
CONFIRM_IN_FUTURE = _("确认日期不能晚于今天。")
NOT_OWNER = _("只有责任组织（%(org)s）可以报告任务进展。")


@transaction.atomic
def tasks_from_letter(*, letter: Letter, by=None) -> list[Task]:
    """Every item of a signed letter becomes a task of its recipient (分口: with the item's
    department), due at the item's deadline and confirmed by the issuer."""
    assert letter.recipient is not None
    items = list(letter.items.filter(task__isnull=True).select_related("department"))
    tasks = [
        Task(
            org=letter.recipient,
            department=item.department,
            issuer=letter.issuer,
            title=f"{item.category}：{item.content}"[:200],
            description=(
                item.evidence_required
                and str(_("佐证材料：%(what)s") % {"what": item.evidence_required})
            )
            or "",
            due=item.deadline,
            item=item,
            created_by=by,
        )
        for item in items
    ]
    for task in tasks:
        task.save()  # one by one: history rows and public ids, as every other save
    return tasks


@transaction.atomic
def task_create(
    *,
    issuer: Org,
    org: Org,
    title: str,
    due: date,
    description: str = "",
    department: Department | None = None,
    meeting: Meeting | None = None,
    by=None,
    today: date | None = None,
) -> Task:
    """交办 a task directly, e.g. from a 党委 meeting's decision (``meeting``)."""
    start = today or timezone.localdate()
    if issuer.kind not in Org.COMMITTEE_KINDS:
        raise ValidationError(ISSUER_LEVEL)
    if not title.strip():
        raise ValidationError({"title": TITLE_EMPTY})
    if due < start:
        raise ValidationError({"due": DUE_BEFORE_START % {"day": start}})
    if not org.path.startswith(issuer.path):
        raise ValidationError({"org": OWNER_OUTSIDE})
    if department is not None and department.org_id not in (org.pk, issuer.pk):
        raise ValidationError({"department": DEPARTMENT_ELSEWHERE})
    if meeting is not None and meeting.org_id != issuer.pk:
        raise ValidationError({"meeting": MEETING_ELSEWHERE})
    task = Task(
        issuer=issuer,
        org=org,
        department=department,
        title=title.strip()[:200],
        description=description.strip(),
        due=due,
        meeting=meeting,
        created_by=by,
    )
    task.full_clean(exclude=["item", "meeting", "department", "created_by", "confirmed_by"])
    task.save()
    return task


def can_report(user, task: Task) -> bool:
    return permissions.can(user, WRITE, task.org)


def can_confirm(user, task: Task) -> bool:
    """Only the issuer's side confirms: write access at the issuing organisation."""
    return permissions.can(user, WRITE, task.issuer)


@transaction.atomic
def task_report(
    *,
    task: Task,
    on: date,
    percent: int,
    note: str,
    completed: bool = False,
    files: list | tuple = (),
    by=None,
) -> TaskProgress:
    """进展报告 with evidence files (checked by content; one bad file refuses the report and
    nothing is kept). ``completed`` asks the issuer to confirm completion."""
    task = Task.objects.select_for_update().select_related("org").get(pk=task.pk)
    if by is not None and not can_report(by, task):
        raise ValidationError(NOT_OWNER % {"org": task.org.name})
    if task.status == Task.Status.DONE:
        raise ValidationError(DONE_ALREADY)
    if task.status == Task.Status.SUBMITTED:
        raise ValidationError(AWAITING)
    if not note.strip():
        raise ValidationError({"note": NOTE_EMPTY})
    if not 0 <= percent <= 100:
        raise ValidationError({"percent": PERCENT_RANGE})
    if completed and percent != 100:
        raise ValidationError({"percent": PERCENT_DONE})
    if on > timezone.localdate():
        raise ValidationError({"on": REPORT_IN_FUTURE})
    report = TaskProgress.objects.create(
        task=task, on=on, percent=percent, note=note.strip(), completed=completed, by=by
    )
    stored = []
    try:
        for upload in files:
            stored.append(
                evidence_add(org=task.org, ref=ref_of("progress", report), upload=upload, by=by)
            )
    except ValidationError:
        for item in stored:  # the transaction drops the rows; the files go by hand
            item.file.storage.delete(item.file.name)
        raise
    if stored:
        report.files = len(stored)
        report.save(update_fields=["files"])
    task.percent = percent
    task.status = Task.Status.SUBMITTED if completed else Task.Status.IN_PROGRESS
    task.save()
    return report


def _submitted(task: Task, by) -> Task:
    task = Task.objects.select_for_update().select_related("issuer").get(pk=task.pk)
    if by is not None and not can_confirm(by, task):
        raise ValidationError(NOT_ISSUER % {"org": task.issuer.name})
    if task.status != Task.Status.SUBMITTED:
        raise ValidationError(NOT_SUBMITTED)
    return task


@transaction.atomic
def task_confirm(*, task: Task, on: date, by=None) -> Task:
    """确认完成 by the issuer."""
    task = _submitted(task, by)
    last = task.reports.filter(completed=True).order_by("-on", "-id").first()
    if on > timezone.localdate():
        raise ValidationError({"on": CONFIRM_IN_FUTURE})
    if last is not None and on < last.on:
        raise ValidationError({"on": CONFIRM_BEFORE_REPORT % {"day": last.on}})
    task.status, task.confirmed_on, task.confirmed_by = Task.Status.DONE, on, by
    task.return_reason = ""
    task.save()
    return task


@transaction.atomic
def task_return(*, task: Task, reason: str, by=None) -> Task:
    """退回: not done yet; back to the owner with the reason."""
    task = _submitted(task, by)
    if not reason.strip():
        raise ValidationError({"reason": REASON_EMPTY})
    task.status, task.return_reason = Task.Status.IN_PROGRESS, reason.strip()[:300]
    task.returned += 1
    task.save()
    return task
