"""检查、巡察: the list, recording one, its page, and adding the problems it found (each
becomes a rectification item)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.forms import apply_errors, indented
from zhibu.core.history import history_of
from zhibu.duties.forms import rectification as forms
from zhibu.duties.models import Inspection, Rectification
from zhibu.duties.selectors.rectification import VIEW, WRITE
from zhibu.duties.services import rectification as services
from zhibu.meetings.selectors import meeting_org_for_user
from zhibu.meetings.views.common import pick
from zhibu.members.selectors import members_on
from zhibu.orgs.models import Org


def visible_inspections(user):
    return Inspection.objects.filter(permissions.scope_q(user, VIEW, field="org__path"))


def inspection_for_user(user, public_id) -> Inspection:
    try:
        return visible_inspections(user).select_related("org").get(public_id=public_id)
    except (Inspection.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _crumbs(*tail):
    return [(_("检查巡察"), reverse("duties:inspections")), *tail]


def _page(request, form, title, crumbs, back, intro=""):
    return render(
        request,
        "duties/form.html",
        {"page_title": title, "breadcrumbs": crumbs, "form": form, "back": back, "intro": intro},
    )


@requires(VIEW)
def inspection_list(request: HttpRequest) -> HttpResponse:
    if request.GET.get("org"):
        try:
            org_id = uuid.UUID(request.GET["org"])
        except ValueError:
            raise Http404 from None
        return redirect("duties:inspection_new", org_id)
    qs = visible_inspections(request.user).select_related("org").order_by("-on", "-id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    orgs = (
        Org.objects.filter(permissions.scope_q(request.user, WRITE)).order_by("path")[:300]
        if permissions.holds_anywhere(request.user, WRITE)
        else []
    )
    return render(
        request,
        "duties/inspection_list.html",
        {
            "page_obj": page,
            "orgs": indented(orgs),
            "query_string": "",
            "page_title": _("检查巡察"),
            "breadcrumbs": [(_("检查巡察"), None)],
        },
    )


@requires(WRITE)
def inspection_new(request: HttpRequest, org_id) -> HttpResponse:
    org = meeting_org_for_user(request.user, org_id, action=WRITE)
    form = forms.InspectionForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.inspection_create(org=org, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记检查，请逐项登记发现的问题。"))
            return redirect("duties:inspection", item.public_id)
    title = _("登记检查巡察")
    return _page(
        request, form, title, _crumbs((title, None)), reverse("duties:inspections"), org.name
    )


@requires(VIEW)
def inspection_detail(request: HttpRequest, public_id) -> HttpResponse:
    item = inspection_for_user(request.user, public_id)
    problems = Rectification.objects.filter(
        source_ref=services.inspection_ref(item)
    ).select_related("owner")
    return render(
        request,
        "duties/inspection_detail.html",
        {
            "item": item,
            "problems": list(problems),
            "history": history_of(item),
            "today": timezone.localdate(),
            "can_add": permissions.can(request.user, WRITE, item.org),
            "page_title": item.title,
            "breadcrumbs": _crumbs((item.title[:20], None)),
        },
    )


@requires(WRITE)
def inspection_problem_new(request: HttpRequest, public_id) -> HttpResponse:
    item = inspection_for_user(request.user, public_id)
    if not permissions.can(request.user, WRITE, item.org):
        raise PermissionDenied
    people = list(members_on(item.org, timezone.localdate()).order_by("name_pinyin"))
    form = forms.ItemForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.inspection_problem_add(
                inspection=item,
                problem=cd["problem"],
                measure=cd["measure"],
                deadline=cd["deadline"],
                owner=pick(people, cd["owner"]),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已列入整改清单。"))
            return redirect("duties:inspection", item.public_id)
    title = _("登记发现的问题")
    back = reverse("duties:inspection", args=[item.public_id])
    return _page(request, form, title, _crumbs((item.title[:20], back), (title, None)), back)
