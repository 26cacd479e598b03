"""A 党内统计 annual report as submitted upward: its figures frozen as a snapshot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.models import PublicIdModel, TimeStampedModel


class Report(PublicIdModel, TimeStampedModel):
    """One org's annual statistics (its whole subtree) as of 31 December, reported to the
    committee above. Once submitted the figures never move: they are stored here, not
    recomputed; the committee above may return it (退回) for a corrected resubmission."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("已退回")

    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="census_reports",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("统计时点"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    figures = models.JSONField(_("报表数据"), default=list)
    member_total = models.PositiveIntegerField(_("党员总数"), default=0)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    returned_reason = models.CharField(_("退回理由"), max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("党内统计年报")
        verbose_name_plural = _("党内统计年报")
        ordering = ["-year", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="census_report_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED
