"""党费 records: declared bases, hardship reliefs, payments, 上缴, payroll imports, cases.

Months are stored as the first day of the month. Money is ``DecimalField`` in yuan with two
places (分); nothing is ever a float.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.models import PublicIdModel, TimeStampedModel
from zhibu.dues.rates import FARMER_MIN, Category, Rounding


class DuesPolicy(TimeStampedModel):
    """A committee's local parameters (地方/单位规定), inherited by its subtree: the farmers'
    amount within DUES-05's 0.2–1 yuan and the rounding rule (national default: 分)."""

    committee = models.OneToOneField(
        "orgs.Org", verbose_name=_("党委"), on_delete=models.CASCADE, related_name="dues_policy"
    )
    farmer_amount = models.DecimalField(
        _("农民党员每月党费（元）"), default=FARMER_MIN, max_digits=12, decimal_places=2
    )
    rounding = models.CharField(
        _("计算精度"), max_length=5, choices=Rounding.choices, default=Rounding.FEN
    )

    class Meta:
        verbose_name = _("党费本地参数")
        verbose_name_plural = _("党费本地参数")
        constraints = [
            models.CheckConstraint(
                condition=Q(farmer_amount__gte=Decimal("0.20"), farmer_amount__lte=Decimal("1.00")),
                name="dues_farmer_amount_range",
            )
        ]


class DuesBase(PublicIdModel, TimeStampedModel):
    """A member's category and declared base from ``effective_month`` on (DUES-08: a change
    applies from the month the new pay is received). The latest row not after a month is
    the one in force for it."""

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        on_delete=models.CASCADE,
        related_name="dues_bases",
    )
    category = models.CharField(_("党费类别"), max_length=20, choices=Category.choices)
    base = models.DecimalField(
        _("党费基数（元/月）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=12,
        decimal_places=2,
    )
    effective_month = models.DateField(_("起始月份"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    import_batch = models.ForeignKey(
        "dues.PayrollImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("党费基数")
        verbose_name_plural = _("党费基数")
        ordering = ["member", "-effective_month"]
        constraints = [
            models.UniqueConstraint(fields=["member", "effective_month"], name="dues_base_once"),
            models.CheckConstraint(
                condition=Q(base__isnull=True) | Q(base__gte=0), name="dues_base_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "effective_month"], name="dues_base_member_month")
        ]


class Relief(PublicIdModel, TimeStampedModel):
    """A hardship reduction or exemption (DUES-06: after the branch's discussion, approved by
    the next-higher 党委), or a deferral with a good reason recorded by the branch (which
    stops unpaid months counting as arrears without reason, DUES-11)."""

    class Kind(models.TextChoices):
        REDUCE = "reduce", _("减交")
        EXEMPT = "exempt", _("免交")
        DEFER = "defer", _("缓交（有正当理由）")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待上级党委审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        on_delete=models.CASCADE,
        related_name="dues_reliefs",
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="dues_reliefs"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(
        _("减交后每月金额（元）"), null=True, blank=True, max_digits=12, decimal_places=2
    )
    from_month = models.DateField(_("起始月份"))
    to_month = models.DateField(_("截止月份"), null=True, blank=True)
    reason = models.CharField(_("理由"), max_length=300)
    discussed_on = models.DateField(_("支部讨论日期"))
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("讨论会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    approver_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("审批党委"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("审批日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("党费减免")
        verbose_name_plural = _("党费减免")
        ordering = ["-from_month", "-id"]


class Payment(PublicIdModel, TimeStampedModel):
    """One member's dues for one month. Deduction from pay by the organisation is not a
    method (DUES-12); a month is paid once (the unique constraint is the last word)."""

    class Method(models.TextChoices):
        CASH = "cash", _("现金")
        TRANSFER = "transfer", _("银行转账")
        ONLINE = "online", _("网上交纳（微信/支付宝等）")
        OTHER = "other", _("其他方式")

    class Kind(models.TextChoices):
        REGULAR = "regular", _("按月交纳")
        BACK = "back", _("补缴")
        ADVANCE = "advance", _("预交")

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="dues_payments",
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="dues_payments"
    )
    month = models.DateField(_("所属月份"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    due = models.DecimalField(_("应交（元）"), max_digits=12, decimal_places=2)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.REGULAR)
    method = models.CharField(_("交纳方式"), max_length=10, choices=Method.choices)
    paid_on = models.DateField(_("交纳日期"))
    paid_by = models.CharField(_("代交人"), max_length=50, blank=True)
    quarterly = models.BooleanField(_("按季交纳（经支部同意）"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_batch = models.ForeignKey(
        "dues.PayrollImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("党费交纳")
        verbose_name_plural = _("党费交纳")
        ordering = ["month", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_month_paid_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_payment_not_negative"),
        ]
        indexes = [
            models.Index(fields=["org", "month"], name="dues_payment_org_month"),
            models.Index(fields=["month", "org"], name="dues_payment_month_org"),
        ]


class Voluntary(PublicIdModel, TimeStampedModel):
    """A voluntary payment beyond the monthly dues; 1000 yuan or more at once goes entirely
    to the centre (DUES-09)."""

    CENTRE_THRESHOLD = Decimal("1000")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("交纳日期"))
    for_centre = models.BooleanField(_("全额上缴中央"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("自愿多交党费")
        verbose_name_plural = _("自愿多交党费")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="dues_voluntary_positive")
        ]


class Remittance(PublicIdModel, TimeStampedModel):
    """上缴: an org hands a month's dues of its subtree to the committee above."""

    from_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("上缴组织"),
        on_delete=models.PROTECT,
        related_name="dues_remitted",
    )
    to_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("接收党委"),
        on_delete=models.PROTECT,
        related_name="dues_received",
    )
    month = models.DateField(_("所属月份"))
    amount = models.DecimalField(_("上缴金额（元）"), max_digits=12, decimal_places=2)
    remitted_on = models.DateField(_("上缴日期"))
    received_on = models.DateField(_("接收确认日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("党费上缴")
        verbose_name_plural = _("党费上缴")
        constraints = [
            models.UniqueConstraint(fields=["from_org", "month"], name="dues_remit_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="dues_remit_not_negative"),
        ]


class PayrollImport(PublicIdModel):
    """An uploaded payroll list: checked into a preview, then committed all or nothing."""

    class Status(models.TextChoices):
        INVALID = "invalid", _("有错误")
        READY = "ready", _("待确认导入")
        DONE = "done", _("已导入")
        DISCARDED = "discarded", _("已放弃")

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    rows = models.JSONField(_("预览"), default=list, blank=True)  # checked rows, no ID numbers
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    created_count = models.PositiveIntegerField(_("导入笔数"), default=0)

    class Meta:
        verbose_name = _("工资名单导入")
        verbose_name_plural = _("工资名单导入")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"], condition=Q(status="done"), name="dues_payroll_once"
            )
        ]


class LapseCase(PublicIdModel, TimeStampedModel):
    """A DUES-11 / MBR-06 case: six months unpaid without reason → the branch decides
    whether the 自行脱党 (除名) procedure applies, recorded with its meeting."""

    class Decision(models.TextChoices):
        OPEN = "open", _("待支部研究")
        REMOVE = "remove", _("按自行脱党予以除名（报上级党委批准）")
        REASON = "reason", _("有正当理由，不作脱党处理")
        PAID = "paid", _("已补交，批评教育")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("立案日期"))
    months = models.PositiveSmallIntegerField(_("连续未交月数"))
    decision = models.CharField(
        _("支部意见"), max_length=10, choices=Decision.choices, default=Decision.OPEN
    )
    decided_on = models.DateField(_("研究日期"), null=True, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("研究会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("自行脱党处置")
        verbose_name_plural = _("自行脱党处置")
        ordering = ["-opened_on", "-id"]


class DuesSummary(models.Model):
    """One org's own figures for one month (its members' dues, not its subtree's), kept
    by the writes that change them (``zhibu.dues.summary``); the ledger, the year
    statement and the cockpit's panel roll them up the tree by path instead of
    computing every member's dues on each view. Only months listed in
    ``DuesSummaryMonth`` are kept; ``manage.py dues_summary`` rebuilds them."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    members = models.PositiveIntegerField(default=0)  # members owing the month here
    unassessed = models.PositiveIntegerField(default=0)  # of them, no base declared
    due = models.DecimalField(default=0, max_digits=14, decimal_places=2)
    collected = models.DecimalField(default=0, max_digits=14, decimal_places=2)
    paid = models.PositiveIntegerField(default=0)  # payments recorded here
    outstanding = models.DecimalField(default=0, max_digits=14, decimal_places=2)
    voluntary = models.DecimalField(default=0, max_digits=14, decimal_places=2)
    centre = models.DecimalField(default=0, max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("党费月度汇总")
        verbose_name_plural = _("党费月度汇总")
        constraints = [models.UniqueConstraint(fields=["org", "month"], name="dues_summary_once")]
        indexes = [models.Index(fields=["month", "org"], name="dues_summary_month_org")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.month:%Y-%m}"


class DuesSummaryMonth(models.Model):
    """A month the summary holds (built whole once, then kept by every write)."""

    month = models.DateField(unique=True)
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党费汇总月份")
        verbose_name_plural = _("党费汇总月份")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class DuesDirty(models.Model):
    """An (org, month) whose summary row must be computed again: marked inside the
    writing transaction (services, and signals of membership changes whose spans are
    rebuilt later in the same transaction), computed by ``summary.sync`` at the end of
    the service or before the next read."""

    org_id_value = models.BigIntegerField("org id")
    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_id_value", "month"], name="dues_dirty_once")
        ]

    def __str__(self) -> str:
        return f"{self.org_id_value} {self.month:%Y-%m}"


class PaymentCorrection(PublicIdModel):
    """A recorded payment corrected or reversed, with the reason (kept when the payment
    itself is gone: a reversal frees the month for a new, right entry)."""

    class Kind(models.TextChoices):
        CORRECT = "correct", _("更正")
        REVERSE = "reverse", _("冲销")

    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("所属月份"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    before = models.JSONField(_("更正前"), default=dict)
    after = models.JSONField(_("更正后"), default=dict, blank=True)
    reason = models.CharField(_("理由"), max_length=300)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("党费更正")
        verbose_name_plural = _("党费更正")
        ordering = ["-at", "-id"]
