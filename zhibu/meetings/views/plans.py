"""The annual plan."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.meetings import selectors
from zhibu.meetings.models import Meeting
from zhibu.meetings.services.plans import plan_generate, plan_items
from zhibu.meetings.views.common import RECORD, VIEW, org_crumbs, render_page


@requires(VIEW)
def plan_year(request: HttpRequest, org_id, year: int) -> HttpResponse:
    """The year's calendar; POST generates the planned meetings the rules ask for."""
    action = RECORD if request.method == "POST" else VIEW
    org = selectors.meeting_org_for_user(request.user, org_id, action=action)
    if request.method == "POST":
        try:
            created = plan_generate(org=org, year=year, by=request.user)
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
    proposal = plan_items(org=org, year=year) if org.is_branch else []
    title = _("%(year)s 年度组织生活计划") % {"year": year}
    return render_page(
        request,
        "meetings/plan.html",
        title,
        org_crumbs(org, (title, None)),
        org=org,
        year=year,
        meetings=meetings,
        proposal=proposal,
        can_record=permissions.can(request.user, RECORD, org),
    )
