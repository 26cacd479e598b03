"""Request middleware: security headers, idle and absolute session limits, and
deny-by-default access decisions."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.translation import gettext as _

from zhibu.core.access import decision_of

_LAST_SEEN = "zhibu_last_seen"
_SIGNED_IN_AT = "zhibu_signed_in_at"
# Refresh the session's expiry at most once a minute, so a busy user does not cause a
# session write on every request.
_TOUCH_EVERY = 60


def session_started(request) -> None:
    """Start the absolute lifetime's clock (called at sign-in)."""
    request.session[_SIGNED_IN_AT] = int(time.time())


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response.

    Pages load scripts and styles from files only (no inline script, no style attribute);
    ``json_script`` blocks are data, not executed, so the policy allows them. The API's
    Swagger UI gets its own policy (``CSP_API_DOCS``): its bundle sets inline styles.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = (
            settings.CSP_API_DOCS
            if request.path.startswith(settings.CSP_API_DOCS_PREFIX)
            else settings.CSP
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class IdleTimeoutMiddleware:
    """Sign a user out after ``ZHIBU_SESSION_IDLE_MINUTES`` (default 30) without a request,
    and ``ZHIBU_SESSION_MAX_HOURS`` (default 12) after signing in whatever the activity."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_LAST_SEEN, now)
            # The first request of a session that predates this limit starts its clock.
            started = request.session.setdefault(_SIGNED_IN_AT, now)
            if now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("您已长时间未操作，为安全起见已自动退出，请重新登录。"))
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("登录时间已达上限，为安全起见已自动退出，请重新登录。"))
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
