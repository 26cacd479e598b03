"""Request middleware: idle session timeout and deny-by-default access decisions."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.translation import gettext as _

from zhibu.core.access import decision_of

_LAST_SEEN = "zhibu_last_seen"
# Refresh the session's expiry at most once a minute, so a busy user does not cause a
# session write on every request.
_TOUCH_EVERY = 60


class IdleTimeoutMiddleware:
    """Sign a user out after ``ZHIBU_SESSION_IDLE_MINUTES`` (default 30) without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_LAST_SEEN, now)
            if now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("您已长时间未操作，为安全起见已自动退出，请重新登录。"))
            elif now - last >= _TOUCH_EVERY or _LAST_SEEN not in request.session:
                request.session[_LAST_SEEN] = now
        return self.get_response(request)


class AccessDecisionMiddleware:
    """Refuse any view that does not declare who may call it (see zhibu.core.access)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if decision_of(view_func) is not None:
            return None
        if settings.DEBUG:
            raise ImproperlyConfigured(
                f"View {view_func.__module__}.{view_func.__name__} declares no access decision."
            )
        raise PermissionDenied
