"""A user's own signed-in sessions: recorded at sign-in, listed, ended (issue 14, item 11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from zhibu.accounts.models import UserSession
from zhibu.core.audit import client_ip


@dataclass(frozen=True)
class SessionRow:
    public_id: str
    ip_address: str | None
    user_agent: str
    created_at: datetime
    current: bool


def session_record(*, request, user) -> None:
    """Remember the session just signed in (called from the sign-in signal)."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "ip_address": client_ip(request),
            "user_agent": request.headers.get("User-Agent", "")[:300],
        },
    )


def session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """The session changed its key (Django does on a password change): follow it."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def session_list(*, user, current_key: str | None) -> list[SessionRow]:
    """The user's sessions that are still open, the current one first."""
    rows = list(UserSession.objects.filter(user=user))
    alive = set(
        Session.objects.filter(
            session_key__in=[r.session_key for r in rows], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    UserSession.objects.filter(pk__in=[r.pk for r in rows if r.session_key not in alive]).delete()
    result = [
        SessionRow(
            public_id=str(r.public_id),
            ip_address=r.ip_address,
            user_agent=r.user_agent,
            created_at=r.created_at,
            current=r.session_key == current_key,
        )
        for r in rows
        if r.session_key in alive
    ]
    return sorted(result, key=lambda r: not r.current)


@transaction.atomic
def session_revoke(*, user, public_id, current_key: str | None) -> None:
    """End one of the user's own sessions (not the current one: that is signing out)."""
    row = UserSession.objects.filter(user=user, public_id=public_id).first()
    if row is None or row.session_key == current_key:
        raise Http404
    Session.objects.filter(session_key=row.session_key).delete()
    row.delete()


@transaction.atomic
def sessions_revoke_others(*, user, current_key: str | None) -> int:
    """Sign out everywhere else: end every session of the user but the current one."""
    rows = UserSession.objects.filter(user=user).exclude(session_key=current_key or "")
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    return len(keys)


def session_forget(*, key: str | None) -> None:
    """Signing out ends the session: drop its row."""
    if key:
        UserSession.objects.filter(session_key=key).delete()
