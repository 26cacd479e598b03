"""Audit events for sign-in, sign-out, failures and lockouts.

These come from Django's and django-axes' authentication signals because the events
originate inside those libraries; no business logic hangs on signals.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from zhibu.accounts import twofactor
from zhibu.accounts.middleware import EXPIRED_SESSION_KEY
from zhibu.accounts.services import lockout_burst_check
from zhibu.accounts.user_sessions import session_forget, session_record
from zhibu.accounts.validators import password_expired
from zhibu.core.audit import audit_record
from zhibu.core.middleware import session_started
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


@receiver(user_logged_in)
def _two_factor_owed(sender, request, user, **kwargs) -> None:
    """Decide once, at sign-in, whether this session owes a one-time code or enrolment."""
    if request is not None and hasattr(request, "session"):
        state = twofactor.state_at_login(user)
        if state:
            request.session[twofactor.SESSION_KEY] = state
        else:
            request.session.pop(twofactor.SESSION_KEY, None)


@receiver(user_logged_in)
def _password_expiry(sender, request, user, **kwargs) -> None:
    """A privileged user's expired password must be changed before anything else."""
    if password_expired(user) and not user.must_change_password:
        user.must_change_password = True
        user.save(update_fields=["must_change_password"])
        if request is not None and hasattr(request, "session"):
            request.session[EXPIRED_SESSION_KEY] = True


@receiver(user_logged_in)
def _session_opened(sender, request, user, **kwargs) -> None:
    """Record the session for the user's own list, and start its absolute lifetime."""
    if request is not None and hasattr(request, "session"):
        session_started(request)
        session_record(request=request, user=user)


@receiver(user_logged_out)
def _session_closed(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_forget(key=request.session.session_key)
