"""Leave from an upcoming meeting, asked for by the member."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.meetings.models import Attendance, Meeting
from zhibu.meetings.selectors import roster
from zhibu.meetings.services.common import today_or
from zhibu.members.models import Member

LEAVE_NOT_ON_ROSTER = _("您不在该会议的应参会名单中。")
LEAVE_TOO_LATE = _("会议已召开或已取消，不能请假。")
LEAVE_REASON = _("请填写请假事由。")


@transaction.atomic
def leave_request(
    *, meeting: Meeting, member: Member, reason: str, today: date | None = None
) -> Attendance:
    """A member asks for leave from an upcoming meeting; the record form starts from it."""
    if meeting.status not in Meeting.UPCOMING_STATUSES or meeting.on < today_or(today):
        raise ValidationError(LEAVE_TOO_LATE)
    if not reason.strip():
        raise ValidationError({"reason": LEAVE_REASON})
    if member.pk not in {m.pk for m in roster(meeting.org, meeting.on, meeting.kinds)}:
        raise ValidationError(LEAVE_NOT_ON_ROSTER)
    row, _created = Attendance.objects.update_or_create(
        meeting=meeting,
        member=member,
        defaults={
            "status": Attendance.Status.LEAVE,
            "reason": reason.strip()[:200],
            "leave_requested_at": timezone.now(),
        },
    )
    return row
