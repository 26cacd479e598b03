"""Writes to users and role assignments, with the three-administrator separation."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.accounts.models import PLATFORM_ROLES, Role, RoleAssignment, User
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.rules.models import Notification
from zhibu.core.scope import in_subtree

ASSIGNMENT_END_BEFORE_START = _("结束日期不能早于开始日期。")
PLATFORM_ROLE_WITH_ORG = _("系统、安全、审计管理员是平台角色，不能指定党组织。")
ORG_ROLE_WITHOUT_ORG = _("请选择该角色所在的党组织。")
ROLE_WRONG_LEVEL = _("“%(role)s”不能设在%(kind)s。")
THREE_ADMINS_SEPARATED = _("三员分立：该用户已是%(other)s，不能再担任%(role)s。")
ASSIGNMENT_DUPLICATE = _("该用户在此期间已在该组织担任“%(role)s”。")
ASSIGNMENT_ALREADY_ENDED = _("该授权已于 %(day)s 结束。")
ADMIN_WITH_ORG_ROLE = _(
    "三员分立：平台管理员（%(role)s）不得同时在党组织担任角色，否则会接触党员个人信息；请使用不同账号。"
)
USERNAME_TAKEN = _("用户名“%(name)s”已被使用。")
CANNOT_DEACTIVATE_SELF = _("不能停用自己的账号。")
CANNOT_CHANGE_OWN_ROLES = _("不能为自己授予或终止角色，请由另一位系统管理员办理。")
CANNOT_RESET_OWN_PASSWORD = _("不能在此重置自己的密码，请使用“修改密码”。")
USER_ALREADY_ACTIVE = _("该账号已是启用状态。")
USER_ALREADY_INACTIVE = _("该账号已是停用状态。")
NOT_LOCKED = _("账号“%(name)s”当前没有登录失败记录，无需解锁。")
PLATFORM_ROLE_ONLY_BY_SECURITY_ADMIN = _(
    "三员分立：系统、安全、审计管理员角色只能由安全管理员授予或终止。"
)
BUSINESS_ROLE_ONLY_IN_PARTY_TREE = _(
    "三员分立：党组织中的角色只能由在该组织范围内有授权权限的党组织负责人授予或终止，平台管理员不能办理。"
)
TWO_PERSON_RULE = _("双人原则：该账号是您今天新建的，不能由您为其授予角色，须由另一位管理员授予。")
RESET_BY_PARTY_TREE = _(
    "该账号在党组织中担任角色，可接触党员信息；其密码只能由在其所有任职组织范围内有授权权限的党组织负责人重置。"
)
RESET_PLATFORM_BY_SYSTEM_ADMIN = _("平台账号和未任职账号的密码由系统管理员重置。")
PASSWORD_RESET_NOTICE = _(
    "您的密码已被管理员 %(by)s 重置，请在下次登录时设置新密码。如非本人申请，请立即联系安全管理员。"
)


def _overlap_q(start: date, end: date | None) -> Q:
    """Assignments (inclusive ends) overlapping [start, end]."""
    condition = Q(end__isnull=True) | Q(end__gte=start)
    if end is not None:
        condition &= Q(start__lte=end)
    return condition


@transaction.atomic
def user_create(
    *, username: str, full_name: str, password: str | None, email: str = "", by=None, request=None
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": USERNAME_TAKEN % {"name": username}})
    user = User(username=username, full_name=full_name, email=email, created_by=by)
    if password:
        user.set_password(_validated_password(password, user))
        # A password an administrator chose is temporary (the demo and set-up pass by=None).
        user.must_change_password = by is not None
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        kind=AuditEvent.Kind.USER_CHANGED,
        summary=f"新建用户 {username}",
        actor=by,
        request=request,
        obj=user,
    )
    return user


def _validated_password(password: str, user: User) -> str:
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    return password


@transaction.atomic
def user_set_active(*, user: User, active: bool, by: User, request=None) -> User:
    """Deactivate or reactivate ``user``. A deactivated user cannot sign in and their
    open sessions stop working (the auth backend refuses inactive users); roles are kept."""
    if user.pk == by.pk:
        raise ValidationError({"is_active": CANNOT_DEACTIVATE_SELF})
    if user.is_active == active:
        raise ValidationError(
            {"is_active": USER_ALREADY_ACTIVE if active else USER_ALREADY_INACTIVE}
        )
    user.is_active = active
    user.save(update_fields=["is_active"])
    permissions.forget(user)
    audit_record(
        kind=AuditEvent.Kind.USER_CHANGED,
        summary=f"{'启用' if active else '停用'}用户 {user.username}",
        actor=by,
        request=request,
        obj=user,
        details={"is_active": active},
    )
    return user


def _business_roles(user: User, on: date):
    """``user``'s current and future assignments in the party tree."""
    return RoleAssignment.objects.filter(user=user, org__isnull=False).filter(
        Q(end__isnull=True) | Q(end__gte=on)
    )


def _check_may_reset(*, user: User, by: User) -> None:
    """Who may set another user's password (三员分立).

    The 系统管理员 resets platform accounts and accounts without a party role. An account
    that may reach member data is reset only by someone who already reaches that data:
    a party lead holding ``role.grant`` over every org where the account holds a role.
    Otherwise a platform administrator could reset a 书记's password and sign in as them.
    """
    today = timezone.localdate()
    orgs = [a.org for a in _business_roles(user, today).select_related("org")]
    if not orgs:
        if not permissions.holds_anywhere(by, "user.manage"):
            raise ValidationError({"password": RESET_PLATFORM_BY_SYSTEM_ADMIN})
        return
    paths = permissions.business_grant_paths(by)
    if not paths or not all(in_subtree(org.path, paths) for org in orgs):
        raise ValidationError({"password": RESET_BY_PARTY_TREE})


@transaction.atomic
def user_set_password(*, user: User, password: str, by: User, request=None) -> User:
    """Set a temporary password for ``user``.

    The owner must change it at their next sign-in; their open sessions end (the session
    hash follows the password), their API tokens are revoked and they are notified.
    """
    if user.pk == by.pk:
        raise ValidationError({"password": CANNOT_RESET_OWN_PASSWORD})
    _check_may_reset(user=user, by=by)
    user.set_password(_validated_password(password, user))
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    now = timezone.now()
    # The API's tokens through their relation: the api app sits above accounts.
    revoked = user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    _notify(user, str(PASSWORD_RESET_NOTICE % {"by": by.display_name}))
    audit_record(
        kind=AuditEvent.Kind.USER_CHANGED,
        summary=f"为用户 {user.username} 设置临时密码",
        actor=by,
        request=request,
        obj=user,
        details={"tokens_revoked": revoked},
    )
    return user


def _notify(user: User, text: str) -> None:
    """Add ``text`` to the user's in-app inbox (today's digest, created if missing)."""
    today = timezone.localdate()
    item = {"rule": "", "org": "", "period": "", "status": "security", "text": text}
    notification = Notification.objects.select_for_update().filter(user=user, day=today).first()
    if notification is None:
        Notification.objects.create(user=user, day=today, subject=text[:200], items=[item])
    else:
        notification.items = [item, *notification.items]
        notification.read_at = None
        notification.save(update_fields=["items", "read_at"])


@transaction.atomic
def account_unlock(*, username: str, by: User, request=None) -> int:
    """Clear django-axes' failed attempts for ``username``; returns how many were cleared."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessAttempt

    # An empty username would make axes reset every account's attempts: refuse it first.
    if not username or not AccessAttempt.objects.filter(username=username).exists():
        raise ValidationError({"username": NOT_LOCKED % {"name": username}})
    cleared = AxesProxyHandler.reset_attempts(username=username)
    audit_record(
        kind=AuditEvent.Kind.UNLOCKED,
        summary=f"解锁账号 {username}",
        actor=by,
        request=request,
        obj=User.objects.filter(username=username).first(),
        details={"username": username, "attempts": cleared},
    )
    return cleared


def _check_may_grant(*, by: User, role: str, org) -> None:
    """三员分立: platform roles come from the 安全管理员 only; business roles only from a
    party lead whose ``role.grant`` covers ``org`` (never from a platform grant)."""
    if role in PLATFORM_ROLES:
        if not permissions.grants_platform_roles(by):
            raise ValidationError({"role": PLATFORM_ROLE_ONLY_BY_SECURITY_ADMIN})
        return
    paths = permissions.business_grant_paths(by)
    if not paths or (org is not None and not in_subtree(org.path, paths)):
        raise ValidationError({"role": BUSINESS_ROLE_ONLY_IN_PARTY_TREE})


def _check_two_person_rule(*, user: User, by: User) -> None:
    """An account created today by ``by`` gets its roles from someone else
    (settings.ZHIBU_GRANT_TWO_PERSON_RULE, on by default)."""
    if not settings.ZHIBU_GRANT_TWO_PERSON_RULE:
        return
    created_today = timezone.localdate(user.date_joined) == timezone.localdate()
    if user.created_by_id == by.pk and created_today:
        raise ValidationError({"user": TWO_PERSON_RULE})


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: str,
    org=None,
    start: date | None = None,
    end: date | None = None,
    by=None,
    request=None,
    note: str = "",
) -> RoleAssignment:
    """Give ``user`` a role at ``org`` for a span; refused with a Chinese message if invalid."""
    start = start or timezone.localdate()
    if by is not None and by.pk == user.pk:
        raise ValidationError({"user": CANNOT_CHANGE_OWN_ROLES})
    if by is not None:
        _check_may_grant(by=by, role=role, org=org)
        _check_two_person_rule(user=user, by=by)
    if end is not None and end < start:
        raise ValidationError({"end": ASSIGNMENT_END_BEFORE_START})
    if role in PLATFORM_ROLES:
        if org is not None:
            raise ValidationError({"org": PLATFORM_ROLE_WITH_ORG})
        others = (
            RoleAssignment.objects.select_for_update()
            .filter(user=user, role__in=[r for r in PLATFORM_ROLES if r != role])
            .filter(_overlap_q(start, end))
            .first()
        )
        if others is not None:
            raise ValidationError(
                {
                    "role": THREE_ADMINS_SEPARATED
                    % {"other": others.get_role_display(), "role": Role(role).label}
                }
            )
        if (
            RoleAssignment.objects.filter(user=user, org__isnull=False)
            .filter(_overlap_q(start, end))
            .exists()
        ):
            raise ValidationError({"role": ADMIN_WITH_ORG_ROLE % {"role": Role(role).label}})
    else:
        platform = (
            RoleAssignment.objects.filter(user=user, role__in=sorted(PLATFORM_ROLES))
            .filter(_overlap_q(start, end))
            .first()
        )
        if platform is not None:
            raise ValidationError(
                {"role": ADMIN_WITH_ORG_ROLE % {"role": platform.get_role_display()}}
            )
        if org is None:
            raise ValidationError({"org": ORG_ROLE_WITHOUT_ORG})
        if (role, org.level) not in permissions.MATRIX:
            raise ValidationError(
                {
                    "role": ROLE_WRONG_LEVEL
                    % {"role": Role(role).label, "kind": org.get_kind_display()}
                }
            )
    duplicate = (
        RoleAssignment.objects.filter(user=user, role=role, org=org)
        .filter(_overlap_q(start, end))
        .exists()
    )
    if duplicate:
        raise ValidationError({"role": ASSIGNMENT_DUPLICATE % {"role": Role(role).label}})
    assignment = RoleAssignment(
        user=user, role=role, org=org, start=start, end=end, granted_by=by, note=note
    )
    assignment.full_clean()
    assignment.save()
    permissions.forget(user)
    audit_record(
        kind=AuditEvent.Kind.ROLE_GRANTED,
        summary=f"授予 {user.username} {assignment.get_role_display()}（{org or '平台'}）",
        actor=by,
        request=request,
        obj=assignment,
        org_path=org.path if org else "",
        details={"user": str(user.public_id), "role": role, "start": start, "end": end},
    )
    return assignment


@transaction.atomic
def role_end(
    *, assignment: RoleAssignment, on: date | None = None, by=None, request=None
) -> RoleAssignment:
    on = on or timezone.localdate()
    if by is not None and by.pk == assignment.user_id:
        raise ValidationError({"user": CANNOT_CHANGE_OWN_ROLES})
    if by is not None:
        _check_may_grant(by=by, role=assignment.role, org=assignment.org)
    if assignment.end is not None and assignment.end < on:
        raise ValidationError({"end": ASSIGNMENT_ALREADY_ENDED % {"day": assignment.end}})
    if on < assignment.start:
        raise ValidationError({"end": ASSIGNMENT_END_BEFORE_START})
    assignment.end = on
    assignment.save(update_fields=["end"])
    permissions.forget(assignment.user)
    audit_record(
        kind=AuditEvent.Kind.ROLE_ENDED,
        summary=f"终止 {assignment.user.username} 的{assignment.get_role_display()}（{assignment.org or '平台'}）",
        actor=by,
        request=request,
        obj=assignment,
        org_path=assignment.org.path if assignment.org else "",
        details={"end": on},
    )
    return assignment


# --- security alerts (issue 14, item 3) -----------------------------------------------

CHAIN_BROKEN_ALERT = _(
    "安全告警：审计链校验发现 %(count)d 处断裂（首处：%(reason)s），请保全数据库并核查。"
)
LOCKOUT_BURST_ALERT = _(
    "安全告警：最近一小时内已有 %(count)d 个账号因连续登录失败被锁定，可能有人在猜测密码。"
)
# The alert goes out when the count of the last hour reaches this, once per burst.
LOCKOUT_BURST = 10


def security_alert(*, text: str) -> int:
    """Put ``text`` in the inbox of every active 安全管理员 and 审计管理员 (returns how many)."""
    today = timezone.localdate()
    users = (
        User.objects.filter(
            is_active=True,
            assignments__role__in=[Role.SECURITY_ADMIN, Role.AUDIT_ADMIN],
            assignments__start__lte=today,
        )
        .filter(Q(assignments__end__isnull=True) | Q(assignments__end__gte=today))
        .distinct()
    )
    count = 0
    for user in users:
        with transaction.atomic():
            _notify(user, text)
        count += 1
    return count


def chain_broken_alert(*, breaks: int, first_reason: str) -> int:
    return security_alert(text=str(CHAIN_BROKEN_ALERT) % {"count": breaks, "reason": first_reason})


def lockout_burst_check() -> bool:
    """Alert when the lockouts of the last hour reach ``LOCKOUT_BURST`` (exactly then, so
    one burst raises one alert); returns whether it alerted."""
    since = timezone.now() - timedelta(hours=1)
    count = AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKED_OUT, at__gte=since).count()
    if count != LOCKOUT_BURST:
        return False
    security_alert(text=str(LOCKOUT_BURST_ALERT) % {"count": count})
    return True


# --- members' accounts (issue 13) ----------------------------------------------------------


@transaction.atomic
def member_account_deactivate(*, user: User, reason: str, by=None, request=None) -> bool:
    """Deactivate the account of a member who left the organisation (转出, 死亡, 出党 …):
    they can no longer sign in, their API tokens and unused sign-in codes stop working and
    their current roles end today. Audited; returns whether anything changed."""
    if not user.is_active:
        return False
    now = timezone.now()
    today = timezone.localdate()
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=now)
    user.sign_in_codes.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    ended = (
        RoleAssignment.objects.filter(user=user, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gt=today))
        .update(end=today)
    )
    RoleAssignment.objects.filter(user=user, start__gt=today).delete()
    permissions.forget(user)
    audit_record(
        kind=AuditEvent.Kind.USER_CHANGED,
        summary=f"停用用户 {user.username}（{reason}）",
        actor=by,
        request=request,
        obj=user,
        details={"is_active": False, "reason": reason, "roles_ended": ended},
    )
    return True
