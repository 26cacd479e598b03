"""党内统计 pages: the tables of a subtree as of a day, a cell's drill-down, the Excel
workbook, and the annual report's submission (frozen) and return.

Every page needs ``census.manage`` somewhere (else 403); the org or report it names must
lie in the user's census scope, else 404.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.census import exports, selectors, services
from zhibu.census import tables as T
from zhibu.census.models import Report
from zhibu.core.access import requires
from zhibu.core.audit import audit_record
from zhibu.core.excel import workbook_response
from zhibu.core.models import AuditEvent
from zhibu.core.versioning import version_of
from zhibu.orgs.current import current_org
from zhibu.orgs.models import Org

ACTION = selectors.ACTION
CHART_YEARS = 5


def _org(request) -> Org:
    wanted = request.GET.get("org") or request.POST.get("org")
    if wanted:
        return selectors.census_org_for_user(request.user, wanted)
    org = current_org(request)
    if (
        org is not None
        and org.kind != Org.Kind.GROUP
        and permissions.can(request.user, ACTION, org)
    ):
        return org
    org = selectors.census_orgs(request.user).order_by("depth", "path").first()
    if org is None:
        raise Http404
    return org


def default_day() -> date:
    """The year-end report is the usual question: 31 December of last year."""
    return date(timezone.localdate().year - 1, 12, 31)


def _crumbs(*tail):
    return [(_("党内统计"), reverse("census:index")), *tail]


def _query(org: Org, day: date, **more) -> str:
    return urlencode({"org": str(org.public_id), "as_of": day.isoformat(), **more})


def _trend(org: Org, day: date) -> dict:
    """Members at each year end over the last years (one count per year, at most five)."""
    years = range(day.year - CHART_YEARS + 1, day.year + 1)
    points = []
    for year in years:
        end = min(date(year, 12, 31), day)
        if end < org.established_on:
            continue
        count = T.spans_on(org, end).values("member_id").distinct().count()
        points.append({"label": end.isoformat(), "members": count})
    return {"trend": points}


def _chart(org: Org, day: date, tables: list[T.Table]) -> dict:
    t = T.by_key(tables)

    def parts(key):
        return [
            {"name": r.label, "value": r.cells[0]} for r in t[key].rows if r.level and r.cells[0]
        ]

    return {
        "age": parts("age"),
        "education": parts("education"),
        "gender": parts("gender"),
        **_trend(org, day),
    }


@requires(ACTION)
def index(request: HttpRequest) -> HttpResponse:
    """The tables of the chosen org's subtree as of a day, the checks and the report."""
    org = _org(request)
    context = {
        "org": org,
        "orgs": selectors.census_orgs(request.user).order_by("path")[:200],
        "page_title": _("党内统计"),
        "breadcrumbs": _crumbs(),
    }
    try:
        day = T.parse_day(request.GET.get("as_of"), default=default_day())
        tables = T.compute(org, day)
    except ValidationError as exc:
        context |= {"error": "；".join(exc.messages), "as_of_text": request.GET.get("as_of", "")}
        return render(request, "census/index.html", context, status=400)
    report = Report.objects.filter(org=org, year=day.year).first()
    context |= {
        "day": day,
        "as_of_text": day.isoformat(),
        "tables": tables,
        "problems": T.consistency(tables),
        "query": _query(org, day),
        "chart": _chart(org, day, tables),
        "year_end": day == services.year_end(day.year),
        "report": report,
        "report_version": version_of(report) if report else "",
        "children": selectors.child_reports(org, day.year),
    }
    return render(request, "census/index.html", context)


@requires(ACTION)
def cell(request: HttpRequest) -> HttpResponse:
    """The members, cases, orgs or mobility records behind one cell of a table."""
    org = _org(request)
    try:
        day = T.parse_day(request.GET.get("as_of"), default=default_day())
        table, row, column = (request.GET.get(k, "") for k in ("table", "row", "col"))
        kind, rows = T.drill(org, day, table, row, column)
    except ValidationError as exc:
        return render(
            request,
            "census/cell.html",
            {"org": org, "error": "；".join(exc.messages), "page_title": _("统计明细")},
            status=400,
        )
    shown = T.by_key(T.compute(org, day)).get(table)
    label = ""
    if shown is not None:
        row_label = next((r.label for r in shown.rows if r.key == row), row)
        column_label = dict(shown.columns).get(column, "")
        label = " · ".join(x for x in (shown.title, row_label, column_label) if x)
    context = {
        "org": org,
        "day": day,
        "kind": kind,
        "rows": rows[:2000],
        "count": rows.count(),
        "table": table,
        "back": reverse("census:index") + "?" + _query(org, day),
        "page_title": _("统计明细"),
        "breadcrumbs": _crumbs((_("统计明细"), None)),
        "label": label,
    }
    return render(request, "census/cell.html", context)


@requires(ACTION)
def export(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    try:
        day = T.parse_day(request.GET.get("as_of"), default=default_day())
        tables = T.compute(org, day)
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=400, content_type="text/plain")
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("导出党内统计表 %(org)s %(day)s") % {"org": org.name, "day": day},
        request=request,
        org_path=org.path,
    )
    content = exports.workbook(org, day, tables)
    return workbook_response(content, f"党内统计-{org.name}-{day.isoformat()}.xlsx")


@requires(ACTION)
@require_POST
def submit(request: HttpRequest, org_id) -> HttpResponse:
    org = selectors.census_org_for_user(request.user, org_id)
    text = request.POST.get("year", "")
    year = int(text) if text.isdigit() else 0
    version = (
        parse_datetime(request.POST.get("version", "") or "")
        if request.POST.get("version")
        else None
    )
    try:
        report = services.report_submit(org=org, year=year, by=request.user, version=version)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        day = services.year_end(year) if 1900 < year < 3000 else default_day()
        return redirect(reverse("census:index") + "?" + _query(org, day))
    messages.success(request, _("%(year)s 年度报表已报送并锁定。") % {"year": report.year})
    return redirect("census:report", report.public_id)


@requires(ACTION)
def report_detail(request: HttpRequest, public_id) -> HttpResponse:
    report = selectors.report_for_user(request.user, public_id)
    tables = [T.Table.from_dict(t) for t in report.figures]
    if request.GET.get("export") == "xlsx":
        audit_record(
            kind=AuditEvent.Kind.EXPORT,
            summary=_("导出党内统计年报 %(org)s %(year)s")
            % {"org": report.org.name, "year": report.year},
            request=request,
            org_path=report.org.path,
        )
        status = _("报送状态：%(s)s") % {"s": report.get_status_display()}
        content = exports.workbook(report.org, report.as_of, tables, status=status)
        return workbook_response(content, f"党内统计年报-{report.org.name}-{report.year}.xlsx")
    parent = Org.objects.get_parent(report.org) if report.org.depth > 1 else None
    context = {
        "report": report,
        "org": report.org,
        "day": report.as_of,
        "tables": tables,
        "query": _query(report.org, report.as_of),
        "can_return": report.is_locked
        and parent is not None
        and permissions.can(request.user, ACTION, parent),
        "version": version_of(report),
        "page_title": _("%(org)s %(year)s 年度党内统计年报")
        % {"org": report.org.name, "year": report.year},
        "breadcrumbs": _crumbs((str(report.year), None)),
    }
    return render(request, "census/report.html", context)


@requires(ACTION)
@require_POST
def report_return(request: HttpRequest, public_id) -> HttpResponse:
    report = selectors.report_for_user(request.user, public_id)
    parent = Org.objects.get_parent(report.org) if report.org.depth > 1 else None
    if parent is None or not permissions.can(request.user, ACTION, parent):
        raise Http404  # only the committee above returns a report; below it is not a door
    version = (
        parse_datetime(request.POST.get("version", "") or "")
        if request.POST.get("version")
        else None
    )
    try:
        services.report_return(
            report=report, by=request.user, reason=request.POST.get("reason", ""), version=version
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("报表已退回，下级可更正后重新报送。"))
    return redirect("census:report", report.public_id)
