"""Users of Zhibu. What a user may see and do comes from role assignments at orgs."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Set when an administrator sets the password: the owner must choose a new one at
    # their next sign-in, so an administrator never keeps a working password of theirs.
    must_change_password = models.BooleanField(_("须在下次登录时修改密码"), default=False)
    created_by = models.ForeignKey(
        "self",
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class Role(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANIZATION = "organization", _("组织委员")
    PUBLICITY = "publicity", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    STAFF = "staff", _("党务工作者")
    GROUP_LEADER = "group_leader", _("党小组长")
    MEMBER = "member", _("党员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# The three platform administrators (三员分立): none holds another of them, none sees
# members' personal data, and their roles are held platform-wide (no org).
PLATFORM_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class RoleAssignment(models.Model):
    """A user holds ``role`` at ``org`` (and its subtree) from ``start`` until ``end``."""

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="assignments"
    )
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("留空表示长期有效"))
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        ordering = ["user", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="assignment_end_after_start",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=sorted(r.value for r in PLATFORM_ROLES), org__isnull=True)
                    | (
                        ~models.Q(role__in=sorted(r.value for r in PLATFORM_ROLES))
                        & models.Q(org__isnull=False)
                    )
                ),
                name="assignment_platform_roles_have_no_org",
            ),
        ]

    def __str__(self) -> str:
        where = self.org or _("平台")
        return f"{self.user} · {where} · {self.get_role_display()}"

    def active_on(self, day) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class PasswordHistory(models.Model):
    """A hash of a password the user had, so the last few cannot be chosen again."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    password = models.CharField(_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class UserSession(models.Model):
    """A signed-in session of a user, so they can see their sessions and end them.

    Written at sign-in; the session itself lives in Django's session table, and a row
    whose session has ended there is dropped when the list is read.
    """

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="+"
    )
    session_key = models.CharField(_("会话标识"), max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(_("网络地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("登录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class SignInCode(models.Model):
    """A one-time code for a first sign-in (or a re-issued one), printed on a distribution
    sheet. Only its keyed hash is stored; it expires, and signing in with it uses it up."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="sign_in_codes"
    )
    code_hash = models.CharField(_("登录码哈希"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("发放时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("发放人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("一次性登录码")
        verbose_name_plural = _("一次性登录码")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
