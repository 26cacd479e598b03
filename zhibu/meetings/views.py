"""Organisational-life pages: lists, the one-page record form, votes, attachments, the
annual plan, 谈心谈话, 民主评议, settings, the 台账 export, "my meetings" and the feeds."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.core.access import login_only, public, requires
from zhibu.core.audit import audit_record
from zhibu.core.excel import workbook_response
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.models import AuditEvent
from zhibu.core.params import year_param
from zhibu.core.pdf import pdf_response
from zhibu.meetings import exports, feeds, forms, selectors, services
from zhibu.meetings.models import (
    Attachment,
    Attendance,
    Correction,
    FeedToken,
    Guest,
    LifeMeetingPrep,
    Meeting,
    MeetingKind,
    MeetingSettings,
    Review,
    Talk,
)
from zhibu.members.models import Member
from zhibu.members.selectors import members_on
from zhibu.orgs.models import Linkage, Org
from zhibu.orgs.selectors import linkage_candidates

VIEW, RECORD = "meeting.view", "meeting.record"


def _year(request, default: int | None = None) -> int:
    return year_param(request, default)


def _org_crumbs(org: Org, *tail) -> list:
    return [
        (_("组织生活"), reverse("meetings:list")),
        (org.name, reverse("meetings:org", args=[org.public_id])),
        *tail,
    ]


def _meeting_crumbs(meeting: Meeting, *tail) -> list:
    return _org_crumbs(
        meeting.org, (meeting.title, reverse("meetings:detail", args=[meeting.public_id])), *tail
    )


def _page(request, template: str, title: str, crumbs: list, **context) -> HttpResponse:
    return render(request, template, {"page_title": title, "breadcrumbs": crumbs, **context})


def _form_page(
    request, org: Org, form, title: str, crumbs: list, back: str, **context
) -> HttpResponse:
    return _page(
        request, "meetings/form.html", title, crumbs, form=form, org=org, back=back, **context
    )


def _pick(people, public_id) -> Member | None:
    if not public_id:
        return None
    return next((m for m in people if str(m.public_id) == str(public_id)), None)


# --- lists --------------------------------------------------------------------------------------


@requires(VIEW)
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Meetings in the user's scope, newest first, filtered by year, kind and status."""
    year = _year(request)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    qs = selectors.meeting_list(user=request.user, year=year, kind=kind if kind in MeetingKind.values else "",
                                status=status if status in Meeting.Status.values else "")  # fmt: skip
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    orgs = list(
        Org.objects.filter(permissions.scope_q(request.user, VIEW))
        .filter(
            kind__in=[*Org.BRANCH_KINDS, Org.Kind.GROUP, *Org.COMMITTEE_KINDS],
            dissolved_on__isnull=True,
        )
        .order_by("path")[:200]
    )
    query = f"year={year}&kind={kind}&status={status}"
    return _page(request, "meetings/list.html", _("组织生活"), [(_("组织生活"), None)], page_obj=page,
                 year=year, kind=kind, status=status, kinds=MeetingKind.choices, statuses=Meeting.Status.choices,
                 orgs=orgs, query_string=query)  # fmt: skip


@requires(VIEW)
def org_home(request: HttpRequest, org_id) -> HttpResponse:
    """One org's year: its meetings by month, and the ways in to record, plan and export."""
    org = selectors.meeting_org_for_user(request.user, org_id)
    year = _year(request)
    meetings = list(
        selectors.meeting_list(user=request.user, year=year)
        .filter(org=org)
        .order_by("on", "starts_at")
    )
    months: dict[int, list] = {m: [] for m in range(1, 13)}
    for meeting in meetings:
        months[meeting.on.month].append(meeting)
    can_record = permissions.can(request.user, RECORD, org)
    conf = selectors.effective_settings(org)
    return _page(request, "meetings/org.html", org.name, [*_org_crumbs(org)[:-1], (org.name, None)], org=org,
                 year=year, months=months.items(), can_record=can_record, settings=conf, today=timezone.localdate(),
                 reviews=list(Review.objects.filter(org=org).order_by("-year")[:5]))  # fmt: skip


# --- recording --------------------------------------------------------------------------------------


def _parse_date(value, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


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


def _guests(form, leaders, org: Org, on: date) -> list[services.GuestIn]:
    linked = set(
        Linkage.objects.filter(org=org, start__lte=on)
        .exclude(end__lt=on)
        .values_list("person", flat=True)
    )
    guests = []
    for public_id in form.cleaned_data.get("leaders") or []:
        person = _pick(leaders, public_id)
        if person is not None:
            role = Guest.Role.HIGHER_LEADER if person.pk in linked else Guest.Role.DUAL_LIFE
            guests.append(services.GuestIn(name=person.name, role=role, member=person))
    for line in (form.cleaned_data.get("other_guests") or "").splitlines():
        name, _sep, note = line.strip().partition(" ")
        if name:
            guests.append(services.GuestIn(name=name, note=note.strip()))
    return guests


def _record_page(request: HttpRequest, org: Org, meeting: Meeting | None) -> HttpResponse:
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    on = _parse_date((data or request.GET).get("on"), meeting.on if meeting else today)
    kinds = (data.getlist("kinds") if data else None) or (
        meeting.kinds if meeting else [MeetingKind.THEME_DAY]
    )
    people = selectors.roster(org, on, kinds)
    leaders = list(linkage_candidates(org=org, on=on))
    initial = {"on": on, "kinds": kinds, "study_hours": 0, "complete": True}
    if meeting is not None:
        initial.update(title=meeting.title, starts_at=meeting.starts_at, ends_at=meeting.ends_at, place=meeting.place,
                       topics=meeting.topics, minutes=meeting.minutes, decisions_text=meeting.decisions_text,
                       study_hours=meeting.study_hours, tags="、".join(meeting.tags), covers_year=meeting.covers_year,
                       host=str(meeting.host.public_id) if meeting.host else "",
                       recorder=str(meeting.recorder.public_id) if meeting.recorder else "",
                       lecturer=str(meeting.lecturer.public_id) if meeting.lecturer else "",
                       leaders=[str(g.member.public_id) for g in meeting.guests.select_related("member") if g.member],
                       other_guests="\n".join(f"{g.name} {g.note}".strip() for g in meeting.guests.filter(member__isnull=True)))  # fmt: skip
    guests_people = people + [m for m in leaders if m not in people]
    form = forms.MeetingRecordForm(
        data, org=org, people=guests_people, leaders=leaders, initial=initial
    )
    if data is not None and form.is_valid():
        cd = form.cleaned_data
        try:
            meeting = services.meeting_record(
                org=org, meeting=meeting, on=cd["on"], title=cd["title"], kinds=cd["kinds"],
                attendance=_posted_attendance(data), starts_at=cd["starts_at"], ends_at=cd["ends_at"],
                place=cd["place"], topics=cd["topics"], host=_pick(guests_people, cd["host"]),
                recorder=_pick(guests_people, cd["recorder"]), lecturer=_pick(guests_people, cd["lecturer"]),
                minutes=cd["minutes"], decisions_text=cd["decisions_text"], study_hours=cd["study_hours"],
                tags=forms.split_tags(cd["tags"]), covers_year=cd["covers_year"], guests=_guests(form, leaders, org, cd["on"]),
                complete=cd["complete"], reason=cd["reason"], by=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记会议记录。"))
            return redirect("meetings:detail", meeting.public_id)
    locked, locks_on = (
        services.lock_state(meeting) if meeting and meeting.is_held else (False, None)
    )
    title = _("登记会议记录") if meeting is None or not meeting.is_held else _("修改会议记录")
    crumbs = _meeting_crumbs(meeting, (title, None)) if meeting else _org_crumbs(org, (title, None))
    rows = _attendance_rows(people, meeting, data)
    return _page(request, "meetings/record.html", title, crumbs, form=form, org=org, meeting=meeting, rows=rows,
                 on=on, locked=locked, locks_on=locks_on, statuses=Attendance.Status.choices)  # fmt: skip


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
    on = _parse_date(request.GET.get("on"), timezone.localdate())
    kinds = request.GET.getlist("kinds") or [MeetingKind.THEME_DAY]
    rows = _attendance_rows(selectors.roster(org, on, kinds), None, None)
    return render(
        request,
        "meetings/_roster.html",
        {"rows": rows, "on": on, "statuses": Attendance.Status.choices},
    )


@requires(RECORD)
def plan_new(request: HttpRequest, org_id) -> HttpResponse:
    org = selectors.meeting_org_for_user(request.user, org_id, action=RECORD)
    form = forms.MeetingPlanForm(
        request.POST or None, org=org, initial={"on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_plan(org=org, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已加入计划。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("计划会议")
    return _form_page(
        request,
        org,
        form,
        title,
        _org_crumbs(org, (title, None)),
        reverse("meetings:org", args=[org.public_id]),
    )


@requires(RECORD)
def edit_plan(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    if meeting.status not in Meeting.UPCOMING_STATUSES:
        raise Http404
    fields = ("title", "on", "starts_at", "ends_at", "place", "kinds", "topics")
    form = forms.MeetingPlanForm(
        request.POST or None, org=meeting.org, initial={f: getattr(meeting, f) for f in fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update_plan(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("修改会议计划")
    return _form_page(request, meeting.org, form, title, _meeting_crumbs(meeting, (title, None)),
                      reverse("meetings:detail", args=[meeting.public_id]))  # fmt: skip


def _simple_write(request, public_id, form_class, call, title: str, done: str):
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(meeting, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("meetings:detail", meeting.public_id)
    return _form_page(request, meeting.org, form, title, _meeting_crumbs(meeting, (title, None)),
                      reverse("meetings:detail", args=[meeting.public_id]))  # fmt: skip


@requires(RECORD)
def notice(request: HttpRequest, public_id) -> HttpResponse:
    def call(meeting, cd):
        services.meeting_notice(meeting=meeting, notice=cd["notice"], by=request.user)

    return _simple_write(
        request, public_id, forms.NoticeForm, call, _("发布会议通知"), _("已发布会议通知。")
    )


@requires(RECORD)
def cancel(request: HttpRequest, public_id) -> HttpResponse:
    def call(meeting, cd):
        services.meeting_cancel(meeting=meeting, reason=cd["reason"], by=request.user)

    return _simple_write(
        request, public_id, forms.CancelForm, call, _("取消会议"), _("已取消会议。")
    )


# --- one meeting ----------------------------------------------------------------------------------------


@requires(VIEW)
def detail(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id)
    attendance = list(
        meeting.attendance.select_related("member").order_by("status", "member__name_pinyin")
    )
    locked, locks_on = services.lock_state(meeting) if meeting.is_held else (False, None)
    unlocked_edits = list(
        meeting.history.exclude(history_change_reason__isnull=True).exclude(history_change_reason="")
        .select_related("history_user").order_by("-history_date")
    )  # fmt: skip
    prep = LifeMeetingPrep.objects.filter(meeting=meeting).first()
    from zhibu.duties.models import Rectification

    context = {
        "meeting": meeting, "attendance": attendance, "locked": locked, "locks_on": locks_on,
        "present": [a for a in attendance if a.status == Attendance.Status.PRESENT],
        "leave": [a for a in attendance if a.status == Attendance.Status.LEAVE],
        "absent": [a for a in attendance if a.status == Attendance.Status.ABSENT],
        "guests": list(meeting.guests.all()), "decisions": list(meeting.decisions.all()),
        "attachments": list(meeting.attachments.all()), "prep": prep,
        "problems": list(Rectification.objects.filter(source_ref=f"meeting:{meeting.public_id}").select_related("owner")),
        "is_life": MeetingKind.LIFE_MEETING in meeting.kinds,
        "can_vote": bool({MeetingKind.BRANCH_ASSEMBLY, MeetingKind.BRANCH_COMMITTEE} & set(meeting.kinds)),
        "can_record": permissions.can(request.user, RECORD, meeting.org),
        "history": history_of(meeting), "unlocked_edits": unlocked_edits,
    }  # fmt: skip
    return _page(
        request,
        "meetings/detail.html",
        meeting.title,
        [*_meeting_crumbs(meeting)[:-1], (meeting.title, None)],
        **context,
    )


@requires(RECORD)
def decision_new(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = dict(form.cleaned_data)
        cd.pop("passed")
        try:
            services.decision_record(meeting=meeting, passed=form.claimed(), by=request.user, **cd)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记表决结果。"))
            return redirect("meetings:detail", meeting.public_id)
    body = None
    with contextlib.suppress(ValidationError):
        body = services.decision_body(meeting)
    entitled, present = (
        services.entitled_and_present(meeting, body) if body and meeting.is_held else (None, None)
    )
    title = _("登记表决")
    return _form_page(request, meeting.org, form, title, _meeting_crumbs(meeting, (title, None)),
                      reverse("meetings:detail", args=[meeting.public_id]), entitled=entitled, present=present)  # fmt: skip


@requires(RECORD)
def attachment_new(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    form = forms.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_add(
                meeting=meeting,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已上传附件。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("上传照片、签到表")
    return _form_page(request, meeting.org, form, title, _meeting_crumbs(meeting, (title, None)),
                      reverse("meetings:detail", args=[meeting.public_id]), multipart=True)  # fmt: skip


@requires(VIEW)
def attachment(request: HttpRequest, public_id, attachment_id) -> FileResponse:
    """Serve an attachment to someone who may see its meeting, never from a public URL."""
    meeting = selectors.meeting_for_user(request.user, public_id)
    item = Attachment.objects.filter(meeting=meeting, public_id=attachment_id).first()
    if item is None:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = item.content_type.startswith("image/") or item.content_type == "application/pdf"
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=not inline,
        filename=item.original_name,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@requires(RECORD)
@require_POST
def attachment_delete(request: HttpRequest, public_id, attachment_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    item = Attachment.objects.filter(meeting=meeting, public_id=attachment_id).first()
    if item is None:
        raise Http404
    try:
        services.attachment_delete(attachment=item, by=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已删除附件。"))
    return redirect("meetings:detail", meeting.public_id)


@requires(RECORD)
def life_prep(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    if MeetingKind.LIFE_MEETING not in meeting.kinds:
        raise Http404
    prep = LifeMeetingPrep.objects.filter(meeting=meeting).first()
    fields = ("study_done", "study_note", "talks_done", "talks_note", "opinions_collected", "opinions_count",
              "opinions_note", "criticism_notes")  # fmt: skip
    form = forms.LifePrepForm(
        request.POST or None, initial={f: getattr(prep, f) for f in fields} if prep else None
    )
    if request.method == "POST" and form.is_valid():
        cd = dict(form.cleaned_data)
        reason = cd.pop("reason")
        try:
            services.life_prep_update(meeting=meeting, by=request.user, reason=reason, **cd)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("会前准备和批评与自我批评")
    return _form_page(request, meeting.org, form, title, _meeting_crumbs(meeting, (title, None)),
                      reverse("meetings:detail", args=[meeting.public_id]))  # fmt: skip


@requires(RECORD)
def problem_new(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    if MeetingKind.LIFE_MEETING not in meeting.kinds:
        raise Http404
    people = selectors.roster(meeting.org, meeting.on, meeting.kinds)
    form = forms.ProblemForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.life_problem_add(meeting=meeting, problem=cd["problem"], measure=cd["measure"],
                                      deadline=cd["deadline"], owner=_pick(people, cd["owner"]), by=request.user)  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已列入整改清单。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("登记查摆问题")
    return _form_page(request, meeting.org, form, title, _meeting_crumbs(meeting, (title, None)),
                      reverse("meetings:detail", args=[meeting.public_id]))  # fmt: skip


# --- annual plan ------------------------------------------------------------------------------------------


@requires(VIEW)
def plan_year(request: HttpRequest, org_id, year: int) -> HttpResponse:
    """The year's calendar; POST generates the planned meetings the rules ask for."""
    action = RECORD if request.method == "POST" else VIEW
    org = selectors.meeting_org_for_user(request.user, org_id, action=action)
    if request.method == "POST":
        try:
            created = services.plan_generate(org=org, year=year, by=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("已生成 %(n)s 个计划会议。") % {"n": len(created)})
        return redirect("meetings:plan_year", org.public_id, year)
    meetings = list(
        Meeting.objects.filter(org__path__startswith=org.path, on__year=year)
        .select_related("org")
        .order_by("on", "starts_at")
    )
    proposal = services.plan_items(org=org, year=year) if org.is_branch else []
    title = _("%(year)s 年度组织生活计划") % {"year": year}
    return _page(request, "meetings/plan.html", title, _org_crumbs(org, (title, None)), org=org, year=year,
                 meetings=meetings, proposal=proposal, can_record=permissions.can(request.user, RECORD, org))  # fmt: skip


# --- 谈心谈话 ----------------------------------------------------------------------------------------------------


@requires(VIEW)
def talks(request: HttpRequest, org_id) -> HttpResponse:
    action = RECORD if request.method == "POST" else VIEW
    org = selectors.meeting_org_for_user(request.user, org_id, action=action)
    today = timezone.localdate()
    people = list(members_on(org, today).order_by("name_pinyin"))
    partners = people + list(linkage_candidates(org=org, on=today))
    form = forms.TalkForm(
        request.POST or None, people=people, partners=partners, initial={"on": today}
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.talk_record(org=org, on=cd["on"], member_a=_pick(people, cd["member_a"]),
                                 member_b=_pick(partners, cd["member_b"]), topic=cd["topic"], note=cd["note"], by=request.user)  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记谈心谈话。"))
            return redirect("meetings:talks", org.public_id)
    year = _year(request)
    rows = (
        Talk.objects.filter(org=org, on__year=year)
        .select_related("member_a", "member_b")
        .order_by("-on", "-id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    title = _("谈心谈话")
    return _page(request, "meetings/talks.html", title, _org_crumbs(org, (title, None)), org=org, form=form,
                 page_obj=page, year=year, can_record=permissions.can(request.user, RECORD, org), query_string=f"year={year}")  # fmt: skip


@requires(VIEW)
def talk_matrix(request: HttpRequest, org_id, year: int) -> HttpResponse:
    org = selectors.meeting_org_for_user(request.user, org_id)
    matrix = selectors.talk_matrix(org, year, timezone.localdate())
    title = _("%(year)s 年谈心谈话覆盖情况") % {"year": year}
    return _page(
        request,
        "meetings/matrix.html",
        title,
        _org_crumbs(org, (title, None)),
        org=org,
        year=year,
        matrix=matrix,
    )


# --- 民主评议党员 ----------------------------------------------------------------------------------------------------


@requires(VIEW)
def review(request: HttpRequest, org_id, year: int) -> HttpResponse:
    action = RECORD if request.method == "POST" else VIEW
    org = selectors.meeting_org_for_user(request.user, org_id, action=action)
    item = Review.objects.filter(org=org, year=year).first()
    if request.method == "POST":
        try:
            services.review_open(org=org, year=year, by=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("已建立民主评议。"))
        return redirect("meetings:review", org.public_id, year)
    entries = (
        list(item.entries.select_related("member").order_by("member__name_pinyin")) if item else []
    )
    corrections = (
        {c.entry_id: c for c in Correction.objects.filter(entry__in=entries)} if item else {}
    )
    for entry in entries:
        entry.correction_obj = corrections.get(entry.pk)
    title = _("%(year)s 年度民主评议党员") % {"year": year}
    return _page(request, "meetings/review.html", title, _org_crumbs(org, (title, None)), org=org, year=year,
                 review=item, entries=entries, can_record=permissions.can(request.user, RECORD, org),
                 finish_form=forms.ReviewFinishForm(initial={"on": timezone.localdate()}))  # fmt: skip


def _review_for(user, review_id, action) -> Review:
    item = Review.objects.filter(public_id=review_id).select_related("org").first()
    if item is None:
        raise Http404
    selectors.meeting_org_for_user(user, item.org.public_id, action=action)
    return item


@requires(RECORD)
def review_entry(request: HttpRequest, review_id, member_id) -> HttpResponse:
    item = _review_for(request.user, review_id, RECORD)
    entry = item.entries.select_related("member").filter(member__public_id=member_id).first()
    if entry is None:
        raise Http404
    initial = {
        "self_assessment": entry.self_assessment,
        "peer_review": entry.peer_review,
        "grade": entry.grade,
    }
    initial.update({f"tally_{i}": entry.tally.get(g) for i, g in enumerate(item.grades)})
    form = forms.ReviewEntryForm(request.POST or None, grades=item.grades, initial=initial)
    back = reverse("meetings:review", args=[item.org.public_id, item.year])
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.review_entry_update(entry=entry, self_assessment=cd["self_assessment"], peer_review=cd["peer_review"],
                                         tally=form.tally(), grade=cd["grade"], by=request.user)  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(back)
    title = _("评议：%(name)s") % {"name": entry.member.name}
    return _form_page(
        request,
        item.org,
        form,
        title,
        _org_crumbs(item.org, (str(item), back), (title, None)),
        back,
    )


@requires(RECORD)
@require_POST
def review_finish(request: HttpRequest, review_id) -> HttpResponse:
    item = _review_for(request.user, review_id, RECORD)
    form = forms.ReviewFinishForm(request.POST)
    if form.is_valid():
        try:
            opened = services.review_finish(
                review=item, on=form.cleaned_data["on"], by=request.user
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request, _("已完成评定；%(n)s 名党员进入限期改正。") % {"n": len(opened)}
            )
    else:
        messages.error(request, _("请填写评定日期。"))
    return redirect("meetings:review", item.org.public_id, item.year)


@requires(RECORD)
def correction(request: HttpRequest, correction_id) -> HttpResponse:
    item = (
        Correction.objects.filter(public_id=correction_id).select_related("org", "member").first()
    )
    if item is None:
        raise Http404
    selectors.meeting_org_for_user(request.user, item.org.public_id, action=RECORD)
    closing = request.POST.get("action") == "close" or request.GET.get("action") == "close"
    if closing:
        form = forms.CorrectionCloseForm(request.POST or None, initial={"on": timezone.localdate()})
    else:
        form = forms.CorrectionForm(
            request.POST or None, initial={"ends_on": item.ends_on, "measures": item.measures}
        )
    year = item.entry.review.year if item.entry_id else item.starts_on.year
    back = reverse("meetings:review", args=[item.org.public_id, year])
    if request.method == "POST" and form.is_valid():
        try:
            if closing:
                services.correction_close(correction=item, by=request.user, **form.cleaned_data)
            else:
                services.correction_update(correction=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(back)
    title = _("限期改正：%(name)s") % {"name": item.member.name}
    return _form_page(request, item.org, form, title, _org_crumbs(item.org, (title, None)), back,
                      hidden={"action": "close"} if closing else None, correction=item)  # fmt: skip


# --- settings ------------------------------------------------------------------------------------------------


@requires(RECORD)
def org_settings(request: HttpRequest, org_id) -> HttpResponse:
    """Fixed days (the org's own call); lock days and grades only with rules.configure."""
    org = selectors.meeting_org_for_user(request.user, org_id, action=RECORD)
    can_configure = permissions.can(request.user, "rules.configure", org)
    row = MeetingSettings.objects.filter(org=org).first()
    initial = {}
    if row is not None:
        initial = {"theme_day": row.theme_day, "committee_day": row.committee_day, "group_day": row.group_day,
                   "lock_days": row.lock_days, "review_grades": "、".join(row.review_grades)}  # fmt: skip
    form = forms.SettingsForm(request.POST or None, initial=initial, can_configure=can_configure)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.settings_update(org=org, theme_day=cd["theme_day"], committee_day=cd["committee_day"],
                                     group_day=cd["group_day"], lock_days=cd["lock_days"],
                                     review_grades=forms.split_tags(cd["review_grades"] or ""), by=request.user)  # fmt: skip
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存组织生活设置。"))
            return redirect("meetings:org", org.public_id)
    title = _("组织生活设置")
    return _form_page(request, org, form, title, _org_crumbs(org, (title, None)), reverse("meetings:org", args=[org.public_id]),
                      effective=selectors.effective_settings(org))  # fmt: skip


# --- 台账 export ------------------------------------------------------------------------------------------------


def _ledger_org(request, org_id, year: int, what: str) -> Org:
    org = selectors.meeting_org_for_user(request.user, org_id)
    audit_record(kind=AuditEvent.Kind.EXPORT, summary=_("导出组织生活台账（%(what)s）：%(org)s %(year)s年") % {"what": what, "org": org.name, "year": year},
                 request=request, obj=org, org_path=org.path, details={"year": year, "format": what})  # fmt: skip
    return org


@requires(VIEW)
def ledger_pdf(request: HttpRequest, org_id, year: int) -> HttpResponse:
    org = _ledger_org(request, org_id, year, "PDF")
    return pdf_response(exports.ledger_pdf(org, year), f"{org.name}{year}年组织生活台账.pdf")


@requires(VIEW)
def ledger_xlsx(request: HttpRequest, org_id, year: int) -> HttpResponse:
    org = _ledger_org(request, org_id, year, "Excel")
    return workbook_response(exports.ledger_xlsx(org, year), f"{org.name}{year}年组织生活台账.xlsx")


# --- my meetings (phone) -------------------------------------------------------------------------------------


@login_only
def my(request: HttpRequest) -> HttpResponse:
    """The member's own page: upcoming meetings (ask for leave), attendance, calendar link."""
    member = selectors.my_member(request.user)
    today = timezone.localdate()
    year = _year(request)
    context = {"member": member, "year": year, "today": today}
    if member is not None:
        attendance = selectors.my_attendance(member, year)
        context.update(
            upcoming=selectors.my_upcoming(member, today), attendance=attendance,
            present=sum(1 for a in attendance if a.status == Attendance.Status.PRESENT),
            hours=sum((a.study_hours for a in attendance), start=0),
        )  # fmt: skip
    token = FeedToken.objects.filter(user=request.user).first()
    if token is not None:
        context["feed_url"] = request.build_absolute_uri(
            reverse("meetings:meeting_feed_member", args=[token.token])
        )
    return _page(
        request, "meetings/my.html", _("我的组织生活"), [(_("我的组织生活"), None)], **context
    )


@login_only
def leave(request: HttpRequest, public_id) -> HttpResponse:
    member = selectors.my_member(request.user)
    if member is None:
        raise Http404
    meeting = (
        selectors.member_meetings(member).filter(public_id=public_id).select_related("org").first()
    )
    if meeting is None:
        raise Http404
    form = forms.LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_request(
                meeting=meeting, member=member, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交请假。"))
            return redirect("meetings:my")
    title = _("请假：%(title)s") % {"title": meeting.title}
    return _page(request, "meetings/leave.html", title, [(_("我的组织生活"), reverse("meetings:my")), (title, None)],
                 form=form, meeting=meeting)  # fmt: skip


@login_only
@require_POST
def feed_token(request: HttpRequest) -> HttpResponse:
    services.feed_token_reset(user=request.user)
    messages.success(request, _("已生成新的日历订阅地址，旧地址已失效。"))
    return redirect(
        request.POST.get("next")
        if request.POST.get("next", "").startswith("/meetings/")
        else "meetings:my"
    )


# --- iCalendar feeds (no session: the token in the URL is the credential) --------------------------------


def _token_user(token: str):
    row = FeedToken.objects.filter(token=token).select_related("user").first()
    if row is None or not row.user.is_active or len(token) < 20:
        raise Http404
    return row.user


def _ics(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@public
def feed_member(request: HttpRequest, token: str) -> HttpResponse:
    """The token's user's own meetings (their branch and 党小组)."""
    user = _token_user(token)
    member = selectors.my_member(user)
    meetings = (
        []
        if member is None
        else selectors.feed_meetings(
            selectors.member_meetings(member), timezone.localdate() - timedelta(days=90)
        )
    )
    return _ics(
        feeds.calendar(meetings, name=_("我的组织生活"), base=request.build_absolute_uri("/"))
    )


@public
def feed_org(request: HttpRequest, token: str, org_id) -> HttpResponse:
    """An org's meetings, for a token whose user may see that org's organisational life."""
    user = _token_user(token)
    try:
        org = selectors.meeting_org_for_user(user, org_id)
    except PermissionDenied:
        raise Http404 from None
    since = timezone.localdate() - timedelta(days=90)
    meetings = selectors.feed_meetings(selectors.visible_meetings(user).filter(org=org), since)
    return _ics(feeds.calendar(meetings, name=org.name, base=request.build_absolute_uri("/")))
