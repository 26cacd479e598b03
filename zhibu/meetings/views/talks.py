"""谈心谈话: the register and the coverage matrix."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.committees.selectors import linkage_candidates
from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.core.params import year_param
from zhibu.meetings import forms, selectors
from zhibu.meetings.models import Talk
from zhibu.meetings.services.talks import talk_record
from zhibu.meetings.views.common import RECORD, VIEW, org_crumbs, pick, render_page
from zhibu.members.selectors import members_on


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
            talk_record(
                org=org,
                on=cd["on"],
                member_a=pick(people, cd["member_a"]),
                member_b=pick(partners, cd["member_b"]),
                topic=cd["topic"],
                note=cd["note"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记谈心谈话。"))
            return redirect("meetings:talks", org.public_id)
    year = year_param(request)
    rows = (
        Talk.objects.filter(org=org, on__year=year)
        .select_related("member_a", "member_b")
        .order_by("-on", "-id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    title = _("谈心谈话")
    return render_page(
        request,
        "meetings/talks.html",
        title,
        org_crumbs(org, (title, None)),
        org=org,
        form=form,
        page_obj=page,
        year=year,
        can_record=permissions.can(request.user, RECORD, org),
        query_string=f"year={year}",
    )


@requires(VIEW)
def talk_matrix(request: HttpRequest, org_id, year: int) -> HttpResponse:
    org = selectors.meeting_org_for_user(request.user, org_id)
    matrix = selectors.talk_matrix(org, year, timezone.localdate())
    title = _("%(year)s 年谈心谈话覆盖情况") % {"year": year}
    return render_page(
        request,
        "meetings/matrix.html",
        title,
        org_crumbs(org, (title, None)),
        org=org,
        year=year,
        matrix=matrix,
    )
