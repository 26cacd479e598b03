"""Audit events for sign-in, sign-out, failures and lockouts.

These come from Django's and django-axes' authentication signals because the events
originate inside those libraries; no business logic hangs on signals.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from zhibu.accounts.services import lockout_burst_check
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(
        kind=AuditEvent.Kind.LOGIN, summary=f"{user.username} 登录", actor=user, request=request
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(
            kind=AuditEvent.Kind.LOGOUT,
            summary=f"{user.username} 退出",
            actor=user,
            request=request,
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    known = get_user_model().objects.filter(username=username).first()
    audit_record(
        kind=AuditEvent.Kind.LOGIN_FAILED,
        summary=f"{username or '（空）'} 登录失败",
        actor=known,
        request=request,
        details={"username": username},
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    audit_record(
        kind=AuditEvent.Kind.LOCKED_OUT,
        summary=f"{username or ''} 因连续登录失败被锁定",
        request=request,
        details={"username": username or ""},
    )
    # A burst of lockouts (password guessing) alerts the security and audit administrators
    # as it happens; the lockout itself only exists as this signal.
    lockout_burst_check()
