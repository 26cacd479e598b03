"""Development pages: the pipeline board, the case page with its next step, recording
steps (refused with the article when a rule forbids), 公示, overrides and the plan."""

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
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.models import AuditEvent
from zhibu.core.params import year_param
from zhibu.core.pdf import pdf_response
from zhibu.core.scope import ancestor_paths, parent_path, subtree_q
from zhibu.core.versioning import save_versioned, version_initial, without_version
from zhibu.development import exports, forms, selectors, services
from zhibu.development.models import Case, Override
from zhibu.development.steps import STAGES, STEPS
from zhibu.meetings.models import Decision
from zhibu.members.models import Member
from zhibu.members.selectors import visible_members
from zhibu.orgs.current import current_org
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_for_user, visible_orgs


def _crumbs(*tail):
    return [(_("发展党员"), reverse("development:board")), *tail]


def _board_org(request) -> Org:
    if request.GET.get("org"):
        return org_for_user(request.user, request.GET["org"])
    org = current_org(request)
    if org is not None and permissions.can(request.user, "development.view", org):
        return org
    org = visible_orgs(request.user, "development.view").order_by("depth", "path").first()
    if org is None:
        raise PermissionDenied
    return org


@requires("development.view")
def board(request: HttpRequest) -> HttpResponse:
    """Counts per stage per branch, and the open cases with their next steps."""
    org = _board_org(request)
    stage = request.GET.get("stage")
    cases = selectors.case_list(
        user=request.user,
        org=org,
        q=request.GET.get("q", ""),
        stage=int(stage) if stage and stage.isdigit() else None,
    )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    context = {
        "org": org,
        "rows": selectors.pipeline(user=request.user, org=org),
        "stages": STAGES,
        "cases": selectors.next_steps(page, today),
        "page_obj": page,
        "today": today,
        "can_manage": permissions.can(request.user, "development.manage", org),
        "page_title": _("发展党员"),
        "breadcrumbs": _crumbs(),
    }
    return render(request, "development/board.html", context)


@requires("development.manage")
def new(request: HttpRequest) -> HttpResponse:
    branches = list(
        visible_orgs(request.user, "development.manage")
        .filter(kind__in=Org.BRANCH_KINDS, dissolved_on__isnull=True)
        .order_by("path")
    )
    form = forms.CaseForm(request.POST or None, orgs=branches)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        org = org_for_user(request.user, data.pop("org"), action="development.manage")
        try:
            case = services.case_open(org=org, by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记入党申请。"))
            return redirect("development:case", case.public_id)
    return render(
        request,
        "development/form.html",
        {
            "form": form,
            "page_title": _("登记入党申请"),
            "breadcrumbs": _crumbs((_("登记入党申请"), None)),
        },
    )


def _candidates(case: Case, user):
    """Full members the user may see in the case's branch and around it (talkers may come
    from the committee above)."""
    parent = parent_path(case.org.path)
    return (
        visible_members(user)
        .filter(subtree_q([parent], field="org__path"), status=Member.Status.FULL)
        .select_related("org")
        .order_by("org__path", "name_pinyin")
    )


def _decisions(case: Case, number: int):
    kind = STEPS[number].decision
    return (
        Decision.objects.filter(meeting__org=case.org, kind=kind, body="assembly")
        .select_related("meeting")
        .order_by("-meeting__on")[:30]
    )


@requires("development.view")
def case(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.case_for_user(request.user, public_id)
    today = timezone.localdate()
    following = selectors.next_step(item, today)
    can_manage = permissions.can(request.user, "development.manage", item.org)
    step_form = None
    if can_manage and following:
        step_form = forms.StepForm(
            number=following.number,
            candidates=_candidates(item, request.user),
            decisions=_decisions(item, following.number),
            initial={"on": today, **version_initial(item)},
        )
    context = {
        "case": item,
        "next": following,
        "step_form": step_form,
        "stages": STAGES,
        "steps_def": STEPS,
        "steps": list(
            item.steps.prefetch_related("people__member")
            .select_related("decision__meeting")
            .order_by("on", "id")
        ),
        "publicities": item.publicities.all(),
        "overrides": item.overrides.select_related("requested_by", "approver"),
        "history": history_of(item),
        "can_manage": can_manage,
        "may_approve": services.may_approve(request.user, item),
        "publicity_form": forms.PublicityForm(initial={"start": today}, prefix="pub"),
        "override_form": forms.OverrideForm(prefix="ovr"),
        "stop_form": forms.StopForm(initial={"on": today}, prefix="stop"),
        "page_title": item.name,
        "breadcrumbs": _crumbs((item.name, None)),
    }
    return render(request, "development/case.html", context)


@requires("development.view")
def case_pdf(request: HttpRequest, public_id) -> HttpResponse:
    """The case file as PDF (入党材料汇编), for the archive after 转正 (DEV-21)."""
    item = selectors.case_for_user(request.user, public_id)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("导出入党材料汇编：%(name)s") % {"name": item.name},
        request=request,
        obj=item,
        org_path=item.org.path,
    )
    return pdf_response(exports.case_pdf(item), f"{item.name}入党材料汇编.pdf")


@requires("development.manage")
@require_POST
def record_step(request: HttpRequest, public_id, number: int) -> HttpResponse:
    item = selectors.case_for_user(request.user, public_id, write=True)
    if number not in STEPS:
        raise Http404
    form = forms.StepForm(
        request.POST,
        number=number,
        candidates=_candidates(item, request.user),
        decisions=_decisions(item, number),
    )
    if form.is_valid():
        data = without_version(form.cleaned_data)
        people = _people(item, request.user, number, data.pop("people", None))
        decision = _decision(item, number, data.pop("decision", None))
        step = save_versioned(
            form,
            item,
            lambda: services.step_record(
                case=item, number=number, by=request.user, people=people, decision=decision, **data
            ),
            noun=_("发展对象的档案"),
        )
        if step is not None:
            messages.success(request, _("已登记：%(step)s。") % {"step": STEPS[number].label})
    for field, errors in form.errors.items():
        label = f"{form.fields[field].label}：" if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}{error}")
    return redirect("development:case", item.public_id)


def _people(case: Case, user, number: int, picked) -> dict:
    role = STEPS[number].people
    if not role or not picked:
        return {}
    ids = [picked] if isinstance(picked, str) else list(picked)
    members = list(_candidates(case, user).filter(public_id__in=ids))
    return {role: members}


def _decision(case: Case, number: int, picked):
    if not picked:
        return None
    return next((d for d in _decisions(case, number) if str(d.public_id) == picked), None)


@requires("development.manage")
@require_POST
def publicity(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.case_for_user(request.user, public_id, write=True)
    form = forms.PublicityForm(request.POST, prefix="pub")
    if form.is_valid():
        try:
            record = services.publicity_start(case=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            text = _("已登记公示，至 %(day)s 结束（按工作日计算）。") % {"day": record.ends_on}
            if not record.official_calendar:
                text += _(
                    "注意：该年度尚无国家法定节假日安排，暂按周一至周五计算，请管理员及时录入。"
                )
            messages.success(request, text)
    else:
        messages.error(request, _("请填写公示事项和开始日期。"))
    return redirect("development:case", item.public_id)


@requires("development.view")
@require_POST
def override(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.case_for_user(request.user, public_id)
    if not (
        permissions.can(request.user, "development.manage", item.org)
        or services.may_approve(request.user, item)
    ):
        raise PermissionDenied
    form = forms.OverrideForm(request.POST, prefix="ovr")
    if form.is_valid():
        try:
            result = services.override_request(
                case=item, by=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            approved = result.state == Override.State.APPROVED
            messages.success(
                request, _("特批已批准。") if approved else _("特批申请已提交，等待上级党委审批。")
            )
    else:
        messages.error(request, _("请选择步骤并填写规则编号。"))
    return redirect("development:case", item.public_id)


@requires("development.approve")
@require_POST
def override_decide(request: HttpRequest, public_id, override_id) -> HttpResponse:
    item = selectors.case_for_user(request.user, public_id)
    row = item.overrides.filter(public_id=override_id).first()
    if row is None:
        raise Http404
    try:
        services.override_decide(
            override=row,
            approve=request.POST.get("approve") == "1",
            by=request.user,
            request=request,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已处理特批申请。"))
    return redirect("development:case", item.public_id)


@requires("development.manage")
@require_POST
def stop(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.case_for_user(request.user, public_id, write=True)
    form = forms.StopForm(request.POST, prefix="stop")
    if form.is_valid():
        try:
            services.case_stop(case=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已终止发展程序。"))
    return redirect("development:case", item.public_id)


@requires("development.view")
def plan(request: HttpRequest) -> HttpResponse:
    """The annual development plan of a 党委 against what happened (DEV-20)."""
    org = _board_org(request)
    committee = org if org.kind == Org.Kind.COMMITTEE else None
    if committee is None:
        # A branch works to its 党委's plan: the committee above is shown even though it
        # lies outside the branch's scope; the branch rows below stay scoped.
        committee = (
            Org.objects.filter(path__in=ancestor_paths(org.path), kind=Org.Kind.COMMITTEE)
            .order_by("-depth")
            .first()
        )
    if committee is None:
        raise Http404
    year = year_param(request)
    actual = selectors.plan_actual(committee=committee, year=year)
    branches = list(
        visible_orgs(request.user, "development.view")
        .filter(subtree_q([committee.path]), kind__in=Org.BRANCH_KINDS, dissolved_on__isnull=True)
        .order_by("path")
    )
    can_plan = permissions.can(request.user, "development.approve", committee)
    initial = {}
    if actual.plan:
        initial = {
            f: getattr(actual.plan, f)
            for f in (
                "quota",
                "target_young_pct",
                "target_women_pct",
                "target_front_line_pct",
                "target_college_pct",
            )
        }
        initial.update({f"quota_{q.org.public_id}": q.quota for q in actual.plan.quotas.all()})
    form = forms.PlanForm(request.POST or None, branches=branches, initial=initial)
    if request.method == "POST":
        if not can_plan:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            quotas = form.quotas()
            targets = {
                k: data[k]
                for k in (
                    "target_young_pct",
                    "target_women_pct",
                    "target_front_line_pct",
                    "target_college_pct",
                )
            }
            try:
                services.plan_save(
                    committee=committee,
                    year=year,
                    quota=data["quota"],
                    quotas=quotas,
                    by=request.user,
                    **targets,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存年度发展计划。"))
                return redirect(
                    reverse("development:plan") + f"?org={committee.public_id}&year={year}"
                )
    quotas = {q.org_id: q.quota for q in actual.plan.quotas.all()} if actual.plan else {}
    table = [(b, quotas.get(b.pk, 0), actual.by_org.get(b.pk, 0)) for b in branches]
    context = {
        "committee": committee,
        "year": year,
        "actual": actual,
        "table": table,
        "form": form,
        "can_plan": can_plan,
        "page_title": _("年度发展计划"),
        "breadcrumbs": _crumbs((_("年度发展计划"), None)),
    }
    return render(request, "development/plan.html", context)
