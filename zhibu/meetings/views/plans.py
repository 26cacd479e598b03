"""The annual plan."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.pdf import pdf_response
from zhibu.meetings import exports, selectors
from zhibu.meetings.models import Meeting
from zhibu.meetings.services.plans import plan_generate, plan_items, plan_meetings, plan_submit
from zhibu.meetings.views.common import RECORD, VIEW, org_crumbs, render_page
from zhibu.members.selectors import political_birthdays


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
    submission = org.plan_submissions.filter(year=year).first() if org.is_branch else None
    reports = [] if org.is_branch else selectors.plan_reports(org, year)
    # The branch's calendar shows its members' 政治生日 to those who may see its members;
    # a committee's page would list thousands, so only a branch's page has them.
    birthdays = political_birthdays(user=request.user, org=org, year=year) if org.is_branch else []
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
        submission=submission,
        reports=reports,
        birthdays=birthdays,
        can_record=permissions.can(request.user, RECORD, org),
    )


@requires(RECORD)
@require_POST
def plan_submit_view(request: HttpRequest, org_id, year: int) -> HttpResponse:
    """报送: the branch reports its annual plan to the committee above."""
    org = selectors.meeting_org_for_user(request.user, org_id, action=RECORD)
    try:
        plan_submit(org=org, year=year, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("已将年度计划报送上级党委。"))
    return redirect("meetings:plan_year", org.public_id, year)


@requires(VIEW)
def plan_pdf_view(request: HttpRequest, org_id, year: int) -> HttpResponse:
    """The annual plan as a PDF to print, file or report."""
    org = selectors.meeting_org_for_user(request.user, org_id)
    submission = org.plan_submissions.select_related("submitted_by").filter(year=year).first()
    content = exports.plan_pdf(org, year, list(plan_meetings(org, year)), submission)
    return pdf_response(content, f"{org.name}{year}年度组织生活计划.pdf")
