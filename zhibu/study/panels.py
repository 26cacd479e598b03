"""The study card on the member's own page (this year's 学时 against EDU-01 and the
political birthday with this year's 主题党日 of that month), and the home page's greeting
in the month of one's political birthday."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from zhibu.meetings.models import MeetingKindRow
from zhibu.members.selectors import admission_anniversary
from zhibu.study.selectors.study import member_progress, own_member


def political_birthday(member, today: date) -> dict:
    """This year's admission anniversary (政治生日) and that month's 主题党日, if any;
    empty before the first anniversary."""
    birthday = admission_anniversary(member.admitted_on, today.year) if member.admitted_on else None
    if birthday is None:
        return {}
    month = birthday.month
    theme = (
        MeetingKindRow.objects.filter(
            org=member.org_id, kind="theme_day", on__year=today.year, on__month=month
        )
        .order_by("on")
        .values_list("on", "meeting__public_id")
        .first()
    )
    return {
        "birthday": birthday,
        "years": today.year - member.admitted_on.year,
        "theme_day": theme,
    }


def my_study(member, request) -> dict:
    today = timezone.localdate()
    return {"progress": member_progress(member, today.year), **political_birthday(member, today)}


def birthday_panel(request) -> dict | None:
    """Shown on the home page only in the month of the member's political birthday."""
    member = own_member(request.user)
    today = timezone.localdate()
    if member is None or not member.admitted_on or member.admitted_on.month != today.month:
        return None
    return political_birthday(member, today) or None
