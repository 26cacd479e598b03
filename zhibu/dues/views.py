"""党费 pages: the ledger (index), a branch's monthly sheet, a member's dues, the payroll
import, reliefs awaiting the higher 党委, 上缴, year statements and Excel, 自行脱党 cases.

Every page needs ``dues.manage`` somewhere; the org or member it names must lie in the
user's dues scope, else 404. 我的党费 (``my_dues_context``) shows the member's own record.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.audit import audit_record
from zhibu.core.excel import workbook_response
from zhibu.core.forms import apply_errors
from zhibu.core.models import AuditEvent
from zhibu.core.scope import subtree_q
from zhibu.core.versioning import save_versioned, version_initial
from zhibu.dues import exports, forms, payroll, selectors, services
from zhibu.dues.models import (
    DuesBase,
    DuesPolicy,
    LapseCase,
    Payment,
    PaymentCorrection,
    PayrollImport,
    Relief,
    Remittance,
)
from zhibu.dues.rates import parse_month
from zhibu.meetings.models import Meeting
from zhibu.members.models import Member
from zhibu.orgs.current import current_org
from zhibu.orgs.models import Org
from zhibu.rulebook.changes import cached

ACTION = selectors.ACTION
CONFIGURE = "rules.configure"  # a committee's local rules, here its dues parameters


def _month(request, default: date | None = None) -> date:
    text = request.GET.get("month") or request.POST.get("month") or ""
    return parse_month(text) or (default or timezone.localdate()).replace(day=1)


def _org(request) -> Org:
    wanted = request.GET.get("org") or request.POST.get("org")
    if wanted:
        return selectors.dues_org_for_user(request.user, wanted)
    org = current_org(request)
    if org is not None and permissions.can(request.user, ACTION, org):
        return org
    org = selectors.dues_orgs(request.user).order_by("depth", "path").first()
    if org is None:
        raise Http404
    return org


def _crumbs(org: Org, *tail):
    return [(_("党费"), reverse("dues:index") + f"?org={org.public_id}"), *tail]


@requires(ACTION)
def index(request: HttpRequest) -> HttpResponse:
    """The ledger of the chosen org's subtree for a month, with 上缴 and reconciliation."""
    org, month = _org(request), _month(request)
    rows = selectors.ledger(org, month, depth=LEDGER_LEVELS)
    today = timezone.localdate()
    context = {
        "org": org,
        "month": month,
        "month_text": services.month_label(month),
        "rows": rows,
        "chart": selectors.monthly_collection(org, month.year),
        **_arrears_shown(org, today, rows[0].members if rows else 0),
        "levels": LEDGER_LEVELS,
        "can_configure": org.kind in Org.COMMITTEE_KINDS
        and permissions.can(request.user, CONFIGURE, org),
        "remit_form": forms.RemitForm(
            initial={"remitted_on": today, "amount": rows[0].expected_remit if rows else None}
        ),
        "can_remit": Org.objects.get_parent(org) is not None,
        "incoming": Remittance.objects.filter(to_org=org, month=month).select_related("from_org"),
        "page_title": _("党费"),
        "breadcrumbs": [(_("党费"), None)],
    }
    return render(request, "dues/index.html", context)


ARREARS_SHOWN = 50
ARREARS_MEMBERS = 3000  # above this many members, the list is left to each branch's sheet
LEDGER_LEVELS = 2  # the page shows the org and two levels below; each row drills down


def _arrears_shown(org: Org, today: date, members: int) -> dict:
    """The longest arrears of three months or more (the first ``ARREARS_SHOWN``) and how
    many there are, from the cache while payments, reliefs and the roll are unchanged.
    A subtree of more than ``ARREARS_MEMBERS`` members gets none (``arrears_skipped``):
    its branches' sheets list theirs, and DUES-11's findings reach the cockpit."""
    if members > ARREARS_MEMBERS:
        return {"arrears": [], "arrears_total": 0, "arrears_skipped": True}

    def compute() -> dict:
        found = [
            a for a in selectors.arrears(subtree_q([org.path], "org__path"), today) if a.months >= 3
        ]
        return {"arrears": found[:ARREARS_SHOWN], "arrears_total": len(found)}

    return cached(
        "dues-arrears",
        ARREARS_SOURCES,
        (org.pk, org.path, today.isoformat()),
        compute,
    )


ARREARS_SOURCES = ("dues_payment", "dues_relief", "members_memberspan", "members_member")


@requires(ACTION)
def ledger_export(request: HttpRequest) -> HttpResponse:
    org, month = _org(request), _month(request)
    content = exports.ledger_book(org, month)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("导出党费收缴表 %(org)s %(month)s")
        % {"org": org.name, "month": services.month_label(month)},
        request=request,
        org_path=org.path,
    )
    return workbook_response(content, f"党费收缴-{org.name}-{services.month_label(month)}.xlsx")


@requires(ACTION)
def year_statement(request: HttpRequest, org_id) -> HttpResponse:
    org = selectors.dues_org_for_user(request.user, org_id)
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and 1900 < int(text) < 3000 else timezone.localdate().year
    if request.GET.get("export") == "xlsx":
        audit_record(
            kind=AuditEvent.Kind.EXPORT,
            summary=_("导出党费收缴台账 %(org)s %(year)s 年") % {"org": org.name, "year": year},
            request=request,
            org_path=org.path,
        )
        return workbook_response(
            exports.year_book(org, year), f"党费收缴台账-{org.name}-{year}.xlsx"
        )
    title = _("%(year)s 年党费收缴情况") % {"year": year}
    return render(
        request,
        "dues/year.html",
        {
            "org": org,
            "year": year,
            "months": selectors.org_year(org, year),
            "is_branch": org.kind in Org.BRANCH_KINDS,
            "page_title": title,
            "breadcrumbs": _crumbs(org, (title, None)),
        },
    )


@requires(ACTION)
def sheet(request: HttpRequest, org_id) -> HttpResponse:
    """A branch's monthly sheet: tick who paid, adjust a row's on-behalf name, save all."""
    org = selectors.dues_org_for_user(request.user, org_id)
    month = _month(request)
    rows = selectors.sheet(org, month)
    form = forms.SheetCommon(
        request.POST or None,
        initial={"paid_on": timezone.localdate(), "version": selectors.sheet_version(org, month)},
    )
    row_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        entries = []
        by_pid = {str(r.due.public_id): r for r in rows}
        people = Member.objects.in_bulk([r.due.member_id for r in rows])
        for pid in request.POST.getlist("pay"):
            row = by_pid.get(pid)
            if row is None or row.paid:
                continue
            amount = forms.parse_amount(request.POST.get(f"amount_{pid}", ""))
            if amount is None:
                row_errors.append(
                    _("%(name)s：金额须为数字（元），如 52.30。") % {"name": row.due.name}
                )
                continue
            entries.append(
                services.Entry(
                    member=people[row.due.member_id],
                    month=month,
                    amount=amount,
                    method=form.cleaned_data["method"],
                    paid_on=form.cleaned_data["paid_on"],
                    paid_by=request.POST.get(f"paid_by_{pid}", "")[:50],
                    quarterly=bool(request.POST.get(f"quarterly_{pid}")),
                    note=request.POST.get(f"note_{pid}", "")[:200],
                )
            )
        if not row_errors:
            try:
                created = services.payments_record(
                    entries=entries,
                    by=request.user,
                    org=org,
                    month=month,
                    version=form.cleaned_data["version"] or None,
                )
            except ValidationError as exc:
                row_errors.extend(exc.messages)
            else:
                messages.success(request, _("已登记 %(n)s 人的党费。") % {"n": len(created)})
                return redirect(
                    reverse("dues:sheet", args=[org.public_id])
                    + f"?month={services.month_label(month)}"
                )
    today = timezone.localdate()
    title = _("%(month)s 党费收缴") % {"month": services.month_label(month)}
    return render(
        request,
        "dues/sheet.html",
        {
            "org": org,
            "month": month,
            "month_text": services.month_label(month),
            "rows": rows,
            "form": form,
            "row_errors": row_errors,
            "due_total": sum((r.due.amount or Decimal(0) for r in rows), Decimal(0)),
            "paid_total": sum((r.payment.amount for r in rows if r.payment), Decimal(0)),
            "reminders": selectors.arrears(Q(org=org), today),
            "page_title": title,
            "breadcrumbs": _crumbs(org, (org.name, None), (title, None)),
        },
    )


@requires(ACTION)
def member_dues(request: HttpRequest, member_id) -> HttpResponse:
    """A member's category and bases, their year, a new base, a voluntary payment, a relief."""
    member = selectors.member_in_scope(request.user, member_id)
    today = timezone.localdate()
    base_form = forms.BaseForm(
        prefix="base", data=request.POST if "base-category" in request.POST else None
    )
    voluntary_form = forms.VoluntaryForm(
        prefix="vol", data=request.POST if "vol-amount" in request.POST else None
    )
    relief_form = forms.ReliefForm(
        prefix="relief", data=request.POST if "relief-kind" in request.POST else None
    )
    back = reverse("dues:member", args=[member.public_id])
    if request.method == "POST":
        try:
            if base_form.is_bound and base_form.is_valid():
                cd = base_form.cleaned_data
                services.base_declare(
                    member=member,
                    category=cd["category"],
                    base=cd["base"],
                    effective_month=cd["effective_month"],
                    note=cd["note"],
                    by=request.user,
                )
                messages.success(request, _("已核定党费基数。"))
                return redirect(back)
            if voluntary_form.is_bound and voluntary_form.is_valid():
                record = services.voluntary_record(
                    member=member, by=request.user, **voluntary_form.cleaned_data
                )
                messages.success(
                    request,
                    _("已登记自愿多交党费，全额上缴中央（DUES-09）。")
                    if record.for_centre
                    else _("已登记自愿多交党费。"),
                )
                return redirect(back)
            if relief_form.is_bound and relief_form.is_valid():
                services.relief_request(member=member, by=request.user, **relief_form.cleaned_data)
                messages.success(request, _("已登记，减交、免交待上级党委审批。"))
                return redirect(back)
        except ValidationError as exc:
            for form in (base_form, voluntary_form, relief_form):
                if form.is_bound:
                    apply_errors(form, exc)
    year = int(request.GET["year"]) if str(request.GET.get("year", "")).isdigit() else today.year
    return render(
        request,
        "dues/member.html",
        {
            "member": member,
            "year": year,
            "bases": DuesBase.objects.filter(member=member).order_by("-effective_month"),
            "reliefs": Relief.objects.filter(member=member),
            "lines": selectors.member_statement(member, year),
            "now": selectors.member_due(member, today.replace(day=1)),
            "base_form": base_form,
            "voluntary_form": voluntary_form,
            "relief_form": relief_form,
            "page_title": _("%(name)s的党费") % {"name": member.name},
            "breadcrumbs": _crumbs(member.org, (member.name, None)),
        },
    )


@requires(ACTION)
def base_edit(request: HttpRequest, base_id) -> HttpResponse:
    try:
        record = DuesBase.objects.select_related("member").get(public_id=base_id)
    except (DuesBase.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    member = selectors.member_in_scope(request.user, record.member.public_id)
    initial = {
        "category": record.category,
        "base": record.base,
        "effective_month": record.effective_month,
        "note": record.note,
        **version_initial(record),
    }
    form = forms.BaseForm(request.POST or None, initial=initial)
    form.fields["effective_month"].disabled = True
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data

        def save():
            return services.base_update(
                record=record,
                category=cd["category"],
                base=cd["base"],
                note=cd["note"],
                by=request.user,
            )

        if save_versioned(form, record, save, noun=_("党费基数")) is not None:
            messages.success(request, _("已保存。"))
            return redirect("dues:member", member.public_id)
    title = _("修改党费基数")
    return render(
        request,
        "dues/form.html",
        {
            "form": form,
            "page_title": title,
            "back": reverse("dues:member", args=[member.public_id]),
            "breadcrumbs": _crumbs(
                member.org,
                (member.name, reverse("dues:member", args=[member.public_id])),
                (title, None),
            ),
        },
    )


@requires(ACTION)
def reliefs(request: HttpRequest) -> HttpResponse:
    """Reductions and exemptions awaiting a decision, in the user's dues scope; only a
    committee above the branch may decide (DUES-06)."""
    scope = permissions.scope_q(request.user, ACTION, "org__path")
    pending = list(
        Relief.objects.filter(scope, status=Relief.Status.REQUESTED).select_related("member", "org")
    )
    if request.method == "POST":
        try:
            relief = next(r for r in pending if str(r.public_id) == request.POST.get("relief"))
        except StopIteration:
            raise Http404 from None
        try:
            services.relief_decide(
                relief=relief,
                approve=request.POST.get("approve") == "1",
                by=request.user,
                on=timezone.localdate(),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已审批。"))
        return redirect("dues:reliefs")
    for r in pending:
        r.can_decide = permissions.can_strictly_below(request.user, ACTION, r.org)  # type: ignore[attr-defined]
    return render(
        request,
        "dues/reliefs.html",
        {
            "pending": pending,
            "page_title": _("党费减免审批"),
            "breadcrumbs": [(_("党费"), reverse("dues:index")), (_("减免审批"), None)],
        },
    )


@requires(ACTION)
def remit(request: HttpRequest, org_id) -> HttpResponse:
    org = selectors.dues_org_for_user(request.user, org_id)
    month = _month(request)
    form = forms.RemitForm(request.POST)
    back = reverse("dues:index") + f"?org={org.public_id}&month={services.month_label(month)}"
    if request.method != "POST":
        return redirect(back)
    if form.is_valid():
        try:
            services.remittance_record(
                from_org=org, month=month, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已登记上缴。"))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect(back)


@requires(ACTION)
def remit_confirm(request: HttpRequest, remittance_id) -> HttpResponse:
    try:
        remittance = Remittance.objects.select_related("to_org").get(public_id=remittance_id)
    except (Remittance.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    selectors.dues_org_for_user(request.user, remittance.to_org.public_id)
    if request.method == "POST":
        services.remittance_confirm(remittance=remittance, on=timezone.localdate(), by=request.user)
        messages.success(request, _("已确认收到上缴。"))
    return redirect(
        reverse("dues:index")
        + f"?org={remittance.to_org.public_id}&month={services.month_label(remittance.month)}"
    )


@requires(ACTION)
def payroll_upload(request: HttpRequest, org_id) -> HttpResponse:
    org = selectors.dues_org_for_user(request.user, org_id)
    if request.GET.get("template"):
        return workbook_response(payroll.template_workbook(), "党费工资名单模板.xlsx")
    form = forms.PayrollForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = payroll.payroll_upload(
                org=org, upload=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("dues:payroll", batch.public_id)
    title = _("导入工资名单")
    return render(
        request,
        "dues/payroll_upload.html",
        {"org": org, "form": form, "page_title": title, "breadcrumbs": _crumbs(org, (title, None))},
    )


@requires(ACTION)
def payroll_batch(request: HttpRequest, batch_id) -> HttpResponse:
    try:
        batch = PayrollImport.objects.select_related("org").get(
            public_id=batch_id, uploaded_by_id=request.user.pk
        )
    except (PayrollImport.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    selectors.dues_org_for_user(request.user, batch.org.public_id)
    if request.method == "POST":
        if request.POST.get("discard"):
            payroll.payroll_discard(batch=batch, by=request.user)
            messages.info(request, _("已放弃该批次。"))
            return redirect("dues:payroll_upload", batch.org.public_id)
        try:
            payroll.payroll_commit(batch=batch, by=request.user, request=request)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已导入 %(n)s 笔党费。") % {"n": len(batch.rows)})
        return redirect("dues:payroll", batch.public_id)
    title = _("工资名单导入预览")
    return render(
        request,
        "dues/payroll_batch.html",
        {"batch": batch, "page_title": title, "breadcrumbs": _crumbs(batch.org, (title, None))},
    )


@requires(ACTION)
def lapse_new(request: HttpRequest, member_id) -> HttpResponse:
    """Open the branch's 自行脱党 case for a member in DUES-11 arrears (the finding's action)."""
    member = selectors.member_in_scope(request.user, member_id)
    today = timezone.localdate()
    found = selectors.arrears(Q(), today, members=[member.pk])
    months = found[0].months if found else 0
    if request.method == "POST":
        case: LapseCase | None
        try:
            case = services.lapse_open(member=member, on=today, months=months, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            case = LapseCase.objects.filter(member=member, decision=LapseCase.Decision.OPEN).first()
        if case is not None:
            return redirect("dues:lapse", case.public_id)
    title = _("自行脱党处置")
    return render(
        request,
        "dues/lapse_new.html",
        {
            "member": member,
            "months": months,
            "page_title": title,
            "breadcrumbs": _crumbs(
                member.org,
                (member.name, reverse("dues:member", args=[member.public_id])),
                (title, None),
            ),
        },
    )


@requires(ACTION)
def lapse(request: HttpRequest, case_id) -> HttpResponse:
    try:
        case = LapseCase.objects.select_related("member", "org", "meeting").get(public_id=case_id)
    except (LapseCase.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    selectors.dues_org_for_user(request.user, case.org.public_id)
    meetings = Meeting.objects.filter(org=case.org, on__gte=case.opened_on).order_by("-on")[:30]
    form = forms.LapseDecideForm(
        request.POST or None,
        meetings=meetings,
        initial={"decision": case.decision, "decided_on": case.decided_on or timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lapse_decide(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已记录支部处置意见。"))
            return redirect("dues:lapse", case.public_id)
    title = _("自行脱党处置")
    return render(
        request,
        "dues/lapse.html",
        {
            "case": case,
            "form": form,
            "page_title": title,
            "breadcrumbs": _crumbs(
                case.org,
                (case.member.name, reverse("dues:member", args=[case.member.public_id])),
                (title, None),
            ),
        },
    )


@requires(ACTION)
def payment_correct(request: HttpRequest, payment_id) -> HttpResponse:
    """Correct or reverse (冲销) a recorded payment, with the reason (audited)."""
    try:
        payment = Payment.objects.select_related("member", "org").get(public_id=payment_id)
    except (Payment.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    selectors.dues_org_for_user(request.user, payment.org.public_id)
    initial = {
        "action": "correct",
        "amount": payment.amount,
        "method": payment.method,
        "paid_on": payment.paid_on,
        "paid_by": payment.paid_by,
        "note": payment.note,
        **version_initial(payment),
    }
    form = forms.CorrectionForm(request.POST or None, initial=initial)
    back = reverse("dues:sheet", args=[payment.org.public_id]) + (
        f"?month={services.month_label(payment.month)}"
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            if cd["action"] == "reverse":
                services.payment_reverse(
                    payment=payment,
                    reason=cd["reason"],
                    by=request.user,
                    version=cd["version"],
                    request=request,
                )
                messages.success(request, _("已冲销该笔党费，本月恢复为未交。"))
            else:
                services.payment_correct(
                    payment=payment,
                    reason=cd["reason"],
                    by=request.user,
                    amount=cd["amount"],
                    method=cd["method"],
                    paid_on=cd["paid_on"],
                    paid_by=cd["paid_by"],
                    note=cd["note"],
                    version=cd["version"],
                    request=request,
                )
                messages.success(request, _("已更正。"))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(back)
    title = _("更正党费交纳记录")
    return render(
        request,
        "dues/correct.html",
        {
            "form": form,
            "payment": payment,
            "corrections": PaymentCorrection.objects.filter(
                member=payment.member, month=payment.month
            ).select_related("by"),
            "page_title": title,
            "back": back,
            "breadcrumbs": _crumbs(payment.org, (payment.org.name, back), (title, None)),
        },
    )


def _policy_committee(request, org_id) -> Org:
    """A committee in the user's rules.configure scope, else 404."""
    try:
        org = Org.objects.filter(permissions.scope_q(request.user, CONFIGURE)).get(public_id=org_id)
    except Exception as exc:
        raise Http404 from exc
    if org.kind not in Org.COMMITTEE_KINDS:
        raise Http404
    return org


@requires(CONFIGURE)
def policy(request: HttpRequest, org_id) -> HttpResponse:
    """The committee's local parameters of 党费: the farmers' amount (0.2–1 yuan, DUES-05)
    and the rounding rule (national default: to the 分, half up)."""
    committee = _policy_committee(request, org_id)
    current = DuesPolicy.objects.filter(committee=committee).first()
    farmer, rounding = selectors.policy_for(committee.path)
    initial = {"farmer_amount": farmer, "rounding": rounding}
    if current is not None:
        initial.update(version_initial(current))
    form = forms.PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.policy_save(
                committee=committee,
                farmer_amount=cd["farmer_amount"],
                rounding=cd["rounding"],
                by=request.user,
                version=cd["version"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存党费本地参数，下级组织的应交金额已重新计算。"))
            return redirect("dues:policy", committee.public_id)
    title = _("党费本地参数")
    return render(
        request,
        "dues/policy.html",
        {
            "form": form,
            "committee": committee,
            "policy": current,
            "inherited": current is None,
            "page_title": title,
            "back": reverse("dues:index") + f"?org={committee.public_id}",
            "breadcrumbs": _crumbs(committee, (title, None)),
        },
    )


# --- 我的党费 on the member's own page ----------------------------------------------------------


def my_dues_context(member, request) -> dict:
    """The member's monthly amount, this year's paid months, and what is due (DUES-10)."""
    today = timezone.localdate()
    now = selectors.member_due(member, today.replace(day=1))
    lines = selectors.member_statement(member, today.year)
    owed = [
        line
        for line in lines
        if line.payment is None and line.due and line.month <= today.replace(day=1)
    ]
    found = selectors.arrears(Q(), today, members=[member.pk])
    return {
        "now": now,
        "lines": lines,
        "owed": owed,
        "owed_total": sum((line.due for line in owed if line.due), Decimal(0)),
        "arrears": found[0].months if found else 0,
        "paid_count": sum(1 for line in lines if line.payment is not None),
        "year": today.year,
    }
