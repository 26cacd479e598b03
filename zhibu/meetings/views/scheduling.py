"""Planning a meeting, changing the plan, notice and cancellation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.core.versioning import save_versioned, version_initial, without_version
from zhibu.meetings import forms, selectors
from zhibu.meetings.models import Meeting
from zhibu.meetings.services.scheduling import (
    meeting_cancel,
    meeting_notice,
    meeting_plan,
    meeting_update_plan,
)
from zhibu.meetings.views.common import (
    RECORD,
    form_page,
    meeting_crumbs,
    org_crumbs,
    theme_day_birthdays,
)


@requires(RECORD)
def plan_new(request: HttpRequest, org_id) -> HttpResponse:
    org = selectors.meeting_org_for_user(request.user, org_id, action=RECORD)
    form = forms.MeetingPlanForm(
        request.POST or None, org=org, initial={"on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_plan(org=org, by=request.user, **without_version(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已加入计划。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("计划会议")
    return form_page(
        request,
        org,
        form,
        title,
        org_crumbs(org, (title, None)),
        reverse("meetings:org", args=[org.public_id]),
    )


@requires(RECORD)
def edit_plan(request: HttpRequest, public_id) -> HttpResponse:
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    if meeting.status not in Meeting.UPCOMING_STATUSES:
        raise Http404
    fields = ("title", "on", "starts_at", "ends_at", "place", "kinds", "topics")
    initial = {**{f: getattr(meeting, f) for f in fields}, **version_initial(meeting)}
    form = forms.MeetingPlanForm(request.POST or None, org=meeting.org, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = without_version(form.cleaned_data)
        saved = save_versioned(
            form,
            meeting,
            lambda: meeting_update_plan(meeting=meeting, by=request.user, **data),
            noun=_("会议"),
        )
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("修改会议计划")
    return form_page(
        request,
        meeting.org,
        form,
        title,
        meeting_crumbs(meeting, (title, None)),
        reverse("meetings:detail", args=[meeting.public_id]),
        birthdays=theme_day_birthdays(request.user, meeting.org, meeting.on, meeting.kinds),
    )


def _simple_write(request, public_id, form_class, call, title: str, done: str, initial=None):
    meeting = selectors.meeting_for_user(request.user, public_id, action=RECORD)
    form = form_class(request.POST or None, initial=initial(meeting) if initial else None)
    if request.method == "POST" and form.is_valid():
        try:
            call(meeting, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("meetings:detail", meeting.public_id)
    return form_page(
        request,
        meeting.org,
        form,
        title,
        meeting_crumbs(meeting, (title, None)),
        reverse("meetings:detail", args=[meeting.public_id]),
        birthdays=theme_day_birthdays(request.user, meeting.org, meeting.on, meeting.kinds),
    )


@requires(RECORD)
def notice(request: HttpRequest, public_id) -> HttpResponse:
    def call(meeting, cd):
        meeting_notice(meeting=meeting, notice=cd["notice"], by=request.user)

    return _simple_write(
        request,
        public_id,
        forms.NoticeForm,
        call,
        _("发布会议通知"),
        _("已发布会议通知。"),
        initial=lambda meeting: {"notice": meeting.notice or selectors.notice_text(meeting)},
    )


@requires(RECORD)
def cancel(request: HttpRequest, public_id) -> HttpResponse:
    def call(meeting, cd):
        meeting_cancel(meeting=meeting, reason=cd["reason"], by=request.user)

    return _simple_write(
        request, public_id, forms.CancelForm, call, _("取消会议"), _("已取消会议。")
    )
