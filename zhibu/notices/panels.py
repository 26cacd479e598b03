"""The home page's 通知公告 panel: the latest announcements for the user's orgs."""

from __future__ import annotations

from zhibu.notices.selectors import visible_announcements


def home_panel(request) -> dict | None:
    if not request.user.is_authenticated:
        return None
    latest = list(visible_announcements(request.user)[:5])
    return {"latest": latest} if latest else None
