"""The cockpit (驾驶舱), its drill-down and export, the rule catalogue, exemptions, inbox."""

from __future__ import annotations

import hashlib
import json
import pickle

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.assessment.selectors import year_summary
from zhibu.core.access import login_only, requires
from zhibu.core.audit import audit_record
from zhibu.core.db import on_replica
from zhibu.core.excel import build_workbook, workbook_response
from zhibu.core.forms import apply_errors
from zhibu.core.models import AuditEvent
from zhibu.core.rules import Period, Status, registry
from zhibu.core.rules.models import Exemption, Notification, Supplement
from zhibu.core.scope import ancestor_paths
from zhibu.dues.selectors import cached_dues_panel
from zhibu.duties.selectors.summary import cached_duty_panel
from zhibu.insight import forms, selectors
from zhibu.members.selectors import member_for_user
from zhibu.orgs.current import current_org
from zhibu.orgs.models import Org, Sector
from zhibu.orgs.selectors import org_for_user, visible_orgs
from zhibu.rulebook.run import rerun_for_exemption, rules_run
from zhibu.rulebook.services import exemption_decide, exemption_request, supplement_create
from zhibu.study.selectors.summary import cached_study_panel


def _period(request) -> Period:
    code = request.GET.get("period") or request.POST.get("period")
    if code:
        try:
            return Period.parse(code)
        except ValidationError:
            messages.error(
                request, _("期间格式不正确：请写成 2025（年）、2025Q3（季度）或 2025-07（月）。")
            )
    return Period.containing("quarter", timezone.localdate())


def _org(request, action: str = "finding.view") -> Org:
    """The org named in the query, or the user's current org, or their top visible org."""
    wanted = request.GET.get("org") or request.POST.get("org")
    if wanted:
        org = org_for_user(request.user, wanted)
        if not permissions.can(request.user, action, org):
            raise Http404
        return org
    org = current_org(request)
    if org is not None and permissions.can(request.user, action, org):
        return org
    org = visible_orgs(request.user, action).order_by("depth", "path").first()
    if org is None:
        raise PermissionDenied
    return org


def _filters(request) -> dict:
    sector = request.GET.get("sector", "")
    kind = request.GET.get("kind", "")
    return {
        "sector": sector if sector in Sector.values else "",
        "kind": kind if kind in Org.Kind.values else "",
    }


# The rendered matrix, cached per org, period, filters and language; the version in the
# key changes whenever a run changes a count in the org's subtree (the summary's token)
# or a child org is edited, so a hit is always current. The TTL only bounds memory.
COCKPIT_CACHE_SECONDS = 3600


@requires("finding.view")
@on_replica
def cockpit(request: HttpRequest) -> HttpResponse:
    org, period, filters = _org(request), _period(request), _filters(request)
    key = "cockpit:{}:{}:{}:{}:{}:{}".format(
        org.pk,
        period.code,
        filters["sector"],
        filters["kind"],
        translation.get_language(),
        selectors.cockpit_version(org),
    )
    parts = cache.get(key)
    if parts is None:
        parts = _cockpit_parts(request, org, period, filters)
        cache.set(key, parts, COCKPIT_CACHE_SECONDS)
    year, today = period.start.year, timezone.localdate()
    children = list(selectors.children_of(org))
    # Not cached with the matrix: these records change without a rule run. Their figures
    # are cached under their tables' change counts, their HTML under the figures.
    duty_rows = cached_duty_panel(org=org, children=children, year=year, today=today)
    dues_rows = cached_dues_panel(org=org, children=children, today=today)
    # 学习教育: members below 32 学时 so far this year, courses, self-study waiting.
    study_rows = cached_study_panel(org=org, children=children, year=year, today=today)
    context = {
        "org": org,
        "period": period,
        "filters": filters,
        "duty_rows": duty_rows,
        "dues_rows": dues_rows,
        "study_rows": study_rows,
        "duties_html": rendered(
            "insight/_cockpit_duties.html", {"duty_rows": duty_rows, "duty_year": year}
        ),
        "assessment_summary": year_summary(org=org, year=year),
        "dues_html": rendered("dues/_cockpit_dues.html", {"dues_rows": dues_rows}),
        "study_html": rendered(
            "study/_cockpit_study.html", {"study_rows": study_rows, "duty_year": year}
        ),
        "stats_html": parts["stats"],
        "matrix_html": parts["matrix"],
        "sectors": Sector.choices,
        "kinds": Org.Kind.choices,
        "periods": _period_choices(period),
        "can_run": permissions.can(request.user, "rules.run", org),
        "page_title": _("驾驶舱"),
        "breadcrumbs": [(_("驾驶舱"), None)],
    }
    return render(request, "insight/cockpit.html", context)


def rendered(template: str, context: dict) -> str:
    """A panel's HTML, which is a pure function of its template, its context and the
    language: cached under a digest of those. Keying (pickling a few dozen rows) costs
    about a millisecond where rendering them costs ten or more, and a changed figure
    changes the key, so a hit is always current. A context that cannot be pickled is
    rendered every time."""
    try:
        data = pickle.dumps((template, translation.get_language(), context), protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError):
        return render_to_string(template, context)
    key = "panel-html:" + hashlib.blake2b(data, digest_size=16).hexdigest()
    html = cache.get(key)
    if html is None:
        html = render_to_string(template, context)
        cache.set(key, html, COCKPIT_CACHE_SECONDS)
    return html


def _cockpit_parts(request, org: Org, period: Period, filters: dict) -> dict[str, str]:
    """The cockpit's counts and matrix as HTML: the same for every user who may view
    ``org`` (scopes are whole subtrees), so they are cached for all of them."""
    matrix = selectors.cockpit_matrix(user=request.user, org=org, period=period, **filters)
    trend = selectors.monthly_trend(user=request.user, org=org, period=period)
    distribution = [
        {"code": code, **{s: matrix.column_totals[code].counts.get(s, 0) for s in Status.values}}
        for code in matrix.codes
    ]
    context = {
        "org": org,
        "period": period,
        "matrix": matrix,
        "rules": {rule.code: rule for rule in registry.catalogue()},
        "trend": trend,
        "distribution": distribution,
        "statuses": Status.choices,
        "findings_url": reverse("insight:findings"),
        "cockpit_url": reverse("insight:cockpit"),
    }
    return {
        "stats": render_to_string("insight/_cockpit_stats.html", context, request),
        "matrix": render_to_string("insight/_cockpit_matrix.html", context, request),
    }


def _period_choices(period: Period) -> list[Period]:
    today = timezone.localdate()
    current = [Period.containing(kind, today) for kind in ("quarter", "month", "year")]
    previous = [p.previous() for p in current]
    options = {p.code: p for p in [*current, *previous, period]}
    return sorted(options.values(), key=lambda p: (p.start, p.end))


@requires("finding.view")
@on_replica
def findings(request: HttpRequest) -> HttpResponse:
    """Drill-down: the findings behind a number, with explanations, citations and records."""
    org, period, filters = _org(request), _period(request), _filters(request)
    qs = selectors.findings_in(user=request.user, org=org, period=period, **filters).select_related(
        "org"
    )
    code = request.GET.get("rule", "")
    status = request.GET.get("status", "")
    if code:
        qs = qs.filter(rule_code=code)
    if status == "problems":
        qs = qs.filter(status__in=selectors.PROBLEMS)
    elif status in Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("export") == "xlsx":
        return _export(request, org, period, qs)
    page = Paginator(qs.order_by("org_path", "rule_code", "period_start"), 50).get_page(
        request.GET.get("page")
    )
    rules = {code: registry.in_force(code, period.last_day) for code in {f.rule_code for f in page}}
    shown = selectors.findings_refs(list(page))
    rows = [
        (
            f,
            selectors.ref_links(shown[i]),
            selectors.finding_action(f, rules[f.rule_code]),
            selectors.exemption_member(f),
        )
        for i, f in enumerate(page)
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "org": org,
        "period": period,
        "rows": rows,
        "ref_labels": selectors.REF_LABELS,
        "page_obj": page,
        "rule": registry.in_force(code, period.last_day) if code else None,
        "status": status,
        "query_string": query.urlencode(),
        "can_exempt": permissions.holds_anywhere(request.user, "finding.view"),
        "page_title": _("检查结果"),
        "breadcrumbs": [
            (
                _("驾驶舱"),
                reverse("insight:cockpit") + f"?org={org.public_id}&period={period.code}",
            ),
            (_("检查结果"), None),
        ],
    }
    return render(request, "insight/findings.html", context)


def _export(request, org: Org, period: Period, qs) -> HttpResponse:
    headers = ["规则", "期间", "党组织", "状态", "说明", "依据", "数据"]
    labels = dict(Status.choices)
    rows = (
        (
            f.rule_code,
            f.period_code,
            f.org.name,
            str(labels.get(f.status, f.status)),
            f.text,
            f.citation_text,
            json.dumps(f.numbers, ensure_ascii=False),
        )
        for f in qs.order_by("org_path", "rule_code", "period_start").iterator(chunk_size=2000)
    )
    content = build_workbook([("检查结果", headers, rows)])
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=f"导出检查结果：{org.name} {period.code}",
        request=request,
        obj=org,
        org_path=org.path,
        details={"period": period.code, "filter": request.GET.dict()},
    )
    return workbook_response(content, f"检查结果-{org.short_name or org.name}-{period.code}.xlsx")


@requires("rules.run")
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    org, period = _org(request, "rules.run"), _period(request)
    result = rules_run(root=org, period=period, by=request.user, trigger="page")
    messages.success(
        request,
        _(
            "已重新检查 %(org)s %(period)s：新增 %(c)s 项，变化 %(u)s 项，移除 %(d)s 项，用时 %(ms)s 毫秒。"
        )
        % {
            "org": org.name,
            "period": period.label,
            "c": result.created,
            "u": result.updated,
            "d": result.deleted,
            "ms": result.duration_ms,
        },
    )
    return redirect(reverse("insight:cockpit") + f"?org={org.public_id}&period={period.code}")


@requires("finding.view")
def exemption_new(request: HttpRequest) -> HttpResponse:
    """Ask for (or, with the right, grant) an exemption of an org — or one of its members —
    from a rule for a period; the link comes from a finding (?org=&rule=&period=&member=)."""
    org = _org(request)
    period = _period(request)
    rule = registry.in_force(request.GET.get("rule", ""), period.last_day)
    if rule is None:
        raise Http404
    member = None
    if request.GET.get("member"):
        member = member_for_user(request.user, request.GET["member"])
    form = forms.ExemptionForm(
        request.POST or None, initial={"start": period.start, "end": period.last_day}
    )
    if request.method == "POST" and form.is_valid():
        try:
            exemption = exemption_request(
                rule_code=rule.code,
                org=org,
                member=member,
                by=request.user,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if exemption.state == Exemption.State.APPROVED:
                rerun_for_exemption(exemption, by=request.user)
                messages.success(request, _("已批准豁免，检查结果已更新。"))
            else:
                messages.success(request, _("豁免申请已提交，等待上级审批。"))
            return redirect("insight:exemptions")
    context = {
        "org": org,
        "rule": rule,
        "period": period,
        "member": member,
        "form": form,
        "page_title": _("申请豁免"),
        "breadcrumbs": [(_("驾驶舱"), reverse("insight:cockpit")), (_("申请豁免"), None)],
    }
    return render(request, "insight/exemption_form.html", context)


@requires("finding.view")
def exemptions(request: HttpRequest) -> HttpResponse:
    qs = (
        Exemption.objects.filter(
            permissions.scope_q(request.user, "finding.view", field="org__path")
        )
        .select_related("org", "member", "requested_by", "approver")
        .order_by("state", "-requested_at")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(e, permissions.can(request.user, "exemption.approve", e.org)) for e in page]
    context = {
        "rows": rows,
        "page_obj": page,
        "decision_form": forms.DecisionForm(),
        "page_title": _("检查豁免"),
        "breadcrumbs": [(_("驾驶舱"), reverse("insight:cockpit")), (_("检查豁免"), None)],
    }
    return render(request, "insight/exemptions.html", context)


@requires("exemption.approve")
@require_POST
def exemption_decide_view(request: HttpRequest, public_id) -> HttpResponse:
    exemption = (
        Exemption.objects.filter(
            permissions.scope_q(request.user, "finding.view", field="org__path")
        )
        .filter(public_id=public_id)
        .first()
    )
    if exemption is None:
        raise Http404
    if not permissions.can(request.user, "exemption.approve", exemption.org):
        raise PermissionDenied
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
        return redirect("insight:exemptions")
    try:
        exemption_decide(
            exemption=exemption,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("insight:exemptions")
    if form.cleaned_data["approve"]:
        rerun_for_exemption(exemption, by=request.user)
    messages.success(request, _("已处理豁免申请。"))
    return redirect("insight:exemptions")


@requires("finding.view")
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every rule with its citation, confidence, parameters, versions and local supplements."""
    org = current_org(request)
    committee = _committee_of(org) if org else None
    supplements = {}
    if committee is not None:
        for supplement in Supplement.objects.filter(committee=committee).order_by(
            "-effective_from"
        ):
            supplements.setdefault(supplement.rule_code, []).append(supplement)
    rows = [
        (rule, registry.versions(rule.code), supplements.get(rule.code, []))
        for rule in registry.catalogue()
    ]
    context = {
        "rows": rows,
        "committee": committee,
        "can_configure": committee is not None
        and permissions.can(request.user, "rules.configure", committee),
        "page_title": _("规则目录"),
        "breadcrumbs": [(_("驾驶舱"), reverse("insight:cockpit")), (_("规则目录"), None)],
    }
    return render(request, "insight/catalogue.html", context)


def _committee_of(org: Org) -> Org | None:
    """The nearest 党委 at or above ``org`` (local supplements are made there)."""
    paths = ancestor_paths(org.path, include_self=True)
    return Org.objects.filter(path__in=paths, kind=Org.Kind.COMMITTEE).order_by("-depth").first()


@requires("rules.configure")
def supplement_new(request: HttpRequest, code: str) -> HttpResponse:
    org = current_org(request)
    committee = _committee_of(org) if org else None
    if committee is None or not permissions.can(request.user, "rules.configure", committee):
        raise PermissionDenied
    rule = registry.in_force(code, timezone.localdate()) or (registry.versions(code) or [None])[-1]
    if rule is None:
        raise Http404
    form = forms.SupplementForm(
        request.POST or None, rule=rule, initial={"effective_from": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supplement_create(
                committee=committee,
                rule_code=rule.code,
                params=form.params(),
                enabled=data["enabled"],
                effective_from=data["effective_from"],
                effective_to=data["effective_to"],
                document_no=data["document_no"],
                note=data["note"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                target = (
                    f"param_{field}"
                    if f"param_{field}" in form.fields
                    else (field if field in form.fields else None)
                )
                for error in errors:
                    form.add_error(target, error)
        else:
            messages.success(request, _("已制定补充规定。"))
            return redirect("insight:rules")
    context = {
        "rule": rule,
        "form": form,
        "committee": committee,
        "page_title": _("制定补充规定"),
        "breadcrumbs": [(_("规则目录"), reverse("insight:rules")), (rule.code, None)],
    }
    return render(request, "insight/supplement_form.html", context)


@login_only
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's own daily digests."""
    page = Paginator(Notification.objects.filter(user=request.user).order_by("-day"), 20).get_page(
        request.GET.get("page")
    )
    unread = [n.pk for n in page if n.read_at is None]
    if unread:
        Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(
        request,
        "insight/inbox.html",
        {"page_obj": page, "page_title": _("提醒"), "breadcrumbs": [(_("提醒"), None)]},
    )
