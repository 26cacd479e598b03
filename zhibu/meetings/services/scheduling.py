"""Meetings on the calendar: plan, change the plan, notice, cancel."""

from __future__ import annotations

from datetime import date, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.meetings.models import Meeting
from zhibu.meetings.services.kinds import (
    check_kinds,
    check_times,
    default_covers_year,
    sync_kind_rows,
)
from zhibu.orgs.models import Org
from zhibu.rulebook.run import refresh_after_change

NOT_UPCOMING = _("只有计划或已通知的会议可以修改计划、发通知或取消。")
CANCEL_NEEDS_REASON = _("请填写取消原因。")
NOTICE_EMPTY = _("请填写通知内容。")


@transaction.atomic
def meeting_plan(
    *,
    org: Org,
    title: str,
    on: date,
    kinds: list[str],
    starts_at: time | None = None,
    ends_at: time | None = None,
    place: str = "",
    topics: str = "",
    covers_year: int | None = None,
    plan_year: int | None = None,
    by=None,
) -> Meeting:
    """Put a meeting on the calendar (status 计划)."""
    kinds = check_kinds(org, kinds)
    check_times(starts_at, ends_at)
    meeting = Meeting(
        org=org,
        title=title,
        on=on,
        kinds=kinds,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        topics=topics,
        covers_year=default_covers_year(kinds, on, covers_year),
        plan_year=plan_year,
        created_by=by,
        status=Meeting.Status.PLANNED,
    )
    meeting.full_clean(exclude=["host", "recorder", "lecturer"])
    meeting.save()
    sync_kind_rows(meeting)
    return meeting


@transaction.atomic
def meeting_update_plan(
    *,
    meeting: Meeting,
    title: str,
    on: date,
    kinds: list[str],
    starts_at: time | None = None,
    ends_at: time | None = None,
    place: str = "",
    topics: str = "",
    by=None,
) -> Meeting:
    if meeting.status not in Meeting.UPCOMING_STATUSES:
        raise ValidationError(NOT_UPCOMING)
    meeting.kinds = check_kinds(meeting.org, kinds)
    check_times(starts_at, ends_at)
    meeting.title, meeting.on, meeting.starts_at, meeting.ends_at = title, on, starts_at, ends_at
    meeting.place, meeting.topics = place, topics
    meeting.covers_year = default_covers_year(meeting.kinds, on, meeting.covers_year)
    meeting.full_clean(exclude=["host", "recorder", "lecturer"])
    meeting.save()
    sync_kind_rows(meeting)
    return meeting


@transaction.atomic
def meeting_notice(*, meeting: Meeting, notice: str, by=None) -> Meeting:
    if meeting.status not in Meeting.UPCOMING_STATUSES:
        raise ValidationError(NOT_UPCOMING)
    if not notice.strip():
        raise ValidationError({"notice": NOTICE_EMPTY})
    meeting.notice = notice.strip()
    meeting.noticed_at = timezone.now()
    meeting.status = Meeting.Status.NOTICED
    meeting.save()
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, by=None) -> Meeting:
    if meeting.status not in Meeting.UPCOMING_STATUSES:
        raise ValidationError(NOT_UPCOMING)
    if not reason.strip():
        raise ValidationError({"reason": CANCEL_NEEDS_REASON})
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancel_reason = reason.strip()[:200]
    meeting.save()
    sync_kind_rows(meeting)
    refresh_after_change(org=meeting.org, on=meeting.on, by=by)
    return meeting
