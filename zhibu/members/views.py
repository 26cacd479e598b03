"""Member pages: the roster, a member's page with its tabs, the write forms, transfers,
mobility, the archive, Excel import and export, and the member's own 我的信息."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.core import uploads
from zhibu.core.access import login_only, requires
from zhibu.core.audit import audit_record
from zhibu.core.db import replica_reads
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.models import AuditEvent
from zhibu.core.pages import tabs_for
from zhibu.core.scope import subtree_q
from zhibu.core.versioning import is_stale
from zhibu.members import archive, excel, forms, imports, selectors, services, transfers
from zhibu.members.models import (
    CorrectionRequest,
    ImportBatch,
    Member,
    Mobility,
    Transfer,
)
from zhibu.orgs.models import Org

# Personal data never shows up in error reports of these views.
PERSONAL = sensitive_post_parameters("id_number", "phone", "contact", "proposed")

TABS = ("info", "events", "affiliation", "archive", "history")
PAGE = "members.detail"  # apps above add tabs here (zhibu.core.pages)
ME_PAGE = "members.me"  # and cards to the member's own page (key, label, template, context)
PAGE_SIZE = 50


def _crumbs(*tail) -> list[tuple[str, str | None]]:
    return [(_("党员"), reverse("members:list")), *tail]


def _member_crumbs(member: Member, *tail) -> list[tuple[str, str | None]]:
    return _crumbs((member.name, reverse("members:detail", args=[member.public_id])), *tail)


def _form_page(request, form, title, *, member=None, back=None, danger=False, multipart=False):
    crumbs = _member_crumbs(member, (title, None)) if member else _crumbs((title, None))
    back = back or (
        reverse("members:detail", args=[member.public_id]) if member else reverse("members:list")
    )
    context = {
        "form": form,
        "member": member,
        "page_title": title,
        "breadcrumbs": crumbs,
        "back": back,
        "danger": danger,
        "multipart": multipart,
    }
    return render(request, "members/form.html", context)


def _back_to(member: Member, tab: str):
    return redirect(reverse("members:detail", args=[member.public_id]) + f"?tab={tab}")


def _groups(user, action: str = "member.manage") -> list[Org]:
    """The 党小组 where the user holds ``action`` (one indexed range query per grant)."""
    return list(selectors.manageable_orgs(user, action, kinds={Org.Kind.GROUP}))


def _groups_of(org: Org) -> list[Org]:
    return list(
        Org.objects.filter(
            subtree_q([org.path]), kind=Org.Kind.GROUP, dissolved_on__isnull=True
        ).order_by("path")
    )


def _filter_form(request, data):
    return forms.RosterFilterForm(data, user=request.user)


# What a roster row shows: a page of fifty loads these columns only (the whole member,
# its org and its 党小组 cost twice the Python to build, for fields nobody sees here).
ROSTER_FIELDS = (
    "public_id",
    "name",
    "gender",
    "id_number",
    "category",
    "status",
    "admitted_on",
    "frail_exempt",
    "org__name",
    "org__short_name",
    "group__name",
)

# The roster counts its matches up to here and shows "1000+" beyond: an exact count of a
# broad search costs more than the page, and nobody pages past it (they narrow instead).
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator whose count stops at ``COUNT_CAP`` + 1 (``capped`` then says so)."""

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


# --- roster ---------------------------------------------------------------------------------


@requires("member.view")
def roster(request: HttpRequest) -> HttpResponse:
    """The roster with filters (org subtree, status, category, name/pinyin/ID digits)."""
    form = _filter_form(request, request.GET or None)
    members = selectors.member_list(user=request.user, **form.filters()).only(*ROSTER_FIELDS)
    page = CappedPaginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    chosen = form.cleaned_data.get("org") if form.is_bound and form.is_valid() else None
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    can_manage = permissions.holds_anywhere(user, "member.manage")
    context = {
        "page_title": _("党员名册"),
        "breadcrumbs": [(_("党员"), None)],
        "form": form,
        "page_obj": page,
        "count_cap": COUNT_CAP,
        "org_name": chosen.name if chosen else "",
        "query_string": query.urlencode(),
        "can_manage": can_manage,
        "can_export": permissions.holds_anywhere(user, "member.export"),
        "can_import": permissions.holds_anywhere(user, "member.import"),
        "groups": _groups(user) if can_manage else [],
    }
    return render(request, "members/list.html", context)


@requires("member.view")
def org_search(request: HttpRequest) -> JsonResponse:
    """The roster's org filter as an autocomplete: orgs in the user's scope by name."""
    text = request.GET.get("q", "")[:50]
    return JsonResponse({"results": selectors.org_search(request.user, text)})


def _selected_ids(values) -> list[uuid.UUID]:
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


@requires("member.export")
def export(request: HttpRequest) -> HttpResponse:
    """The filtered (or selected) roster as .xlsx: masked, formula-safe, audited."""
    params = request.POST if request.method == "POST" else request.GET  # POST: the ticked rows
    form = _filter_form(request, params or None)
    filters = form.filters()
    members = selectors.member_list(user=request.user, action="member.export", **filters)
    selected = _selected_ids(params.getlist("m"))
    if selected:
        members = members.filter(public_id__in=selected)
    members = members.select_related("work_unit")
    today = timezone.localdate()
    with replica_reads():  # a long read: the replica takes it when one is configured
        content, count = excel.export_workbook(members.iterator(chunk_size=2000), today=today)
    shown = {k: str(v) for k, v in filters.items() if v}
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("导出党员名册 %(n)s 人") % {"n": count},
        request=request,
        details={"filters": shown, "selected": len(selected), "rows": count, "masked": True},
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"党员名册-{today:%Y%m%d}.xlsx"
    )
    add_never_cache_headers(response)
    return response


@requires("member.manage")
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Bulk action on the selected members of the roster: put them into a 党小组."""
    groups = _groups(request.user)
    form = forms.BulkForm(request.POST, groups=groups)
    if not form.is_valid():
        messages.error(request, _("请先勾选党员并选择操作。"))
        return redirect("members:list")
    members = selectors.members_for_user(
        request.user, _selected_ids(form.cleaned_data["m"]), write=True
    )
    try:
        changed = services.member_assign_group(
            members=members,
            group=form.groups.get(form.cleaned_data["group"]),
            on=timezone.localdate(),
            by=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已调整 %(n)s 名党员的党小组。") % {"n": changed})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("members:list")
    return redirect(target)


@requires("member.manage")
@PERSONAL
def create(request: HttpRequest) -> HttpResponse:
    branches = list(selectors.manageable_orgs(request.user))
    if not branches:
        raise PermissionDenied
    form = forms.MemberCreateForm(
        request.POST or None, branches=branches, groups=_groups(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_create(by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记党员“%(name)s”。") % {"name": member.name})
            return redirect("members:detail", member.public_id)
    return _form_page(request, form, _("登记党员"))


# --- one member --------------------------------------------------------------------------


@requires("member.view")
def detail(request: HttpRequest, public_id) -> HttpResponse:
    member = selectors.member_for_user(request.user, public_id)
    tab = request.GET.get("tab", "info")
    extra_tabs = tabs_for(PAGE)
    extra = next((t for t in extra_tabs if t.key == tab), None)
    if tab not in TABS and extra is None:
        raise Http404
    user, today = request.user, timezone.localdate()
    context = {
        "member": member,
        "tab": tab,
        "page_title": member.name,
        "breadcrumbs": _member_crumbs(member),
        "today": today,
        "party_age": member.party_age_on(today),
        "on_roster": member.status in Member.ON_ROSTER,
        "can_manage": permissions.can(user, "member.manage", member.org),
        "can_reveal": permissions.can(user, "member.reveal", member.org),
        "extra_tabs": extra_tabs,
        "extra_tab": extra,
    }
    if extra is not None:
        context.update(extra.context(member, request))
    elif tab == "info":
        context["corrections"] = list(
            member.correction_requests.filter(status=CorrectionRequest.Status.OPEN)
        )
    elif tab == "events":
        context["events"] = list(
            member.events.select_related("org", "group", "recorded_by").order_by("-on", "-id")
        )
    elif tab == "affiliation":
        context["spans"] = list(member.spans.select_related("org", "group").order_by("-start"))
        context["transfers"] = list(member.transfers.select_related("from_org", "to_org"))
        context["mobilities"] = list(member.mobilities.all())
    elif tab == "archive":
        context["attachments"] = list(member.attachments.select_related("uploaded_by"))
    else:
        context["history"] = history_of(member)
    return render(request, "members/detail.html", context)


@requires("member.manage")
@PERSONAL
def edit(request: HttpRequest, public_id) -> HttpResponse:
    member = selectors.member_for_user(request.user, public_id, write=True)
    form = forms.MemberEditForm(
        request.POST or None, member=member, initial=forms.MemberEditForm.initial_for(member)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
            if is_stale(exc):
                # Shown what changed; the next save builds on the current record.
                form.data = form.data.copy()
                form.data["version"] = Member.objects.get(pk=member.pk).updated_at.isoformat()
        else:
            messages.success(request, _("已保存。"))
            return redirect("members:detail", member.public_id)
    return _form_page(request, form, _("修改党员信息"), member=member)


@requires("member.manage")
def record_event(request: HttpRequest, public_id) -> HttpResponse:
    """Record a dated status change (转正, 停止党籍, 党内调整 ...) with its basis document."""
    member = selectors.member_for_user(request.user, public_id, write=True)
    kinds = [k for k in forms.FORM_EVENT_KINDS if member.status in services.TRANSITIONS[k][0]]
    branches = list(selectors.manageable_orgs(request.user))
    form = forms.EventForm(
        request.POST or None, kinds=kinds, branches=branches, groups=_groups(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        try:
            services.member_record_event(member=member, by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已记录党籍变动。"))
            return _back_to(member, "events")
    return _form_page(request, form, _("记录党籍变动"), member=member)


@requires("member.reveal")
def reveal(request: HttpRequest, public_id) -> HttpResponse:
    """Show one full ID or phone number, once, for a stated reason (audited)."""
    member = selectors.member_for_user(request.user, public_id, action="member.reveal")
    form = forms.RevealForm(
        request.POST or None, initial={"field": request.GET.get("field", "id_number")}
    )
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = services.member_reveal(
                member=member, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
    context = {
        "member": member,
        "form": form,
        "value": value,
        "page_title": _("查看完整信息"),
        "breadcrumbs": _member_crumbs(member, (_("查看完整信息"), None)),
    }
    response = render(request, "members/reveal.html", context)
    add_never_cache_headers(response)
    return response


# --- archive ----------------------------------------------------------------------------------


@requires("member.manage")
def attachment_add(request: HttpRequest, public_id) -> HttpResponse:
    member = selectors.member_for_user(request.user, public_id, write=True)
    form = forms.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            archive.attachment_add(
                member=member,
                kind=data["kind"],
                title=data["title"],
                dated=data["dated"],
                upload=data["file"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已上传档案材料。"))
            return _back_to(member, "archive")
    return _form_page(request, form, _("上传档案材料"), member=member, multipart=True)


@requires("member.view")
def attachment_download(request: HttpRequest, public_id) -> FileResponse:
    """Stream an archive file after the member's access check (never a public URL)."""
    attachment = selectors.attachment_for_user(request.user, public_id)
    return uploads.serve(
        attachment.file,
        content_type=attachment.content_type,
        filename=attachment.original_name,
        inline=False,
    )


@requires("member.manage")
def attachment_delete(request: HttpRequest, public_id) -> HttpResponse:
    attachment = selectors.attachment_for_user(request.user, public_id, write=True)
    member = attachment.member
    if request.method == "POST":
        archive.attachment_delete(attachment=attachment, by=request.user)
        messages.success(request, _("已删除档案材料“%(title)s”。") % {"title": attachment.title})
        return _back_to(member, "archive")
    context = {
        "member": member,
        "attachment": attachment,
        "page_title": _("删除档案材料"),
        "breadcrumbs": _member_crumbs(member, (_("删除档案材料"), None)),
    }
    return render(request, "members/confirm_delete.html", context)


# --- transfers ----------------------------------------------------------------------------------


@requires("member.manage")
def transfer_start(request: HttpRequest, public_id) -> HttpResponse:
    member = selectors.member_for_user(request.user, public_id, write=True)
    form = forms.TransferStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            code = data.pop("to_org")
            to_org = (
                transfers.branch_by_code(code)
                if data["direction"] == Transfer.Direction.INTERNAL
                else None
            )
            transfer = transfers.transfer_start(
                member=member, to_org=to_org, by=request.user, **data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交组织关系转接申请，待上级党委审批。"))
            return redirect("members:transfer", transfer.public_id)
    return _form_page(request, form, _("办理组织关系转接"), member=member)


@requires("member.view")
def transfer_list(request: HttpRequest) -> HttpResponse:
    box = request.GET.get("box", "todo")
    if box not in selectors.TRANSFER_BOXES:
        raise Http404
    today = timezone.localdate()
    rows = selectors.transfer_list(user=request.user, box=box, today=today)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_title": _("组织关系转接"),
        "breadcrumbs": _crumbs((_("组织关系转接"), None)),
        "box": box,
        "page_obj": page,
        "query_string": f"box={box}",
        "today": today,
        "can_transfer": permissions.holds_anywhere(request.user, "member.transfer"),
    }
    return render(request, "members/transfers.html", context)


@requires("member.view")
def transfer_detail(request: HttpRequest, public_id) -> HttpResponse:
    transfer = selectors.transfer_for_user(request.user, public_id)
    user = request.user
    sender = transfer.from_org is not None and permissions.can(
        user, "member.transfer", transfer.from_org
    )
    receiver = transfer.to_org is not None and permissions.can(
        user, "member.transfer", transfer.to_org
    )
    context = {
        "transfer": transfer,
        "page_title": _("组织关系转接"),
        "today": timezone.localdate(),
        "breadcrumbs": _crumbs(
            (_("组织关系转接"), reverse("members:transfers")), (transfer.member.name, None)
        ),
        "steps": _allowed_steps(transfer, sender=sender, receiver=receiver),
        "can_cancel": transfer.is_open
        and transfer.from_org is not None
        and permissions.can(user, "member.manage", transfer.from_org),
        "member_visible": permissions.can(user, "member.view", transfer.member.org),
        "history": history_of(transfer),
    }
    return render(request, "members/transfer.html", context)


# step → (title, form, service); selectors.acting_side says whose member.transfer it needs
STEPS = {
    "approve": (
        gettext_lazy("审批并开具介绍信"),
        forms.TransferApproveForm,
        transfers.transfer_approve,
    ),
    "receive": (gettext_lazy("接收"), forms.TransferReceiveForm, transfers.transfer_receive),
    "receipt": (
        gettext_lazy("登记回执"),
        forms.TransferReceiptForm,
        transfers.transfer_record_receipt,
    ),
    "reject": (gettext_lazy("退回"), forms.TransferRejectForm, transfers.transfer_reject),
}


def _allowed_steps(transfer: Transfer, *, sender: bool, receiver: bool) -> list[tuple[str, str]]:
    status, steps = transfer.status, []
    if status == Transfer.Status.REQUESTED and sender:
        steps += ["approve", "reject"]
    if status == Transfer.Status.SENT and receiver:
        steps += ["receive", "reject"]
    if status == Transfer.Status.ISSUED and sender:
        steps.append("receipt")
    return [(step, STEPS[step][0]) for step in steps]


@requires("member.transfer")
def transfer_step(request: HttpRequest, public_id, step: str) -> HttpResponse:
    """Approve (sender), receive or reject (receiver), or record a letter's receipt."""
    if step not in STEPS:
        raise Http404
    title, form_class, service = STEPS[step]
    transfer = selectors.transfer_for_user(
        request.user, public_id, action="member.transfer", step=step
    )
    extra = {"groups": _groups_of(transfer.to_org)} if step == "receive" else {}
    form = form_class(request.POST or None, **extra)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if step == "receive":
            data["group"] = form.groups.get(data["group"])
        try:
            service(transfer=transfer, by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已办理：%(step)s。") % {"step": title})
            return redirect("members:transfer", transfer.public_id)
    back = reverse("members:transfer", args=[transfer.public_id])
    return _form_page(
        request, form, f"{title}：{transfer.member.name}", back=back, danger=step == "reject"
    )


@requires("member.manage")
@require_POST
def transfer_cancel(request: HttpRequest, public_id) -> HttpResponse:
    transfer = selectors.transfer_for_user(
        request.user, public_id, action="member.manage", side="from"
    )
    try:
        transfers.transfer_cancel(transfer=transfer, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已撤销该转接。"))
    return redirect("members:transfer", transfer.public_id)


@requires("member.transfer")
@PERSONAL
def transfer_in(request: HttpRequest) -> HttpResponse:
    """Record a member arriving from an organisation outside the system, with the letter."""
    branches = list(selectors.manageable_orgs(request.user, "member.transfer"))
    form = forms.TransferInForm(
        request.POST or None, branches=branches, groups=_groups(request.user, "member.transfer")
    )
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfers.transfer_in_from_outside(by=request.user, **form.service_kwargs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记转入“%(name)s”。") % {"name": transfer.member.name})
            return redirect("members:detail", transfer.member.public_id)
    return _form_page(request, form, _("登记从系统外转入"), back=reverse("members:transfers"))


# --- mobility --------------------------------------------------------------------------------------


@requires("member.view")
def mobility_list(request: HttpRequest) -> HttpResponse:
    """Members away (out) or staying here (in), with the MBR-03 and MBR-05 flags."""
    from zhibu.members.rules import mobility_flags_in_force

    today = timezone.localdate()
    rows = list(selectors.mobility_list(user=request.user))
    flags = mobility_flags_in_force(rows, today)
    context = {
        "page_title": _("流动党员"),
        "breadcrumbs": _crumbs((_("流动党员"), None)),
        "rows": rows,
        "flags": flags,
        "today": today,
        "can_manage": permissions.holds_anywhere(request.user, "member.manage"),
    }
    return render(request, "members/mobility.html", context)


@requires("member.manage")
@PERSONAL
def mobility_start(request: HttpRequest, public_id) -> HttpResponse:
    member = selectors.member_for_user(request.user, public_id, write=True)
    form = forms.MobilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfers.mobility_start(
                direction=Mobility.Direction.OUT,
                member=member,
                org=member.org,
                by=request.user,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记外出流动。"))
            return _back_to(member, "affiliation")
    return _form_page(request, form, _("登记外出流动"), member=member)


@requires("member.manage")
@PERSONAL
def mobility_in(request: HttpRequest) -> HttpResponse:
    branches = list(selectors.manageable_orgs(request.user))
    form = forms.MobilityInForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        try:
            transfers.mobility_start(
                direction=Mobility.Direction.IN, by=request.user, **form.service_kwargs()
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记流入党员。"))
            return redirect("members:mobility")
    return _form_page(request, form, _("登记流入党员"), back=reverse("members:mobility"))


MOBILITY_STEPS = {
    "contact": (
        gettext_lazy("登记联系"),
        gettext_lazy("联系日期"),
        transfers.mobility_record_contact,
        "on",
    ),
    "lost": (
        gettext_lazy("登记失去联系"),
        gettext_lazy("失去联系日期"),
        transfers.mobility_mark_lost,
        "since",
    ),
    "end": (gettext_lazy("结束流动"), gettext_lazy("结束日期"), transfers.mobility_end, "on"),
}


@requires("member.manage")
def mobility_step(request: HttpRequest, public_id, step: str) -> HttpResponse:
    if step not in MOBILITY_STEPS:
        raise Http404
    title, label, service, argument = MOBILITY_STEPS[step]
    mobility = selectors.mobility_for_user(request.user, public_id, write=True)
    form = forms.DayForm(request.POST or None, label=label)
    if request.method == "POST" and form.is_valid():
        try:
            service(mobility=mobility, by=request.user, **{argument: form.cleaned_data["on"]})
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and argument in exc.error_dict:
                exc = ValidationError({"on": exc.error_dict[argument]})
            apply_errors(form, exc)
        else:
            messages.success(request, _("已办理：%(step)s。") % {"step": title})
            return redirect("members:mobility")
    return _form_page(
        request, form, f"{title}：{mobility.display_name}", back=reverse("members:mobility")
    )


# --- import -----------------------------------------------------------------------------------------


@requires("member.import")
def import_upload(request: HttpRequest) -> HttpResponse:
    form = forms.ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.import_upload(upload=form.cleaned_data["file"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            imports.import_schedule(batch)
            return redirect("members:import_batch", batch.public_id)
    context = {
        "form": form,
        "batches": selectors.batch_list(user=request.user)[:20],
        "columns": excel.COLUMNS,
        "page_title": _("批量导入党员"),
        "breadcrumbs": _crumbs((_("批量导入"), None)),
    }
    return render(request, "members/import.html", context)


@requires("member.import")
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        excel.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = content_disposition_header(True, "党员导入模板.xlsx")
    return response


def _batch_context(request, batch: ImportBatch) -> dict:
    latest = (
        selectors.batch_list(user=request.user)
        .filter(status=ImportBatch.Status.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )
    return {
        "batch": batch,
        "progress": imports.read_progress(batch) if batch.is_running else {},
        "can_rollback": latest is not None and latest.pk == batch.pk,
    }


@requires("member.import")
def import_batch(request: HttpRequest, public_id) -> HttpResponse:
    """A batch's page: progress while it runs (survives a reload), then the preview or result."""
    batch = selectors.batch_for_user(request.user, public_id)
    context = _batch_context(request, batch)
    context.update(
        {
            "page_title": batch.file_name,
            "breadcrumbs": _crumbs(
                (_("批量导入"), reverse("members:import")), (batch.file_name, None)
            ),
        }
    )
    return render(request, "members/import_batch.html", context)


@requires("member.import")
def import_progress(request: HttpRequest, public_id) -> HttpResponse:
    """htmx partial polled while a batch runs; once it stops, the page reloads itself."""
    batch = selectors.batch_for_user(request.user, public_id)
    response = render(request, "members/_import_progress.html", _batch_context(request, batch))
    if not batch.is_running:
        response["HX-Refresh"] = "true"
    add_never_cache_headers(response)
    return response


IMPORT_ACTIONS = {
    "commit": (imports.import_commit, gettext_lazy("已开始导入。")),
    "discard": (imports.import_discard, gettext_lazy("已放弃该批次。")),
    "rollback": (imports.import_rollback, gettext_lazy("已撤销该批次导入的党员。")),
}


@requires("member.import")
@require_POST
def import_action(request: HttpRequest, public_id, action: str) -> HttpResponse:
    if action not in IMPORT_ACTIONS:
        raise Http404
    service, done = IMPORT_ACTIONS[action]
    batch = selectors.batch_for_user(request.user, public_id)
    try:
        result = service(batch=batch, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if action == "commit":
            imports.import_schedule(result)
        messages.success(request, done)
    return redirect("members:import_batch", batch.public_id)


# --- corrections and 我的信息 --------------------------------------------------------------------------


def _own_member(request) -> Member | None:
    return (
        Member.objects.filter(user=request.user).select_related("org", "group", "work_unit").first()
    )


def _me_page(request, member, form):
    context = {
        "member": member,
        "form": form,
        "page_title": _("我的信息"),
        "breadcrumbs": [(_("我的信息"), None)],
    }
    if member is not None:
        today = timezone.localdate()
        context.update(
            {
                "events": list(member.events.select_related("org").order_by("-on", "-id")),
                "today": today,
                "party_age": member.party_age_on(today),
                "corrections": list(member.correction_requests.all()),
                # Apps above add their cards (我的党费, 学时, 三诺一评 …) here.
                "me_sections": [
                    (tab.template, tab.context(member, request)) for tab in tabs_for(ME_PAGE)
                ],
            }
        )
    return render(request, "members/me.html", context, status=200)


@login_only
def me(request: HttpRequest) -> HttpResponse:
    """The signed-in member's own record (masked), events and correction requests."""
    return _me_page(request, _own_member(request), forms.CorrectionForm())


@login_only
@PERSONAL
@require_POST
def me_correction(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    if member is None:
        raise Http404
    form = forms.CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交更正申请，党支部核实后处理。"))
            return redirect("members:me")
    return _me_page(request, member, form)


@requires("member.manage")
def correction_handle(request: HttpRequest, public_id) -> HttpResponse:
    correction = selectors.correction_for_user(request.user, public_id)
    form = forms.CorrectionHandleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.correction_handle(correction=correction, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已处理更正申请。"))
            return _back_to(correction.member, "info")
    title = _("处理更正申请：%(field)s → %(value)s") % {
        "field": correction.get_field_display(),
        "value": correction.shown_proposed,
    }
    return _form_page(request, form, title, member=correction.member)
