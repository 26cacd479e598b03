"""Task pages: the ledger (任务台账) and its Excel export, assigning a task (also from a
党委 meeting's decision), one task with its progress reports, reporting with evidence
files, and the issuer's confirmation or return."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.core.access import requires
from zhibu.core.audit import audit_record
from zhibu.core.excel import workbook_response
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.models import AuditEvent
from zhibu.duties.exports import ledger_tasks, ledger_workbook
from zhibu.duties.forms import letters as forms
from zhibu.duties.models import Task
from zhibu.duties.selectors import supervision as supervision_selectors
from zhibu.duties.selectors import tasks as selectors
from zhibu.duties.selectors.evidence import evidence_for
from zhibu.duties.selectors.letters import issuer_orgs
from zhibu.duties.selectors.tasks import VIEW, WRITE
from zhibu.duties.services import tasks as services
from zhibu.duties.services.evidence import ref_of
from zhibu.duties.targets import target_for
from zhibu.duties.views.common import list_org, narrowed
from zhibu.meetings.models import Meeting
from zhibu.orgs.models import Department, Org
from zhibu.orgs.selectors import org_for_user


def crumbs(*tail):
    return [(_("任务台账"), reverse("duties:task_list")), *tail]


def _filters(request):
    status = request.GET.get("status", "")
    year = request.GET.get("year", "")
    return status, year


def _tasks(request: HttpRequest, today):
    """The ledger's rows as the list and its export show them: filters and narrowing."""
    status, year = _filters(request)
    qs = selectors.task_list(
        user=request.user,
        status=status,
        org=list_org(request),
        year=int(year) if year.isdigit() else None,
        today=today,
    )
    return narrowed(request, qs, "org")


@requires(VIEW)
def task_list(request: HttpRequest) -> HttpResponse:
    status, year = _filters(request)
    today = timezone.localdate()
    qs, narrowing = _tasks(request, today)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        **narrowing,
        "page_obj": page,
        "status": status,
        "year": year,
        "statuses": [*Task.Status.choices, ("overdue", _("逾期"))],
        "today": today,
        "query_string": f"status={status}&year={year}" + narrowing["org_query"],
        "query_string_without_org": f"status={status}&year={year}",
        "issuer_orgs": issuer_orgs(request.user)[:10],
    }
    return render(
        request,
        "duties/tasks/list.html",
        {"page_title": _("任务台账"), "breadcrumbs": [(_("任务台账"), None)], **context},
    )


@requires(VIEW)
def task_export(request: HttpRequest) -> HttpResponse:
    status, year = _filters(request)
    today = timezone.localdate()
    qs, narrowing = _tasks(request, today)
    content, count = ledger_workbook(ledger_tasks(qs).iterator(chunk_size=2000), today)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("导出任务台账 %(n)s 条") % {"n": count},
        request=request,
        details={
            "filters": {"status": status, "year": year, "org": narrowing["org_query"]},
            "rows": count,
        },
    )
    return workbook_response(content, f"任务台账-{today:%Y%m%d}.xlsx")


@requires(WRITE)
def task_new(request: HttpRequest, org_id) -> HttpResponse:
    """交办 a task from ``org`` (a 党委 or 党总支) to itself or a subordinate."""
    issuer = org_for_user(request.user, org_id, action=WRITE)
    if issuer.kind not in issuer.COMMITTEE_KINDS:
        raise PermissionDenied
    orgs = [
        issuer,
        *Org.objects.get_descendants(issuer).exclude(kind="group").order_by("path")[:300],
    ]
    departments = list(Department.objects.filter(org=issuer, active=True).select_related("org"))
    meetings = list(
        Meeting.objects.filter(org=issuer, status__in=Meeting.HELD_STATUSES).order_by("-on")[:50]
    )
    initial = {}
    if request.GET.get("meeting"):
        initial["meeting"] = request.GET["meeting"]
    form = forms.TaskForm(
        request.POST or None,
        orgs=orgs,
        departments=departments,
        meetings=meetings,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            task = services.task_create(
                issuer=issuer,
                org=next(o for o in orgs if str(o.public_id) == cd["org"]),
                title=cd["title"],
                description=cd["description"],
                due=cd["due"],
                department=next(
                    (d for d in departments if str(d.public_id) == cd["department"]), None
                ),
                meeting=next((m for m in meetings if str(m.public_id) == cd["meeting"]), None),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已交办任务。"))
            return redirect("duties:task_detail", task.public_id)
    title = _("交办任务")
    return render(
        request,
        "duties/letters/form.html",
        {
            "page_title": title,
            "breadcrumbs": crumbs((title, None)),
            "form": form,
            "back": reverse("duties:task_list"),
            "subtitle": issuer.name,
        },
    )


@requires(VIEW)
def task_detail(request: HttpRequest, public_id) -> HttpResponse:
    task = selectors.task_for_user(request.user, public_id)
    today = timezone.localdate()
    reports = selectors.task_reports(task)
    ref = selectors.task_ref(task)
    files = {r.pk: evidence_for(ref_of("progress", r)) for r in reports if r.files}
    context = {
        "task": task,
        "reports": [(r, files.get(r.pk, [])) for r in reports],
        "overdue": task.is_overdue(today),
        "shown_status": task.shown_status(today),
        "can_report": services.can_report(request.user, task)
        and task.status in (Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS),
        "can_confirm": services.can_confirm(request.user, task)
        and task.status == Task.Status.SUBMITTED,
        "task_ref": ref,
        "history": history_of(task),
        "today": today,
        "supervisions": supervision_selectors.supervisions_of(ref),
        "can_supervise": task.status != Task.Status.DONE
        and supervision_selectors.can_open(request.user, target_for(request.user, ref)),
    }
    return render(
        request,
        "duties/tasks/detail.html",
        {"page_title": task.title[:40], "breadcrumbs": crumbs((task.title[:20], None)), **context},
    )


@requires(WRITE)
def task_report(request: HttpRequest, public_id) -> HttpResponse:
    task = selectors.task_for_user(request.user, public_id, action=WRITE)
    if not services.can_report(request.user, task):
        raise PermissionDenied
    form = forms.ProgressForm(
        request.POST or None,
        request.FILES or None,
        initial={"on": timezone.localdate(), "percent": task.percent},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.task_report(
                task=task,
                on=cd["on"],
                percent=cd["percent"],
                note=cd["note"],
                completed=cd["completed"],
                files=cd["evidence"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已报告进展。"))
            return redirect("duties:task_detail", task.public_id)
    title = _("报告进展")
    back = reverse("duties:task_detail", args=[task.public_id])
    return render(
        request,
        "duties/letters/form.html",
        {
            "page_title": title,
            "breadcrumbs": crumbs((task.title[:20], back), (title, None)),
            "form": form,
            "back": back,
            "subtitle": task.title,
            "multipart": True,
        },
    )


@requires(WRITE)
def task_confirm(request: HttpRequest, public_id) -> HttpResponse:
    task = selectors.task_for_user(request.user, public_id, action=WRITE)
    if not services.can_confirm(request.user, task):
        raise PermissionDenied
    form = forms.ConfirmForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            if cd["decision"] == "confirm":
                services.task_confirm(task=task, on=cd["on"], by=request.user)
            else:
                services.task_return(task=task, reason=cd["reason"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记审核结论。"))
            return redirect("duties:task_detail", task.public_id)
    title = _("确认完成")
    back = reverse("duties:task_detail", args=[task.public_id])
    return render(
        request,
        "duties/letters/form.html",
        {
            "page_title": title,
            "breadcrumbs": crumbs((task.title[:20], back), (title, None)),
            "form": form,
            "back": back,
            "subtitle": task.title,
        },
    )
