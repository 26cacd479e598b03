"""iCalendar (RFC 5545) feeds of meetings, for the calendar apps on phones and desktops."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from zhibu.meetings.models import Meeting


def calendar(meetings: list[Meeting], *, name: str, base: str) -> bytes:
    """One VEVENT per meeting: timed when the meeting has a start time, all-day otherwise."""
    zone = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//Zhibu//meetings//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", str(name))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for meeting in meetings:
        event = Event()
        event.add("uid", f"{meeting.public_id}@zhibu")
        event.add("dtstamp", stamp)
        event.add("summary", meeting.title)
        if meeting.starts_at:
            start = datetime.combine(meeting.on, meeting.starts_at, tzinfo=zone)
            end = (
                datetime.combine(meeting.on, meeting.ends_at, tzinfo=zone)
                if meeting.ends_at
                else start + timedelta(hours=1)
            )
            event.add("dtstart", start)
            event.add("dtend", end)
        else:
            event.add("dtstart", meeting.on)
            event.add("dtend", meeting.on + timedelta(days=1))
        if meeting.place:
            event.add("location", meeting.place)
        lines = [meeting.org.name, "、".join(meeting.kind_labels)]
        if meeting.topics:
            lines.append(meeting.topics)
        event.add("description", "\n".join(lines))
        event.add("url", base.rstrip("/") + reverse("meetings:detail", args=[meeting.public_id]))
        event.add(
            "status", "CONFIRMED" if meeting.status != Meeting.Status.PLANNED else "TENTATIVE"
        )
        event.add("last-modified", meeting.updated_at)
        cal.add_component(event)
    if hasattr(cal, "add_missing_timezones"):
        cal.add_missing_timezones()
    return cal.to_ical()
