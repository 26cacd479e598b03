"""/api/v1/letters (责任书: list, detail, issue, sign, pass items down) and /api/v1/tasks
(list, detail, assign, progress, confirm, return): the same services and scoped selectors
as the pages. Writes on an existing record take its ``version`` (or If-Match): a stale one
answers 409."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Status

from zhibu.accounts import permissions
from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, Record, page_of
from zhibu.duties.models import Letter, Task
from zhibu.duties.selectors import letters as letter_selectors
from zhibu.duties.selectors import tasks as task_selectors
from zhibu.duties.services import letters as letter_services
from zhibu.duties.services import tasks as task_services
from zhibu.duties.services.letters import ItemSpec
from zhibu.meetings.models import Meeting
from zhibu.orgs.models import Department, Org
from zhibu.orgs.selectors import org_for_user

WRITE = "meeting.record"
letters_router = Router(tags=["letters"])
tasks_router = Router(tags=["tasks"])


def _org(obj) -> UUID | None:
    return obj.public_id if obj is not None else None


# --- letters --------------------------------------------------------------------------------


class ItemOut(Record):
    id: UUID
    category: str
    content: str
    department: str | None
    weight: int
    deadline: date
    evidence_required: str
    disposition: str
    source_id: UUID | None
    passed_to: list[UUID]
    task_id: UUID | None
    version: str

    @staticmethod
    def resolve_department(obj):
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_source_id(obj):
        return obj.source.public_id if obj.source_id else None

    @staticmethod
    def resolve_passed_to(obj):
        return [copy.letter.recipient.public_id for copy in obj.passed_to.all()]

    @staticmethod
    def resolve_task_id(obj):
        task = getattr(obj, "task", None)
        return task.public_id if task is not None else None

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class LetterOut(Record):
    id: UUID
    issuer_id: UUID
    issuer_name: str
    recipient_id: UUID | None = Field(..., description="空：范本")
    recipient_name: str | None
    kind: str
    year: int
    title: str
    issued_on: date
    sign_deadline: date | None
    status: str
    signer_name: str
    signer_post: str
    signed_on: date | None
    signed_place: str
    version: str = Field(..., description="乐观锁版本：签订时原样提交")

    @staticmethod
    def resolve_issuer_id(obj):
        return obj.issuer.public_id

    @staticmethod
    def resolve_issuer_name(obj):
        return obj.issuer.name

    @staticmethod
    def resolve_recipient_id(obj):
        return _org(obj.recipient)

    @staticmethod
    def resolve_recipient_name(obj):
        return obj.recipient.name if obj.recipient_id else None

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class LetterDetailOut(LetterOut):
    preamble: str
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj):
        return letter_selectors.letter_items(obj)


LetterPage = page_of(LetterOut)


class LetterFilters(Filters):
    org: UUID | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    status: Letter.Status | None = None
    cursor: str | None = None
    limit: int = 50


class ItemIn(In):
    category: str = Field(..., max_length=30)
    content: str = Field(..., max_length=2000)
    department: UUID | None = None
    weight: int = Field(0, ge=0, le=100)
    deadline: Day
    evidence_required: str = Field("", max_length=200)


class LetterIn(In):
    issuer: UUID
    recipient: UUID = Field(..., description="直接下级组织；每个签订组织一份责任书")
    kind: Letter.Kind
    year: int = Field(..., ge=2000, le=2999)
    title: str = Field(..., max_length=120)
    issued_on: Day
    sign_deadline: Day | None = Field(None, description="不填按本单位规定（默认当年 3 月 31 日）")
    preamble: str = Field("", max_length=5000)
    issuer_signer: str = Field("", max_length=50)
    items: list[ItemIn] = Field(..., min_length=1, max_length=100)


class SignIn(In):
    version: str | None = None
    signed_on: Day
    place: str = Field(..., max_length=100)
    signer_post: str = Field("", max_length=50)


class PassDownIn(In):
    item: UUID
    version: str | None = Field(None, description="分项的版本")
    keep: bool = Field(False, description="true：本级承担；false：下传到 to 中的下级组织")
    to: list[UUID] = []
    note: str = Field("", max_length=200)


def _letter_detail(request, letter_id):
    return letter_selectors.letter_for_user(request.user, letter_id)


@letters_router.get("", response={200: LetterPage, **ERRORS}, summary="责任书列表")
def list_letters(request, filters: Query[LetterFilters]):
    org = org_for_user(request.user, filters.org) if filters.org else None
    qs = letter_selectors.letter_list(
        user=request.user, org=org, year=filters.year, status=filters.status or ""
    )
    items, cursor = page(
        qs.select_related("issuer", "recipient"), cursor=filters.cursor, limit=filters.limit
    )
    return {"items": items, "next_cursor": cursor}


@letters_router.get("/{letter_id}", response={200: LetterDetailOut, **ERRORS}, summary="责任书详情")
def get_letter(request, letter_id: UUID):
    return _letter_detail(request, letter_id)


@letters_router.post(
    "", response={201: LetterDetailOut, **ERRORS}, summary="下达责任书（一个签订组织一份）"
)
def create_letter(request, payload: LetterIn):
    require_anywhere(request.user, WRITE)
    issuer = org_for_user(request.user, payload.issuer, action=WRITE)
    recipient = org_for_user(request.user, payload.recipient)
    departments = {
        d.public_id: d
        for d in Department.objects.filter(
            public_id__in=[i.department for i in payload.items if i.department]
        )
    }
    if any(i.department and i.department not in departments for i in payload.items):
        raise ApiError(404)
    with transaction.atomic():
        letter = letter_services.letter_draft(
            issuer=issuer,
            recipient=recipient,
            kind=payload.kind,
            year=payload.year,
            title=payload.title,
            issued_on=payload.issued_on,
            sign_deadline=payload.sign_deadline,
            preamble=payload.preamble,
            issuer_signer=payload.issuer_signer,
            by=request.user,
        )
        for item in payload.items:
            letter_services.item_add(
                letter=letter,
                spec=ItemSpec(
                    item.category,
                    item.content,
                    item.deadline,
                    item.weight,
                    item.evidence_required,
                    departments.get(item.department) if item.department else None,
                ),
            )
        letter_services.letter_issue(letter=letter, by=request.user)
    return Status(201, _letter_detail(request, letter.public_id))


@letters_router.post(
    "/{letter_id}/sign",
    response={200: LetterDetailOut, **ERRORS},
    summary="签订责任书（签订组织书记本人；乐观锁）",
)
def sign_letter(request, letter_id: UUID, payload: SignIn):
    letter = _letter_detail(request, letter_id)
    check_version(request, letter, payload.version)
    letter_services.letter_sign(
        letter=letter,
        by=request.user,
        signed_on=payload.signed_on,
        place=payload.place,
        signer_post=payload.signer_post,
        request=request,
    )
    return _letter_detail(request, letter_id)


@letters_router.post(
    "/{letter_id}/pass-down",
    response={200: LetterDetailOut, **ERRORS},
    summary="分解收到的分项：本级承担或下传到下级组织（乐观锁）",
)
def pass_down(request, letter_id: UUID, payload: PassDownIn):
    require_anywhere(request.user, WRITE)
    letter = _letter_detail(request, letter_id)
    if letter.recipient is None or not permissions.can(request.user, WRITE, letter.recipient):
        raise ApiError(403)
    item = letter.items.filter(public_id=payload.item).first()
    if item is None:
        raise Http404
    check_version(request, item, payload.version)
    if payload.keep:
        letter_services.item_keep(item=item, note=payload.note)
    else:
        children = {
            o.public_id: o
            for o in Org.objects.get_children(letter.recipient).filter(public_id__in=payload.to)
        }
        if len(children) != len(set(payload.to)):
            raise ApiError(404)
        letter_services.item_pass_down(
            item=item, to=[children[i] for i in payload.to], note=payload.note, by=request.user
        )
    return _letter_detail(request, letter_id)


# --- tasks ----------------------------------------------------------------------------------


class ProgressOut(Record):
    id: UUID
    on: date
    percent: int
    note: str
    completed: bool
    files: int
    at: datetime


class TaskOut(Record):
    id: UUID
    ref: str = Field(..., description="其他记录（督办）引用本任务的方式：task:<id>")
    org_id: UUID
    org_name: str
    department: str | None
    issuer_id: UUID
    issuer_name: str
    title: str
    description: str
    due: date
    status: str
    overdue: bool
    percent: int
    letter_id: UUID | None
    meeting_id: UUID | None
    confirmed_on: date | None
    return_reason: str
    returned: int
    version: str = Field(..., description="乐观锁版本：报告进展、确认、退回时原样提交")

    @staticmethod
    def resolve_ref(obj):
        return task_selectors.task_ref(obj)

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_department(obj):
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_issuer_id(obj):
        return obj.issuer.public_id

    @staticmethod
    def resolve_issuer_name(obj):
        return obj.issuer.name

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue(timezone.localdate())

    @staticmethod
    def resolve_letter_id(obj):
        return obj.item.letter.public_id if obj.item_id else None

    @staticmethod
    def resolve_meeting_id(obj):
        return obj.meeting.public_id if obj.meeting_id else None

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class TaskDetailOut(TaskOut):
    reports: list[ProgressOut]

    @staticmethod
    def resolve_reports(obj):
        return task_selectors.task_reports(obj)


TaskPage = page_of(TaskOut)


class TaskFilters(Filters):
    org: UUID | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    status: Literal["not_started", "in_progress", "submitted", "done", "overdue"] | None = None
    cursor: str | None = None
    limit: int = 50


class TaskIn(In):
    issuer: UUID
    org: UUID
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    due: Day
    department: UUID | None = None
    meeting: UUID | None = Field(None, description="依据的交办组织会议（会议决定）")


class ProgressIn(In):
    version: str | None = None
    on: Day
    percent: int = Field(..., ge=0, le=100)
    note: str = Field(..., max_length=5000)
    completed: bool = False


class ConfirmIn(In):
    version: str | None = None
    on: Day


class ReturnIn(In):
    version: str | None = None
    reason: str = Field(..., max_length=300)


def _task(request, task_id, *, action: str = task_selectors.VIEW) -> Task:
    return task_selectors.task_for_user(request.user, task_id, action=action)


@tasks_router.get("", response={200: TaskPage, **ERRORS}, summary="任务台账")
def list_tasks(request, filters: Query[TaskFilters]):
    org = org_for_user(request.user, filters.org) if filters.org else None
    qs = task_selectors.task_list(
        user=request.user,
        org=org,
        year=filters.year,
        status=filters.status or "",
        today=timezone.localdate(),
    )
    items, cursor = page(
        qs.select_related("org", "issuer", "department", "item__letter", "meeting"),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": items, "next_cursor": cursor}


@tasks_router.get("/{task_id}", response={200: TaskDetailOut, **ERRORS}, summary="任务详情")
def get_task(request, task_id: UUID):
    return _task(request, task_id)


@tasks_router.post("", response={201: TaskDetailOut, **ERRORS}, summary="交办任务")
def create_task(request, payload: TaskIn):
    require_anywhere(request.user, WRITE)
    issuer = org_for_user(request.user, payload.issuer, action=WRITE)
    org = org_for_user(request.user, payload.org)
    department = None
    if payload.department:
        department = Department.objects.filter(public_id=payload.department).first()
        if department is None:
            raise ApiError(404)
    meeting = None
    if payload.meeting:
        meeting = Meeting.objects.filter(public_id=payload.meeting, org=issuer).first()
        if meeting is None:
            raise ApiError(404)
    task = task_services.task_create(
        issuer=issuer,
        org=org,
        title=payload.title,
        description=payload.description,
        due=payload.due,
        department=department,
        meeting=meeting,
        by=request.user,
    )
    return Status(201, _task(request, task.public_id))


@tasks_router.post(
    "/{task_id}/progress",
    response={201: ProgressOut, **ERRORS},
    summary="报告进展（责任组织；completed=true 申请确认完成；乐观锁）",
)
def report_progress(request, task_id: UUID, payload: ProgressIn):
    require_anywhere(request.user, WRITE)
    task = _task(request, task_id)
    if not task_services.can_report(request.user, task):
        raise ApiError(403)
    check_version(request, task, payload.version)
    report = task_services.task_report(
        task=task,
        on=payload.on,
        percent=payload.percent,
        note=payload.note,
        completed=payload.completed,
        by=request.user,
    )
    return Status(201, report)


@tasks_router.post(
    "/{task_id}/confirm",
    response={200: TaskDetailOut, **ERRORS},
    summary="确认完成（交办组织；乐观锁）",
)
def confirm_task(request, task_id: UUID, payload: ConfirmIn):
    require_anywhere(request.user, WRITE)
    task = _task(request, task_id)
    check_version(request, task, payload.version)
    task_services.task_confirm(task=task, on=payload.on, by=request.user)
    return _task(request, task_id)


@tasks_router.post(
    "/{task_id}/return",
    response={200: TaskDetailOut, **ERRORS},
    summary="退回继续办理（交办组织；乐观锁）",
)
def return_task(request, task_id: UUID, payload: ReturnIn):
    require_anywhere(request.user, WRITE)
    task = _task(request, task_id)
    check_version(request, task, payload.version)
    task_services.task_return(task=task, reason=payload.reason, by=request.user)
    return _task(request, task_id)
