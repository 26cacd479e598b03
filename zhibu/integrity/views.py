"""真实性核查 pages: the flags in the user's scope with filters, and one flag with the
records behind it (the two minutes side by side for a copy) and the inspector's verdict.

Every page needs ``integrity.review``; a flag outside the user's subtrees answers 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.rules import registry
from zhibu.core.versioning import is_stale, version_initial, version_of
from zhibu.integrity import selectors, services
from zhibu.integrity.forms import MarkForm
from zhibu.integrity.models import FlagReview

ACTION = selectors.ACTION


def _crumbs(*tail):
    return [(_("真实性核查"), reverse("integrity:index")), *tail]


@requires(ACTION)
def index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "")
    state = request.GET.get("state", "")
    period = request.GET.get("period", "").strip()[:10]
    qs = selectors.filtered(request.user, code=code, state=state, period=period)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    reviews = selectors.reviews_of(page.object_list)
    rows = [(f, reviews.get(FlagReview.key_of(f))) for f in page.object_list]
    query = "&".join(
        f"{k}={v}" for k, v in (("code", code), ("state", state), ("period", period)) if v
    )
    return render(
        request,
        "integrity/index.html",
        {
            "page_title": _("真实性核查"),
            "breadcrumbs": _crumbs(),
            "rows": rows,
            "page_obj": page,
            "query_string": query,
            "rules": [
                registry.in_force(c, timezone.localdate()) or registry.versions(c)[-1]
                for c in selectors.CODES
            ],
            "states": [(selectors.OPEN, _("待核查")), *FlagReview.State.choices],
            "code": code,
            "state": state,
            "period": period,
        },
    )


@requires(ACTION)
def detail(request: HttpRequest, finding_id: int) -> HttpResponse:
    finding = selectors.flag_for_user(request.user, finding_id)
    review = selectors.reviews_of([finding]).get(FlagReview.key_of(finding))
    if request.method == "POST":
        form = MarkForm(request.POST)
        if form.is_valid():
            try:
                services.flag_mark(
                    finding=finding,
                    state=form.cleaned_data["state"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                    version=form.cleaned_data.get("version"),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
                if is_stale(exc) and review is not None:
                    # The next save builds on the verdict as it now stands.
                    data = request.POST.copy()
                    data["version"] = version_of(FlagReview.objects.get(pk=review.pk))
                    form.data = data
            else:
                messages.success(request, _("已保存核查结论。"))
                return redirect("integrity:detail", finding_id=finding.pk)
    else:
        initial = {"state": review.state, "reason": review.reason} if review else {}
        if review:
            initial.update(version_initial(review))
        form = MarkForm(initial=initial)
    evidence = selectors.evidence(request.user, finding)
    return render(
        request,
        "integrity/detail.html",
        {
            "page_title": _("可疑记录"),
            "breadcrumbs": _crumbs((f"{finding.rule_code} {finding.period_code}", "")),
            "finding": finding,
            "review": review,
            "form": form,
            "evidence": evidence,
            "side_by_side": finding.rule_code == "DQ-06",
            "history": history_of(review) if review else [],
        },
        status=400 if request.method == "POST" else 200,
    )
