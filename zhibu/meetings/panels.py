"""The home page panel: the signed-in member's next meetings (ask for leave from there)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from zhibu.core.params import year_param
from zhibu.meetings.selectors import attendance_year, my_member, my_upcoming


def upcoming_panel(request: HttpRequest) -> dict | None:
    member = my_member(request.user)
    if member is None:
        return None
    meetings = my_upcoming(member, timezone.localdate())[:5]
    return {"meetings": meetings}


def member_life(member, request) -> dict:
    """The "组织生活" tab of a member's record: the year's meetings, attendance and hours.
    The record itself was opened through ``member_for_user``, so the viewer may see it."""
    return attendance_year(member, year_param(request))
