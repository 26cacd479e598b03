"""问责 decisions (检查, 通报, 诫勉, 组织调整, 纪律处分) and the signals each one closes.

A signal is computed, never stored (``zhibu.accountability.sources``); a decision keeps
the kind and key of each signal it answers, with a snapshot of its title and evidence
link, so the decision still reads right after the evidence has moved on. A signal is
closed by at most one decision (the unique constraint on kind and key).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.models import PublicIdModel, TimeStampedModel


class Decision(PublicIdModel, TimeStampedModel):
    class Kind(models.TextChoices):
        CHECK = "check", _("检查")
        NOTICE = "notice", _("通报")
        ADMONISH = "admonish", _("诫勉")
        ADJUST = "adjust", _("组织调整")
        SANCTION = "sanction", _("纪律处分")

    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("被问责组织"),
        on_delete=models.PROTECT,
        related_name="accountability_decisions",
    )
    person = models.ForeignKey(
        "members.Member",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_decisions",
    )
    kind = models.CharField(_("问责方式"), max_length=10, choices=Kind.choices)
    decided_on = models.DateField(_("决定日期"))
    deciding_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("决定机关"),
        on_delete=models.PROTECT,
        related_name="accountability_decided",
    )
    reason = models.TextField(_("问责事由"))
    document_no = models.CharField(_("文号"), max_length=100, blank=True)
    # A 纪律处分 decision names its discipline record by 决定文号 (or id); the record it
    # resolved to, within the recorder's discipline scope, is kept as the link.
    discipline_ref = models.CharField(_("纪律处分记录"), max_length=64, blank=True)
    discipline_record = models.ForeignKey(
        "discipline.DisciplineRecord",
        verbose_name=_("纪律处分记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_decisions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("问责决定")
        verbose_name_plural = _("问责决定")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["org", "decided_on"], name="acct_decision_org_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.org}"


class DecisionSignal(models.Model):
    """One signal a decision answers (and so closes)."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("问责决定"), on_delete=models.CASCADE, related_name="signals"
    )
    kind = models.CharField(_("线索类型"), max_length=40)
    key = models.CharField(_("线索标识"), max_length=120)
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("线索"), max_length=300)
    evidence_url = models.CharField(_("证据链接"), max_length=300, blank=True)
    since = models.DateField(_("发生日期"))

    class Meta:
        verbose_name = _("问责线索")
        verbose_name_plural = _("问责线索")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="acct_signal_closed_once")
        ]

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: DecisionAttachment, filename: str) -> str:
    return f"accountability/{timezone.now():%Y/%m}/{filename}"


class DecisionAttachment(PublicIdModel):
    """A file of the decision (the 问责决定 itself, a 通报 …), checked by content
    (``zhibu.core.uploads``) and served only within the strict scope."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("问责决定"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("问责决定附件")
        verbose_name_plural = _("问责决定附件")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
