"""Assessment pages: schemes (assessor), sheets (assessor and the assessed organisation),
adjusting, appeals, confirming, deductions into rectification items, PDF and Excel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.assessment import exports, forms, selectors, services, sources
from zhibu.assessment.models import Category, Line, Scheme, Sheet
from zhibu.assessment.selectors import ASSESS
from zhibu.core.access import login_only, requires
from zhibu.core.audit import audit_record
from zhibu.core.forms import apply_errors, indented
from zhibu.core.history import history_of
from zhibu.core.models import AuditEvent
from zhibu.core.params import year_param
from zhibu.core.versioning import save_versioned, version_initial, version_of
from zhibu.duties.models import Rectification
from zhibu.orgs.models import Org


def _crumbs(*tail):
    return [(_("党建考核"), reverse("assessment:index")), *tail]


def _form_page(request, form, title, crumbs, back, intro=""):
    return render(
        request,
        "assessment/form.html",
        {"page_title": title, "breadcrumbs": crumbs, "form": form, "back": back, "intro": intro},
    )


def _assessor_or_403(user, sheet: Sheet) -> None:
    if not selectors.is_assessor(user, sheet):
        raise PermissionDenied


@login_only
def index(request: HttpRequest) -> HttpResponse:
    """Schemes the user assesses, and the sheets of organisations they lead (no ranking)."""
    year = year_param(request)
    assessor = permissions.holds_anywhere(request.user, ASSESS)
    schemes = (
        list(selectors.managed_schemes(request.user).filter(year=year).select_related("org"))
        if assessor
        else []
    )
    own = list(
        selectors.visible_sheets(request.user)
        .filter(scheme__year=year)
        .exclude(status=Sheet.Status.DRAFT)
        .filter(permissions.scope_q(request.user, selectors.VIEW, field="org_path"))
        .select_related("org", "scheme")
        .order_by("org_path")
    )
    return render(
        request,
        "assessment/index.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "assessor": assessor,
            "schemes": schemes,
            "own": own,
            "page_title": _("党建考核"),
            "breadcrumbs": [(_("党建考核"), None)],
        },
    )


# --- schemes -----------------------------------------------------------------------------


def _committees(user):
    return Org.objects.filter(
        permissions.scope_q(user, ASSESS), kind__in=Org.COMMITTEE_KINDS
    ).order_by("path")[:300]


@requires(ASSESS)
def scheme_new(request: HttpRequest) -> HttpResponse:
    orgs = list(_committees(request.user))
    form = forms.SchemeForm(
        request.POST or None,
        orgs=indented(orgs),
        initial={"year": timezone.localdate().year, "title": _("年度党支部规范化建设考核方案")},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        org = next(o for o in orgs if str(o.public_id) == cd["org"])
        try:
            scheme = services.scheme_create(
                org=org,
                year=cd["year"],
                title=cd["title"],
                appeal_days=cd["appeal_days"],
                good_min=cd["good_min"],
                fairly_good_min=cd["fairly_good_min"],
                average_min=cd["average_min"],
                standard_min=cd["standard_min"],
                model_min=cd["model_min"],
                standard=cd["standard"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("考核方案已创建。"))
            return redirect("assessment:scheme", scheme.public_id)
    return _form_page(
        request,
        form,
        _("新建考核方案"),
        _crumbs((_("新建考核方案"), None)),
        reverse("assessment:index"),
    )


@requires(ASSESS)
def scheme_detail(request: HttpRequest, public_id) -> HttpResponse:
    scheme = selectors.scheme_for_user(request.user, public_id)
    sort = request.GET.get("sort", "org")
    indicators = list(scheme.indicators.all())
    return render(
        request,
        "assessment/scheme.html",
        {
            "scheme": scheme,
            "indicators": [(i, sources.kind_of(i.source)) for i in indicators],
            "total_points": sum(i.max_points for i in indicators),
            "sheets": selectors.sheet_table(scheme, sort),
            "sort": sort,
            "categories": dict(Category.choices),
            "editable": not scheme.sheets.exclude(status=Sheet.Status.DRAFT).exists(),
            "page_title": scheme.title,
            "breadcrumbs": _crumbs((f"{scheme.year} {scheme.org.name}", None)),
        },
    )


@requires(ASSESS)
def scheme_edit(request: HttpRequest, public_id) -> HttpResponse:
    scheme = selectors.scheme_for_user(request.user, public_id)
    fields = [
        "title",
        "appeal_days",
        "good_min",
        "fairly_good_min",
        "average_min",
        "standard_min",
        "model_min",
    ]
    form = forms.SchemeEditForm(
        request.POST or None,
        initial={**{f: getattr(scheme, f) for f in fields}, **version_initial(scheme)},
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        saved = save_versioned(
            form,
            scheme,
            lambda: services.scheme_update(
                scheme=scheme, by=request.user, **{f: cd[f] for f in fields}
            ),
            noun=_("考核方案"),
        )
        if saved is not None:
            audit_record(
                kind=AuditEvent.Kind.CONFIG_CHANGED,
                summary=f"修改考核方案 {scheme.title}",
                request=request,
                obj=scheme,
                org_path=scheme.org.path,
                details={f: str(cd[f]) for f in fields},
            )
            messages.success(request, _("考核方案已保存。"))
            return redirect("assessment:scheme", scheme.public_id)
    return _form_page(
        request,
        form,
        _("修改考核方案"),
        _crumbs((scheme.title, reverse("assessment:scheme", args=[scheme.public_id]))),
        reverse("assessment:scheme", args=[scheme.public_id]),
    )


@requires(ASSESS)
@require_POST
def scheme_standard(request: HttpRequest, public_id) -> HttpResponse:
    scheme = selectors.scheme_for_user(request.user, public_id)
    try:
        n = services.standard_load(scheme=scheme)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已载入标准方案 %(n)s 项指标。") % {"n": n})
    return redirect("assessment:scheme", scheme.public_id)


@requires(ASSESS)
def indicator_new(request: HttpRequest, public_id) -> HttpResponse:
    scheme = selectors.scheme_for_user(request.user, public_id)
    form = forms.IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        params = {}
        if cd["rule"]:
            params["rule"] = cd["rule"].strip().upper()
        if cd["per"] is not None:
            params["per"] = str(cd["per"])
        try:
            services.indicator_add(
                scheme=scheme,
                category=cd["category"],
                title=cd["title"],
                max_points=cd["max_points"],
                source=cd["source"],
                params=params,
                basis=cd["basis"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("指标已添加。"))
            return redirect("assessment:scheme", scheme.public_id)
    back = reverse("assessment:scheme", args=[scheme.public_id])
    return _form_page(
        request, form, _("添加考核指标"), _crumbs((scheme.title, back), (_("添加指标"), None)), back
    )


@requires(ASSESS)
@require_POST
def indicator_delete(request: HttpRequest, public_id, indicator_id) -> HttpResponse:
    scheme = selectors.scheme_for_user(request.user, public_id)
    indicator = scheme.indicators.filter(public_id=indicator_id).first()
    if indicator is None:
        return redirect("assessment:scheme", scheme.public_id)
    try:
        services.indicator_delete(indicator=indicator)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("指标已删除。"))
    return redirect("assessment:scheme", scheme.public_id)


@requires(ASSESS)
@require_POST
def scheme_compute(request: HttpRequest, public_id) -> HttpResponse:
    scheme = selectors.scheme_for_user(request.user, public_id)
    result = services.sheets_compute(scheme=scheme)
    messages.success(
        request,
        _("已根据检查结果和工作记录计算 %(n)s 张草稿考核表（扣分 %(d)s 项）。")
        % {"n": result.sheets, "d": result.deductions},
    )
    return redirect("assessment:scheme", scheme.public_id)


@requires(ASSESS)
@require_POST
def scheme_issue(request: HttpRequest, public_id) -> HttpResponse:
    scheme = selectors.scheme_for_user(request.user, public_id)
    n = services.sheets_issue(scheme=scheme, on=timezone.localdate())
    messages.success(request, _("已下发 %(n)s 张考核表。") % {"n": n})
    return redirect("assessment:scheme", scheme.public_id)


@requires(ASSESS)
def scheme_export(request: HttpRequest, public_id) -> HttpResponse:
    scheme = selectors.scheme_for_user(request.user, public_id)
    return exports.results_response(request, scheme)


# --- sheets -------------------------------------------------------------------------------


def _mark_rectified(lines: list[Line]) -> None:
    """Each deduction's rectification item (``d.item``), in one query."""
    refs = [d.rectification_ref for line in lines for d in line.deductions.all()]
    items = {r.source_ref: r for r in Rectification.objects.filter(source_ref__in=refs)}
    for line in lines:
        for d in line.deductions.all():
            d.item = items.get(d.rectification_ref)


@login_only
def sheet_detail(request: HttpRequest, public_id) -> HttpResponse:
    sheet = selectors.sheet_for_user(request.user, public_id)
    lines = selectors.sheet_lines(sheet)
    _mark_rectified(lines)
    assessor = selectors.is_assessor(request.user, sheet)
    today = timezone.localdate()
    deadline = sheet.appeal_deadline
    groups: dict[str, list[Line]] = {}
    for line in lines:
        groups.setdefault(line.indicator.get_category_display(), []).append(line)
    return render(
        request,
        "assessment/sheet.html",
        {
            "sheet": sheet,
            "scheme": sheet.scheme,
            "groups": groups,
            "appeals": list(sheet.appeals.select_related("line__indicator", "by", "answered_by")),
            "assessor": assessor,
            "can_appeal": selectors.can_appeal(request.user, sheet)
            and sheet.status == Sheet.Status.ISSUED
            and deadline is not None
            and today <= deadline,
            "appeal_deadline": deadline,
            "version": version_of(sheet),
            "history": history_of(sheet) if assessor else [],
            "page_title": _("%(org)s %(year)s 年度考核表")
            % {"org": sheet.org.name, "year": sheet.scheme.year},
            "breadcrumbs": _crumbs((sheet.org.name, None)),
        },
    )


@login_only
@require_POST
def sheet_issue(request: HttpRequest, public_id) -> HttpResponse:
    sheet = selectors.sheet_for_user(request.user, public_id)
    _assessor_or_403(request.user, sheet)
    try:
        services.sheet_issue(
            sheet=sheet, on=timezone.localdate(), version=_version(request.POST.get("version"))
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("考核表已下发，被考核组织可查看并在申诉期内申诉。"))
    return redirect("assessment:sheet", sheet.public_id)


def _version(raw):
    """The posted version as a datetime (a malformed one counts as stale)."""
    if not raw:
        return None
    form = forms.VersionForm({"version": raw})
    form.is_valid()
    return form.cleaned_data.get("version") or timezone.now()


@login_only
def line_adjust(request: HttpRequest, public_id) -> HttpResponse:
    line = selectors.line_for_user(request.user, public_id)
    sheet = line.sheet
    _assessor_or_403(request.user, sheet)
    form = forms.AdjustForm(
        request.POST or None,
        initial={"score": line.score, "reason": line.reason, **version_initial(line)},
    )
    back = reverse("assessment:sheet", args=[sheet.public_id])
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        saved = save_versioned(
            form,
            line,
            lambda: services.line_adjust(
                line=line, score=cd["score"], reason=cd["reason"], by=request.user
            ),
            noun=services.NOUN_LINE,
        )
        if saved is not None:
            audit_record(
                kind=AuditEvent.Kind.OVERRIDE,
                summary=f"调整考核得分 {sheet.org.name} {line.indicator.title}",
                request=request,
                obj=line,
                org_path=sheet.org_path,
                details={
                    "sheet": str(sheet.public_id),
                    "computed": str(line.computed),
                    "before": str(saved.before),
                    "score": str(saved.score),
                    "reason": saved.reason,
                },
            )
            messages.success(request, _("得分已保存。"))
            return redirect(back)
    intro = _("%(title)s（分值 %(max)s 分；系统计算 %(computed)s 分）。%(basis)s") % {
        "title": line.indicator.title,
        "max": line.indicator.max_points,
        "computed": line.computed if line.computed is not None else _("人工评分"),
        "basis": line.indicator.basis,
    }
    return _form_page(
        request,
        form,
        _("评分/调整得分"),
        _crumbs((sheet.org.name, back), (_("评分"), None)),
        back,
        intro,
    )


@login_only
def sheet_appeal(request: HttpRequest, public_id) -> HttpResponse:
    sheet = selectors.sheet_for_user(request.user, public_id)
    if not selectors.can_appeal(request.user, sheet):
        raise PermissionDenied
    lines = selectors.sheet_lines(sheet)
    form = forms.AppealForm(request.POST or None, lines=lines)
    back = reverse("assessment:sheet", args=[sheet.public_id])
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        line = next((x for x in lines if str(x.public_id) == cd["line"]), None)
        try:
            services.appeal_file(sheet=sheet, text=cd["text"], line=line, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("申诉已提交，等待考核组织答复。"))
            return redirect(back)
    return _form_page(
        request,
        form,
        _("提出申诉"),
        _crumbs((sheet.org.name, back), (_("申诉"), None)),
        back,
        _("申诉期至 %(day)s。") % {"day": sheet.appeal_deadline},
    )


@login_only
@require_POST
def appeal_answer(request: HttpRequest, public_id) -> HttpResponse:
    appeal = selectors.appeal_for_user(request.user, public_id)
    _assessor_or_403(request.user, appeal.sheet)
    form = forms.AnswerForm(request.POST)
    form.is_valid()
    try:
        services.appeal_answer(
            appeal=appeal, answer=form.cleaned_data.get("answer", ""), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("申诉已答复。"))
    return redirect("assessment:sheet", appeal.sheet.public_id)


@login_only
@require_POST
def sheet_confirm(request: HttpRequest, public_id) -> HttpResponse:
    sheet = selectors.sheet_for_user(request.user, public_id)
    _assessor_or_403(request.user, sheet)
    try:
        sheet = services.sheet_confirm(
            sheet=sheet, by=request.user, version=_version(request.POST.get("version"))
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        audit_record(
            kind=AuditEvent.Kind.CONFIG_CHANGED,
            summary=f"确认考核结果 {sheet.org.name} {sheet.scheme.year}",
            request=request,
            obj=sheet,
            org_path=sheet.org_path,
            details={"total": str(sheet.total), "grade": sheet.grade, "standing": sheet.standing},
        )
        messages.success(
            request,
            _("考核结果已确认：%(total)s 分，%(grade)s，规范化%(standing)s。")
            % {
                "total": sheet.total,
                "grade": sheet.get_grade_display(),
                "standing": sheet.get_standing_display(),
            },
        )
    return redirect("assessment:sheet", sheet.public_id)


@login_only
def deduction_rectify(request: HttpRequest, public_id) -> HttpResponse:
    deduction = selectors.deduction_for_user(request.user, public_id)
    sheet = deduction.line.sheet
    _assessor_or_403(request.user, sheet)
    form = forms.RectifyForm(
        request.POST or None,
        initial={"deadline": services.default_deadline(timezone.localdate())},
    )
    back = reverse("assessment:sheet", args=[sheet.public_id])
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            item = services.deduction_rectify(
                deduction=deduction,
                measure=cd["measure"],
                deadline=cd["deadline"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("扣分已转为整改事项。"))
            return redirect("duties:detail", item.public_id)
    return _form_page(
        request,
        form,
        _("扣分转为整改"),
        _crumbs((sheet.org.name, back), (_("转为整改"), None)),
        back,
        f"{deduction.line.indicator.title}：{deduction.text}",
    )


@login_only
def sheet_pdf(request: HttpRequest, public_id) -> HttpResponse:
    sheet = selectors.sheet_for_user(request.user, public_id)
    return exports.sheet_pdf_response(request, sheet)


def scheme_url(scheme: Scheme) -> str:
    return reverse("assessment:scheme", args=[scheme.public_id])
