"""Rectification pages: the list, one item, creating, 销号 and 复查; and the problems found
at a 组织生活会, entered from the meeting's page (the URL stays under /meetings/)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.audit import audit_record
from zhibu.core.excel import build_workbook, workbook_response
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.models import AuditEvent
from zhibu.core.versioning import version_initial
from zhibu.duties.forms import rectification as forms
from zhibu.duties.models import Rectification
from zhibu.duties.selectors import rectification as selectors
from zhibu.duties.selectors import supervision as supervision_selectors
from zhibu.duties.selectors.evidence import evidence_for
from zhibu.duties.selectors.rectification import VIEW, WRITE
from zhibu.duties.services import rectification as services
from zhibu.duties.services.evidence import ref_of
from zhibu.duties.targets import target_for
from zhibu.duties.views.common import list_org, narrowed
from zhibu.meetings import selectors as meeting_selectors
from zhibu.meetings.models import MeetingKind
from zhibu.meetings.selectors import meeting_org_for_user
from zhibu.meetings.views.common import RECORD, form_page, meeting_crumbs, pick
from zhibu.members.selectors import members_on


def _crumbs(*tail):
    return [(_("整改事项"), reverse("duties:list")), *tail]


EXPORT_HEADERS = [
    "问题",
    "组织",
    "来源",
    "整改措施",
    "责任人",
    "整改期限",
    "状态",
    "整改成效和佐证",
    "销号日期",
    "复查日期",
]


def _export(request, qs) -> HttpResponse:
    """整改台账 as Excel: what an office files (the rows the list's filter shows)."""
    rows = (
        (
            item.problem,
            item.org.name,
            f"{item.get_source_display()} {item.source_label}".strip(),
            item.measure,
            item.owner.name if item.owner_id else "",
            item.deadline,
            str(item.get_status_display()),
            item.evidence,
            item.closed_on,
            item.rechecked_on,
        )
        for item in qs.iterator(chunk_size=2000)
    )
    content = build_workbook([("整改台账", EXPORT_HEADERS, rows)])
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary="导出整改台账",
        request=request,
        details={"filter": request.GET.dict()},
    )
    return workbook_response(content, f"整改台账-{timezone.localdate():%Y%m%d}.xlsx")


@requires(VIEW)
def item_list(request: HttpRequest) -> HttpResponse:
    status, org = request.GET.get("status", ""), list_org(request)
    if status == "overdue":
        qs = selectors.item_list(user=request.user, status=Rectification.Status.OPEN, org=org)
        qs = qs.filter(deadline__lt=timezone.localdate())
    else:
        qs = selectors.item_list(user=request.user, status=status, org=org)
    qs, narrowing = narrowed(request, qs, "org")
    if request.GET.get("export") == "xlsx":
        return _export(request, qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "status": status,
        "statuses": [*Rectification.Status.choices, ("overdue", _("逾期未销号"))],
        "today": timezone.localdate(),
        "query_string": f"status={status}" + narrowing["org_query"],
        "query_string_without_org": f"status={status}",
        **narrowing,
    }
    return render(
        request,
        "duties/list.html",
        {"page_title": _("整改事项"), "breadcrumbs": [(_("整改事项"), None)], **context},
    )


@requires(VIEW)
def detail(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.item_for_user(request.user, public_id)
    ref = ref_of("rectification", item)
    period_ended = services.finding_period_ended(item)
    context = {
        "item": item,
        "ref": ref,
        "history": history_of(item),
        "today": timezone.localdate(),
        "files": evidence_for(ref),
        "supervisions": supervision_selectors.supervisions_of(ref),
        "can_supervise": supervision_selectors.can_open(
            request.user, target_for(request.user, ref)
        ),
        "finding_id": item.source_ref.partition(":")[2] if item.from_finding else None,
        "can_close": permissions.can(request.user, WRITE, item.org)
        and item.status == Rectification.Status.OPEN,
        "can_recheck": selectors.can_recheck(request.user, item)
        and item.status == Rectification.Status.CLOSED
        and (not item.from_finding or period_ended),
        "can_recheck_finding": item.from_finding
        and item.status == Rectification.Status.CLOSED
        and permissions.can(request.user, "rules.run", item.org),
        "period_ended": period_ended,
    }
    return render(
        request,
        "duties/detail.html",
        {"page_title": _("整改事项"), "breadcrumbs": _crumbs((item.problem[:20], None)), **context},
    )


def _form_page(request, form, title, item=None, org=None, multipart=False):
    crumbs = (
        _crumbs((item.problem[:20], reverse("duties:detail", args=[item.public_id])), (title, None))
        if item
        else _crumbs((title, None))
    )
    back = reverse("duties:detail", args=[item.public_id]) if item else reverse("duties:list")
    return render(
        request,
        "duties/form.html",
        {
            "page_title": title,
            "breadcrumbs": crumbs,
            "form": form,
            "item": item,
            "org": org,
            "back": back,
            "multipart": multipart,
        },
    )


@requires(WRITE)
def create(request: HttpRequest, org_id) -> HttpResponse:
    org = meeting_org_for_user(request.user, org_id, action=WRITE)
    people = list(members_on(org, timezone.localdate()).order_by("name_pinyin"))
    form = forms.ItemForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        owner = next((m for m in people if str(m.public_id) == cd["owner"]), None)
        try:
            item = services.rectification_create(
                org=org,
                problem=cd["problem"],
                measure=cd["measure"],
                deadline=cd["deadline"],
                owner=owner,
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记整改事项。"))
            return redirect("duties:detail", item.public_id)
    return _form_page(request, form, _("登记整改事项"), org=org)


@requires(WRITE)
def close(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.item_for_user(request.user, public_id, action=WRITE)
    form = forms.CloseForm(
        request.POST or None,
        request.FILES or None,
        initial={"on": timezone.localdate(), **version_initial(item)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            cd = form.cleaned_data
            services.rectification_close(
                item=item,
                evidence=cd["evidence"],
                on=cd["on"],
                files=cd["evidence_files"],
                version=cd.get("version"),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已销号，待重新检查复查。") if item.from_finding else _("已销号，待上级复查。"),
            )
            return redirect("duties:detail", item.public_id)
    return _form_page(request, form, _("销号"), item=item, multipart=True)


@requires(WRITE)
def recheck(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.item_for_user(request.user, public_id, action=WRITE)
    if not selectors.can_recheck(request.user, item):
        raise PermissionDenied
    form = forms.RecheckForm(
        request.POST or None, initial={"on": timezone.localdate(), **version_initial(item)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rectification_recheck(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记复查结论。"))
            return redirect("duties:detail", item.public_id)
    return _form_page(request, form, _("复查"), item=item)


@requires(RECORD)
def life_problem_new(request: HttpRequest, public_id) -> HttpResponse:
    """登记查摆问题: a problem found at a 组织生活会 becomes a rectification item."""
    meeting = meeting_selectors.meeting_for_user(request.user, public_id, action=RECORD)
    if MeetingKind.LIFE_MEETING not in meeting.kinds:
        raise Http404
    people = meeting_selectors.roster(meeting.org, meeting.on, meeting.kinds)
    form = forms.ProblemForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.life_problem_add(
                meeting=meeting,
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
            return redirect("meetings:detail", meeting.public_id)
    title = _("登记查摆问题")
    return form_page(
        request,
        meeting.org,
        form,
        title,
        meeting_crumbs(meeting, (title, None)),
        reverse("meetings:detail", args=[meeting.public_id]),
    )


@requires("rules.run")
@require_POST
def recheck_finding(request: HttpRequest, public_id) -> HttpResponse:
    """重新检查: run the finding's rule for the item's org now (RESP-05)."""
    item = selectors.item_for_user(request.user, public_id, action="rules.run")
    try:
        services.rectification_recheck_finding(item=item, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("duties:detail", item.public_id)
    item.refresh_from_db()
    if item.status == Rectification.Status.VERIFIED:
        messages.success(request, _("重新检查未再发现该问题，已复查通过。"))
    else:
        messages.warning(request, _("重新检查仍发现该问题，请继续整改。"))
    return redirect("duties:detail", item.public_id)


# --- a compliance finding: its page, 转为整改 ---------------------------------------------


@requires(VIEW)
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    """One finding with what was done about it: its rectification items and 督办."""
    target = target_for(request.user, f"finding:{pk}")
    found = target.record
    context = {
        "finding": found,
        "ref": target.ref,
        "items": list(services.items_of_finding(found).select_related("owner")),
        "supervisions": supervision_selectors.supervisions_of(target.ref),
        "can_supervise": found.is_problem and supervision_selectors.can_open(request.user, target),
        "can_rectify": found.is_problem and permissions.can(request.user, WRITE, found.org),
        "page_title": _("检查结果"),
        "breadcrumbs": _crumbs((f"{found.rule_code} {found.period_code}", None)),
    }
    return render(request, "duties/finding.html", context)


@requires(WRITE)
def from_finding(request: HttpRequest, pk: int) -> HttpResponse:
    """转为整改: 404 outside the user's scope, 403 where they may not record."""
    found = target_for(request.user, f"finding:{pk}").record
    if not permissions.can(request.user, WRITE, found.org):
        raise PermissionDenied
    people = list(members_on(found.org, timezone.localdate()).order_by("name_pinyin"))
    form = forms.FindingItemForm(
        request.POST or None,
        people=people,
        initial={"problem": services.finding_problem_text(found)},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            item = services.rectification_from_finding(
                finding=found,
                problem=cd["problem"],
                measure=cd["measure"],
                deadline=cd["deadline"],
                owner=pick(people, cd["owner"]),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已转为整改事项，重新检查不再发现该问题时自动复查通过。"))
            return redirect("duties:detail", item.public_id)
    return _form_page(request, form, _("转为整改"), org=found.org)
