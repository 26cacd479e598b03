"""Recording a held meeting: details, attendance, guests, study hours.

Refuses what cannot be true: attendees not on the roster that day, a meeting in the
future recorded as held, one person at two meetings at once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from zhibu.meetings.models import Attendance, Guest, Meeting, MeetingKind
from zhibu.meetings.selectors import roster
from zhibu.meetings.services.common import names_of, today_or
from zhibu.meetings.services.kinds import (
    check_kinds,
    check_times,
    default_covers_year,
    sync_kind_rows,
)
from zhibu.meetings.services.locking import guard_lock
from zhibu.members.models import Member
from zhibu.orgs.models import Org
from zhibu.rulebook.run import refresh_after_change

# --- messages (tests assert on these) --------------------------------------------------------
MEETING_IN_FUTURE = _("会议日期 %(day)s 晚于今天，不能登记为已召开。")
ORG_NOT_EXISTING = _("%(day)s 时该党组织尚未成立或已撤销。")
NOT_ON_ROSTER = _("以下人员在 %(day)s 不是本组织应参会人员，不能登记出席情况：%(names)s。")
ROSTER_INCOMPLETE = _(
    "请为名册中每名应参会人员登记出席情况（缺少：%(names)s）。日期变更后请重新载入名册。"
)
LEAVE_NEEDS_REASON = _("%(name)s 请假，请填写请假事由。")
DOUBLE_BOOKED = _(
    "%(name)s 同一时间已登记出席“%(other)s”（%(day)s），同一人不能同时出席两个会议（DQ-05）。"
)
STUDY_HOURS_RANGE = _("学时应在 0 至 24 之间。")
HOST_NOT_PRESENT = _("主持人、记录人应是出席会议的人员。")


@dataclass(frozen=True)
class GuestIn:
    name: str
    role: str = Guest.Role.OTHER
    member: Member | None = None
    note: str = ""

    @classmethod
    def leader(cls, person: Member, *, linked: set[int], note: str = "") -> GuestIn:
        """A leader from above: 上级联系领导 when in ``linked`` (see
        ``selectors.linked_people``), else attending as 双重组织生活."""
        role = Guest.Role.HIGHER_LEADER if person.pk in linked else Guest.Role.DUAL_LIFE
        return cls(name=person.name, role=role, member=person, note=note)


def _double_booked(
    member_ids: set[int], on: date, starts_at, ends_at, exclude_pk
) -> list[tuple[Member, Meeting]]:
    """Attendees already present at another held meeting overlapping this one in time."""
    if not (starts_at and ends_at and member_ids):
        return []
    rows = (
        Attendance.objects.filter(
            member__in=member_ids,
            status=Attendance.Status.PRESENT,
            meeting__on=on,
            meeting__status__in=Meeting.HELD_STATUSES,
            meeting__starts_at__lt=ends_at,
            meeting__ends_at__gt=starts_at,
        )
        .exclude(meeting=exclude_pk)
        .select_related("member", "meeting")
    )
    return [(row.member, row.meeting) for row in rows]


@dataclass(frozen=True)
class MeetingInput:
    """A held meeting as the record page and the API submit it: details, attendance,
    guests, study hours. ``attendance`` maps every member expected on ``on`` (see
    ``selectors.roster``) to (status, reason); people are already resolved to members."""

    org: Org
    on: date
    title: str
    kinds: Sequence[str]
    attendance: Mapping[int, tuple[str, str]]
    starts_at: time | None = None
    ends_at: time | None = None
    place: str = ""
    topics: str = ""
    host: Member | None = None
    recorder: Member | None = None
    lecturer: Member | None = None
    minutes: str = ""
    decisions_text: str = ""
    study_hours: Decimal = Decimal("0")
    tags: Sequence[str] = ()
    covers_year: int | None = None
    guests: Sequence[GuestIn] = ()
    complete: bool = True

    # Fields the page form and the API carry as they are, under the same names.
    PLAIN: ClassVar[tuple[str, ...]] = (
        "on",
        "title",
        "starts_at",
        "ends_at",
        "place",
        "minutes",
        "decisions_text",
        "study_hours",
        "covers_year",
        "complete",
    )

    @classmethod
    def build(cls, plain: Mapping[str, Any], **resolved: Any) -> MeetingInput:
        """From ``plain`` (cleaned form data or an API payload) and the ``resolved`` rest:
        org, kinds, attendance, topics, people, tags and guests."""
        return cls(**{name: plain[name] for name in cls.PLAIN}, **resolved)


@transaction.atomic
def meeting_record(
    *,
    data: MeetingInput,
    meeting: Meeting | None = None,
    reason: str = "",
    by=None,
    today: date | None = None,
) -> Meeting:
    """Record a meeting as held, in one step: details, attendance, guests, study hours.
    A new meeting is created when ``meeting`` is None."""
    kinds = _check_details(data, today_or(today))
    present = _check_attendance(data, kinds)
    _check_people(data, present, meeting)
    if meeting is None:
        meeting = Meeting(org=data.org, created_by=by)
    elif meeting.is_held:
        guard_lock(meeting, reason=reason, by=by, what=_t("修改会议记录"), today=today, save=False)
    _apply(meeting, data, kinds, by)
    meeting.full_clean(exclude=["host", "recorder", "lecturer", "created_by", "recorded_by"])
    meeting.save()
    sync_kind_rows(meeting)
    _write_attendance(meeting, data.attendance, data.study_hours)
    _write_guests(meeting, data.guests)
    refresh_after_change(org=meeting.org, on=meeting.on, by=by, today=today)
    return meeting


def _check_details(data: MeetingInput, today: date) -> list[str]:
    """The date, kinds, times and hours; returns the kinds in their stable order."""
    if data.on > today:
        raise ValidationError({"on": MEETING_IN_FUTURE % {"day": data.on}})
    if not data.org.exists_on(data.on):
        raise ValidationError({"on": ORG_NOT_EXISTING % {"day": data.on}})
    kinds = check_kinds(data.org, list(data.kinds))
    check_times(data.starts_at, data.ends_at)
    if not (Decimal("0") <= data.study_hours <= Decimal("24")):
        raise ValidationError({"study_hours": STUDY_HOURS_RANGE})
    return kinds


def _check_attendance(data: MeetingInput, kinds: list[str]) -> set[int]:
    """Exactly the roster of the day, each with a known status (leave with a reason);
    returns the members present."""
    expected = {m.pk: m for m in roster(data.org, data.on, kinds)}
    attendance = data.attendance
    extra = [pk for pk in attendance if pk not in expected]
    if extra:
        names = names_of(Member.objects.filter(pk__in=extra).order_by("name_pinyin")) or "?"
        raise ValidationError({"attendance": NOT_ON_ROSTER % {"day": data.on, "names": names}})
    missing = [m for pk, m in expected.items() if pk not in attendance]
    if missing:
        raise ValidationError({"attendance": ROSTER_INCOMPLETE % {"names": names_of(missing)}})
    for pk, (status, why) in attendance.items():
        if status not in Attendance.Status.values:
            raise ValidationError({"attendance": ROSTER_INCOMPLETE % {"names": expected[pk].name}})
        if status == Attendance.Status.LEAVE and not why.strip():
            raise ValidationError({"attendance": LEAVE_NEEDS_REASON % {"name": expected[pk].name}})
    return {pk for pk, (status, _why) in attendance.items() if status == Attendance.Status.PRESENT}


def _check_people(data: MeetingInput, present: set[int], meeting: Meeting | None) -> None:
    """Host and recorder were there; nobody there was at another meeting at the time."""
    guest_members = {g.member.pk for g in data.guests if g.member is not None}
    for person in (data.host, data.recorder):
        if person is not None and person.pk not in present | guest_members:
            raise ValidationError({"host": HOST_NOT_PRESENT})
    clash = _double_booked(
        present | guest_members,
        data.on,
        data.starts_at,
        data.ends_at,
        meeting.pk if meeting else None,
    )
    if clash:
        member, other = clash[0]
        params = {"name": member.name, "other": other.title, "day": other.on}
        raise ValidationError(
            {"attendance": ValidationError(DOUBLE_BOOKED, code="DQ-05", params=params)}
        )


def _apply(meeting: Meeting, data: MeetingInput, kinds: list[str], by) -> None:
    """Copy the checked input onto the meeting (not saved)."""
    meeting.org = data.org
    meeting.on, meeting.title, meeting.kinds = data.on, data.title, kinds
    meeting.starts_at, meeting.ends_at = data.starts_at, data.ends_at
    meeting.place, meeting.topics = data.place, data.topics
    meeting.host, meeting.recorder = data.host, data.recorder
    meeting.lecturer = data.lecturer if MeetingKind.PARTY_LECTURE in kinds else None
    meeting.minutes, meeting.decisions_text = data.minutes, data.decisions_text
    meeting.study_hours = data.study_hours
    meeting.tags = sorted({t.strip() for t in data.tags if t.strip()})
    meeting.covers_year = default_covers_year(kinds, data.on, data.covers_year)
    meeting.status = Meeting.Status.RECORDED if data.complete else Meeting.Status.HELD
    if meeting.recorded_at is None:
        meeting.recorded_at, meeting.recorded_by = timezone.now(), by


def _write_guests(meeting: Meeting, guests: Sequence[GuestIn]) -> None:
    meeting.guests.all().delete()
    Guest.objects.bulk_create(
        Guest(meeting=meeting, member=g.member, name=g.name[:50], role=g.role, note=g.note[:100])
        for g in guests
        if g.name.strip()
    )


def _write_attendance(
    meeting: Meeting, attendance: Mapping[int, tuple[str, str]], hours: Decimal
) -> None:
    """Update, create and delete attendance rows so they match ``attendance`` (history kept)."""
    existing = {row.member_id: row for row in meeting.attendance.all()}
    for member_id, row in existing.items():
        if member_id not in attendance:
            row.delete()
    for member_id, (status, why) in attendance.items():
        credited = hours if status == Attendance.Status.PRESENT else Decimal("0")
        row = existing.get(member_id)
        if row is None:
            Attendance.objects.create(
                meeting=meeting,
                member_id=member_id,
                status=status,
                reason=why.strip()[:200],
                study_hours=credited,
            )
        elif (row.status, row.reason, row.study_hours) != (status, why.strip()[:200], credited):
            row.status, row.reason, row.study_hours = status, why.strip()[:200], credited
            row.save(update_fields=["status", "reason", "study_hours"])
