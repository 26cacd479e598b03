"""The home page panel: the signed-in member's next meetings (ask for leave from there)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from zhibu.meetings.selectors import my_member, my_upcoming


def upcoming_panel(request: HttpRequest) -> dict | None:
    member = my_member(request.user)
    if member is None:
        return None
    meetings = my_upcoming(member, timezone.localdate())[:5]
    return {"meetings": meetings}
