"""/api/v1/meetings: organisational life through the same selectors and services as the
pages — the list is ``selectors.meeting_list``, one meeting is ``meeting_for_user``, the
org is ``meeting_org_for_user``; a held meeting is recorded by ``meeting_record``
and every vote by ``decision_record``, so the roster, date and VOTE rules apply
and a refused vote answers 422 naming its rule. A planned meeting is changed, noticed and
cancelled by ``services.scheduling``; a member asks leave by ``leave_request`` for a
meeting of ``selectors.member_meetings``, as on "我的组织生活"."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ChoiceField
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from zhibu.api.errors import ApiError, check_version, details_of, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.params import parse_period
from zhibu.api.schemas import ERRORS, Day, Filters, In, OrgRecord, Record, page_of
from zhibu.committees.selectors import linkage_candidates
from zhibu.core.db import replica_reads
from zhibu.meetings import selectors, votes
from zhibu.meetings.models import Attendance, Decision, Meeting, MeetingKind
from zhibu.meetings.services import recording
from zhibu.meetings.services.decisions import decision_record
from zhibu.meetings.services.leave import leave_request
from zhibu.meetings.services.locking import lock_state
from zhibu.meetings.services.recording import MeetingInput, meeting_record
from zhibu.meetings.services.scheduling import (
    meeting_cancel,
    meeting_notice,
    meeting_plan,
    meeting_update_plan,
)
from zhibu.members.models import Member
from zhibu.members.selectors import visible_members
from zhibu.orgs.models import Org

router = Router(tags=["meetings"])

VIEW, RECORD = "meeting.view", "meeting.record"
# Django's own (translated) message for a person who is not among the choices, as the
# record form answers it.
NOT_A_CHOICE = ChoiceField.default_error_messages["invalid_choice"]


# --- output ----------------------------------------------------------------------------------


class MeetingOut(OrgRecord):
    id: UUID
    org_id: UUID
    org_name: str
    title: str
    kinds: list[str]
    status: str
    on: date
    starts_at: time | None
    ends_at: time | None
    place: str
    study_hours: float
    covers_year: int | None
    present: int
    expected: int

    @staticmethod
    def resolve_study_hours(obj):
        return float(obj.study_hours)

    @staticmethod
    def resolve_present(obj):
        return obj.n_present

    @staticmethod
    def resolve_expected(obj):
        return obj.n_expected


MeetingPage = page_of(MeetingOut)


class AttendanceOut(Schema):
    member_id: UUID
    name: str
    status: str
    reason: str
    study_hours: float


class GuestOut(Schema):
    name: str
    role: str
    note: str
    member_id: UUID | None


class DecisionOut(Record):
    id: UUID
    title: str
    kind: str
    candidate: str
    body: str
    entitled: int
    present: int
    yes: int
    no: int
    abstain: int
    written_yes: int
    written_no: int
    written_abstain: int
    yes_total: int
    needed: int
    quorum_met: bool
    passed: bool
    note: str

    @staticmethod
    def resolve_needed(obj):
        return votes.majority_of(obj.entitled)


class MeetingDetailOut(MeetingOut):
    topics: list[str]
    minutes: str
    decisions_text: str
    tags: list[str]
    host_id: UUID | None
    recorder_id: UUID | None
    lecturer_id: UUID | None
    recorded_at: datetime | None
    locked: bool
    locks_on: date | None
    attendance: list[AttendanceOut]
    guests: list[GuestOut]
    decisions: list[DecisionOut]
    notice: str
    cancel_reason: str
    version: str = Field(..., description="乐观锁版本：修改计划、通知、取消时原样提交")

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()

    @staticmethod
    def resolve_topics(obj):
        return [line.strip() for line in obj.topics.splitlines() if line.strip()]

    @staticmethod
    def resolve_host_id(obj):
        return obj.host.public_id if obj.host_id else None

    @staticmethod
    def resolve_recorder_id(obj):
        return obj.recorder.public_id if obj.recorder_id else None

    @staticmethod
    def resolve_lecturer_id(obj):
        return obj.lecturer.public_id if obj.lecturer_id else None

    @staticmethod
    def resolve_locked(obj):
        return obj.lock[0]

    @staticmethod
    def resolve_locks_on(obj):
        return obj.lock[1]

    @staticmethod
    def resolve_attendance(obj):
        return obj.rows

    @staticmethod
    def resolve_guests(obj):
        return [
            {
                "name": g.name,
                "role": g.role,
                "note": g.note,
                "member_id": g.member.public_id if g.member_id else None,
            }
            for g in obj.guests.select_related("member").order_by("id")
        ]

    @staticmethod
    def resolve_decisions(obj):
        return list(obj.decisions.order_by("id"))


# --- input -----------------------------------------------------------------------------------


class MeetingFilters(Filters):
    org: UUID | None = None
    period: str | None = Field(None, description="2025、2025Q3 或 2025-07")
    kind: MeetingKind | None = None
    status: Meeting.Status | None = None
    cursor: str | None = None
    limit: int = 50


class AttendanceIn(In):
    member: UUID
    status: Attendance.Status
    reason: str = Field("", max_length=200)


class GuestIn(In):
    """A leader of a committee above (by member id; the role follows the linkage) or
    anyone else by name."""

    member: UUID | None = None
    name: str = Field("", max_length=50)
    note: str = Field("", max_length=100)


class DecisionIn(In):
    title: str = Field(..., min_length=1, max_length=200)
    kind: Decision.Kind = Decision.Kind.GENERAL
    candidate: str = Field("", max_length=50)
    yes: int = Field(..., ge=0, le=100_000)
    no: int = Field(0, ge=0, le=100_000)
    abstain: int = Field(0, ge=0, le=100_000)
    written_yes: int = Field(0, ge=0, le=100_000)
    written_no: int = Field(0, ge=0, le=100_000)
    written_abstain: int = Field(0, ge=0, le=100_000)
    passed: bool | None = Field(
        None, description="声明的表决结果；与票数不符时拒绝（422，VOTE-01/02/03）"
    )
    note: str = Field("", max_length=300)


class LocalTimes(In):
    """Start and end times are local (Asia/Shanghai) wall-clock times, without a zone."""

    @field_validator("starts_at", "ends_at", check_fields=False)
    @classmethod
    def _local_time(cls, value: time | None) -> time | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError(gettext("请填写不带时区的本地时间，如 09:00。"))
        return value


class MeetingBody(LocalTimes):
    """What recording a held meeting takes (the record page's fields)."""

    title: str = Field(..., min_length=1, max_length=200)
    on: date
    kinds: list[MeetingKind]
    attendance: list[AttendanceIn] = Field(
        ..., description="当日名册中每名应参会人员的出席情况（出席、请假须填事由、缺席）"
    )
    starts_at: time | None = None
    ends_at: time | None = None
    place: str = Field("", max_length=200)
    topics: list[str] = []
    host: UUID | None = None
    recorder: UUID | None = None
    lecturer: UUID | None = None
    minutes: str = ""
    decisions_text: str = ""
    study_hours: Decimal = Field(Decimal("0"), ge=0, le=24, decimal_places=1)
    tags: list[str] = []
    covers_year: int | None = Field(None, ge=2000, le=2100)
    guests: list[GuestIn] = []
    complete: bool = True

    @field_validator("attendance")
    @classmethod
    def _once_each(cls, rows: list[AttendanceIn]) -> list[AttendanceIn]:
        if len({row.member for row in rows}) != len(rows):
            raise ValueError(gettext("同一党员在出席名单中只能出现一次。"))
        return rows


class MeetingIn(MeetingBody):
    org: UUID
    decisions: list[DecisionIn] = []


class PlanIn(LocalTimes):
    org: UUID
    title: str = Field(..., min_length=1, max_length=200)
    on: Day
    kinds: list[MeetingKind]
    starts_at: time | None = None
    ends_at: time | None = None
    place: str = Field("", max_length=200)
    topics: list[str] = []


class RecordIn(MeetingBody):
    version: str | None = None
    reason: str = Field(
        "", max_length=200, description="修改理由：记录已锁定时必填（写入审计日志和修改记录）"
    )


# --- handlers ----------------------------------------------------------------------------------


@router.get("", response={200: MeetingPage, **ERRORS}, summary="会议列表")
def list_meetings(request, filters: Query[MeetingFilters]):
    require_anywhere(request.user, VIEW)
    org = selectors.meeting_org_for_user(request.user, filters.org) if filters.org else None
    period = parse_period(filters.period) if filters.period is not None else None
    qs = selectors.meeting_list(
        user=request.user, org=org, kind=filters.kind or "", status=filters.status or ""
    )
    if period is not None:
        qs = qs.filter(on__gte=period.start, on__lt=period.end)
    with replica_reads():  # a read-only list: the replica may serve it
        items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@router.post(
    "/plan",
    response={201: MeetingDetailOut, **ERRORS},
    summary="计划会议（尚未召开；之后可修改、通知、取消或登记为已召开）",
)
def plan_meeting(request, payload: PlanIn):
    require_anywhere(request.user, RECORD)
    org = selectors.meeting_org_for_user(request.user, payload.org, action=RECORD)
    meeting = meeting_plan(
        org=org,
        title=payload.title,
        on=payload.on,
        kinds=[str(k) for k in payload.kinds],
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        topics="\n".join(t.strip() for t in payload.topics if t.strip()),
        by=request.user,
    )
    return Status(201, _detail(selectors.meeting_for_user(request.user, meeting.public_id)))


@router.get("/{meeting_id}", response={200: MeetingDetailOut, **ERRORS}, summary="会议详情")
def get_meeting(request, meeting_id: UUID):
    require_anywhere(request.user, VIEW)
    return _detail(selectors.meeting_for_user(request.user, meeting_id))


@router.post(
    "",
    response={201: MeetingDetailOut, **ERRORS},
    summary="登记已召开的会议（含出席、列席、表决；违反表决规则返回 422）",
)
def create_meeting(request, payload: MeetingIn):
    require_anywhere(request.user, RECORD)
    org = selectors.meeting_org_for_user(request.user, payload.org, action=RECORD)
    with transaction.atomic():  # a refused vote leaves no meeting behind
        meeting = _record(request, org, payload)
        for index, decision in enumerate(payload.decisions):
            _decide(meeting, index, decision, by=request.user)
    return Status(201, _detail(meeting))


@router.put(
    "/{meeting_id}/record",
    response={200: MeetingDetailOut, **ERRORS},
    summary="登记计划会议为已召开，或修改会议记录和出席情况（乐观锁；锁定后须填理由）",
)
def record_existing(request, meeting_id: UUID, payload: RecordIn):
    meeting = _to_change(request, meeting_id, payload.version)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ApiError(404)  # as the record page: a cancelled meeting has no record
    meeting = _record(request, meeting.org, payload, meeting=meeting, reason=payload.reason)
    return _detail(selectors.meeting_for_user(request.user, meeting_id))


def _record(request, org: Org, payload: MeetingBody, meeting=None, reason: str = "") -> Meeting:
    """``meeting_record`` with the people resolved as the record page resolves them."""
    kinds = [str(k) for k in payload.kinds]
    people = selectors.roster(org, payload.on, kinds)
    leaders = list(linkage_candidates(org=org, on=payload.on))
    everyone = people + [m for m in leaders if m not in people]
    data = MeetingInput.build(
        payload.dict(),
        org=org,
        kinds=kinds,
        attendance=_attendance(request.user, payload, people),
        topics="\n".join(t.strip() for t in payload.topics if t.strip()),
        host=_person(everyone, payload.host, "host"),
        recorder=_person(everyone, payload.recorder, "recorder"),
        lecturer=_person(everyone, payload.lecturer, "lecturer"),
        tags=payload.tags,
        guests=_guests(payload.guests, leaders, org, payload.on),
    )
    return meeting_record(data=data, meeting=meeting, reason=reason, by=request.user)


# --- after creation: the plan, notice, cancellation, votes, leave ---------------------------


class PlanUpdateIn(LocalTimes):
    """A planned or noticed meeting's plan; omitted fields stay as they are."""

    version: str | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    on: Day | None = None
    kinds: list[MeetingKind] | None = None
    starts_at: time | None = None
    ends_at: time | None = None
    place: str | None = Field(None, max_length=200)
    topics: list[str] | None = None


class NoticeIn(In):
    version: str | None = None
    notice: str = Field(..., max_length=5000)


class CancelIn(In):
    version: str | None = None
    reason: str = Field(..., max_length=200)


class LeaveIn(In):
    reason: str = Field(..., max_length=200)


class LeaveOut(Schema):
    meeting_id: UUID
    member_id: UUID
    status: str
    reason: str


def _to_change(request, meeting_id: UUID, version: str | None) -> Meeting:
    """The meeting with ``meeting.record`` at its org; 409 when ``version`` (or If-Match)
    is not its ``updated_at`` any more."""
    require_anywhere(request.user, RECORD)
    meeting = selectors.meeting_for_user(request.user, meeting_id, action=RECORD)
    check_version(request, meeting, version)
    return meeting


@router.patch(
    "/{meeting_id}",
    response={200: MeetingDetailOut, **ERRORS},
    summary="修改会议计划（计划或已通知的会议；乐观锁）",
)
def update_plan(request, meeting_id: UUID, payload: PlanUpdateIn):
    meeting = _to_change(request, meeting_id, payload.version)
    sent = payload.dict(exclude_unset=True, exclude_none=True, exclude={"version"})
    topics = sent.pop("topics", None)
    meeting_update_plan(
        meeting=meeting,
        title=sent.get("title", meeting.title),
        on=sent.get("on", meeting.on),
        kinds=[str(k) for k in sent.get("kinds", meeting.kinds)],
        starts_at=sent.get("starts_at", meeting.starts_at),
        ends_at=sent.get("ends_at", meeting.ends_at),
        place=sent.get("place", meeting.place),
        topics=meeting.topics
        if topics is None
        else "\n".join(t.strip() for t in topics if t.strip()),
        by=request.user,
    )
    return _detail(selectors.meeting_for_user(request.user, meeting_id))


@router.post(
    "/{meeting_id}/notice", response={200: MeetingDetailOut, **ERRORS}, summary="发布会议通知"
)
def notice_meeting(request, meeting_id: UUID, payload: NoticeIn):
    meeting = _to_change(request, meeting_id, payload.version)
    meeting_notice(meeting=meeting, notice=payload.notice, by=request.user)
    return _detail(selectors.meeting_for_user(request.user, meeting_id))


@router.post("/{meeting_id}/cancel", response={200: MeetingDetailOut, **ERRORS}, summary="取消会议")
def cancel_meeting(request, meeting_id: UUID, payload: CancelIn):
    meeting = _to_change(request, meeting_id, payload.version)
    meeting_cancel(meeting=meeting, reason=payload.reason, by=request.user)
    return _detail(selectors.meeting_for_user(request.user, meeting_id))


@router.post(
    "/{meeting_id}/decisions",
    response={201: DecisionOut, **ERRORS},
    summary="为已召开的会议登记表决（票数不支持时返回 422，VOTE-01/02/03/04）",
)
def add_decision(request, meeting_id: UUID, payload: DecisionIn):
    require_anywhere(request.user, RECORD)
    meeting = selectors.meeting_for_user(request.user, meeting_id, action=RECORD)
    decision = decision_record(meeting=meeting, by=request.user, **payload.dict())
    return Status(201, decision)


@router.post(
    "/{meeting_id}/leave",
    response={201: LeaveOut, **ERRORS},
    summary="本人请假（令牌所属用户须在该会议的应参会名单中）",
)
def ask_leave(request, meeting_id: UUID, payload: LeaveIn):
    member = selectors.my_member(request.user)
    if member is None:
        raise ApiError(404)
    meeting = selectors.member_meetings(member).filter(public_id=meeting_id).first()
    if meeting is None:
        raise ApiError(404)
    row = leave_request(meeting=meeting, member=member, reason=payload.reason)
    return Status(
        201,
        {
            "meeting_id": meeting.public_id,
            "member_id": member.public_id,
            "status": row.status,
            "reason": row.reason,
        },
    )


# --- helpers -----------------------------------------------------------------------------------


def _attendance(user, payload: MeetingBody, people: list[Member]) -> dict[int, tuple[str, str]]:
    """{member pk: (status, reason)} as the service takes it. A member who is not on the
    roster that day is refused by the service by name; one the user may not even see is
    refused here by id, so the answer never reveals a name outside the user's scope."""
    on_roster = {m.public_id: m.pk for m in people}
    others = [row.member for row in payload.attendance if row.member not in on_roster]
    if others:
        seen = dict(
            visible_members(user).filter(public_id__in=others).values_list("public_id", "pk")
        )
        hidden = [str(i) for i in others if i not in seen]
        if hidden:
            names = "、".join(hidden)
            raise ValidationError(
                {"attendance": recording.NOT_ON_ROSTER % {"day": payload.on, "names": names}}
            )
        on_roster = {**on_roster, **seen}
    return {on_roster[row.member]: (str(row.status), row.reason) for row in payload.attendance}


def _person(people: list[Member], public_id: UUID | None, field: str) -> Member | None:
    """Host, recorder, lecturer: someone on the roster or a leader above, as on the page."""
    if public_id is None:
        return None
    found = next((m for m in people if m.public_id == public_id), None)
    if found is None:
        raise ValidationError({field: NOT_A_CHOICE % {"value": public_id}})
    return found


def _guests(rows: list[GuestIn], leaders: list[Member], org: Org, on: date):
    """Leaders by id (上级联系领导 when linked to the org that day, else 双重组织生活),
    anyone else by name — as the record page builds them."""
    linked = selectors.linked_people(org, on)
    guests = []
    for index, row in enumerate(rows):
        if row.member is None:
            guests.append(recording.GuestIn(name=row.name, note=row.note))
            continue
        person = next((m for m in leaders if m.public_id == row.member), None)
        if person is None:
            raise ValidationError({f"guests.{index}.member": NOT_A_CHOICE % {"value": row.member}})
        guests.append(recording.GuestIn.leader(person, linked=linked, note=row.note))
    return guests


def _decide(meeting: Meeting, index: int, decision: DecisionIn, *, by) -> Decision:
    try:
        return decision_record(meeting=meeting, by=by, **decision.dict())
    except ValidationError as exc:
        details = details_of(exc)  # the service names the VOTE rule as the error's code
    for item in details:
        field = item["field"]
        item["field"] = f"decisions.{index}.{field}" if field else f"decisions.{index}"
    ruled = any(item["rule"] for item in details)
    raise ApiError(
        422,
        details[0]["message"] if len(details) == 1 else None,
        details,
        "rule_violation" if ruled else None,
    )


def _detail(meeting: Meeting) -> Meeting:
    """The meeting with what the detail shows: attendance with names, the lock."""
    rows = list(
        meeting.attendance.select_related("member").order_by("status", "member__name_pinyin")
    )
    meeting.rows = [
        {
            "member_id": a.member.public_id,
            "name": a.member.name,
            "status": a.status,
            "reason": a.reason,
            "study_hours": float(a.study_hours),
        }
        for a in rows
    ]
    meeting.n_present = sum(1 for a in rows if a.status == Attendance.Status.PRESENT)
    meeting.n_expected = len(rows)
    meeting.lock = lock_state(meeting) if meeting.is_held else (False, None)
    return meeting
