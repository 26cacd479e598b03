"""Sign-in pages and the pages of the three platform administrators (三员分立).

Lockout after failed attempts is django-axes' job (see settings). The administrators'
pages show accounts, roles, lockouts and audit events only, never member records.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from zhibu.accounts import selectors, services, twofactor, user_sessions
from zhibu.accounts.forms import (
    AuditFilterForm,
    CodeSignInForm,
    LoginForm,
    OneTimeCodeForm,
    PasswordSetForm,
    RoleEndForm,
    UnlockForm,
    UserCreateForm,
    UserSearchForm,
)
from zhibu.accounts.middleware import EXPIRED_SESSION_KEY
from zhibu.accounts.models import User
from zhibu.accounts.permissions import holds_anywhere
from zhibu.core.access import login_only, requires
from zhibu.core.audit import audit_verify as verify_chain
from zhibu.core.forms import apply_errors

PAGE_SIZE = 50


class AuthedRequest(HttpRequest):
    """For type checking: every administrator's view is behind ``requires``, so signed in."""

    user: User


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class CodeSignInView(auth_views.LoginView):
    """首次登录: a member signs in with the one-time code from their distribution sheet and
    must then choose a password (``must_change_password``)."""

    template_name = "registration/code_sign_in.html"
    authentication_form = CodeSignInForm
    redirect_authenticated_user = True

    def get_success_url(self):
        return reverse("password_change")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing one's own password also clears a temporary password's forced change.
    An account without a password yet (signed in with a one-time code) sets one without
    the old-password field."""

    template_name = "registration/password_change.html"
    success_url = "/accounts/password/done/"

    def get_form_class(self):
        if not self.request.user.has_usable_password():
            return SetPasswordForm
        return super().get_form_class()

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)
        # Django gave the session a new key; the user's other sessions end with the old
        # password (their hash no longer matches), so drop them from the list too.
        user_sessions.session_rekey(old_key=old_key, new_key=self.request.session.session_key)
        user_sessions.sessions_revoke_others(
            user=self.request.user, current_key=self.request.session.session_key
        )
        if self.request.user.must_change_password:
            self.request.user.must_change_password = False
            self.request.user.save(update_fields=["must_change_password"])
        self.request.session.pop(EXPIRED_SESSION_KEY, None)
        return response


def _page(request: HttpRequest, items) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_string(request: HttpRequest) -> str:
    """The current filters, for the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _error_messages(request: HttpRequest, exc: ValidationError) -> None:
    """A refused button press (no form to show it on) reports through the messages."""
    for message in exc.messages:
        messages.error(request, message)


def users_crumb() -> tuple[str, str]:
    return (_("用户与角色"), reverse("accounts:users"))


def form_page(
    request: HttpRequest, form, *, title: str, crumbs: list, cancel: str, **extra
) -> HttpResponse:
    context = {
        "form": form,
        "page_title": title,
        "breadcrumbs": [*crumbs, (title, None)],
        "cancel_url": cancel,
        **extra,
    }
    return render(request, "accounts/form_page.html", context)


# --- 系统管理员: users and roles ------------------------------------------------------


@requires("user.view")
@require_GET
def users(request: AuthedRequest) -> HttpResponse:
    form = UserSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page = _page(request, selectors.user_list(user=request.user, q=q))
    return render(
        request,
        "accounts/user_list.html",
        {
            "q": q,
            "page_obj": page,
            "query_string": _query_string(request),
            "page_title": _("用户与角色"),
            "breadcrumbs": [(_("用户与角色"), None)],
        },
    )


@requires("user.manage")
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                password=data["password"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已新建用户 %(name)s。") % {"name": user.username})
            return redirect("accounts:user_detail", public_id=user.public_id)
    return form_page(
        request,
        form,
        title=_("新建用户"),
        crumbs=[users_crumb()],
        cancel=reverse("accounts:users"),
        submit_label=_("新建"),
    )


@requires("user.view")
@require_GET
def user_detail(request: AuthedRequest, public_id) -> HttpResponse:
    target = selectors.user_for_admin(request.user, public_id)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "rows": selectors.assignments_of(user=request.user, target=target),
            "is_self": target.pk == request.user.pk,
            "can_manage": holds_anywhere(request.user, "user.manage"),
            "can_grant": holds_anywhere(request.user, "role.grant"),
            "page_title": target.display_name,
            "breadcrumbs": [users_crumb(), (target.display_name, None)],
        },
    )


@requires("user.manage")
@require_POST
def user_set_active(request: AuthedRequest, public_id) -> HttpResponse:
    target = selectors.user_for_admin(request.user, public_id)
    active = request.POST.get("active") == "1"
    try:
        services.user_set_active(user=target, active=active, by=request.user, request=request)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        done = _("已启用用户 %(name)s。") if active else _("已停用用户 %(name)s。")
        messages.success(request, done % {"name": target.username})
    return redirect("accounts:user_detail", public_id=target.public_id)


@requires("user.view")
def user_password(request: AuthedRequest, public_id) -> HttpResponse:
    target = selectors.user_for_admin(request.user, public_id)
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_password(
                user=target,
                password=form.cleaned_data["password"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("已为 %(name)s 设置临时密码，请当面或通过安全渠道告知本人。")
                % {"name": target.username},
            )
            return redirect("accounts:user_detail", public_id=target.public_id)
    detail = reverse("accounts:user_detail", args=[target.public_id])
    return form_page(
        request,
        form,
        title=_("设置临时密码"),
        crumbs=[users_crumb(), (target.display_name, detail)],
        cancel=detail,
        submit_label=_("设置密码"),
        target=target,
    )


@requires("role.grant")
def role_end(request: AuthedRequest, public_id) -> HttpResponse:
    assignment = selectors.assignment_for_admin(request.user, public_id)
    target = assignment.user
    form = RoleEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_end(
                assignment=assignment,
                on=form.cleaned_data["end"],
                by=request.user,
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已终止该角色授权。"))
            return redirect("accounts:user_detail", public_id=target.public_id)
    detail = reverse("accounts:user_detail", args=[target.public_id])
    return form_page(
        request,
        form,
        title=_("终止角色"),
        crumbs=[users_crumb(), (target.display_name, detail)],
        cancel=detail,
        submit_label=_("终止"),
        target=target,
        assignment=assignment,
    )


# --- 安全管理员: lockouts -----------------------------------------------------------------


@requires("security.manage")
@require_GET
def lockouts(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "accounts/lockouts.html",
        {
            "rows": selectors.lockouts(user=request.user),
            "failure_log_enabled": getattr(settings, "AXES_ENABLE_ACCESS_FAILURE_LOG", False),
            "failure_log": selectors.failure_log(user=request.user),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "page_title": _("账号安全"),
            "breadcrumbs": [(_("账号安全"), None)],
        },
    )


@requires("security.manage")
@require_POST
def unlock(request: AuthedRequest) -> HttpResponse:
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请指定要解锁的用户名。"))
        return redirect("accounts:lockouts")
    username = form.cleaned_data["username"]
    try:
        services.account_unlock(username=username, by=request.user, request=request)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        messages.success(request, _("已解锁账号 %(name)s。") % {"name": username})
    return redirect("accounts:lockouts")


# --- 审计管理员: the audit log ------------------------------------------------------------


@requires("audit.view")
@require_GET
def audit(request: AuthedRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    page = _page(request, selectors.audit_events(user=request.user, **form.filters()))
    for event in page:
        event.object_label = selectors.object_label(event.object_type)
    return render(
        request,
        "accounts/audit_list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": _query_string(request),
            "page_title": _("审计日志"),
            "breadcrumbs": [(_("审计日志"), None)],
        },
    )


@requires("audit.view")
@require_POST
def audit_verify(request: AuthedRequest) -> HttpResponse:
    """Walk the whole chain (POST: it reads every event, so no crawler should set it off)."""
    return render(
        request,
        "accounts/audit_verify.html",
        {
            "result": verify_chain(),
            "page_title": _("校验审计链"),
            "breadcrumbs": [(_("审计日志"), reverse("accounts:audit")), (_("校验审计链"), None)],
        },
    )


# --- two-factor sign-in (issue 14, item 6) --------------------------------------------

CODE_WRONG = _lazy("验证码不正确，请重试。")


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


@login_only
def two_factor_verify(request: AuthedRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or a recovery code."""
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.token_match(user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.pop(twofactor.SESSION_KEY, None)
            if isinstance(device, StaticDevice):
                left = twofactor.recovery_codes_left(request.user)
                messages.warning(request, _("已使用一个恢复码，还剩 %(n)d 个。") % {"n": left})
            return redirect(_next_url(request))
        form.add_error("code", CODE_WRONG)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@login_only
def two_factor_setup(request: AuthedRequest) -> HttpResponse:
    """Enrol an authenticator app: its secret, a first code, then the recovery codes once."""
    device = twofactor.totp_pending(request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.totp_confirm(user=request.user, token=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            request.session.pop(twofactor.SESSION_KEY, None)
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error("code", CODE_WRONG)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "uri": twofactor.otpauth_uri(device),
            "secret": twofactor.base32_secret(device),
            "required": twofactor.two_factor_required(request.user),
            "next": _next_url(request),
        },
    )


@login_only
@require_POST
def two_factor_codes(request: AuthedRequest) -> HttpResponse:
    """New recovery codes for a verified session (the old ones stop working)."""
    # is_verified comes from django-otp's middleware (the session gave a code).
    verified = getattr(request.user, "is_verified", lambda: False)()
    if not (twofactor.has_device(request.user) and verified):
        return redirect("account_security")
    codes = twofactor.recovery_codes_issue(user=request.user)
    return render(
        request,
        "registration/two_factor_codes.html",
        {"codes": codes, "next": reverse("account_security")},
    )


@login_only
@require_POST
def two_factor_remove(request: AuthedRequest) -> HttpResponse:
    """Switch two-factor sign-in off: only for those not required to use it, and only from
    a session that gave a code (not one opened before the device was enrolled)."""
    verified = getattr(request.user, "is_verified", lambda: False)()
    if twofactor.two_factor_required(request.user):
        messages.error(request, _("您的角色要求两步验证，不能关闭。"))
    elif twofactor.has_device(request.user) and not verified:
        messages.error(request, _("请先退出并用验证码重新登录，再关闭两步验证。"))
    else:
        twofactor.devices_remove(user=request.user)
        messages.success(request, _("已关闭两步验证。"))
    return redirect("account_security")


@login_only
@require_GET
def account_security(request: AuthedRequest) -> HttpResponse:
    """The user's own security page: two-factor sign-in and their signed-in sessions."""
    return render(
        request,
        "registration/account_security.html",
        {
            "has_device": twofactor.has_device(request.user),
            "required": twofactor.two_factor_required(request.user),
            "codes_left": twofactor.recovery_codes_left(request.user),
            "session_hours": settings.SESSION_ABSOLUTE_SECONDS // 3600,
            "sessions": user_sessions.session_list(
                user=request.user, current_key=request.session.session_key
            ),
            "page_title": _("账号安全"),
            "breadcrumbs": [(_("账号安全"), None)],
        },
    )


@login_only
@require_POST
def session_revoke(request: AuthedRequest, public_id) -> HttpResponse:
    """End one of one's own other sessions; another user's is a 404."""
    user_sessions.session_revoke(
        user=request.user, public_id=public_id, current_key=request.session.session_key
    )
    messages.success(request, _("已结束该会话。"))
    return redirect("account_security")


@login_only
@require_POST
def sessions_revoke_others(request: AuthedRequest) -> HttpResponse:
    count = user_sessions.sessions_revoke_others(
        user=request.user, current_key=request.session.session_key
    )
    messages.success(request, _("已在其他 %(n)d 处退出登录。") % {"n": count})
    return redirect("account_security")
