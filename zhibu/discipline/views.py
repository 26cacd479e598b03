"""Discipline pages (纪检): the records in the strict scope, recording and editing one
(version-checked), an appeal, the DISC-07 statistics, the Excel for the 纪委 (audited)
and a record's 处分决定登记表. Outside the scope every page answers 404 — there is no
"forbidden" that would tell a record exists."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.access import login_only, requires
from zhibu.core.audit import audit_record
from zhibu.core.excel import workbook_response
from zhibu.core.history import history_of
from zhibu.core.models import AuditEvent
from zhibu.core.pdf import pdf_response
from zhibu.core.scope import ancestor_paths
from zhibu.core.versioning import save_versioned, version_initial, without_version
from zhibu.discipline import exports, forms, selectors, services
from zhibu.discipline.models import DisciplineRecord
from zhibu.discipline.restrictions import post_barred, readmission_barred, vote_barred
from zhibu.discipline.selectors import MANAGE, VIEW
from zhibu.orgs.models import Org

NOUN = "纪律处分记录"


def _crumbs(*tail):
    return [(_("纪律处分"), reverse("discipline:index")), *tail]


def _require_scope(user) -> None:
    if not selectors.may_see_any(user):
        raise Http404


def _filters(request):
    try:
        org = (
            Org.objects.filter(public_id=request.GET.get("org")).first()
            if request.GET.get("org")
            else None
        )
    except ValidationError:  # not a UUID
        org = None
    kind = request.GET.get("kind", "")
    kind = kind if kind in DisciplineRecord.Kind.values else ""
    year = request.GET.get("year", "")
    # A year outside the calendar's range would fail the date lookup: ignore it.
    return org, kind, int(year) if year.isdigit() and 1900 <= int(year) <= 2999 else None


def _scope_orgs(user):
    paths = permissions.scope_paths(user, VIEW)
    ids = selectors.secretary_org_ids(user)
    orgs = list(Org.objects.filter(path__in=paths).order_by("path")) if paths else []
    orgs += [o for o in Org.objects.filter(pk__in=ids).order_by("path") if o not in orgs]
    return orgs


@login_only
def index(request: HttpRequest) -> HttpResponse:
    _require_scope(request.user)
    org, kind, year = _filters(request)
    qs = selectors.record_list(user=request.user, org=org, kind=kind, year=year)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    q = request.GET.get("q", "")
    query = f"org={org.public_id if org else ''}&kind={kind}&year={year or ''}"
    return render(
        request,
        "discipline/index.html",
        {
            "page_title": _("纪律处分"),
            "breadcrumbs": [(_("纪律处分"), None)],
            "page_obj": page,
            "kinds": DisciplineRecord.Kind.choices,
            "kind": kind,
            "year": year or "",
            "org": org,
            "orgs": _scope_orgs(request.user),
            "q": q,
            "candidates": selectors.members_to_record(request.user, q),
            "can_manage": bool(permissions.scope_paths(request.user, MANAGE)),
            "can_export": permissions.holds_anywhere(request.user, VIEW),
            "query_string": query,
            "today": timezone.localdate(),
        },
    )


def _form_orgs(member):
    paths = ancestor_paths(member.org.path, include_self=True)
    deciders = list(Org.objects.filter(path__in=paths).order_by("path"))
    post_orgs = deciders + ([member.group] if member.group_id else [])
    return deciders, post_orgs


def _pick(orgs, public_id):
    return next((o for o in orgs if str(o.public_id) == public_id), None)


def _record_page(request, member, record: DisciplineRecord | None) -> HttpResponse:
    deciders, post_orgs = _form_orgs(member)
    initial: dict = {"decided_on": timezone.localdate()}
    if record is not None:
        initial = {
            **version_initial(record),
            "kind": record.kind,
            "form": record.form,
            "deciding_org": str(record.deciding_org.public_id),
            "decided_on": record.decided_on,
            "document_no": record.document_no,
            "facts": record.facts,
            "probation_years": record.probation_years,
            "extended_on": record.extended_on,
            "outcome": record.outcome,
            "outcome_on": record.outcome_on,
            "ref_post": record.ref_post,
            "ref_org": str(record.ref_org.public_id) if record.ref_org else "",
        }
    elif deciders:
        initial["deciding_org"] = str(deciders[0].public_id)
    form = forms.RecordForm(
        request.POST or None, initial=initial, orgs=deciders, post_orgs=post_orgs
    )
    if request.method == "POST" and form.is_valid():
        data = without_version(form.cleaned_data)
        data["deciding_org"] = _pick(deciders, data["deciding_org"])
        data["ref_org"] = _pick(post_orgs, data["ref_org"])

        def save():
            return services.record_save(member=member, record=record, by=request.user, **data)

        saved = save_versioned(form, record, save, noun=_(NOUN))
        if saved is not None:
            messages.success(request, _("已保存纪律处分记录。"))
            return redirect("discipline:detail", saved.public_id)
    title = _("修改纪律处分记录") if record else _("登记纪律处分")
    back = (
        reverse("discipline:detail", args=[record.public_id])
        if record
        else reverse("discipline:index")
    )
    return render(
        request,
        "discipline/form.html",
        {
            "page_title": title,
            "breadcrumbs": _crumbs((title, None)),
            "form": form,
            "member": member,
            "back": back,
        },
    )


@requires(MANAGE)
def new(request: HttpRequest, member_id) -> HttpResponse:
    member = selectors.member_for_manage(request.user, member_id)
    return _record_page(request, member, None)


@login_only
def edit(request: HttpRequest, public_id) -> HttpResponse:
    record = selectors.record_for_user(request.user, public_id, write=True)
    return _record_page(request, record.member, record)


@login_only
def detail(request: HttpRequest, public_id) -> HttpResponse:
    record = selectors.record_for_user(request.user, public_id)
    today = timezone.localdate()
    member = record.member
    restrictions = [
        (_("表决权、选举权"), vote_barred([member.pk], today).get(member.pk)),
        (_("担任党内职务"), post_barred(member, today)),
        (_("重新入党"), readmission_barred(record, today)),
    ]
    return render(
        request,
        "discipline/detail.html",
        {
            "page_title": f"{member.name} · {record.get_kind_display()}",
            "breadcrumbs": _crumbs((member.name, None)),
            "record": record,
            "appeals": list(record.appeals.order_by("decided_on", "id")),
            "restrictions": [(label, r) for label, r in restrictions if r is not None],
            "can_manage": selectors.can_manage(request.user, record),
            "history": history_of(record),
        },
    )


@login_only
def appeal(request: HttpRequest, public_id) -> HttpResponse:
    record = selectors.record_for_user(request.user, public_id, write=True)
    today = timezone.localdate()
    form = forms.AppealForm(
        request.POST or None,
        initial={**version_initial(record), "filed_on": today, "decided_on": today},
    )
    if request.method == "POST" and form.is_valid():
        data = without_version(form.cleaned_data)

        def save():
            return services.appeal_record(record=record, by=request.user, **data)

        if save_versioned(form, record, save, noun=_(NOUN)) is not None:
            messages.success(request, _("已登记申诉及复查结论。"))
            return redirect("discipline:detail", record.public_id)
    title = _("登记申诉")
    return render(
        request,
        "discipline/form.html",
        {
            "page_title": title,
            "breadcrumbs": _crumbs(
                (record.member.name, reverse("discipline:detail", args=[record.public_id])),
                (title, None),
            ),
            "form": form,
            "member": record.member,
            "back": reverse("discipline:detail", args=[record.public_id]),
        },
    )


@login_only
def statistics(request: HttpRequest) -> HttpResponse:
    """DISC-07: measures by form and year, counts only (no names on this page)."""
    _require_scope(request.user)
    org, _kind, _year = _filters(request)
    return render(
        request,
        "discipline/statistics.html",
        {
            "page_title": _("四种形态统计"),
            "breadcrumbs": _crumbs((_("四种形态统计"), None)),
            "stats": selectors.statistics(request.user, org=org),
            "org": org,
            "orgs": _scope_orgs(request.user),
        },
    )


@requires(VIEW)
def export(request: HttpRequest) -> HttpResponse:
    org, kind, year = _filters(request)
    qs = selectors.record_list(user=request.user, org=org, kind=kind, year=year)
    content, count = exports.records_workbook(qs)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("导出纪律处分记录 %(n)s 条") % {"n": count},
        request=request,
        details={
            "filters": {"org": str(org.public_id) if org else "", "kind": kind, "year": year},
            "rows": count,
        },
    )
    return workbook_response(content, f"纪律处分记录-{timezone.localdate():%Y%m%d}.xlsx")


@login_only
def pdf(request: HttpRequest, public_id) -> HttpResponse:
    record = selectors.record_for_user(request.user, public_id)
    content = exports.record_pdf(record, list(record.appeals.order_by("decided_on", "id")))
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("打印处分决定登记表"),
        request=request,
        obj=record,
        org_path=record.member.org.path,
    )
    return pdf_response(content, f"处分决定登记表-{record.decided_on:%Y%m%d}.pdf")
