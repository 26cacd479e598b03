"""党员账号: the page where a 党务工作者 opens members' accounts and prints the sheet."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.accounts.views import AuthedRequest
from zhibu.core.access import requires
from zhibu.core.pdf import pdf_response
from zhibu.members import accounts, selectors
from zhibu.members.models import Member
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_for_user

MANAGE = accounts.MANAGE


def managed_orgs(user):
    return Org.objects.filter(permissions.scope_q(user, MANAGE)).order_by("path")


def org_from(request: HttpRequest, value: str | None) -> Org:
    """The chosen org (404 out of sight, 403 without ``member.manage``), else the first."""
    if value:
        return org_for_user(request.user, value, action=MANAGE)
    org = managed_orgs(request.user).first()
    if org is None:
        raise Http404
    return org


def org_members(user, org: Org):
    return (
        selectors.member_list(user=user, org=org, action=MANAGE)
        .select_related("user")
        .filter(status__in=Member.ON_ROSTER)
    )


def sheet_response(request: HttpRequest, org: Org, issued) -> HttpResponse:
    content = accounts.distribution_sheet(
        org=org, issued=issued, sign_in_url=request.build_absolute_uri(reverse("code_sign_in"))
    )
    day = timezone.localdate().isoformat()
    response = pdf_response(content, f"党员账号通知单-{org.name}-{day}.pdf")
    response["Cache-Control"] = "no-store"
    return response


@requires(MANAGE)
def member_accounts(request: AuthedRequest) -> HttpResponse:
    org = org_from(request, request.POST.get("org") or request.GET.get("org"))
    members = org_members(request.user, org)
    if request.method == "POST":
        chosen = request.POST.getlist("members")
        picked = list(members)
        if chosen:
            wanted = set(chosen)
            picked = [m for m in picked if str(m.public_id) in wanted]
            if len(picked) != len(wanted):
                raise Http404
        try:
            issued = accounts.accounts_issue(
                members=picked,
                by=request.user,
                reissue=request.POST.get("reissue") == "1",
                request=request,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(f"{reverse('members:accounts')}?org={org.public_id}")
        return sheet_response(request, org, issued)
    rows = accounts.roster_with_accounts(members)
    return render(
        request,
        "members/accounts.html",
        {
            "org": org,
            "orgs": managed_orgs(request.user)[:500],
            "rows": rows,
            "without": sum(1 for _m, state, _l in rows if state == "none"),
            "pending": sum(1 for _m, state, _l in rows if state == "pending"),
            "can_import": True,
            "page_title": _("党员账号"),
            "breadcrumbs": [(_("党员名册"), reverse("members:list")), (_("党员账号"), None)],
        },
    )
