"""Granting a role from the users pages (授予角色).

The page belongs to the administrators' pages (``accounts:role_grant``), but choosing the
org a business role is held at needs the org tree, which sits above accounts; so the view
lives here and the root URLconf mounts it in the ``accounts`` namespace.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _

from zhibu.accounts import selectors, services
from zhibu.accounts.forms import RoleGrantForm
from zhibu.accounts.permissions import business_grant_paths
from zhibu.accounts.views import AuthedRequest, form_page, users_crumb
from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.core.scope import subtree_q
from zhibu.orgs.models import Org


def grantable_orgs(user) -> QuerySet[Org]:
    """The orgs ``user`` may grant business roles at (the page's choices, the API's scope):
    the subtrees of their party-tree ``role.grant``; none for a platform administrator."""
    paths = business_grant_paths(user)
    return Org.objects.filter(subtree_q(paths)) if paths else Org.objects.none()


def grant_role(*, user, target, role: str, org, start, end, note: str = "", request=None):
    """Grant ``role`` at ``org`` to ``target`` as the page does (``services.role_grant``
    holds every rule: 三员分立, scope, two-person rule, levels, overlaps)."""
    return services.role_grant(
        user=target,
        role=role,
        org=org,
        start=start,
        end=end,
        note=note,
        by=user,
        request=request,
    )


@requires("role.grant")
def role_grant(request: AuthedRequest, public_id) -> HttpResponse:
    target = selectors.user_for_admin(request.user, public_id)
    orgs = grantable_orgs(request.user)
    form = RoleGrantForm(request.POST or None, orgs=orgs.order_by("path"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant_role(
                user=request.user,
                target=target,
                role=data["role"],
                org=data["org"],
                start=data["start"],
                end=data["end"],
                note=data["note"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已授予角色。"))
            return redirect("accounts:user_detail", public_id=target.public_id)
    detail = reverse("accounts:user_detail", args=[target.public_id])
    return form_page(
        request,
        form,
        title=_("授予角色"),
        crumbs=[users_crumb(), (target.display_name, detail)],
        cancel=detail,
        submit_label=_("授予"),
        target=target,
    )


# Mounted under /admin/ in the ``accounts`` namespace by zhibu/urls.py.
urlpatterns = [
    path("users/<uuid:public_id>/roles/new/", role_grant, name="role_grant"),
]
