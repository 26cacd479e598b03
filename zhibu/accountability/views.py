"""The 纪检 view of accountability signals, and 问责 decisions: record (closing signals),
read, edit with the version, print, export. Strict scope: only ``discipline.view``
holders, within their subtrees; everybody else is answered 404."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core import uploads
from zhibu.core.audit import audit_record
from zhibu.core.excel import workbook_response
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.models import AuditEvent
from zhibu.core.pdf import pdf_response
from zhibu.core.scope import in_subtree, subtree_q
from zhibu.core.versioning import is_stale, version_initial, version_of
from zhibu.members.models import Member
from zhibu.orgs.models import Org

from . import selectors, services
from .exports import decision_pdf, decisions_workbook
from .forms import DecisionForm
from .models import Decision, DecisionAttachment
from .selectors import MANAGE, VIEW, strict

PEOPLE_LIMIT = 300


def _crumbs(*tail):
    return [(_("问责"), reverse("accountability:index")), *tail]


def _scoped_org(request: HttpRequest, public_id) -> Org:
    """An org in the user's strict scope (else 404)."""
    try:
        org = Org.objects.get(public_id=public_id)
    except (Org.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if not in_subtree(org.path, selectors.view_paths(request.user)):
        raise Http404
    return org


@strict(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    kind = request.GET.get("kind", "")
    kinds = selectors.kinds()
    if kind not in {k for k, _label in kinds}:
        kind = ""
    state = request.GET.get("state", "")
    wanted = request.GET.get("org", "")
    org = _scoped_org(request, wanted) if wanted else None
    rows = selectors.signals_for(request.user, today, kind=kind, org=org)
    if state == "open":
        rows = [row for row in rows if row.closed_by is None]
    elif state == "closed":
        rows = [row for row in rows if row.closed_by is not None]
    groups = [
        (group_org, group_rows, permissions.can(request.user, MANAGE, group_org))
        for group_org, group_rows in selectors.grouped(rows)
    ]
    context = {
        "page_title": _("问责线索"),
        "breadcrumbs": [(_("问责"), None)],
        "groups": groups,
        "kinds": kinds,
        "kind": kind,
        "state": state,
        "list_org": org,
        "open_count": sum(1 for row in rows if row.closed_by is None),
        "closed_count": sum(1 for row in rows if row.closed_by is not None),
        "can_export": True,
    }
    return render(request, "accountability/index.html", context)


def _people(org: Org) -> list[Member]:
    return list(
        Member.objects.filter(
            subtree_q([org.path], field="org__path"),
            status__in=(Member.Status.FULL, Member.Status.PROBATIONARY),
        )
        .select_related("org")
        .order_by("name_pinyin")[:PEOPLE_LIMIT]
    )


def _choice(objects, public_id):
    return next((o for o in objects if str(o.public_id) == public_id), None)


@strict(VIEW)
def decision_new(request: HttpRequest, org_id) -> HttpResponse:
    """作出问责决定 about ``org``, answering some of its (and its subtree's) open signals."""
    org = _scoped_org(request, org_id)
    if not permissions.can(request.user, MANAGE, org):
        raise PermissionDenied
    today = timezone.localdate()
    open_rows = [
        row for row in selectors.signals_for(request.user, today, org=org) if row.closed_by is None
    ]
    choices = [
        (selectors.signal_ref(row.signal), f"{row.label}：{row.signal.title}") for row in open_rows
    ]
    deciders = selectors.deciding_orgs(request.user, org)
    people = _people(org)
    form = DecisionForm(
        request.POST or None,
        request.FILES or None,
        signals=choices,
        deciders=deciders,
        people=people,
        initial={
            "signals": request.GET.getlist("signal"),
            "decided_on": today,
            "deciding_org": str(deciders[0].public_id) if deciders else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            decision = services.decision_create(
                org=org,
                kind=cd["kind"],
                decided_on=cd["decided_on"],
                deciding_org=_choice(deciders, cd["deciding_org"]),
                reason=cd["reason"],
                signals=selectors.resolve_signals(request.user, cd["signals"], today),
                person=_choice(people, cd["person"]),
                document_no=cd["document_no"],
                discipline_ref=cd["discipline_ref"],
                files=cd["attachments"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记问责决定，相关线索已关闭。"))
            return redirect("accountability:decision", decision.public_id)
    return render(
        request,
        "accountability/form.html",
        {
            "form": form,
            "org": org,
            "page_title": _("作出问责决定"),
            "breadcrumbs": _crumbs((org.name, None)),
            "back": reverse("accountability:index") + f"?org={org.public_id}",
        },
    )


@strict(VIEW)
def decision_detail(request: HttpRequest, public_id) -> HttpResponse:
    decision = selectors.decision_for_user(request.user, public_id)
    context = {
        "decision": decision,
        "signals": list(decision.signals.all()),
        "attachments": list(decision.attachments.all()),
        "history": history_of(decision),
        "can_edit": permissions.can(request.user, MANAGE, decision.org),
        "page_title": _("问责决定"),
        "breadcrumbs": _crumbs(
            (_("问责决定"), reverse("accountability:decisions")), (str(decision), None)
        ),
    }
    return render(request, "accountability/detail.html", context)


@strict(VIEW)
def decision_edit(request: HttpRequest, public_id) -> HttpResponse:
    decision = selectors.decision_for_user(request.user, public_id)
    if not permissions.can(request.user, MANAGE, decision.org):
        raise PermissionDenied
    deciders = selectors.deciding_orgs(request.user, decision.org)
    if decision.deciding_org not in deciders:
        deciders.append(decision.deciding_org)
    people = _people(decision.org)
    if decision.person is not None and decision.person not in people:
        people.append(decision.person)
    initial = {
        "kind": decision.kind,
        "decided_on": decision.decided_on,
        "deciding_org": str(decision.deciding_org.public_id),
        "person": str(decision.person.public_id) if decision.person else "",
        "reason": decision.reason,
        "document_no": decision.document_no,
        "discipline_ref": decision.discipline_ref,
        **version_initial(decision),
    }
    form = DecisionForm(
        request.POST or None,
        request.FILES or None,
        deciders=deciders,
        people=people,
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.decision_update(
                decision=decision,
                kind=cd["kind"],
                decided_on=cd["decided_on"],
                deciding_org=_choice(deciders, cd["deciding_org"]),
                reason=cd["reason"],
                person=_choice(people, cd["person"]),
                document_no=cd["document_no"],
                discipline_ref=cd["discipline_ref"],
                files=cd["attachments"],
                version=cd.get("version"),
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            if is_stale(exc):
                data = request.POST.copy()
                data["version"] = version_of(Decision.objects.get(pk=decision.pk))
                form.data = data
        else:
            messages.success(request, _("已保存问责决定。"))
            return redirect("accountability:decision", decision.public_id)
    return render(
        request,
        "accountability/form.html",
        {
            "form": form,
            "org": decision.org,
            "page_title": _("修改问责决定"),
            "breadcrumbs": _crumbs((str(decision), None)),
            "back": reverse("accountability:decision", args=[decision.public_id]),
        },
    )


@strict(VIEW)
def decision_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    page = Paginator(selectors.decision_list(request.user, kind=kind), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accountability/decisions.html",
        {
            "page_obj": page,
            "decisions": page.object_list,
            "query_string": urlencode({"kind": kind}),
            "kinds": Decision.Kind.choices,
            "kind": kind,
            "page_title": _("问责决定"),
            "breadcrumbs": _crumbs((_("问责决定"), None)),
        },
    )


@strict(VIEW)
def decision_export(request: HttpRequest) -> HttpResponse:
    """问责决定台账 for the 纪委 (Excel), audited."""
    kind = request.GET.get("kind", "")
    today = timezone.localdate()
    qs = selectors.decision_list(request.user, kind=kind).prefetch_related("signals")
    content, count = decisions_workbook(qs)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("导出问责决定台账 %(n)s 条") % {"n": count},
        request=request,
        details={"filters": {"kind": kind}, "rows": count},
    )
    return workbook_response(content, f"问责决定台账-{today:%Y%m%d}.xlsx")


@strict(VIEW)
def decision_print(request: HttpRequest, public_id) -> HttpResponse:
    """问责决定登记表 (PDF), audited as an export."""
    decision = selectors.decision_for_user(request.user, public_id)
    content = decision_pdf(decision)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("打印问责决定登记表：%(d)s") % {"d": str(decision)},
        request=request,
        obj=decision,
        org_path=decision.org.path,
    )
    return pdf_response(content, f"问责决定登记表-{decision.decided_on:%Y%m%d}.pdf")


@strict(VIEW)
def attachment(request: HttpRequest, public_id) -> HttpResponseBase:
    try:
        item = DecisionAttachment.objects.select_related("decision").get(public_id=public_id)
    except (DecisionAttachment.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    selectors.decision_for_user(request.user, item.decision.public_id)  # 404 outside scope
    return uploads.serve(item.file, content_type=item.content_type, filename=item.original_name)
