"""The study card on the member's own page: this year's 学时 against EDU-01 and the
political birthday with this year's 主题党日 of that month."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from zhibu.meetings.models import MeetingKindRow
from zhibu.study.selectors.study import member_progress


def my_study(member, request) -> dict:
    today = timezone.localdate()
    context: dict = {"progress": member_progress(member, today.year)}
    if member.admitted_on and member.admitted_on.year < today.year:
        month, day = member.admitted_on.month, member.admitted_on.day
        context["birthday"] = date(today.year, month, min(day, 28) if month == 2 else day)
        context["years"] = today.year - member.admitted_on.year
        theme = (
            MeetingKindRow.objects.filter(
                org=member.org_id, kind="theme_day", on__year=today.year, on__month=month
            )
            .order_by("on")
            .values_list("on", "meeting__public_id")
            .first()
        )
        context["theme_day"] = theme
    return context
