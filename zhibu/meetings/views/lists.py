"""Meeting lists: the user's scope, and one org's year."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.params import year_param
from zhibu.meetings import selectors
from zhibu.meetings.models import Meeting, MeetingKind, Review
from zhibu.meetings.views.common import RECORD, VIEW, org_crumbs, render_page
from zhibu.orgs.models import Org


@requires(VIEW)
def meeting_list(request: HttpRequest) -> HttpResponse:
    """Meetings in the user's scope, newest first, filtered by year, kind and status."""
    year = year_param(request)
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    qs = selectors.meeting_list(
        user=request.user,
        year=year,
        kind=kind if kind in MeetingKind.values else "",
        status=status if status in Meeting.Status.values else "",
    )
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
    return render_page(
        request,
        "meetings/list.html",
        _("组织生活"),
        [(_("组织生活"), None)],
        page_obj=page,
        year=year,
        kind=kind,
        status=status,
        kinds=MeetingKind.choices,
        statuses=Meeting.Status.choices,
        orgs=orgs,
        query_string=query,
    )


@requires(VIEW)
def org_home(request: HttpRequest, org_id) -> HttpResponse:
    """One org's year: its meetings by month, and the ways in to record, plan and export."""
    org = selectors.meeting_org_for_user(request.user, org_id)
    year = year_param(request)
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
    return render_page(
        request,
        "meetings/org.html",
        org.name,
        [*org_crumbs(org)[:-1], (org.name, None)],
        org=org,
        year=year,
        months=months.items(),
        can_record=can_record,
        settings=conf,
        today=timezone.localdate(),
        reviews=list(Review.objects.filter(org=org).order_by("-year")[:5]),
    )
