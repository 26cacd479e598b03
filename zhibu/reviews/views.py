"""述职评议 pages (the year's reviews, opening one, its detail with grading, 点评, tally and
rectification list, PDF and Excel), 我的评议 for evaluators, and 三诺一评 pages (a
branch's promises and 评诺; the member's own promise and 践诺 from their own page)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.core.access import login_only, requires
from zhibu.core.audit import audit_record
from zhibu.core.excel import workbook_response
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.models import AuditEvent
from zhibu.core.params import year_param
from zhibu.core.pdf import pdf_response
from zhibu.core.versioning import save_versioned, version_initial
from zhibu.meetings.models import Meeting
from zhibu.orgs.selectors import org_for_user
from zhibu.reviews import forms, selectors, services
from zhibu.reviews.exports import review_pdf, reviews_workbook
from zhibu.reviews.models import Grade
from zhibu.reviews.selectors import PROMISE_EVALUATE, PROMISE_VIEW, VIEW
from zhibu.reviews.services import MANAGE


def crumbs(*tail):
    return [(_("述职评议"), reverse("reviews:index")), *tail]


def _review_crumbs(review, *tail):
    return crumbs((str(review), reverse("reviews:detail", args=[review.public_id])), *tail)


def _form_page(request, form, title, breadcrumbs, back, *, subtitle="", multipart=False):
    return render(
        request,
        "reviews/form.html",
        {
            "page_title": title,
            "breadcrumbs": breadcrumbs,
            "form": form,
            "back": back,
            "subtitle": subtitle,
            "multipart": multipart,
        },
    )


def _last_year() -> int:
    return timezone.localdate().year - 1


@requires(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    year = year_param(request, default=_last_year())
    org = org_for_user(request.user, request.GET["org"]) if request.GET.get("org") else None
    reviews = list(selectors.review_list(user=request.user, year=year, org=org)[:500])
    context = {
        "year": year,
        "reviews": reviews,
        "pending": selectors.pending(user=request.user, year=year),
        "mine": selectors.my_evaluations(request.user),
        "list_org": org,
    }
    return render(
        request,
        "reviews/index.html",
        {"page_title": _("述职评议"), "breadcrumbs": [(_("述职评议"), None)], **context},
    )


@requires(VIEW)
def export(request: HttpRequest) -> HttpResponse:
    year = year_param(request, default=_last_year())
    reviews = selectors.review_list(user=request.user, year=year)
    content = reviews_workbook(reviews)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=f"导出{year}年度述职评议",
        request=request,
        details={"year": year},
    )
    return workbook_response(content, f"述职评议-{year}.xlsx")


@requires(MANAGE)
def organise(request: HttpRequest, org_id) -> HttpResponse:
    """RESP-03's next step from a finding at an organiser: open a review there."""
    org = org_for_user(request.user, org_id, action=MANAGE)
    return redirect(f"{reverse('reviews:new')}?organiser={org.public_id}")


@requires(MANAGE)
def review_new(request: HttpRequest) -> HttpResponse:
    organisers = selectors.organisers_for(request.user)
    if not organisers:
        raise PermissionDenied
    wanted = request.POST.get("organiser") or request.GET.get("organiser")
    organiser = next((o for o in organisers if str(o.public_id) == wanted), organisers[0])
    subordinates = selectors.subordinates_of(organiser)
    candidates = list(selectors.evaluator_candidates(organiser)[:1000])
    form = forms.ReviewForm(
        request.POST or None,
        request.FILES or None,
        organisers=organisers,
        subordinates=subordinates,
        candidates=candidates,
        initial={
            "organiser": str(organiser.public_id),
            "org": request.GET.get("org", ""),
            "year": _last_year(),
        },
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        chosen = set(cd["evaluators"])
        try:
            review = services.review_open(
                organiser=organiser,
                org=next(o for o in subordinates if str(o.public_id) == cd["org"]),
                year=cd["year"],
                report=cd["report"],
                evaluators=[m for m in candidates if str(m.public_id) in chosen],
                meeting_on=cd["meeting_on"],
                meeting_place=cd["meeting_place"],
                files=cd["attachments"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已建立述职评议，评议人可以在“我的评议”中评价。"))
            return redirect("reviews:detail", review.public_id)
    title = _("组织述职评议")
    return _form_page(
        request, form, title, crumbs((title, None)), reverse("reviews:index"), multipart=True
    )


@requires(VIEW)
def detail(request: HttpRequest, public_id) -> HttpResponse:
    review = selectors.review_for_user(request.user, public_id)
    return _detail_page(request, review)


def _detail_page(request, review, **forms_in):
    evaluators = selectors.evaluators_of(review)
    manage = permissions.can(request.user, MANAGE, review.organiser)
    is_open = review.is_open
    context = {
        "review": review,
        "evaluators": evaluators,
        "tally": services.review_tally(review, evaluators),
        "files": selectors.files_of(review),
        "rectifications": selectors.rectifications_of(review),
        "manage": manage,
        "is_open": is_open,
        "mine": next((e for e in evaluators if e.member.user_id == request.user.pk), None),
        "history": history_of(review),
        "today": timezone.localdate(),
    }
    if manage and is_open:
        context["record_form"] = forms_in.get("record_form") or forms.RecordGradeForm(
            evaluators=evaluators
        )
        context["remark_form"] = forms_in.get("remark_form") or forms.RemarkForm(
            initial={
                "remarks": review.remarks,
                "on": timezone.localdate(),
                **version_initial(review),
            }
        )
        context["finish_form"] = forms_in.get("finish_form") or forms.FinishForm(
            initial={"on": timezone.localdate(), **version_initial(review)}
        )
    if manage:
        context["rect_form"] = forms_in.get("rect_form") or forms.RectificationForm()
    status = 400 if forms_in else 200
    return render(
        request,
        "reviews/detail.html",
        {"page_title": str(review), "breadcrumbs": _review_crumbs(review), **context},
        status=status,
    )


@requires(MANAGE)
def edit(request: HttpRequest, public_id) -> HttpResponse:
    review = selectors.review_for_user(request.user, public_id, write=True)
    if not review.is_open:
        raise Http404
    meetings = list(
        Meeting.objects.filter(org__in=[review.org_id, review.organiser_id]).order_by("-on")[:100]
    )
    initial = {
        "report": review.report,
        "meeting_on": review.meeting_on,
        "meeting_place": review.meeting_place,
        "meeting": str(review.meeting.public_id) if review.meeting else "",
        **version_initial(review),
    }
    form = forms.ReviewEditForm(
        request.POST or None, request.FILES or None, meetings=meetings, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        meeting = next((m for m in meetings if str(m.public_id) == cd["meeting"]), None)

        def save():
            return services.review_edit(
                review=review,
                report=cd["report"],
                meeting_on=cd["meeting_on"],
                meeting_place=cd["meeting_place"],
                meeting=meeting,
                files=cd["attachments"],
                by=request.user,
            )

        if save_versioned(form, review, save, noun=_("述职评议")) is not None:
            messages.success(request, _("已保存。"))
            return redirect("reviews:detail", review.public_id)
    title = _("修改述职报告和评议会")
    back = reverse("reviews:detail", args=[review.public_id])
    return _form_page(
        request, form, title, _review_crumbs(review, (title, None)), back, multipart=True
    )


@require_POST
@requires(MANAGE)
def record_grade(request: HttpRequest, public_id) -> HttpResponse:
    """The organiser's side records a listed evaluator's paper ballot."""
    review = selectors.review_for_user(request.user, public_id, write=True)
    evaluators = selectors.evaluators_of(review)
    form = forms.RecordGradeForm(request.POST, evaluators=evaluators)
    if form.is_valid():
        cd = form.cleaned_data
        evaluator = next(e for e in evaluators if str(e.public_id) == cd["evaluator"])
        try:
            services.grade_record(
                review=review,
                member=evaluator.member,
                grade=cd["grade"],
                comment=cd["comment"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记评价。"))
            return redirect("reviews:detail", review.public_id)
    return _detail_page(request, review, record_form=form)


@require_POST
@requires(MANAGE)
def remark(request: HttpRequest, public_id) -> HttpResponse:
    review = selectors.review_for_user(request.user, public_id, write=True)
    form = forms.RemarkForm(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        saved = save_versioned(
            form,
            review,
            lambda: services.review_remark(
                review=review, remarks=cd["remarks"], on=cd["on"], by=request.user
            ),
            noun=_("述职评议"),
        )
        if saved is not None:
            messages.success(request, _("已保存点评意见。"))
            return redirect("reviews:detail", review.public_id)
    return _detail_page(request, review, remark_form=form)


@require_POST
@requires(MANAGE)
def finish(request: HttpRequest, public_id) -> HttpResponse:
    review = selectors.review_for_user(request.user, public_id, write=True)
    form = forms.FinishForm(request.POST)
    if form.is_valid():
        cd = form.cleaned_data
        saved = save_versioned(
            form,
            review,
            lambda: services.review_finish(
                review=review, on=cd["on"], by=request.user, request=request
            ),
            noun=_("述职评议"),
        )
        if saved is not None:
            messages.success(
                request, _("已评定：%(grade)s。") % {"grade": saved.get_result_display()}
            )
            return redirect("reviews:detail", review.public_id)
    return _detail_page(request, review, finish_form=form)


@require_POST
@requires(MANAGE)
def rectification_add(request: HttpRequest, public_id) -> HttpResponse:
    review = selectors.review_for_user(request.user, public_id, write=True)
    form = forms.RectificationForm(request.POST)
    if form.is_valid():
        try:
            services.review_rectification_add(review=review, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已列入整改清单，进入整改事项台账跟踪销号。"))
            return redirect("reviews:detail", review.public_id)
    return _detail_page(request, review, rect_form=form)


@requires(VIEW)
def pdf(request: HttpRequest, public_id) -> HttpResponse:
    review = selectors.review_for_user(request.user, public_id)
    if not permissions.can(request.user, MANAGE, review.organiser):
        raise PermissionDenied  # the record lists each evaluator's grade
    evaluators = selectors.evaluators_of(review)
    content = review_pdf(
        review,
        evaluators,
        services.review_tally(review, evaluators),
        selectors.rectifications_of(review),
    )
    return pdf_response(content, f"述职评议表-{review.year}-{review.org.name}.pdf")


# --- 我的评议: a listed evaluator grades, whatever their role ------------------------------


@login_only
def grade(request: HttpRequest, public_id) -> HttpResponse:
    """The evaluator's own page: the report and their grading form, once."""
    evaluator = selectors.evaluation_for_user(request.user, public_id)
    review = evaluator.review
    if request.method == "POST" and (evaluator.grade or not review.is_open):
        messages.error(request, services.GRADED if evaluator.grade else services.NOT_OPEN)
        return redirect("reviews:grade", review.public_id)
    form = forms.GradeForm(request.POST or None, initial=version_initial(evaluator))
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.grade_record(
                review=review,
                member=evaluator.member,
                grade=cd["grade"],
                comment=cd["comment"],
                by=request.user,
                version=cd["version"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交评价，谢谢。"))
            return redirect("reviews:grade", review.public_id)
    context = {
        "review": review,
        "evaluator": evaluator,
        "form": form if review.is_open and not evaluator.grade else None,
        "files": selectors.files_of(review),
    }
    title = _("述职评议评价")
    return render(
        request,
        "reviews/grade.html",
        {"page_title": title, "breadcrumbs": [(title, None)], **context},
        status=400 if form.errors else 200,
    )


# --- 三诺一评 --------------------------------------------------------------------------


@requires(PROMISE_VIEW)
def promises(request: HttpRequest) -> HttpResponse:
    year = year_param(request)
    org = (
        org_for_user(request.user, request.GET["org"], action=PROMISE_VIEW)
        if request.GET.get("org")
        else None
    )
    rows = list(selectors.promise_list(user=request.user, year=year, org=org)[:1000])
    context = {
        "year": year,
        "promises": rows,
        "coverage": selectors.branch_coverage(user=request.user, year=year, org=org),
        "list_org": org,
        "can_evaluate": {
            p.pk for p in rows if permissions.can(request.user, PROMISE_EVALUATE, p.org)
        },
    }
    title = _("三诺一评")
    return render(
        request,
        "reviews/promises.html",
        {"page_title": title, "breadcrumbs": [(title, None)], **context},
    )


@requires(PROMISE_EVALUATE)
def promise_evaluate(request: HttpRequest, public_id) -> HttpResponse:
    promise = selectors.promise_for_user(request.user, public_id, write=True)
    initial = {
        "evaluation": promise.evaluation,
        "note": promise.evaluation_note,
        "on": promise.evaluated_on or timezone.localdate(),
        **version_initial(promise),
    }
    form = forms.EvaluateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        saved = save_versioned(
            form,
            promise,
            lambda: services.promise_evaluate(
                promise=promise,
                evaluation=cd["evaluation"],
                note=cd["note"],
                on=cd["on"],
                by=request.user,
            ),
            noun=_("承诺"),
        )
        if saved is not None:
            messages.success(request, _("已登记评诺。"))
            return redirect(f"{reverse('reviews:promises')}?year={promise.year}")
    notes = "；".join(f"{n.on:%m-%d} {n.text}" for n in promise.notes.all())
    title = _("评诺：%(name)s") % {"name": promise.member.name}
    back = f"{reverse('reviews:promises')}?year={promise.year}"
    subtitle = _("承诺：%(text)s") % {"text": promise.text}
    if notes:
        subtitle += " " + _("践诺：%(notes)s") % {"notes": notes}
    return _form_page(
        request,
        form,
        title,
        [(_("三诺一评"), back), (title, None)],
        back,
        subtitle=subtitle,
    )


def _own(request):
    member = selectors.own_member(request.user)
    if member is None:
        raise Http404
    return member


@login_only
def my_promise(request: HttpRequest) -> HttpResponse:
    """The member's own 承诺 for this year: made here, edited until the 评诺."""
    member = _own(request)
    year = timezone.localdate().year
    promise = selectors.own_promise(member, year)
    initial = {"text": promise.text, **version_initial(promise)} if promise else {}
    form = forms.PromiseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            if promise is None:
                services.promise_make(member=member, year=year, text=cd["text"])
            else:
                services.promise_edit(promise=promise, text=cd["text"], version=cd["version"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存承诺。"))
            return redirect("members:me")
    title = _("我的承诺（%(year)s年）") % {"year": year}
    back = reverse("members:me")
    return _form_page(request, form, title, [(_("我的信息"), back), (title, None)], back)


@login_only
def my_note(request: HttpRequest) -> HttpResponse:
    """践诺: the member notes what they did to keep this year's promise."""
    member = _own(request)
    promise = selectors.own_promise(member, timezone.localdate().year)
    if promise is None:
        raise Http404
    form = forms.NoteForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.promise_note_add(promise=promise, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已记录践诺情况。"))
            return redirect("members:me")
    title = _("记录践诺情况")
    back = reverse("members:me")
    return _form_page(
        request,
        form,
        title,
        [(_("我的信息"), back), (title, None)],
        back,
        subtitle=_("承诺：%(text)s") % {"text": promise.text},
    )


def me_card(member, request) -> dict:
    """The 三诺一评 card on the member's own page (members.me): this year's and last
    year's promises with their 践诺 and 评诺 — the member's own, never others' (RESP-06)."""
    if member is None:
        return {}
    year = timezone.localdate().year
    return {
        "year": year,
        "current": selectors.own_promise(member, year),
        "last": selectors.own_promise(member, year - 1),
        "evaluations": selectors.my_evaluations(request.user),
        "grades": Grade,
    }
