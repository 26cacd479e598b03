"""The one-page record form and its attendance grid."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.committees.selectors import linkage_candidates
from zhibu.core.access import requires
from zhibu.core.versioning import save_versioned, version_initial
from zhibu.meetings import forms, selectors
from zhibu.meetings.models import Attendance, Meeting, MeetingKind
from zhibu.meetings.services.locking import lock_state
from zhibu.meetings.services.recording import GuestIn, meeting_record
from zhibu.meetings.views.common import (
    RECORD,
    meeting_crumbs,
    org_crumbs,
    parse_date,
    pick,
    render_page,
    theme_day_birthdays,
)
from zhibu.members.models import Member
from zhibu.orgs.models import Org


def _attendance_rows(people, meeting: Meeting | None, data) -> list[dict]:
    """The grid: one row per expected member, from the post, the record, leave requests."""
    existing = {}
    if meeting is not None:
        existing = {a.member_id: a for a in meeting.attendance.all()}
    rows = []
    for member in people:
        row = existing.get(member.pk)
        status = row.status if row else Attendance.Status.PRESENT
        reason = row.reason if row else ""
        if data is not None:
            status = data.get(f"att-{member.public_id}", status)
            reason = data.get(f"why-{member.public_id}", reason)
        requested = bool(row and row.leave_requested_at)
        rows.append({"member": member, "status": status, "reason": reason, "requested": requested})
    return rows


def _posted_attendance(data) -> dict[int, tuple[str, str]]:
    """{member pk: (status, reason)} from every ``att-<public id>`` field posted."""
    posted = {key[4:]: value for key, value in data.items() if key.startswith("att-")}
    valid = []
    for public_id in posted:
        try:
            valid.append(str(uuid.UUID(public_id)))
        except ValueError:
            continue
    members = Member.objects.filter(public_id__in=valid).only("pk", "public_id")
    return {m.pk: (posted[str(m.public_id)], data.get(f"why-{m.public_id}", "")) for m in members}


def _guests(form, leaders, org: Org, on: date) -> list[GuestIn]:
    linked = selectors.linked_people(org, on)
    guests = []
    for public_id in form.cleaned_data.get("leaders") or []:
        person = pick(leaders, public_id)
        if person is not None:
            guests.append(GuestIn.leader(person, linked=linked))
    for line in (form.cleaned_data.get("other_guests") or "").splitlines():
        name, _sep, note = line.strip().partition(" ")
        if name:
            guests.append(GuestIn(name=name, note=note.strip()))
    return guests


def _record_page(request: HttpRequest, org: Org, meeting: Meeting | None) -> HttpResponse:
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    on = parse_date((data or request.GET).get("on"), meeting.on if meeting else today)
    kinds = (data.getlist("kinds") if data else None) or (
        meeting.kinds if meeting else [MeetingKind.THEME_DAY]
    )
    people = selectors.roster(org, on, kinds)
    leaders = list(linkage_candidates(org=org, on=on))
    initial = {"on": on, "kinds": kinds, "study_hours": 0, "complete": True}
    if meeting is not None:
        initial.update(
            version_initial(meeting),
            title=meeting.title,
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            place=meeting.place,
            topics=meeting.topics,
            minutes=meeting.minutes,
            decisions_text=meeting.decisions_text,
            study_hours=meeting.study_hours,
            tags="、".join(meeting.tags),
            covers_year=meeting.covers_year,
            host=str(meeting.host.public_id) if meeting.host else "",
            recorder=str(meeting.recorder.public_id) if meeting.recorder else "",
            lecturer=str(meeting.lecturer.public_id) if meeting.lecturer else "",
            leaders=[
                str(g.member.public_id) for g in meeting.guests.select_related("member") if g.member
            ],
            other_guests="\n".join(
                f"{g.name} {g.note}".strip() for g in meeting.guests.filter(member__isnull=True)
            ),
        )
    guests_people = people + [m for m in leaders if m not in people]
    form = forms.MeetingRecordForm(
        data, org=org, people=guests_people, leaders=leaders, initial=initial
    )
    if data is not None and form.is_valid():
        cd = form.cleaned_data

        def save() -> Meeting:
            guests = _guests(form, leaders, org, cd["on"])
            data_in = form.meeting_input(
                org=org, attendance=_posted_attendance(data), guests=guests
            )
            return meeting_record(
                data=data_in, meeting=meeting, reason=cd["reason"], by=request.user
            )

        saved = save_versioned(form, meeting, save, noun=_("会议"))
        if saved is not None:
            messages.success(request, _("已登记会议记录。"))
            return redirect("meetings:detail", saved.public_id)
    locked, locks_on = lock_state(meeting) if meeting and meeting.is_held else (False, None)
    title = _("登记会议记录") if meeting is None or not meeting.is_held else _("修改会议记录")
    crumbs = meeting_crumbs(meeting, (title, None)) if meeting else org_crumbs(org, (title, None))
    rows = _attendance_rows(people, meeting, data)
    return render_page(
        request,
        "meetings/record.html",
        title,
        crumbs,
        form=form,
        org=org,
        meeting=meeting,
        rows=rows,
        on=on,
        locked=locked,
        locks_on=locks_on,
        statuses=Attendance.Status.choices,
        birthdays=theme_day_birthdays(request.user, org, on, kinds),
    )


@requires(RECORD)
def record_new(request: HttpRequest, org_id) -> HttpResponse:
    org = selectors.meeting_org_for_user(request.user, org_id, action=RECORD)
    return _record_page(request, org, None)


@requires(RECORD)
def record(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    if meeting.status == Meeting.Status.CANCELLED:
        raise Http404
    return _record_page(request, meeting.org, meeting)


@requires(RECORD)
def roster(request: HttpRequest, org_id) -> HttpResponse:
    """htmx partial: the attendance grid for the date and kinds chosen in the record form."""
    org = selectors.meeting_org_for_user(request.user, org_id, action=RECORD)
    on = parse_date(request.GET.get("on"), timezone.localdate())
    kinds = request.GET.getlist("kinds") or [MeetingKind.THEME_DAY]
    rows = _attendance_rows(selectors.roster(org, on, kinds), None, None)
    return render(
        request,
        "meetings/_roster.html",
        {"rows": rows, "on": on, "statuses": Attendance.Status.choices},
    )
