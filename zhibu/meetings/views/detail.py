"""One meeting's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.history import history_of
from zhibu.core.pages import extra_context
from zhibu.meetings import selectors
from zhibu.meetings.models import Attendance, LifeMeetingPrep, MeetingKind
from zhibu.meetings.services.locking import lock_state
from zhibu.meetings.views.common import (
    RECORD,
    VIEW,
    meeting_crumbs,
    render_page,
    theme_day_birthdays,
)

# Apps above meetings (duties: the problems found at a 组织生活会) add to this page
# through zhibu.core.pages, registered in their AppConfig.ready().
PAGE = "meetings.detail"


@requires(VIEW)
def detail(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id)
    # The page names who came, who asked for leave and why: the member's name is all of
    # the member it shows.
    attendance = list(
        meeting.attendance.select_related("member")
        .only("meeting", "status", "reason", "member__name")
        .order_by("status", "member__name_pinyin")
    )
    locked, locks_on = lock_state(meeting) if meeting.is_held else (False, None)
    unlocked_edits = list(
        meeting.history.exclude(history_change_reason__isnull=True)
        .exclude(history_change_reason="")
        .select_related("history_user")
        .order_by("-history_date")
    )
    prep = LifeMeetingPrep.objects.filter(meeting=meeting).first()
    context = {
        "meeting": meeting,
        "attendance": attendance,
        "locked": locked,
        "locks_on": locks_on,
        "present": [a for a in attendance if a.status == Attendance.Status.PRESENT],
        "leave": [a for a in attendance if a.status == Attendance.Status.LEAVE],
        "absent": [a for a in attendance if a.status == Attendance.Status.ABSENT],
        "guests": list(meeting.guests.all()),
        "decisions": list(meeting.decisions.all()),
        "attachments": list(meeting.attachments.all()),
        "prep": prep,
        "is_life": MeetingKind.LIFE_MEETING in meeting.kinds,
        "can_vote": bool(
            {MeetingKind.BRANCH_ASSEMBLY, MeetingKind.BRANCH_COMMITTEE} & set(meeting.kinds)
        ),
        "can_record": permissions.can(request.user, RECORD, meeting.org),
        "history": history_of(meeting),
        "unlocked_edits": unlocked_edits,
        "birthdays": theme_day_birthdays(request.user, meeting.org, meeting.on, meeting.kinds),
    }
    context.update(extra_context(PAGE, meeting))
    return render_page(
        request,
        "meetings/detail.html",
        meeting.title,
        [*meeting_crumbs(meeting)[:-1], (meeting.title, None)],
        **context,
    )
