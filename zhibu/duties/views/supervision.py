"""督办 pages: the list (and the 纪检 view of 约谈建议), one 督办单, opening one on any
registered target, replying with evidence files, accepting or asking again."""

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
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.pdf import pdf_response
from zhibu.core.versioning import version_initial
from zhibu.duties.exports import supervision_pdf
from zhibu.duties.forms import supervision as forms
from zhibu.duties.models import Supervision
from zhibu.duties.selectors import supervision as selectors
from zhibu.duties.selectors.evidence import evidence_for
from zhibu.duties.selectors.supervision import VIEW
from zhibu.duties.services import supervision as services
from zhibu.duties.services.evidence import ref_of
from zhibu.duties.targets import target_for, target_url
from zhibu.duties.views.common import list_org, narrowed


def _crumbs(*tail):
    return [(_("督办"), reverse("duties:supervisions")), *tail]


@requires(VIEW)
def supervision_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    discipline = request.GET.get("view") == "discipline"
    level = Supervision.Level.INTERVIEW if discipline else None
    org = list_org(request)
    qs = selectors.supervision_list(user=request.user, status=status, level=level, org=org)
    qs, narrowing = narrowed(request, qs, "org")
    if discipline:
        qs = qs.exclude(status=Supervision.Status.CLOSED)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    title = _("约谈建议（纪检）") if discipline else _("督办")
    context = {
        "page_obj": page,
        "rows": [(s, target_url(s.target_ref)) for s in page],
        "status": status,
        "statuses": Supervision.Status.choices,
        "discipline": discipline,
        "show_discipline": selectors.is_discipline(request.user),
        "today": timezone.localdate(),
        "query_string": f"status={status}"
        + ("&view=discipline" if discipline else "")
        + narrowing["org_query"],
        "query_string_without_org": f"status={status}" + ("&view=discipline" if discipline else ""),
        **narrowing,
        "page_title": title,
        "breadcrumbs": [(title, None)],
    }
    return render(request, "duties/supervision_list.html", context)


@requires(VIEW)
def supervision_detail(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.supervision_for_user(request.user, public_id)
    if request.GET.get("export") == "pdf":
        return pdf_response(supervision_pdf(item), f"督办单-{item.opened_on:%Y%m%d}.pdf")
    context = {
        "item": item,
        "target_url": target_url(item.target_ref),
        "entries": list(item.entries.select_related("by")),
        "files": evidence_for(ref_of("supervision", item)),
        "history": history_of(item),
        "today": timezone.localdate(),
        "can_reply": item.status == Supervision.Status.OPEN
        and selectors.can_reply(request.user, item),
        "can_decide": item.status == Supervision.Status.REPLIED
        and selectors.can_decide(request.user, item),
        "page_title": _("督办单"),
        "breadcrumbs": _crumbs((item.target_label[:20], None)),
    }
    return render(request, "duties/supervision_detail.html", context)


def _form_page(request, form, title, crumbs, back, intro="", multipart=False):
    return render(
        request,
        "duties/form.html",
        {
            "page_title": title,
            "breadcrumbs": crumbs,
            "form": form,
            "back": back,
            "intro": intro,
            "multipart": multipart,
        },
    )


@requires(VIEW)
def supervision_open(request: HttpRequest) -> HttpResponse:
    """督办 on any registered target: ``?target=<kind>:<ident>``."""
    target = target_for(request.user, request.GET.get("target", ""))
    if not selectors.can_open(request.user, target):
        raise PermissionDenied
    form = forms.OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            item = services.supervision_open(
                target=target,
                request=cd["request"],
                level=cd["level"],
                working_days=cd["working_days"],
                reply_due=cd["reply_due"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("已发出督办单，回复期限 %(day)s。") % {"day": item.reply_due}
            )
            return redirect("duties:supervision", item.public_id)
    title = _("督办")
    return _form_page(
        request,
        form,
        title,
        _crumbs((title, None)),
        target.url,
        intro=f"{target.kind.label}：{target.label}（{target.org.name}）",
    )


@requires(VIEW)
def supervision_reply(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.supervision_for_user(request.user, public_id)
    form = forms.ReplyForm(
        request.POST or None, request.FILES or None, initial=version_initial(item)
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.supervision_reply(
                supervision=item,
                text=cd["text"],
                files=cd["evidence_files"],
                version=cd.get("version"),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已回复督办，待督办组织审核。"))
            return redirect("duties:supervision", item.public_id)
    title = _("回复督办")
    back = reverse("duties:supervision", args=[item.public_id])
    crumbs = _crumbs((item.target_label[:20], back), (title, None))
    return _form_page(request, form, title, crumbs, back, intro=item.request, multipart=True)


@requires(VIEW)
def supervision_decide(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.supervision_for_user(request.user, public_id)
    if not selectors.can_decide(request.user, item):
        raise PermissionDenied
    form = forms.DecideForm(request.POST or None, initial=version_initial(item))
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.supervision_decide(
                supervision=item,
                accept=cd["accept"],
                note=cd["note"],
                working_days=cd["working_days"],
                version=cd.get("version"),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("督办已办结。") if cd["accept"] else _("已要求重新回复。"))
            return redirect("duties:supervision", item.public_id)
    title = _("审核回复")
    back = reverse("duties:supervision", args=[item.public_id])
    crumbs = _crumbs((item.target_label[:20], back), (title, None))
    return _form_page(request, form, title, crumbs, back, intro=item.request)
