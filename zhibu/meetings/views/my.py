"""My meetings (phone): upcoming meetings, leave, the calendar link."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.core.access import login_only
from zhibu.core.forms import apply_errors
from zhibu.core.params import year_param
from zhibu.meetings import forms, selectors
from zhibu.meetings.models import FeedToken
from zhibu.meetings.services.feed_tokens import feed_token_reset
from zhibu.meetings.services.leave import leave_request
from zhibu.meetings.views.common import render_page


@login_only
def my(request: HttpRequest) -> HttpResponse:
    """The member's own page: upcoming meetings (ask for leave), attendance, calendar link."""
    member = selectors.my_member(request.user)
    today = timezone.localdate()
    year = year_param(request)
    context = {"member": member, "year": year, "today": today}
    if member is not None:
        context.update(selectors.attendance_year(member, year))
        context["upcoming"] = selectors.my_upcoming(member, today)
    token = FeedToken.objects.filter(user=request.user).first()
    if token is not None:
        context["feed_url"] = request.build_absolute_uri(
            reverse("meetings:meeting_feed_member", args=[token.token])
        )
    return render_page(
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
            leave_request(meeting=meeting, member=member, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交请假。"))
            return redirect("meetings:my")
    title = _("请假：%(title)s") % {"title": meeting.title}
    return render_page(
        request,
        "meetings/leave.html",
        title,
        [(_("我的组织生活"), reverse("meetings:my")), (title, None)],
        form=form,
        meeting=meeting,
    )


@login_only
@require_POST
def feed_token(request: HttpRequest) -> HttpResponse:
    feed_token_reset(user=request.user)
    messages.success(request, _("已生成新的日历订阅地址，旧地址已失效。"))
    return redirect(
        request.POST.get("next")
        if request.POST.get("next", "").startswith("/meetings/")
        else "meetings:my"
    )
