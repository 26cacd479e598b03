"""Shared model bases for every Zhibu app."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublicIdModel(models.Model):
    """A model addressed in URLs and the API by a stable UUID, never its integer key."""

    public_id = models.UUIDField(_("公开编号"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """An append-only, hash-chained record of a security or personal-data event.

    Each event's ``hash`` covers its own fields and the previous event's hash, so editing
    or deleting any row breaks the chain from there on (``manage.py audit_verify``). The
    database itself refuses UPDATE and DELETE on this table (triggers in the migration).
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOGOUT = "logout", _("退出")
        LOCKED_OUT = "locked_out", _("账号锁定")
        UNLOCKED = "unlocked", _("账号解锁")
        USER_CHANGED = "user_changed", _("用户变更")
        ROLE_GRANTED = "role_granted", _("授予角色")
        ROLE_ENDED = "role_ended", _("终止角色")
        REVEAL = "reveal", _("查看敏感信息")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        EXEMPTION = "exemption", _("豁免")
        OVERRIDE = "override", _("越过规则")
        RECORD_UNLOCKED = "record_unlocked", _("修改已锁定记录")
        CONFIG_CHANGED = "config_changed", _("配置变更")
        SIGNED = "signed", _("签订责任书")
        ACCOUNTABILITY = "accountability", _("问责决定")

    class Algorithm(models.TextChoices):
        # Events written before the chain was keyed; new events are always keyed.
        SHA256 = "sha256", "SHA-256"
        HMAC_SHA256 = "hmac-sha256", "HMAC-SHA256"

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    org_path = models.CharField(_("组织路径"), max_length=255, blank=True, db_index=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=300)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=16, choices=Algorithm.choices, default=Algorithm.SHA256)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} {self.summary}"


class AuditChainHead(models.Model):
    """The single row that serialises appends to the audit chain and remembers its end."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain head #{self.seq}"


class CalendarDay(models.Model):
    """An administrator's entry for the statutory calendar: a holiday or a make-up working
    day (调休) for a year the calendar package does not cover yet (see zhibu.core.workdays)."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(
        _("名称"), max_length=50, blank=True, help_text=_("如“国庆节”或“国庆调休上班”")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_workday else '放假'} {self.name}"


# The rulebook's stored data lives in zhibu/core/rules/models.py; importing it here makes
# those models part of the core app.
from zhibu.core.rules.models import Exemption, Finding, Notification, RuleRun, Supplement  # noqa: E402

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "CalendarDay",
    "Exemption",
    "Finding",
    "Notification",
    "PublicIdModel",
    "RuleRun",
    "Supplement",
    "TimeStampedModel",
]
