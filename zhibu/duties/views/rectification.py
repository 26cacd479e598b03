"""Rectification pages: the list, one item, creating, 销号 and 复查; and the problems found
at a 组织生活会, entered from the meeting's page (the URL stays under /meetings/)."""

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
from zhibu.duties.forms import rectification as forms
from zhibu.duties.models import Rectification
from zhibu.duties.selectors import rectification as selectors
from zhibu.duties.selectors.rectification import VIEW, WRITE
from zhibu.duties.services import rectification as services
from zhibu.meetings import selectors as meeting_selectors
from zhibu.meetings.models import MeetingKind
from zhibu.meetings.selectors import meeting_org_for_user
from zhibu.meetings.views.common import RECORD, form_page, meeting_crumbs, pick
from zhibu.members.selectors import members_on


def _crumbs(*tail):
    return [(_("整改事项"), reverse("duties:list")), *tail]


@requires(VIEW)
def item_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = Paginator(selectors.item_list(user=request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page,
        "status": status,
        "statuses": Rectification.Status.choices,
        "today": timezone.localdate(),
        "query_string": f"status={status}",
    }
    return render(
        request,
        "duties/list.html",
        {"page_title": _("整改事项"), "breadcrumbs": [(_("整改事项"), None)], **context},
    )


@requires(VIEW)
def detail(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.item_for_user(request.user, public_id)
    context = {
        "item": item,
        "history": history_of(item),
        "today": timezone.localdate(),
        "can_close": permissions.can(request.user, WRITE, item.org)
        and item.status == Rectification.Status.OPEN,
        "can_recheck": selectors.can_recheck(request.user, item)
        and item.status == Rectification.Status.CLOSED,
    }
    return render(
        request,
        "duties/detail.html",
        {"page_title": _("整改事项"), "breadcrumbs": _crumbs((item.problem[:20], None)), **context},
    )


def _form_page(request, form, title, item=None, org=None):
    crumbs = (
        _crumbs((item.problem[:20], reverse("duties:detail", args=[item.public_id])), (title, None))
        if item
        else _crumbs((title, None))
    )
    back = reverse("duties:detail", args=[item.public_id]) if item else reverse("duties:list")
    return render(
        request,
        "duties/form.html",
        {
            "page_title": title,
            "breadcrumbs": crumbs,
            "form": form,
            "item": item,
            "org": org,
            "back": back,
        },
    )


@requires(WRITE)
def create(request: HttpRequest, org_id) -> HttpResponse:
    org = meeting_org_for_user(request.user, org_id, action=WRITE)
    people = list(members_on(org, timezone.localdate()).order_by("name_pinyin"))
    form = forms.ItemForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        owner = next((m for m in people if str(m.public_id) == cd["owner"]), None)
        try:
            item = services.rectification_create(
                org=org,
                problem=cd["problem"],
                measure=cd["measure"],
                deadline=cd["deadline"],
                owner=owner,
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记整改事项。"))
            return redirect("duties:detail", item.public_id)
    return _form_page(request, form, _("登记整改事项"), org=org)


@requires(WRITE)
def close(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.item_for_user(request.user, public_id, action=WRITE)
    form = forms.CloseForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.rectification_close(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已销号，待上级复查。"))
            return redirect("duties:detail", item.public_id)
    return _form_page(request, form, _("销号"), item=item)


@requires(WRITE)
def recheck(request: HttpRequest, public_id) -> HttpResponse:
    item = selectors.item_for_user(request.user, public_id, action=WRITE)
    if not selectors.can_recheck(request.user, item):
        raise PermissionDenied
    form = forms.RecheckForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.rectification_recheck(item=item, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记复查结论。"))
            return redirect("duties:detail", item.public_id)
    return _form_page(request, form, _("复查"), item=item)


@requires(RECORD)
def life_problem_new(request: HttpRequest, public_id) -> HttpResponse:
    """登记查摆问题: a problem found at a 组织生活会 becomes a rectification item."""
    meeting = meeting_selectors.meeting_for_user(request.user, public_id, action=RECORD)
    if MeetingKind.LIFE_MEETING not in meeting.kinds:
        raise Http404
    people = meeting_selectors.roster(meeting.org, meeting.on, meeting.kinds)
    form = forms.ProblemForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.life_problem_add(
                meeting=meeting,
                problem=cd["problem"],
                measure=cd["measure"],
                deadline=cd["deadline"],
                owner=pick(people, cd["owner"]),
                by=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已列入整改清单。"))
            return redirect("meetings:detail", meeting.public_id)
    title = _("登记查摆问题")
    return form_page(
        request,
        meeting.org,
        form,
        title,
        meeting_crumbs(meeting, (title, None)),
        reverse("meetings:detail", args=[meeting.public_id]),
    )
