"""Responsibility letter pages: the list, drafting a 范本 and its items, issuing, signing,
the PDF, and passing received items down (with the coverage of each received item)."""

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
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.pdf import pdf_response
from zhibu.core.versioning import save_versioned, version_initial
from zhibu.duties.exports import letter_pdf
from zhibu.duties.forms import letters as forms
from zhibu.duties.models import Letter, LetterItem
from zhibu.duties.selectors import letters as selectors
from zhibu.duties.selectors.letters import VIEW, WRITE
from zhibu.duties.services import letters as services
from zhibu.duties.services.letters import STANDARD_CATEGORIES, ItemSpec
from zhibu.duties.views.common import list_org, narrowed
from zhibu.orgs.models import Department, Org


def crumbs(*tail):
    return [(_("责任书"), reverse("duties:letter_list")), *tail]


def _letter_crumbs(letter: Letter, *tail):
    return crumbs(
        (
            letter.recipient.name if letter.recipient else _("范本"),
            reverse("duties:letter_detail", args=[letter.public_id]),
        ),
        *tail,
    )


issuer_choices = selectors.issuer_orgs


def _form_page(request, form, title, breadcrumbs, back, *, letter=None, extra=None):
    return render(
        request,
        "duties/letters/form.html",
        {
            "page_title": title,
            "breadcrumbs": breadcrumbs,
            "form": form,
            "letter": letter,
            "back": back,
            "categories": STANDARD_CATEGORIES,
            **(extra or {}),
        },
    )


@requires(VIEW)
def letter_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    status = request.GET.get("status", "")
    org = list_org(request)
    qs = selectors.letter_list(
        user=request.user, year=int(year) if year.isdigit() else None, status=status, org=org
    )
    qs, narrowing = narrowed(request, qs, "recipient")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "year": year,
        "status": status,
        "statuses": Letter.Status.choices,
        "issuer_orgs": issuer_choices(request.user)[:10],
        **narrowing,
        "query_string": f"year={year}&status={status}" + narrowing["org_query"],
        "query_string_without_org": f"year={year}&status={status}",
        "today": timezone.localdate(),
    }
    return render(
        request,
        "duties/letters/list.html",
        {"page_title": _("责任书"), "breadcrumbs": [(_("责任书"), None)], **context},
    )


@requires(WRITE)
def letter_new(request: HttpRequest) -> HttpResponse:
    orgs = issuer_choices(request.user)
    if not orgs:
        raise PermissionDenied
    form = forms.LetterForm(
        request.POST or None,
        initial={
            "year": timezone.localdate().year,
            "issued_on": timezone.localdate(),
            "kind": Letter.Kind.PRINCIPAL,
        },
    )
    form.fields["issuer"] = forms.forms.ChoiceField(
        label=_("下达组织"), choices=[(str(o.public_id), o.name) for o in orgs]
    )
    form.order_fields(["issuer"])
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        issuer = next(o for o in orgs if str(o.public_id) == cd["issuer"])
        try:
            letter = services.letter_draft(
                issuer=issuer,
                kind=cd["kind"],
                year=cd["year"],
                title=cd["title"],
                issued_on=cd["issued_on"],
                sign_deadline=cd["sign_deadline"],
                preamble=cd["preamble"],
                issuer_signer=cd["issuer_signer"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已建立责任书范本，请逐项填写责任分项后下达。"))
            return redirect("duties:letter_detail", letter.public_id)
    title = _("新建责任书")
    return _form_page(request, form, title, crumbs((title, None)), reverse("duties:letter_list"))


@requires(VIEW)
def letter_detail(request: HttpRequest, public_id) -> HttpResponse:
    letter = selectors.letter_for_user(request.user, public_id)
    user = request.user
    items = selectors.letter_items(letter)
    issuer_side = permissions.can(user, WRITE, letter.issuer)
    received = letter.recipient is not None and letter.status == Letter.Status.SIGNED
    receiver = letter.recipient
    cascades = received and receiver is not None and receiver.kind in Org.COMMITTEE_KINDS
    can_dispose = cascades and permissions.can(user, WRITE, receiver)
    context = {
        "letter": letter,
        "items": items,
        "total_weight": sum(i.weight for i in items),
        "is_draft": letter.status == Letter.Status.DRAFT and issuer_side,
        "can_issue": letter.status == Letter.Status.DRAFT and issuer_side and bool(items),
        "can_sign": letter.status == Letter.Status.ISSUED
        and letter.recipient is not None
        and services.is_principal_of(user, letter.recipient),
        "can_record": letter.status == Letter.Status.ISSUED
        and letter.recipient is not None
        and issuer_side,
        "can_dispose": can_dispose,
        "coverage": selectors.coverage(letter) if cascades else None,
        "copies": list(letter.copies.select_related("recipient").order_by("recipient__path"))
        if letter.is_template
        else [],
        "history": history_of(letter),
        "today": timezone.localdate(),
    }
    return render(
        request,
        "duties/letters/detail.html",
        {"page_title": letter.title, "breadcrumbs": _letter_crumbs(letter), **context},
    )


@requires(WRITE)
def letter_edit(request: HttpRequest, public_id) -> HttpResponse:
    letter = selectors.letter_for_user(request.user, public_id, write=True)
    initial = {
        "kind": letter.kind,
        "year": letter.year,
        "title": letter.title,
        "issued_on": letter.issued_on,
        "sign_deadline": letter.sign_deadline,
        "issuer_signer": letter.issuer_signer,
        "preamble": letter.preamble,
        **version_initial(letter),
    }
    form = forms.LetterEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data

        def save():
            return services.letter_update(
                letter=letter,
                title=cd["title"],
                issued_on=cd["issued_on"],
                sign_deadline=cd["sign_deadline"],
                preamble=cd["preamble"],
                issuer_signer=cd["issuer_signer"],
            )

        if save_versioned(form, letter, save, noun=_("责任书")) is not None:
            messages.success(request, _("已保存。"))
            return redirect("duties:letter_detail", letter.public_id)
    title = _("修改责任书")
    back = reverse("duties:letter_detail", args=[letter.public_id])
    return _form_page(
        request, form, title, _letter_crumbs(letter, (title, None)), back, letter=letter
    )


def _departments(letter: Letter) -> list[Department]:
    orgs = [letter.issuer_id] + ([letter.recipient_id] if letter.recipient_id else [])
    return list(
        Department.objects.filter(org__in=orgs, active=True)
        .select_related("org")
        .order_by("org__path", "sort_order", "name")
    )


def _spec(cd, departments) -> ItemSpec:
    department = next((d for d in departments if str(d.public_id) == cd["department"]), None)
    return ItemSpec(
        cd["category"],
        cd["content"],
        cd["deadline"],
        cd["weight"] or 0,
        cd["evidence_required"],
        department,
    )


@requires(WRITE)
def item_new(request: HttpRequest, public_id) -> HttpResponse:
    letter = selectors.letter_for_user(request.user, public_id, write=True)
    departments = _departments(letter)
    form = forms.ItemForm(
        request.POST or None,
        departments=departments,
        initial={"deadline": f"{letter.year}-12-31"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(letter=letter, spec=_spec(form.cleaned_data, departments))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已添加责任分项。"))
            return redirect("duties:letter_detail", letter.public_id)
    title = _("添加责任分项")
    back = reverse("duties:letter_detail", args=[letter.public_id])
    return _form_page(
        request, form, title, _letter_crumbs(letter, (title, None)), back, letter=letter
    )


def _item_to_write(request, public_id) -> LetterItem:
    item = selectors.item_for_user(request.user, public_id)
    if not permissions.can(request.user, WRITE, item.letter.issuer):
        raise PermissionDenied
    return item


@requires(WRITE)
def item_edit(request: HttpRequest, public_id) -> HttpResponse:
    item = _item_to_write(request, public_id)
    letter = item.letter
    departments = _departments(letter)
    initial = {
        "category": item.category,
        "content": item.content,
        "department": str(item.department.public_id) if item.department else "",
        "weight": item.weight,
        "deadline": item.deadline,
        "evidence_required": item.evidence_required,
        **version_initial(item),
    }
    form = forms.ItemForm(request.POST or None, departments=departments, initial=initial)
    if request.method == "POST" and form.is_valid():
        spec = _spec(form.cleaned_data, departments)
        if save_versioned(
            form, item, lambda: services.item_update(item=item, spec=spec), noun=_("责任分项")
        ):
            messages.success(request, _("已保存。"))
            return redirect("duties:letter_detail", letter.public_id)
    title = _("修改责任分项")
    back = reverse("duties:letter_detail", args=[letter.public_id])
    return _form_page(
        request, form, title, _letter_crumbs(letter, (title, None)), back, letter=letter
    )


@require_POST
@requires(WRITE)
def item_delete(request: HttpRequest, public_id) -> HttpResponse:
    item = _item_to_write(request, public_id)
    try:
        services.item_delete(item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已删除责任分项。"))
    return redirect("duties:letter_detail", item.letter.public_id)


@require_POST
@requires(WRITE)
def standard_items(request: HttpRequest, public_id) -> HttpResponse:
    letter = selectors.letter_for_user(request.user, public_id, write=True)
    try:
        n = services.standard_items_load(letter=letter)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已载入 %(n)s 个标准分项，可逐项修改。") % {"n": n})
    return redirect("duties:letter_detail", letter.public_id)


@requires(WRITE)
def letter_issue(request: HttpRequest, public_id) -> HttpResponse:
    letter = selectors.letter_for_user(request.user, public_id, write=True)
    if letter.status != Letter.Status.DRAFT:
        raise Http404
    taken = set(
        Letter.objects.filter(
            issuer=letter.issuer, year=letter.year, kind=letter.kind, recipient__isnull=False
        ).values_list("recipient_id", flat=True)
    )
    orgs = [o for o in selectors.subordinates(letter.issuer) if o.pk not in taken]
    form = forms.IssueForm(
        request.POST or None,
        orgs=orgs,
        initial={"recipients": [str(o.public_id) for o in orgs]},
    )
    if not letter.is_template:
        form.fields.pop("recipients")
    if request.method == "POST" and form.is_valid():
        chosen = [o for o in orgs if str(o.public_id) in form.cleaned_data.get("recipients", [])]
        try:
            issued = services.letter_issue(letter=letter, recipients=chosen, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已下达 %(n)s 份责任书，等待签订。") % {"n": len(issued)})
            return redirect("duties:letter_detail", letter.public_id)
    title = _("下达责任书")
    back = reverse("duties:letter_detail", args=[letter.public_id])
    return _form_page(
        request, form, title, _letter_crumbs(letter, (title, None)), back, letter=letter
    )


def _signing_page(request, letter, form_class, sign, done: str, title: str) -> HttpResponse:
    """The two ways a letter is signed (online by the recipient, on paper recorded by the
    issuer) share one page: the form, the service, the message and the way back."""
    form = form_class(request.POST or None, initial={"signed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            sign(letter=letter, by=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("duties:letter_detail", letter.public_id)
    back = reverse("duties:letter_detail", args=[letter.public_id])
    return _form_page(
        request, form, title, _letter_crumbs(letter, (title, None)), back, letter=letter
    )


@requires(VIEW)
def letter_sign(request: HttpRequest, public_id) -> HttpResponse:
    letter = selectors.letter_for_user(request.user, public_id)
    if letter.recipient is None or not permissions.can(request.user, VIEW, letter.recipient):
        raise PermissionDenied
    return _signing_page(
        request,
        letter,
        forms.SignForm,
        services.letter_sign,
        _("已签订责任书，各分项已转为本组织的任务。"),
        _("签订责任书"),
    )


@requires(WRITE)
def letter_record(request: HttpRequest, public_id) -> HttpResponse:
    """线下签订登记 by the issuer's side (signed on paper at a meeting)."""
    letter = selectors.letter_for_user(request.user, public_id, write=True)
    return _signing_page(
        request,
        letter,
        forms.RecordSigningForm,
        services.letter_record_signing,
        _("已登记线下签订，各分项已转为签订组织的任务。"),
        _("登记线下签订"),
    )


@requires(VIEW)
def letter_download(request: HttpRequest, public_id) -> HttpResponse:
    letter = selectors.letter_for_user(request.user, public_id)
    content = letter_pdf(letter, selectors.letter_items(letter))
    who = letter.recipient.name if letter.recipient else _("范本")
    return pdf_response(content, f"{letter.year}{letter.get_kind_display()}-{who}.pdf")


@requires(WRITE)
def item_dispose(request: HttpRequest, public_id) -> HttpResponse:
    """分解: keep a received item at this level or pass it down to chosen subordinates."""
    item = selectors.item_for_user(request.user, public_id)
    letter = item.letter
    if letter.recipient is None or not permissions.can(request.user, WRITE, letter.recipient):
        raise PermissionDenied
    orgs = selectors.subordinates(letter.recipient)
    form = forms.PassDownForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            if cd["how"] == "keep":
                services.item_keep(item=item, note=cd["note"])
            else:
                chosen = [o for o in orgs if str(o.public_id) in cd["to"]]
                services.item_pass_down(item=item, to=chosen, note=cd["note"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记分项的分解情况。"))
            return redirect("duties:letter_detail", letter.public_id)
    title = _("分解责任分项")
    back = reverse("duties:letter_detail", args=[letter.public_id])
    return _form_page(
        request,
        form,
        title,
        _letter_crumbs(letter, (title, None)),
        back,
        letter=letter,
        extra={"item": item},
    )
