"""Stored rulebook data: findings, runs, local supplements and exemptions.

Imported by ``zhibu.core.models`` so they belong to the ``core`` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhibu.core.models import PublicIdModel
from zhibu.core.rules.base import Status
from zhibu.core.rules.messages import finding_text
from zhibu.core.rules.registry import citation_of


class RuleRun(PublicIdModel):
    """One evaluation of a subtree and period: what it changed and how long it took."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    period_code = models.CharField(_("期间"), max_length=10)
    codes = models.JSONField(_("规则"), default=list, blank=True)
    trigger = models.CharField(_("触发方式"), max_length=20, default="manual")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("执行人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    # Set by the run, not stored: closed rule-periods kept unjudged (nothing they read
    # changed; zhibu.rulebook.run.Marks).
    skipped: int = 0
    evaluated = models.PositiveIntegerField(_("检查结果数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("变化"), default=0)
    deleted = models.PositiveIntegerField(_("移除"), default=0)

    class Meta:
        verbose_name = _("检查运行")
        verbose_name_plural = _("检查运行")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.org} {self.period_code} {self.started_at:%Y-%m-%d %H:%M}"


class Finding(models.Model):
    """One judgement: a rule (code and version) on a subject for a period, with its reasons.

    Keys and indexes follow the scale path: every hot query filters by the org path
    prefix and the period, and a run replaces one rule-period-subtree idempotently.
    """

    rule_code = models.CharField(_("规则"), max_length=10)
    rule_version = models.PositiveSmallIntegerField(_("版本"), default=1)
    period_code = models.CharField(_("期间"), max_length=10)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))  # exclusive
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="findings"
    )
    org_path = models.CharField(max_length=255)
    subject_type = models.CharField(_("对象类型"), max_length=20, default="org")
    subject_id = models.BigIntegerField(_("对象"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    original_status = models.CharField(
        _("豁免前状态"), max_length=10, choices=Status.choices, blank=True
    )
    numbers = models.JSONField(_("数据"), default=dict, blank=True)
    # The explanation as message ids and values (zhibu.core.rules.messages), rendered in
    # the active language when shown; ``explanation`` holds the text of findings stored
    # before explanations were structured.
    message = models.JSONField(_("说明"), default=list, blank=True)
    explanation = models.TextField(_("说明（旧）"), blank=True, default="")
    citation = models.CharField(_("依据"), max_length=200)
    refs = models.JSONField(_("相关记录"), default=list, blank=True)
    exemption = models.ForeignKey(
        "core.Exemption",
        verbose_name=_("豁免"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    computed_at = models.DateTimeField(_("计算时间"))
    digest = models.CharField(max_length=32, blank=True, editable=False)  # content fingerprint

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        constraints = [
            models.UniqueConstraint(
                # period_start: PostgreSQL's partition key (zhibu.core.partitions);
                # period_code determines it, so the constraint means the same.
                fields=[
                    "rule_code",
                    "period_code",
                    "org",
                    "subject_type",
                    "subject_id",
                    "period_start",
                ],
                name="finding_unique_subject",
            )
        ]
        indexes = [
            models.Index(fields=["period_start", "org_path"], name="finding_period_path"),
            models.Index(
                fields=["rule_code", "period_code", "org_path"], name="finding_rule_period_path"
            ),
            models.Index(fields=["status", "period_end"], name="finding_status_period"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.period_code} {self.org_id} {self.status}"

    @property
    def is_problem(self) -> bool:
        return self.status in {Status.DUE, Status.LATE, Status.MISSING, Status.SUSPECT}

    @property
    def citation_text(self) -> str:
        """The citation in the active language (the stored text for an unknown rule)."""
        return citation_of(self.rule_code, self.rule_version) or self.citation

    @property
    def text(self) -> str:
        """The explanation in the active language (``messages.finding_text``)."""
        return finding_text(self)


class Supplement(PublicIdModel):
    """A committee's local supplement to a rule (docs/rules.md, consequence 2): tighter parameters
    for a confirmed rule, any value for a local-practice (L) rule; never looser."""

    committee = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("制定的党委"),
        on_delete=models.PROTECT,
        related_name="supplements",
    )
    rule_code = models.CharField(_("规则"), max_length=10)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True, help_text=_("仅地方/单位规定可停用"))
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    document_no = models.CharField(_("文件依据"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("制定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("补充规定")
        verbose_name_plural = _("补充规定")
        ordering = ["rule_code", "-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gt=models.F("effective_from")),
                name="supplement_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.rule_code} {self.params}"


class Exemption(PublicIdModel):
    """An approved exemption of an org (or one member) from a rule for a date range
    (docs/rules.md, consequence 3): e.g. a branch founded mid-quarter, a member seriously ill."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        REVOKED = "revoked", _("已撤销")

    rule_code = models.CharField(_("规则"), max_length=10)
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="exemptions"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exemptions",
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))  # inclusive
    reason = models.TextField(_("理由"))
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("检查豁免")
        verbose_name_plural = _("检查豁免")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["rule_code", "state", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="exemption_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.org} {self.start}—{self.end}"


class Notification(models.Model):
    """One daily digest per user (in-app inbox and email): never a flood of single pings."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    day = models.DateField(_("日期"))
    subject = models.CharField(_("主题"), max_length=200)
    items = models.JSONField(_("事项"), default=list)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="notification_one_digest_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.day} {self.subject}"
