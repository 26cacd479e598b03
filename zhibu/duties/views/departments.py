"""The functional departments of one organisation's unit: list, add, rename, deactivate."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.core.versioning import save_versioned, version_initial
from zhibu.duties.forms.letters import DepartmentForm
from zhibu.duties.services import departments as services
from zhibu.orgs.models import Department
from zhibu.orgs.selectors import org_for_user

EDIT = "org.edit"


def _crumbs(org, *tail):
    return [
        (org.name, reverse("orgs:detail", args=[org.public_id])),
        (_("职能部门"), reverse("duties:departments", args=[org.public_id])),
        *tail,
    ]


@requires("org.view")
def department_list(request: HttpRequest, org_id) -> HttpResponse:
    org = org_for_user(request.user, org_id)
    can_edit = permissions.can(request.user, EDIT, org)
    form = DepartmentForm(request.POST or None, initial={"active": True})
    if request.method == "POST":
        if not can_edit:
            org_for_user(request.user, org_id, action=EDIT)  # 403
        if form.is_valid():
            try:
                services.department_add(
                    org=org,
                    name=form.cleaned_data["name"],
                    sort_order=form.cleaned_data["sort_order"] or 0,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已添加部门。"))
                return redirect("duties:departments", org.public_id)
    return render(
        request,
        "duties/departments.html",
        {
            "page_title": _("职能部门"),
            "breadcrumbs": [*_crumbs(org)[:-1], (_("职能部门"), None)],
            "org": org,
            "departments": list(Department.objects.filter(org=org)),
            "form": form if can_edit else None,
        },
    )


@requires(EDIT)
def department_edit(request: HttpRequest, public_id) -> HttpResponse:
    try:
        department = Department.objects.select_related("org").get(public_id=public_id)
    except (Department.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    org = org_for_user(request.user, department.org.public_id, action=EDIT)
    initial = {
        "name": department.name,
        "sort_order": department.sort_order,
        "active": department.active,
        **version_initial(department),
    }
    form = DepartmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data

        def save():
            return services.department_update(
                department=department,
                name=cd["name"],
                sort_order=cd["sort_order"] or 0,
                active=cd["active"],
            )

        if save_versioned(form, department, save, noun=_("部门")) is not None:
            messages.success(request, _("已保存。"))
            return redirect("duties:departments", org.public_id)
    title = _("修改部门")
    return render(
        request,
        "duties/letters/form.html",
        {
            "page_title": title,
            "breadcrumbs": _crumbs(org, (title, None)),
            "form": form,
            "back": reverse("duties:departments", args=[org.public_id]),
            "subtitle": org.name,
        },
    )
