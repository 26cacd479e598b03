"""iCalendar (RFC 5545) feeds of meetings, for the calendar apps on phones and desktops."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from zhibu.meetings.models import Meeting
from zhibu.members.selectors import PoliticalBirthday


def birthday_event(birthday: PoliticalBirthday, stamp, *, own: bool) -> Event:
    """An all-day event on one year's 政治生日. One event per year (not RRULE:FREQ=YEARLY),
    because a yearly rule would skip a 29 February admission in common years, while Zhibu
    keeps it on 28 February (see ``admission_anniversary``)."""
    event = Event()
    event.add("uid", f"birthday-{birthday.member.public_id}-{birthday.on.year}@zhibu")
    event.add("dtstamp", stamp)
    values = {"name": birthday.member.name, "years": birthday.years}
    summary = (
        _("我的政治生日（入党 %(years)s 周年）")
        if own
        else _("%(name)s 的政治生日（入党 %(years)s 周年）")
    )
    event.add("summary", summary % values)
    event.add("dtstart", birthday.on)
    event.add("dtend", birthday.on + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def calendar(
    meetings: list[Meeting],
    *,
    name: str,
    base: str,
    birthdays: Sequence[PoliticalBirthday] = (),
    own: bool = False,
) -> bytes:
    """One VEVENT per meeting: timed when the meeting has a start time, all-day otherwise;
    then one all-day VEVENT per 政治生日 in ``birthdays`` (``own``: the feed's owner's)."""
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
    for birthday in birthdays:
        cal.add_component(birthday_event(birthday, stamp, own=own))
    if hasattr(cal, "add_missing_timezones"):
        cal.add_missing_timezones()
    return cal.to_ical()
