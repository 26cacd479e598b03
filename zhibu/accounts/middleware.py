"""A temporary password set by an administrator must be replaced before anything else."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MUST_CHANGE_PASSWORD = _("您的密码由管理员设置，请先修改密码再继续使用。")


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
                reverse("password_change"),
                reverse("password_change_done"),
                reverse("logout"),
                reverse("set_language"),
            )
            if request.path not in allowed and not request.path.startswith("/static/"):
                if request.path.startswith("/api/"):
                    from django.http import JsonResponse

                    return JsonResponse(
                        {"code": 403, "message": str(MUST_CHANGE_PASSWORD), "details": []},
                        status=403,
                    )
                messages.warning(request, MUST_CHANGE_PASSWORD)
                return redirect("password_change")
        return self.get_response(request)
