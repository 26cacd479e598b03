"""通知公告 and reminder pages: announcements (list, read, publish, edit, receipts for the
sender), the organisation's channels with their delivery log, the org's policy, and
each person's reminder preferences."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhibu.accounts import permissions
from zhibu.core.access import login_only, requires
from zhibu.core.forms import apply_errors, indented
from zhibu.core.versioning import save_versioned, version_initial
from zhibu.notices import dispatch, forms, services
from zhibu.notices import selectors as sel
from zhibu.notices.models import ALL_TOPICS, Policy, Preference
from zhibu.notices.selectors import MANAGE
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_for_user, visible_orgs


def _crumbs(*tail):
    return [(_("通知公告"), reverse("notices:index")), *tail]


def _managed_roots(user) -> list[Org]:
    paths = permissions.scope_paths(user, MANAGE)
    if not paths or paths == [permissions.ALL_ORGS]:
        return []
    return list(Org.objects.filter(path__in=paths).exclude(kind=Org.Kind.GROUP).order_by("path"))


def _form_page(request, form, title, subtitle="", template="notices/form.html", **extra):
    context = {
        "form": form,
        "subtitle": subtitle,
        "page_title": title,
        "breadcrumbs": _crumbs((title, None)),
        **extra,
    }
    return render(request, template, context)


@login_only
def index(request: HttpRequest) -> HttpResponse:
    page = Paginator(sel.visible_announcements(request.user), 30).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "roots": _managed_roots(request.user),
        "page_title": _("通知公告"),
        "breadcrumbs": [(_("通知公告"), None)],
    }
    return render(request, "notices/index.html", context)


@login_only
def announcement_detail(request: HttpRequest, public_id) -> HttpResponse:
    """Opening an announcement records the reading (once); nobody is asked to read."""
    announcement = sel.announcement_for_user(request.user, public_id)
    services.announcement_read(announcement=announcement, user=request.user)
    show = sel.can_see_receipts(request.user, announcement)
    context = {
        "a": announcement,
        "targets": list(announcement.targets.order_by("path")),
        "receipts": sel.receipts(request.user, announcement) if show else None,
        "can_edit": show,
        "page_title": announcement.title,
        "breadcrumbs": _crumbs((announcement.title, None)),
    }
    return render(request, "notices/detail.html", context)


def _targets(ids) -> list[Org]:
    orgs = list(Org.objects.filter(public_id__in=[i for i in ids if i]))
    if len(orgs) != len(set(ids)):
        raise ValidationError({"targets": _("所选发送范围中有不存在的组织。")})
    return orgs


@requires(MANAGE)
def announcement_new(request: HttpRequest, org_id) -> HttpResponse:
    org = org_for_user(request.user, org_id, action=MANAGE)
    choices = indented(
        visible_orgs(request.user, MANAGE).filter(path__startswith=org.path).order_by("path")
    )
    form = forms.AnnouncementForm(request.POST or None, target_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            a = services.announcement_save(
                org=org, data=data, by=request.user, targets=_targets(data["targets"])
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("通知已发布。"))
            return redirect("notices:detail", a.public_id)
    return _form_page(request, form, _("发布通知"), org.name)


@requires(MANAGE)
def announcement_edit(request: HttpRequest, public_id) -> HttpResponse:
    a = sel.announcement_for_user(request.user, public_id, manage=True)
    initial = {"title": a.title, "body": a.body, **version_initial(a)}
    form = forms.AnnouncementForm(request.POST or None, initial=initial, edit=True)
    if request.method == "POST" and form.is_valid():
        saved = save_versioned(
            form,
            a,
            lambda: services.announcement_save(
                org=a.org, data=form.cleaned_data, by=request.user, announcement=a
            ),
            noun=_("通知"),
        )
        if saved is not None:
            messages.success(request, _("通知已修改。"))
            return redirect("notices:detail", a.public_id)
    return _form_page(request, form, _("修改通知"), a.org.name)


# --- channels ------------------------------------------------------------------------------


@requires(MANAGE)
def channels(request: HttpRequest) -> HttpResponse:
    log = Paginator(sel.deliveries_for(request.user), 30).get_page(request.GET.get("page"))
    context = {
        "channels": list(sel.visible_channels(request.user).select_related("org")),
        "roots": _managed_roots(request.user),
        "policies": {
            p.org_id: p for p in Policy.objects.filter(org__in=_managed_roots(request.user))
        },
        "log": log,
        "page_title": _("提醒渠道"),
        "breadcrumbs": _crumbs((_("提醒渠道"), None)),
    }
    return render(request, "notices/channels.html", context)


@requires(MANAGE)
def channel_new(request: HttpRequest, org_id) -> HttpResponse:
    org = org_for_user(request.user, org_id, action=MANAGE)
    form = forms.ChannelForm(
        request.POST or None, initial={"topics": dispatch.DEFAULT_CHANNEL, "enabled": True}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_save(org=org, data=form.cleaned_data, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("渠道已保存，可点击“发送测试消息”检查配置。"))
            return redirect("notices:channels")
    return _form_page(request, form, _("新增提醒渠道"), org.name)


@requires(MANAGE)
def channel_edit(request: HttpRequest, public_id) -> HttpResponse:
    channel = sel.channel_for_user(request.user, public_id)
    fields = ("kind", "name", "url", "topics", "enabled", "quiet_start", "quiet_end")
    initial = {**{f: getattr(channel, f) for f in fields}, **version_initial(channel)}
    form = forms.ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = save_versioned(
            form,
            channel,
            lambda: services.channel_save(
                org=channel.org, data=form.cleaned_data, by=request.user, channel=channel
            ),
            noun=_("渠道"),
        )
        if saved is not None:
            messages.success(request, _("渠道已保存。"))
            return redirect("notices:channels")
    return _form_page(request, form, _("修改提醒渠道"), channel.org.name)


@requires(MANAGE)
@require_POST
def channel_test(request: HttpRequest, public_id) -> HttpResponse:
    """Queues a test message; the page returns at once whatever the robot does."""
    channel = sel.channel_for_user(request.user, public_id)
    services.channel_test(channel=channel, by=request.user)
    messages.info(request, _("测试消息已排队发送，结果见下方发送记录。"))
    return redirect("notices:channels")


@requires(MANAGE)
def policy_edit(request: HttpRequest, org_id) -> HttpResponse:
    org = org_for_user(request.user, org_id, action=MANAGE)
    policy = Policy.objects.filter(org=org).first()
    initial = (
        {"topics": policy.topics, "email_allowed": policy.email_allowed}
        if policy
        else {"topics": ALL_TOPICS, "email_allowed": True}
    )
    form = forms.PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_save(org=org, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("提醒范围已保存。"))
            return redirect("notices:channels")
    return _form_page(request, form, _("提醒范围"), org.name)


@login_only
def preferences(request: HttpRequest) -> HttpResponse:
    user = request.user  # signed in (login_only)
    choices = dispatch.choices_for(user)
    allowed, email_allowed = dispatch.allowed_for(user)
    pref = Preference.objects.filter(user_id=user.pk or 0).first()
    initial = {
        "inbox_topics": sorted(choices["inbox"]),
        "email_topics": sorted(choices["email"]),
        "quiet_start": pref.quiet_start if pref else None,
        "quiet_end": pref.quiet_end if pref else None,
    }
    form = forms.PreferenceForm(request.POST or None, initial=initial, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_save(user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("提醒设置已保存。"))
            return redirect("notices:preferences")
    return _form_page(
        request,
        form,
        _("我的提醒设置"),
        _("每个渠道每天最多一条汇总提醒；免打扰时段内不发邮件，结束后再发。"),
        email_allowed=email_allowed,
        has_email=bool(getattr(user, "email", "")),
    )
