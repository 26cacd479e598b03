"""Helpers shared by the organisational-life pages: crumbs, page shells, parameters."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhibu.meetings.models import Meeting
from zhibu.members.models import Member
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
