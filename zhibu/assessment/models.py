"""党建考核 and 党支部规范化建设 (RESP-04): a higher organisation's yearly scheme of
indicators, one sheet per organisation in its scope computed from the evidence, the
assessor's adjustments, the organisation's appeals, and the confirmed grade.

A sheet goes 草稿 (computed, only the assessor sees it) → 已下发 (the organisation sees it
and may appeal within the scheme's window) → 已确认 (graded, frozen). Scores are points
with one decimal; an indicator's score never leaves 0..max (a check constraint as well as
the service's refusal)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.models import PublicIdModel, TimeStampedModel


class Category(models.TextChoices):
    """The six standards of branch standardisation, then 党风廉政 and 党建与中心工作."""

    ORGANISATION = "organisation", _("组织健全")
    SYSTEMS = "systems", _("制度完善")
    OPERATION = "operation", _("运行规范")
    ACTIVITIES = "activities", _("活动经常")
    RECORDS = "records", _("档案齐备")
    ROLE = "role", _("作用突出")
    INTEGRITY = "integrity", _("党风廉政")
    CENTRAL = "central", _("党建与中心工作")


class Grade(models.TextChoices):
    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


class Standing(models.TextChoices):
    """规范化 status that follows from the confirmed score."""

    MODEL = "model", _("示范")
    MET = "met", _("达标")
    NOT_MET = "not_met", _("未达标")


class Scheme(PublicIdModel, TimeStampedModel):
    """A yearly assessment scheme (考核方案) of a 党委/党总支 over the branches below it.
    Thresholds and the appeal window are local parameters (RESP-04 is local practice)."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("考核组织"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("方案名称"), max_length=120)
    appeal_days = models.PositiveSmallIntegerField(_("申诉期限（天）"), default=7)
    good_min = models.DecimalField(_("“好”最低分"), max_digits=5, decimal_places=1, default=90)
    fairly_good_min = models.DecimalField(
        _("“较好”最低分"), max_digits=5, decimal_places=1, default=80
    )
    average_min = models.DecimalField(_("“一般”最低分"), max_digits=5, decimal_places=1, default=60)
    standard_min = models.DecimalField(
        _("规范化达标最低分"), max_digits=5, decimal_places=1, default=80
    )
    model_min = models.DecimalField(
        _("示范最低分"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("不填则不评示范"),
    )
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "computed_at"])

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="assessment_scheme_once_a_year"),
            models.CheckConstraint(
                condition=Q(good_min__gte=F("fairly_good_min"))
                & Q(fairly_good_min__gte=F("average_min")),
                name="assessment_scheme_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def grade_of(self, total: Decimal) -> str:
        if total >= self.good_min:
            return Grade.GOOD
        if total >= self.fairly_good_min:
            return Grade.FAIRLY_GOOD
        if total >= self.average_min:
            return Grade.AVERAGE
        return Grade.POOR

    def standing_of(self, total: Decimal) -> str:
        if self.model_min is not None and total >= self.model_min:
            return Standing.MODEL
        return Standing.MET if total >= self.standard_min else Standing.NOT_MET


class Indicator(PublicIdModel, TimeStampedModel):
    """One scored item. ``source`` is ``manual`` or a kind from ``assessment.sources``;
    ``params`` are that kind's parameters (rule code, points per deduction …)."""

    MANUAL = "manual"

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核方案"), on_delete=models.CASCADE, related_name="indicators"
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("考核内容"), max_length=200)
    basis = models.CharField(_("评分标准"), max_length=300, blank=True)
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=1)
    source = models.CharField(_("评分方式"), max_length=30, default=MANUAL)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    position = models.PositiveSmallIntegerField(_("序号"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["scheme", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="assessment_indicator_max_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_manual(self) -> bool:
        return self.source == self.MANUAL


class Sheet(PublicIdModel, TimeStampedModel):
    """An organisation's score sheet (考核表) under a scheme."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已下发")
        CONFIRMED = "confirmed", _("已确认")

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("考核方案"), on_delete=models.CASCADE, related_name="sheets"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("被考核组织"), on_delete=models.PROTECT, related_name="+"
    )
    org_path = models.CharField(max_length=255, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=1, default=0)
    issued_on = models.DateField(_("下发日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices, blank=True)
    standing = models.CharField(_("规范化"), max_length=10, choices=Standing.choices, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "computed_at"])

    class Meta:
        verbose_name = _("考核表")
        verbose_name_plural = _("考核表")
        ordering = ["scheme", "org_path"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org"], name="assessment_sheet_once")
        ]
        indexes = [models.Index(fields=["grade", "confirmed_on"], name="assessment_sheet_grade")]

    def __str__(self) -> str:
        return f"{self.scheme.year} {self.org}"

    @property
    def appeal_deadline(self) -> date | None:
        """The last day an appeal is accepted (下发日期 + the scheme's window)."""
        if self.issued_on is None:
            return None
        return self.issued_on + timedelta(days=self.scheme.appeal_days)


class Line(PublicIdModel, TimeStampedModel):
    """One indicator's score on one sheet: ``computed`` from the evidence (None for a manual
    indicator), ``score`` as it stands (an adjustment keeps ``computed`` and gives a reason)."""

    sheet = models.ForeignKey(
        Sheet, verbose_name=_("考核表"), on_delete=models.CASCADE, related_name="lines"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("考核指标"), on_delete=models.CASCADE, related_name="lines"
    )
    computed = models.DecimalField(
        _("系统计算得分"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    adjusted = models.BooleanField(_("已人工调整"), default=False)
    reason = models.TextField(_("评分/调整理由"), blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    # Not stored: the score before the latest adjustment (set by ``line_adjust`` for the
    # caller's audit record).
    before: Decimal | None = None

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["sheet", "indicator__position", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "indicator"], name="assessment_line_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0),
                name="assessment_line_score_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.score}"


class Deduction(PublicIdModel):
    """One deduction on a line, tied to the record it comes from (``ref`` such as
    ``finding:<id>``, ``url`` opens it). Recomputed with its draft sheet; a rectification
    item made from it carries ``source_ref`` ``assessment:<public id>``."""

    line = models.ForeignKey(
        Line, verbose_name=_("考核得分"), on_delete=models.CASCADE, related_name="deductions"
    )
    points = models.DecimalField(_("扣分"), max_digits=5, decimal_places=1)
    text = models.CharField(_("扣分事由"), max_length=300)
    ref = models.CharField(_("依据记录"), max_length=80)
    url = models.CharField(_("链接"), max_length=300)

    # Not stored: the rectification item made from it, when the sheet page looked it up.
    item: Any = None

    class Meta:
        verbose_name = _("扣分")
        verbose_name_plural = _("扣分")
        ordering = ["line", "id"]

    def __str__(self) -> str:
        return f"-{self.points} {self.text}"

    @property
    def rectification_ref(self) -> str:
        return f"assessment:{self.public_id}"


class Appeal(PublicIdModel):
    """申诉: the assessed organisation's objection, within the window, and the answer."""

    sheet = models.ForeignKey(
        Sheet, verbose_name=_("考核表"), on_delete=models.CASCADE, related_name="appeals"
    )
    line = models.ForeignKey(
        Line,
        verbose_name=_("申诉指标"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="appeals",
    )
    text = models.TextField(_("申诉理由"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    on = models.DateField(_("申诉日期"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        ordering = ["sheet", "on", "id"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def answered(self) -> bool:
        return self.answered_on is not None
