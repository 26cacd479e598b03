"""民主评议党员 and 限期改正."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.meetings import forms, selectors
from zhibu.meetings.models import Correction, Review
from zhibu.meetings.services import reviews as reviews_services
from zhibu.meetings.views.common import RECORD, VIEW, form_page, org_crumbs, render_page


@requires(VIEW)
def review(request: HttpRequest, org_id, year: int) -> HttpResponse:
    action = RECORD if request.method == "POST" else VIEW
    org = selectors.meeting_org_for_user(request.user, org_id, action=action)
    item = Review.objects.filter(org=org, year=year).first()
    if request.method == "POST":
        try:
            reviews_services.review_open(org=org, year=year, by=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("已建立民主评议。"))
        return redirect("meetings:review", org.public_id, year)
    entries = (
        list(item.entries.select_related("member").order_by("member__name_pinyin")) if item else []
    )
    corrections = (
        {c.entry_id: c for c in Correction.objects.filter(entry__in=entries)} if item else {}
    )
    for entry in entries:
        entry.correction_obj = corrections.get(entry.pk)
    title = _("%(year)s 年度民主评议党员") % {"year": year}
    return render_page(
        request,
        "meetings/review.html",
        title,
        org_crumbs(org, (title, None)),
        org=org,
        year=year,
        review=item,
        entries=entries,
        can_record=permissions.can(request.user, RECORD, org),
        finish_form=forms.ReviewFinishForm(initial={"on": timezone.localdate()}),
    )


def _review_for(user, review_id, action) -> Review:
    item = Review.objects.filter(public_id=review_id).select_related("org").first()
    if item is None:
        raise Http404
    selectors.meeting_org_for_user(user, item.org.public_id, action=action)
    return item


@requires(RECORD)
def review_entry(request: HttpRequest, review_id, member_id) -> HttpResponse:
    item = _review_for(request.user, review_id, RECORD)
    entry = item.entries.select_related("member").filter(member__public_id=member_id).first()
    if entry is None:
        raise Http404
    initial = {
        "self_assessment": entry.self_assessment,
        "peer_review": entry.peer_review,
        "grade": entry.grade,
    }
    initial.update({f"tally_{i}": entry.tally.get(g) for i, g in enumerate(item.grades)})
    form = forms.ReviewEntryForm(request.POST or None, grades=item.grades, initial=initial)
    back = reverse("meetings:review", args=[item.org.public_id, item.year])
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            reviews_services.review_entry_update(
                entry=entry,
                self_assessment=cd["self_assessment"],
                peer_review=cd["peer_review"],
                tally=form.tally(),
                grade=cd["grade"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(back)
    title = _("评议：%(name)s") % {"name": entry.member.name}
    return form_page(
        request,
        item.org,
        form,
        title,
        org_crumbs(item.org, (str(item), back), (title, None)),
        back,
    )


@requires(RECORD)
@require_POST
def review_finish(request: HttpRequest, review_id) -> HttpResponse:
    item = _review_for(request.user, review_id, RECORD)
    form = forms.ReviewFinishForm(request.POST)
    if form.is_valid():
        try:
            opened = reviews_services.review_finish(
                review=item, on=form.cleaned_data["on"], by=request.user
            )
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(
                request, _("已完成评定；%(n)s 名党员进入限期改正。") % {"n": len(opened)}
            )
    else:
        messages.error(request, _("请填写评定日期。"))
    return redirect("meetings:review", item.org.public_id, item.year)


@requires(RECORD)
def correction(request: HttpRequest, correction_id) -> HttpResponse:
    item = (
        Correction.objects.filter(public_id=correction_id).select_related("org", "member").first()
    )
    if item is None:
        raise Http404
    selectors.meeting_org_for_user(request.user, item.org.public_id, action=RECORD)
    closing = request.POST.get("action") == "close" or request.GET.get("action") == "close"
    if closing:
        form = forms.CorrectionCloseForm(request.POST or None, initial={"on": timezone.localdate()})
    else:
        form = forms.CorrectionForm(
            request.POST or None, initial={"ends_on": item.ends_on, "measures": item.measures}
        )
    year = item.entry.review.year if item.entry_id else item.starts_on.year
    back = reverse("meetings:review", args=[item.org.public_id, year])
    if request.method == "POST" and form.is_valid():
        try:
            if closing:
                reviews_services.correction_close(
                    correction=item, by=request.user, **form.cleaned_data
                )
            else:
                reviews_services.correction_update(
                    correction=item, by=request.user, **form.cleaned_data
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(back)
    title = _("限期改正：%(name)s") % {"name": item.member.name}
    return form_page(
        request,
        item.org,
        form,
        title,
        org_crumbs(item.org, (title, None)),
        back,
        hidden={"action": "close"} if closing else None,
        correction=item,
    )
