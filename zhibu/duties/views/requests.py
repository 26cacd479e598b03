"""请示报告 pages: an org's 收文/发文 boxes, composing a draft, sending it (with the
REQ-05 warning to acknowledge), attachments, the receiver's answer or return, and the
document as filed (PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.access import requires
from zhibu.core.forms import apply_errors
from zhibu.core.history import history_of
from zhibu.core.pdf import pdf_response
from zhibu.core.versioning import save_versioned, version_initial, without_version
from zhibu.duties.forms import requests as forms
from zhibu.duties.models import Request
from zhibu.duties.request_pdf import request_pdf
from zhibu.duties.rules.requests import OneMatterNoHiddenRequest, asks_for_approval
from zhibu.duties.selectors import requests as selectors
from zhibu.duties.selectors.evidence import evidence_for
from zhibu.duties.selectors.requests import HANDLE, VIEW
from zhibu.duties.services import requests as services
from zhibu.duties.services.evidence import ref_of
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_for_user

NOUN = "请示报告"
CONFIGURE = "rules.configure"  # a committee's local rules, here its yearly reports


def _crumbs(org: Org | None, *tail):
    head = [(_("请示报告"), reverse("duties:requests"))]
    if org is not None:
        head.append((org.name, reverse("duties:requests_org", args=[org.public_id])))
    return [*head, *tail]


def _page(request, template: str, title: str, crumbs, **context) -> HttpResponse:
    return render(request, template, {"page_title": title, "breadcrumbs": crumbs, **context})


@requires(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    """The boxes of the first org the user writes for (else the top of their scope)."""
    orgs = selectors.handling_orgs(request.user)
    if not orgs:
        paths = permissions.scope_paths(request.user, VIEW)
        orgs = list(Org.objects.filter(path__in=paths).order_by("depth", "path")[:1])
    if not orgs:
        raise PermissionDenied
    return redirect("duties:requests_org", orgs[0].public_id)


@requires(VIEW)
def org_boxes(request: HttpRequest, org_id) -> HttpResponse:
    org = org_for_user(request.user, org_id, action=VIEW)
    box = request.GET.get("box", "")
    box = box if box in ("out", "pending") else "in"
    status = request.GET.get("status", "")
    qs = selectors.request_list(user=request.user, org=org, box=box, status=status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return _page(
        request,
        "duties/requests/list.html",
        _("请示报告"),
        _crumbs(org),
        org=org,
        box=box,
        status=status,
        statuses=Request.Status.choices,
        page_obj=page,
        today=timezone.localdate(),
        can_write=selectors.holds_at(request.user, HANDLE, org),
        others=[o for o in selectors.handling_orgs(request.user) if o.pk != org.pk],
        query_string=f"box={box}&status={status}",
    )


def _compose_form(request, sender: Org, item: Request | None):
    today = timezone.localdate()
    receivers = selectors.receivers_for(sender)
    copy_targets = selectors.copy_targets(sender)
    meetings = selectors.meetings_for(sender, today)
    if item is not None and item.meeting and item.meeting not in meetings:
        meetings.insert(0, item.meeting)
    initial = {}
    if item is not None:
        initial = {
            **version_initial(item),
            "kind": item.kind,
            "receiver": str(item.receiver.public_id),
            "copy_to": str(item.copy_to.public_id) if item.copy_to else "",
            "subject": item.subject,
            "body": item.body,
            "urgency": item.urgency,
            "meeting": str(item.meeting.public_id) if item.meeting else "",
            "signer": item.signer,
            "skip_reason": item.skip_reason,
            "schedule_key": item.schedule_key,
        }
    form = forms.ComposeForm(
        request.POST or None,
        initial=initial,
        receivers=receivers,
        copy_targets=copy_targets,
        meetings=meetings,
        schedules=selectors.schedules_for(sender),
    )
    pools = {"receiver": receivers, "copy_to": copy_targets, "meeting": meetings}
    return form, pools


def _picked(pools, data) -> dict:
    def pick(name):
        return next((o for o in pools[name] if str(o.public_id) == data[name]), None)

    return {
        **data,
        "receiver": pick("receiver"),
        "copy_to": pick("copy_to"),
        "meeting": pick("meeting"),
    }


def _compose(request, sender: Org, item: Request | None) -> HttpResponse:
    form, pools = _compose_form(request, sender, item)
    if request.method == "POST" and form.is_valid():
        data = _picked(pools, without_version(form.cleaned_data))

        def save():
            return services.request_save(sender=sender, record=item, by=request.user, **data)

        saved = save_versioned(form, item, save, noun=_(NOUN))
        if saved is not None:
            messages.success(request, _("已保存草稿。"))
            if saved.kind == Request.Kind.REPORT and asks_for_approval(
                f"{saved.subject}\n{saved.body}", OneMatterNoHiddenRequest.phrases
            ):
                messages.warning(
                    request, _("本报告含有请求批准的用语（请示夹在报告中，REQ-05），请改用请示。")
                )
            return redirect("duties:request_detail", saved.public_id)
    title = _("修改请示报告") if item else _("起草请示报告")
    tail = (
        [(item.subject[:20], reverse("duties:request_detail", args=[item.public_id]))]
        if item
        else []
    )
    back = (
        reverse("duties:request_detail", args=[item.public_id])
        if item
        else reverse("duties:requests_org", args=[sender.public_id])
    )
    return _page(
        request,
        "duties/requests/form.html",
        title,
        _crumbs(sender, *tail, (title, None)),
        form=form,
        org=sender,
        item=item,
        back=back,
    )


@requires(HANDLE)
def compose(request: HttpRequest, org_id) -> HttpResponse:
    sender = org_for_user(request.user, org_id, action=VIEW)
    if not selectors.holds_at(request.user, HANDLE, sender):
        raise PermissionDenied
    return _compose(request, sender, None)


@requires(HANDLE)
def edit(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.request_for_user(request.user, public_id, action="edit")
    if item.status not in selectors.EDITABLE:
        messages.error(request, services.NOT_EDITABLE)
        return redirect("duties:request_detail", item.public_id)
    return _compose(request, item.sender, item)


@requires(VIEW)
def detail(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.request_for_user(request.user, public_id)
    editable = selectors.can_edit(request.user, item) and item.status in selectors.EDITABLE
    answerable = selectors.can_answer(request.user, item) and item.is_open
    today = timezone.localdate()
    phrase = (
        asks_for_approval(f"{item.subject}\n{item.body}", OneMatterNoHiddenRequest.phrases)
        if item.kind == Request.Kind.REPORT
        else None
    )
    return _page(
        request,
        "duties/requests/detail.html",
        str(item.get_kind_display()),
        _crumbs(item.sender, (item.subject[:20], None)),
        item=item,
        phrase=phrase,
        files=evidence_for(ref_of(services.KIND, item)),
        history=history_of(item),
        today=today,
        editable=editable,
        answerable=answerable,
        send_form=forms.SendForm(initial=version_initial(item)) if editable else None,
        attach_form=forms.AttachForm() if editable else None,
        answer_form=forms.AnswerForm(initial={**version_initial(item), "on": today})
        if answerable
        else None,
        return_form=forms.ReturnForm(
            initial={**version_initial(item), "on": today}, auto_id="ret_%s"
        )
        if answerable
        else None,
    )


def _act(request, item: Request, form, action, done: str) -> HttpResponse | None:
    """Run ``action(data)`` under the form's version; None when refused (errors on form)."""
    if form.is_valid():
        data = without_version(form.cleaned_data)
        if save_versioned(form, item, lambda: action(data), noun=_(NOUN)) is not None:
            messages.success(request, done)
            return redirect("duties:request_detail", item.public_id)
    return None


def _form_page(request, item: Request, form, title: str, notice: str = "") -> HttpResponse:
    return _page(
        request,
        "duties/requests/action.html",
        title,
        _crumbs(
            item.sender,
            (item.subject[:20], reverse("duties:request_detail", args=[item.public_id])),
            (title, None),
        ),
        item=item,
        form=form,
        notice=notice,
        back=reverse("duties:request_detail", args=[item.public_id]),
    )


@requires(HANDLE)
def send(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.request_for_user(request.user, public_id, action="edit")
    form = forms.SendForm(request.POST or None, initial=version_initial(item))
    if request.method == "POST":
        done = _act(
            request,
            item,
            form,
            lambda d: services.request_send(
                record=item, by=request.user, acknowledge=d["acknowledge"], request=request
            ),
            _("已报送。"),
        )
        if done is not None:
            return done
    return _form_page(request, item, form, _("报送"))


@requires(HANDLE)
def answer(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.request_for_user(request.user, public_id, action="answer")
    form = forms.AnswerForm(
        request.POST or None, initial={**version_initial(item), "on": timezone.localdate()}
    )
    if request.method == "POST":
        done = _act(
            request,
            item,
            form,
            lambda d: services.request_answer(record=item, by=request.user, **d),
            _("已答复。"),
        )
        if done is not None:
            return done
    return _form_page(request, item, form, str(item.answer_label))


@requires(HANDLE)
def send_back(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.request_for_user(request.user, public_id, action="answer")
    form = forms.ReturnForm(
        request.POST or None, initial={**version_initial(item), "on": timezone.localdate()}
    )
    if request.method == "POST":
        done = _act(
            request,
            item,
            form,
            lambda d: services.request_return(record=item, by=request.user, **d),
            _("已退回。"),
        )
        if done is not None:
            return done
    return _form_page(request, item, form, _("退回"))


@requires(HANDLE)
def attach(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.request_for_user(request.user, public_id, action="edit")
    form = forms.AttachForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_attach(record=item, upload=form.cleaned_data["file"], by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已添加附件。"))
            return redirect("duties:request_detail", item.public_id)
    return _form_page(request, item, form, _("添加附件"))


@requires(VIEW)
def pdf(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.request_for_user(request.user, public_id)
    files = evidence_for(ref_of(services.KIND, item))
    return pdf_response(
        request_pdf(item, files), f"{item.get_kind_display()}-{item.subject[:30]}.pdf"
    )


@requires(VIEW)
def schedules(request: HttpRequest, org_id) -> HttpResponse:
    """年度报告安排: the yearly reports ``org`` asks of the orgs below it (changed by those
    who set the committee's local rules), and those it owes to the committees above."""
    org = org_for_user(request.user, org_id, action=VIEW)
    may_change = org.kind in Org.COMMITTEE_KINDS and permissions.can(request.user, CONFIGURE, org)
    form = forms.ScheduleForm(request.POST or None) if may_change else None
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        switch = request.POST.get("switch")
        if switch:
            found = next((s for s in selectors.schedules_set_by(org) if str(s.pk) == switch), None)
            if found is None:
                raise Http404
            services.schedule_switch(schedule=found, active=not found.active)
            return redirect("duties:request_schedules", org.public_id)
        if form is not None and form.is_valid():
            try:
                services.schedule_add(committee=org, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已添加年度报告安排。"))
                return redirect("duties:request_schedules", org.public_id)
    title = _("年度报告安排")
    return _page(
        request,
        "duties/requests/schedules.html",
        title,
        _crumbs(org, (title, None)),
        org=org,
        own=selectors.schedules_set_by(org),
        owed=selectors.schedules_for(org),
        form=form,
        kinds=dict(Org.Kind.choices),
    )
