"""The record lock: N days after the meeting a change needs a reason, which is written to
the history and to the audit chain."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.meetings.models import Meeting
from zhibu.meetings.selectors import effective_settings
from zhibu.meetings.services.common import today_or

LOCKED_NEEDS_REASON = _("会议记录已于 %(day)s 锁定，修改须填写修改理由。")


def lock_state(meeting: Meeting, today: date | None = None) -> tuple[bool, date]:
    """(locked?, the day it locks)."""
    days = effective_settings(meeting.org).lock_days
    return meeting.is_locked(days, today_or(today)), meeting.locks_on(days)


def guard_lock(
    meeting: Meeting, *, reason: str, by, what: str, today: date | None, save: bool = True
) -> None:
    """Refuse a change to a locked record without a reason; with one, audit it and put the
    reason on the meeting's history (saved here unless the caller saves the meeting)."""
    locked, locks_on = lock_state(meeting, today)
    if not locked:
        return
    if not reason.strip():
        raise ValidationError({"reason": LOCKED_NEEDS_REASON % {"day": locks_on}})
    audit_record(
        kind=AuditEvent.Kind.RECORD_UNLOCKED,
        summary=_t("修改已锁定的会议记录：%(title)s（%(what)s）")
        % {"title": meeting.title, "what": what},
        actor=by,
        obj=meeting,
        org_path=meeting.org.path,
        details={"reason": reason.strip(), "what": what, "meeting_on": meeting.on.isoformat()},
    )
    meeting._change_reason = f"{what}：{reason.strip()}"
    if save:
        # The change may touch only attendance or decisions: still leave a dated history row.
        meeting.save()
