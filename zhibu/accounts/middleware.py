"""What a signed-in session must do before anything else: give its second factor (or
enrol one), and replace a temporary password set by an administrator."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import twofactor

MUST_CHANGE_PASSWORD = _("您的密码由管理员设置，请先修改密码再继续使用。")
PASSWORD_EXPIRED = _("您的密码已到期，请先修改密码再继续使用。")
EXPIRED_SESSION_KEY = "zhibu_expired"
TWO_FACTOR_NEEDED = _("请先完成两步验证。")


class TwoFactorMiddleware:
    """Until the session has given a one-time code (or enrolled a device, for those who
    must have one), every page redirects to that step.

    The step owed is decided at sign-in (``twofactor.state_at_login``, in the session);
    API calls with such a session answer 403, personal access tokens are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = request.session.get(twofactor.SESSION_KEY) if hasattr(request, "session") else None
        if state and request.user.is_authenticated:
            target = "two_factor_verify" if state == twofactor.VERIFY else "two_factor_setup"
            allowed = (reverse(target), reverse("logout"), reverse("set_language"))
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": 403, "message": str(TWO_FACTOR_NEEDED), "details": []},
                        status=403,
                    )
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Send a user whose ``must_change_password`` is set to the password change page.

    Only that page, its done page, sign-out, the language switch and static files stay
    reachable; API calls with the session answer 403 until the password is changed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = (
                reverse("two_factor_verify"),
                reverse("two_factor_setup"),
                reverse("password_change"),
                reverse("password_change_done"),
                reverse("logout"),
                reverse("set_language"),
            )
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"code": 403, "message": str(MUST_CHANGE_PASSWORD), "details": []},
                        status=403,
                    )
                expired = request.session.get(EXPIRED_SESSION_KEY)
                messages.warning(request, PASSWORD_EXPIRED if expired else MUST_CHANGE_PASSWORD)
                return redirect("password_change")
        return self.get_response(request)
