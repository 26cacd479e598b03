"""An inspector's verdict on one 真实性核查 flag (a suspect finding of DQ-06 … DQ-09).

A verdict is keyed by what identifies the finding (rule, period, org, subject), not by
the finding's row, so it survives the nightly run re-creating that row. Every change is
kept in its history (who, when, what), and edits carry the verdict's version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.models import PublicIdModel, TimeStampedModel


class FlagReview(PublicIdModel, TimeStampedModel):
    class State(models.TextChoices):
        VERIFIED = "verified", _("已核实")
        EXPLAINED = "explained", _("已说明")

    rule_code = models.CharField(_("规则"), max_length=10)
    period_code = models.CharField(_("期间"), max_length=10)
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="+"
    )
    subject_type = models.CharField(_("对象类型"), max_length=20)
    subject_id = models.BigIntegerField(_("对象"))
    state = models.CharField(_("核查结论"), max_length=10, choices=State.choices)
    reason = models.TextField(_("说明"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核查人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("核查结论")
        verbose_name_plural = _("核查结论")
        constraints = [
            models.UniqueConstraint(
                fields=["rule_code", "period_code", "org", "subject_type", "subject_id"],
                name="flag_review_unique_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.period_code} {self.org_id} {self.state}"

    @classmethod
    def key_of(cls, finding) -> tuple:
        return (
            finding.rule_code,
            finding.period_code,
            finding.org_id,
            finding.subject_type,
            finding.subject_id,
        )

    @property
    def key(self) -> tuple:
        return (self.rule_code, self.period_code, self.org_id, self.subject_type, self.subject_id)
