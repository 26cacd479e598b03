"""Helpers shared by the organisational-life pages: crumbs, page shells, parameters."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhibu.meetings.models import Meeting, MeetingKind
from zhibu.members.models import Member
from zhibu.members.selectors import PoliticalBirthday, political_birthdays
from zhibu.orgs.models import Org

VIEW, RECORD = "meeting.view", "meeting.record"


def org_crumbs(org: Org, *tail) -> list:
    return [
        (_("组织生活"), reverse("meetings:list")),
        (org.name, reverse("meetings:org", args=[org.public_id])),
        *tail,
    ]


def meeting_crumbs(meeting: Meeting, *tail) -> list:
    return org_crumbs(
        meeting.org, (meeting.title, reverse("meetings:detail", args=[meeting.public_id])), *tail
    )


def render_page(request, template: str, title: str, crumbs: list, **context) -> HttpResponse:
    return render(request, template, {"page_title": title, "breadcrumbs": crumbs, **context})


def form_page(
    request, org: Org, form, title: str, crumbs: list, back: str, **context
) -> HttpResponse:
    return render_page(
        request, "meetings/form.html", title, crumbs, form=form, org=org, back=back, **context
    )


def pick(people, public_id) -> Member | None:
    if not public_id:
        return None
    return next((m for m in people if str(m.public_id) == str(public_id)), None)


def parse_date(value, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def theme_day_birthdays(user, org: Org, on: date, kinds) -> list[PoliticalBirthday]:
    """For a 主题党日: the members whose 政治生日 falls in its month, so the branch may invite
    them to 重温入党誓词 (a suggestion, never a required check-in: RESP-06). Empty for other
    kinds and for users who may not see the branch's members."""
    if MeetingKind.THEME_DAY not in kinds:
        return []
    return political_birthdays(user=user, org=org, year=on.year, month=on.month)
