"""Reads for the platform administrators' pages (三员分立).

Each selector takes the acting user and returns nothing unless they hold the page's
action, so a mistaken call from elsewhere cannot widen anyone's view. None of these
reads touches member records: the administrators see accounts, roles and events only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhibu.accounts import permissions
from zhibu.accounts.models import RoleAssignment, User
from zhibu.core.models import AuditEvent


def _active_q(day: date) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


# --- users and roles ("user.view"; granting is "role.grant") -----------------------------


def user_list(*, user, q: str = "") -> QuerySet[User]:
    """Users matching ``q`` (user name or name), each with ``current_assignments``."""
    if not permissions.holds_anywhere(user, "user.view"):
        return User.objects.none()
    today = timezone.localdate()
    current = RoleAssignment.objects.filter(_active_q(today)).select_related("org")
    qs = User.objects.prefetch_related(
        Prefetch("assignments", queryset=current.order_by("start"), to_attr="current_assignments")
    )
    if term := q.strip():
        qs = qs.filter(Q(username__icontains=term) | Q(full_name__icontains=term))
    return qs.order_by("username")


def user_for_admin(user, public_id) -> User:
    if not permissions.holds_anywhere(user, "user.view"):
        raise Http404
    try:
        return User.objects.get(public_id=public_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def assignment_for_admin(user, public_id) -> RoleAssignment:
    if not permissions.holds_anywhere(user, "role.grant"):
        raise Http404
    try:
        return RoleAssignment.objects.select_related("user", "org").get(public_id=public_id)
    except (RoleAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass
class AssignmentRow:
    assignment: RoleAssignment
    status: str  # "current", "future" or "ended"

    @property
    def can_end(self) -> bool:
        return self.status != "ended"


def assignments_of(*, user, target: User) -> list[AssignmentRow]:
    """All of ``target``'s role assignments, newest first, with their status today."""
    if not permissions.holds_anywhere(user, "user.view"):
        return []
    today = timezone.localdate()
    rows = []
    for assignment in (
        RoleAssignment.objects.filter(user=target)
        .select_related("org", "granted_by")
        .order_by("-start", "-id")
    ):
        if assignment.start > today:
            status = "future"
        elif assignment.end is not None and assignment.end < today:
            status = "ended"
        else:
            status = "current"
        rows.append(AssignmentRow(assignment, status))
    return rows


# --- lockouts (安全管理员, "security.manage") --------------------------------------------


@dataclass
class LockoutRow:
    username: str
    failures: int
    last_at: datetime
    until: datetime  # when the failures stop counting (and a lock ends)
    ips: list[str] = field(default_factory=list)
    locked: bool = False


def lockouts(*, user) -> list[LockoutRow]:
    """Usernames with failed sign-ins still counted by django-axes, locked ones first.

    Accounts are locked by user name (settings.AXES_LOCKOUT_PARAMETERS), so the failures
    of one name are summed over its rows (one per address and browser), as axes does.
    """
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    if not permissions.holds_anywhere(user, "security.manage"):
        return []
    cool_off = get_cool_off() or timedelta(0)
    since = timezone.now() - cool_off
    rows: dict[str, LockoutRow] = {}
    for attempt in AccessAttempt.objects.filter(
        attempt_time__gt=since, username__isnull=False
    ).order_by("attempt_time"):
        row = rows.get(attempt.username)
        if row is None:
            row = rows[attempt.username] = LockoutRow(
                attempt.username, 0, attempt.attempt_time, attempt.attempt_time
            )
        row.failures += attempt.failures_since_start
        row.last_at = max(row.last_at, attempt.attempt_time)
        if attempt.ip_address and attempt.ip_address not in row.ips:
            row.ips.append(attempt.ip_address)
    limit = settings.AXES_FAILURE_LIMIT
    for row in rows.values():
        row.until = row.last_at + cool_off
        row.locked = row.failures >= limit
    return sorted(rows.values(), key=lambda r: (not r.locked, -r.last_at.timestamp()))


def failure_log(*, user, limit: int = 50):
    """The newest entries of axes' failure log (kept only with AXES_ENABLE_ACCESS_FAILURE_LOG)."""
    from axes.models import AccessFailureLog

    if not permissions.holds_anywhere(user, "security.manage"):
        return []
    return list(AccessFailureLog.objects.order_by("-attempt_time")[:limit])


# --- the audit log (审计管理员, "audit.view") ---------------------------------------------


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(
    *,
    user,
    kind: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    q: str = "",
) -> QuerySet[AuditEvent]:
    """Audit events newest first (by ``seq``, which never ties), filtered.

    Days are local days; they become a half-open range on ``at`` so the index on it
    serves the filter on both databases.
    """
    if not permissions.holds_anywhere(user, "audit.view"):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if actor := actor.strip():
        qs = qs.filter(actor_name__icontains=actor)
    if date_from:
        qs = qs.filter(at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(at__lt=_day_start(date_to + timedelta(days=1)))
    if q := q.strip():
        qs = qs.filter(summary__icontains=q)
    return qs.order_by("-seq")


def object_label(object_type: str) -> str:
    """The readable name of an event's object type (``accounts.roleassignment`` → 角色授权)."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
