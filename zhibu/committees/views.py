"""Org pages: the tree browser, the org page with its tabs, and the write forms.

They live above the roll (member counts, post holders, the ORG checks), so in this app;
the URLs keep the ``orgs`` namespace."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.committees import forms, selectors, services
from zhibu.core.access import login_only, requires
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.rules import in_force
from zhibu.core.rules.engine import evaluate_codes
from zhibu.core.versioning import save_versioned, version_initial, without_version
from zhibu.members.selectors import member_for_user
from zhibu.orgs import selectors as org_selectors
from zhibu.orgs import services as org_services
from zhibu.orgs.current import set_current_org
from zhibu.orgs.models import Committee, CommitteePost, Linkage, Org, OrgEvent

ORG_CHECKS = ("ORG-01", "ORG-02", "ORG-03", "ORG-04", "ORG-05", "ORG-06", "ORG-07", "ORG-08")
TABS = ("info", "committee", "children", "linkage", "history")


def _crumbs(request, org: Org, *tail) -> list[tuple[str, str | None]]:
    trail = [(_("组织"), reverse("orgs:tree"))]
    for ancestor in org_selectors.ancestors_of(org, request.user):
        trail.append(
            (
                ancestor.short_name or ancestor.name,
                reverse("orgs:detail", args=[ancestor.public_id]),
            )
        )
    trail.append((org.name, reverse("orgs:detail", args=[org.public_id])))
    trail.extend(tail)
    return trail


def _parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@requires("org.view")
def tree(request: HttpRequest) -> HttpResponse:
    """The visible tree: roots with their children; deeper levels load on demand."""
    q = request.GET.get("q", "").strip()
    on = _parse_day(request.GET.get("on"))
    context = {"page_title": _("党组织"), "breadcrumbs": [(_("组织"), None)], "q": q, "on": on}
    if q:
        context["results"] = list(org_selectors.org_list(user=request.user, q=q)[:100])
    elif on:
        context["as_of"] = org_selectors.tree_as_of(user=request.user, on=on)
    else:
        roots = org_selectors.roots_for(request.user)
        context["roots"] = [
            (root, selectors.org_children(user=request.user, parent=root)) for root in roots
        ]
    return render(request, "orgs/tree.html", context)


@requires("org.view")
def children(request: HttpRequest, public_id) -> HttpResponse:
    """htmx partial: the children of one org in the tree browser."""
    org = org_selectors.org_for_user(request.user, public_id)
    rows = selectors.org_children(user=request.user, parent=org)
    return render(request, "orgs/_children.html", {"rows": rows})


@requires("org.view")
def detail(request: HttpRequest, public_id) -> HttpResponse:
    org = org_selectors.org_for_user(request.user, public_id)
    tab = request.GET.get("tab", "info")
    if tab not in TABS:
        raise Http404
    today = timezone.localdate()
    user = request.user
    context = {
        "org": org,
        "tab": tab,
        "page_title": org.name,
        "breadcrumbs": _crumbs(request, org),
        "can_edit": permissions.can(user, "org.edit", org),
        "can_structure": permissions.can(user, "org.structure", org),
        "can_move": permissions.can_strictly_below(user, "org.structure", org)
        and org.dissolved_on is None,
        "can_committee": permissions.can(user, "committee.manage", org),
        "secretary": org_selectors.posts_on(
            [org.pk], today, [CommitteePost.Post.SECRETARY]
        ).first(),
    }
    if tab == "info":
        results = evaluate_codes(ORG_CHECKS, [org], on=today)
        context["checks"] = [
            (code, outcome) for code, outcomes in results.items() for outcome in outcomes
        ]
        context["rules"] = {code: in_force(code, today) for code in results}
        context["units"] = list(org.units.all())
    elif tab == "committee":
        context["committees"] = list(org.committees.order_by("-elected_on"))
        context["posts"] = list(
            org.posts.select_related("holder", "committee").order_by("end", "post", "-start")
        )
    elif tab == "children":
        context["rows"] = selectors.org_children(user=user, parent=org, include_dissolved=True)
    elif tab == "linkage":
        context["linkages"] = list(org.linkages.select_related("person").order_by("-start"))
    elif tab == "history":
        context["events"] = list(
            OrgEvent.objects.filter(org=org).select_related(
                "from_parent", "to_parent", "recorded_by"
            )
        )
        context["history"] = history_of(org)
    return render(request, "orgs/detail.html", context)


@requires("org.structure")
def create(request: HttpRequest, public_id) -> HttpResponse:
    parent = org_selectors.org_for_user(request.user, public_id, action="org.structure")
    form = forms.OrgCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            org = org_services.org_create(parent=parent, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新建“%(name)s”。") % {"name": org.name})
            return redirect("orgs:detail", org.public_id)
    crumbs = _crumbs(request, parent, (_("新建下级组织"), None))
    return render(
        request,
        "orgs/form.html",
        {"form": form, "org": parent, "page_title": _("新建下级组织"), "breadcrumbs": crumbs},
    )


@requires("org.edit")
def edit(request: HttpRequest, public_id) -> HttpResponse:
    org = org_selectors.org_for_user(request.user, public_id, action="org.edit")
    initial = {
        f: getattr(org, f)
        for f in (
            "name",
            "short_name",
            "code",
            "sector",
            "contact_name",
            "contact_phone",
            "address",
            "note",
        )
    }
    initial["units"] = list(org.units.all())
    form = forms.OrgEditForm(request.POST or None, initial={**initial, **version_initial(org)})
    if request.method == "POST" and form.is_valid():
        data = without_version(form.cleaned_data)
        units = list(data.pop("units"))
        saved = save_versioned(
            form,
            org,
            lambda: org_services.org_update(org=org, by=request.user, units=units, **data),
            noun=_("党组织"),
        )
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect("orgs:detail", org.public_id)
    crumbs = _crumbs(request, org, (_("修改"), None))
    return render(
        request,
        "orgs/form.html",
        {"form": form, "org": org, "page_title": _("修改组织信息"), "breadcrumbs": crumbs},
    )


def _structure_below(request, public_id) -> Org:
    """An org the user may move or dissolve: granted from an org above it."""
    org = org_selectors.org_for_user(request.user, public_id)
    if not permissions.can_strictly_below(request.user, "org.structure", org):
        raise PermissionDenied
    return org


@requires("org.structure")
def move(request: HttpRequest, public_id) -> HttpResponse:
    org = _structure_below(request, public_id)
    targets = org_selectors.move_targets(user=request.user, org=org)
    form = forms.OrgMoveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = org_selectors.org_for_user(request.user, data["to_parent"], action="org.structure")
        try:
            org_services.org_move(
                org=org,
                to_parent=target,
                on=data["on"],
                document_no=data["document_no"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已调整隶属关系。"))
            return redirect("orgs:detail", org.public_id)
    crumbs = _crumbs(request, org, (_("调整隶属关系"), None))
    return render(
        request,
        "orgs/form.html",
        {"form": form, "org": org, "page_title": _("调整隶属关系"), "breadcrumbs": crumbs},
    )


@requires("org.structure")
def dissolve(request: HttpRequest, public_id) -> HttpResponse:
    org = _structure_below(request, public_id)
    form = forms.OrgDissolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_dissolve(org=org, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已撤销“%(name)s”。") % {"name": org.name})
            return redirect("orgs:detail", org.public_id)
    crumbs = _crumbs(request, org, (_("撤销组织"), None))
    context = {
        "form": form,
        "org": org,
        "page_title": _("撤销组织"),
        "breadcrumbs": crumbs,
        "danger": True,
    }
    return render(request, "orgs/form.html", context)


# --- committee, posts, linkage -----------------------------------------------------------


def _committee_page(request, org, form, title):
    crumbs = _crumbs(request, org, (title, None))
    return render(
        request,
        "orgs/form.html",
        {"form": form, "org": org, "page_title": title, "breadcrumbs": crumbs},
    )


def _back_to(org: Org, tab: str):
    return redirect(reverse("orgs:detail", args=[org.public_id]) + f"?tab={tab}")


@requires("org.view")
def committee(request: HttpRequest, committee_id) -> HttpResponse:
    """A committee's place: its org's committee tab (findings link committees this way)."""
    org_id = Committee.objects.filter(public_id=committee_id).values("org__public_id").first()
    if org_id is None:
        raise Http404
    return _back_to(org_selectors.org_for_user(request.user, org_id["org__public_id"]), "committee")


@requires("committee.manage")
def elect(request: HttpRequest, public_id) -> HttpResponse:
    org = org_selectors.org_for_user(request.user, public_id, action="committee.manage")
    form = forms.ElectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_elect(org=org, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记换届选举。"))
            return _back_to(org, "committee")
    return _committee_page(request, org, form, _("登记换届选举"))


@requires("committee.manage")
def file_committee(request: HttpRequest, public_id, committee_id) -> HttpResponse:
    org = org_selectors.org_for_user(request.user, public_id, action="committee.manage")
    committee = Committee.objects.filter(org=org, public_id=committee_id).first()
    if committee is None:
        raise Http404
    form = forms.FilingForm(request.POST or None, initial={"filing": committee.filing})
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_file(committee=committee, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已更新报批状态。"))
            return _back_to(org, "committee")
    return _committee_page(request, org, form, _("报批与备案"))


@requires("committee.manage")
def post_add(request: HttpRequest, public_id) -> HttpResponse:
    org = org_selectors.org_for_user(request.user, public_id, action="committee.manage")
    candidates = list(selectors.post_candidates(user=request.user, org=org))
    form = forms.PostForm(request.POST or None, org=org, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        holder = member_for_user(request.user, data["holder"])
        committee = org.committees.filter(ended_on__isnull=True).order_by("-elected_on").first()
        if data["post"] == CommitteePost.Post.GROUP_LEADER:
            committee = None
        try:
            services.post_assign(
                org=org,
                post=data["post"],
                holder=holder,
                start=data["start"],
                end=data["end"],
                committee=committee,
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记任职。"))
            return _back_to(org, "committee")
    return _committee_page(request, org, form, _("登记任职"))


@requires("committee.manage")
def post_end(request: HttpRequest, public_id, post_id) -> HttpResponse:
    org = org_selectors.org_for_user(request.user, public_id, action="committee.manage")
    record = CommitteePost.objects.filter(org=org, public_id=post_id, end__isnull=True).first()
    if record is None:
        raise Http404
    form = forms.EndForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_end(record=record, on=form.cleaned_data["on"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记离任。"))
            return _back_to(org, "committee")
    return _committee_page(request, org, form, _("登记离任：%(who)s") % {"who": record})


@requires("committee.manage")
def post_approve(request: HttpRequest, public_id, post_id) -> HttpResponse:
    org = org_selectors.org_for_user(request.user, public_id, action="committee.manage")
    record = CommitteePost.objects.filter(org=org, public_id=post_id, approved=False).first()
    if record is None:
        raise Http404
    form = forms.ApproveForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_approve(record=record, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记上级批复。"))
            return _back_to(org, "committee")
    return _committee_page(request, org, form, _("登记上级批复：%(who)s") % {"who": record})


@requires("committee.manage")
def linkage_add(request: HttpRequest, public_id) -> HttpResponse:
    org = org_selectors.org_for_user(request.user, public_id, action="committee.manage")
    candidates = list(selectors.linkage_candidates(org=org, on=timezone.localdate()))
    form = forms.LinkageForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = next((m for m in candidates if str(m.public_id) == data["person"]), None)
        if person is None:
            raise Http404
        try:
            services.linkage_add(
                org=org,
                person=person,
                start=data["start"],
                end=data["end"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记定点联系。"))
            return _back_to(org, "linkage")
    return _committee_page(request, org, form, _("登记定点联系"))


@requires("committee.manage")
def linkage_end(request: HttpRequest, public_id, linkage_id) -> HttpResponse:
    org = org_selectors.org_for_user(request.user, public_id, action="committee.manage")
    link = Linkage.objects.filter(org=org, public_id=linkage_id, end__isnull=True).first()
    if link is None:
        raise Http404
    form = forms.EndForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.linkage_end(linkage=link, on=form.cleaned_data["on"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已结束定点联系。"))
            return _back_to(org, "linkage")
    return _committee_page(request, org, form, _("结束定点联系"))


@login_only
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Choose the current org among the user's own (top-bar switcher)."""
    try:
        org = Org.objects.get(public_id=request.POST.get("org"))
    except (Org.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    if not set_current_org(request, org):
        raise Http404
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
