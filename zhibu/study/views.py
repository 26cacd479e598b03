"""Study pages: the index (my 学时, self-study, library, and for those who manage: courses,
approvals, the ledger), courses with attendance, self-study submission and approval, the
library, the 学时 ledger with its Excel export, and the branch's 政治生日 calendar."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.core.access import login_only, requires
from zhibu.core.audit import audit_record
from zhibu.core.excel import build_workbook, workbook_response
from zhibu.core.forms import apply_errors
from zhibu.core.models import AuditEvent
from zhibu.core.versioning import save_versioned, version_initial
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_for_user
from zhibu.study import forms, services
from zhibu.study.models import Article, SelfStudy
from zhibu.study.selectors import study as sel
from zhibu.study.selectors.study import MANAGE, VIEW


def _crumbs(*tail):
    return [(_("学习教育"), reverse("study:index")), *tail]


def _year(request, today: date) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= today.year + 1 else today.year


def _home_org(user, action: str) -> Org | None:
    paths = permissions.scope_paths(user, action)
    if not paths:
        return None
    qs = Org.objects.exclude(kind=Org.Kind.GROUP)
    if paths != [permissions.ALL_ORGS]:
        qs = qs.filter(path__in=paths)
    return qs.order_by("path").first()


@login_only
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    member = sel.own_member(request.user)
    context = {
        "member": member,
        "progress": sel.member_progress(member, today.year) if member else None,
        "mine": list(SelfStudy.objects.filter(member=member).order_by("-on", "-id")[:10])
        if member
        else [],
        "readings": list(sel.my_readings(request.user, 10)),
        "latest": list(sel.article_search(request.user)[:6]),
        "view_org": _home_org(request.user, VIEW),
        "manage_org": _home_org(request.user, MANAGE),
        "birthday_org": _home_org(request.user, "member.view"),
        "pending": sel.pending_self_study(request.user).count(),
        "courses": list(sel.course_list(request.user, year=today.year)[:8]),
        "page_title": _("学习教育"),
        "breadcrumbs": [(_("学习教育"), None)],
    }
    return render(request, "study/index.html", context)


# --- courses ------------------------------------------------------------------------------------


@requires(VIEW)
def course_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = _year(request, today)
    page = Paginator(sel.course_list(request.user, year=year), 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "year": year,
        "manage_org": _home_org(request.user, MANAGE),
        "page_title": _("课程与学习活动"),
        "breadcrumbs": _crumbs((_("课程与学习活动"), None)),
    }
    return render(request, "study/course_list.html", context)


@requires(MANAGE)
def course_new(request: HttpRequest, org_id) -> HttpResponse:
    org = org_for_user(request.user, org_id, action=MANAGE)
    form = forms.CourseForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_save(org=org, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已登记课程，请登记参训人员。"))
            return redirect("study:course_attendance", course.public_id)
    return _form_page(request, form, _("登记课程"), org.name)


@requires(VIEW)
def course_detail(request: HttpRequest, public_id) -> HttpResponse:
    course = sel.course_for_user(request.user, public_id)
    attendees = list(
        course.attendance.select_related("member", "member__org").order_by("member__name")
    )
    context = {
        "course": course,
        "attendees": attendees,
        "can_manage": permissions.can(request.user, MANAGE, course.org),
        "page_title": course.title,
        "breadcrumbs": _crumbs(
            (_("课程与学习活动"), reverse("study:course_list")), (course.title, None)
        ),
    }
    return render(request, "study/course_detail.html", context)


@requires(MANAGE)
def course_edit(request: HttpRequest, public_id) -> HttpResponse:
    course = sel.course_for_user(request.user, public_id, action=MANAGE)
    initial = {
        **{
            f: getattr(course, f)
            for f in ("kind", "title", "on", "hours", "place", "lecturer", "note")
        },
        **version_initial(course),
    }
    form = forms.CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = save_versioned(
            form,
            course,
            lambda: services.course_save(
                org=course.org, data=form.cleaned_data, by=request.user, course=course
            ),
            noun=_("课程"),
        )
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect("study:course_detail", course.public_id)
    return _form_page(request, form, _("修改课程"), course.org.name)


@requires(MANAGE)
def course_attendance(request: HttpRequest, public_id) -> HttpResponse:
    course = sel.course_for_user(request.user, public_id, action=MANAGE)
    members = list(
        services.eligible_members(course).select_related("org").order_by("org__path", "name")[:500]
    )
    if request.method == "POST":
        # Posted ids are checked by the service (a member outside the org is refused), so
        # the field accepts any id here.
        form = forms.AttendanceForm(
            request.POST, members=members, posted=request.POST.getlist("members")
        )
    else:
        form = forms.AttendanceForm(
            initial={
                "members": list(course.attendance.values_list("member", flat=True)),
                **version_initial(course),
            },
            members=members,
        )
    if request.method == "POST" and form.is_valid():
        saved = save_versioned(
            form,
            course,
            lambda: services.attendance_set(course=course, member_ids=form.cleaned_data["members"]),
            noun=_("课程"),
        )
        if saved is not None:
            messages.success(request, _("已登记 %(n)s 名参训人员。") % {"n": saved})
            return redirect("study:course_detail", course.public_id)
    return _form_page(request, form, _("登记参训人员"), course.title)


def _form_page(request, form, title, subtitle, template="study/form.html", **extra):
    return render(
        request,
        template,
        {
            "form": form,
            "subtitle": subtitle,
            "page_title": title,
            "breadcrumbs": _crumbs((title, None)),
            **extra,
        },
    )


# --- self-study ---------------------------------------------------------------------------------


@login_only
def self_study_new(request: HttpRequest) -> HttpResponse:
    member = sel.own_member(request.user)
    if member is None:
        raise Http404
    form = forms.SelfStudyForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.self_study_submit(member=member, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已提交，党支部认定后计入学时。"))
            return redirect("study:index")
    return _form_page(request, form, _("登记自学"), member.org.name)


@requires(MANAGE)
def self_study_pending(request: HttpRequest) -> HttpResponse:
    rows = list(sel.pending_self_study(request.user)[:200])
    context = {
        "rows": [(r, forms.DecideForm(initial=version_initial(r))) for r in rows],
        "page_title": _("自学认定"),
        "breadcrumbs": _crumbs((_("自学认定"), None)),
    }
    return render(request, "study/self_pending.html", context)


@requires(MANAGE)
@require_POST
def self_study_decide(request: HttpRequest, public_id) -> HttpResponse:
    record = sel.self_study_for_user(request.user, public_id)
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        saved = save_versioned(
            form,
            record,
            lambda: services.self_study_decide(
                record=record,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                by=request.user,
            ),
            noun=_("自学记录"),
        )
        if saved is not None:
            messages.success(request, _("已处理。"))
            return redirect("study:self_pending")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return redirect("study:self_pending")


# --- library ------------------------------------------------------------------------------------


@login_only
def library(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    topic = request.GET.get("topic", "")
    topic = topic if topic in Article.Topic.values else ""
    page = Paginator(sel.article_search(request.user, q=q, topic=topic), 20).get_page(
        request.GET.get("page")
    )
    context = {
        "page_obj": page,
        "q": q,
        "topic": topic,
        "topics": Article.Topic.choices,
        "manage_org": _home_org(request.user, MANAGE),
        "query_string": f"q={q}&topic={topic}",
        "page_title": _("学习资料库"),
        "breadcrumbs": _crumbs((_("学习资料库"), None)),
    }
    return render(request, "study/library.html", context)


@login_only
def article_detail(request: HttpRequest, public_id) -> HttpResponse:
    article = sel.article_for_user(request.user, public_id)
    services.reading_note(user=request.user, article=article)
    context = {
        "article": article,
        "paragraphs": [p for p in article.body.splitlines() if p.strip()],
        "related": sel.related_of(request.user, article),
        "can_manage": permissions.can(request.user, MANAGE, article.org),
        "page_title": article.title,
        "breadcrumbs": _crumbs((_("学习资料库"), reverse("study:library")), (article.title, None)),
    }
    return render(request, "study/article.html", context)


@requires(MANAGE)
def article_new(request: HttpRequest, org_id) -> HttpResponse:
    org = org_for_user(request.user, org_id, action=MANAGE)
    form = forms.ArticleForm(request.POST or None, initial={"published_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_save(org=org, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已发布。"))
            return redirect("study:article", article.public_id)
    return _form_page(request, form, _("发布学习资料"), org.name)


@requires(MANAGE)
def article_edit(request: HttpRequest, public_id) -> HttpResponse:
    article = sel.article_for_user(request.user, public_id, action=MANAGE)
    initial = {
        "title": article.title,
        "topic": article.topic,
        "source": article.source,
        "published_on": article.published_on,
        "keywords": "" if article.keywords_auto else "、".join(article.keywords),
        "body": article.body,
        **version_initial(article),
    }
    form = forms.ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = save_versioned(
            form,
            article,
            lambda: services.article_save(
                org=article.org, data=form.cleaned_data, by=request.user, article=article
            ),
            noun=_("学习资料"),
        )
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect("study:article", article.public_id)
    return _form_page(request, form, _("修改学习资料"), article.org.name)


# --- 学时 ledger and 政治生日 -------------------------------------------------------------------


@requires(VIEW)
def ledger(request: HttpRequest, org_id) -> HttpResponse:
    org = org_for_user(request.user, org_id, action=VIEW)
    today = timezone.localdate()
    year = _year(request, today)
    lines = sel.ledger(org, year, today)
    context = {
        "org": org,
        "year": year,
        "lines": lines,
        "short": sum(1 for line in lines if not line.met),
        "page_title": _("学时台账"),
        "breadcrumbs": _crumbs((_("学时台账"), None)),
    }
    return render(request, "study/ledger.html", context)


@requires(VIEW)
def ledger_export(request: HttpRequest, org_id) -> HttpResponse:
    org = org_for_user(request.user, org_id, action=VIEW)
    today = timezone.localdate()
    year = _year(request, today)
    lines = sel.ledger(org, year, today)
    headers = [
        _("党支部"),
        _("姓名"),
        _("组织生活"),
        _("课程培训"),
        _("自学"),
        _("合计"),
        _("应学"),
        _("是否达到"),
    ]
    rows = [
        [
            line.org_name,
            line.member.name,
            float(line.meetings),
            float(line.courses),
            float(line.self_study),
            float(line.total),
            _("免予要求") if line.frail else line.required,
            _("是") if line.met else _("否"),
        ]
        for line in lines
    ]
    content = build_workbook([(_("学时台账"), headers, rows)])
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        summary=_("导出学时台账 %(org)s %(year)s年 %(n)s 人")
        % {"org": org.name, "year": year, "n": len(rows)},
        request=request,
        obj=org,
        org_path=org.path,
        details={"year": year, "rows": len(rows)},
    )
    return workbook_response(content, f"学时台账-{org.name}-{year}.xlsx")


@requires(VIEW)
def calendar(request: HttpRequest, org_id) -> HttpResponse:
    """The branch's 政治生日 by month: for those who may see its members (404 out of scope,
    403 in scope without ``member.view``)."""
    org = org_for_user(request.user, org_id, action="member.view")
    today = timezone.localdate()
    raw = request.GET.get("month", "")
    try:
        year, month = (int(x) for x in raw.split("-")) if raw else (today.year, today.month)
        first = date(year, month, 1)
    except ValueError:
        year, month, first = today.year, today.month, today.replace(day=1)
    prev = (first.replace(day=1) - timedelta(days=1)).replace(day=1)
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    context = {
        "org": org,
        "first": first,
        "prev": prev,
        "next": nxt,
        "rows": sel.birthdays(request.user, org, year, month),
        "page_title": _("政治生日"),
        "breadcrumbs": _crumbs((_("政治生日"), None)),
    }
    return render(request, "study/calendar.html", context)
