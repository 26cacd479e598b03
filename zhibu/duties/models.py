"""Rectification items (整改, RESP-05): problem → measure → owner → deadline → evidence →
销号 → re-check. Created by the 组织生活会 problem list today; compliance findings and
inspections will create them too, so the source is a code plus a reference string."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.models import PublicIdModel, TimeStampedModel


class Rectification(PublicIdModel, TimeStampedModel):
    class Source(models.TextChoices):
        LIFE_MEETING = "life_meeting", _("组织生活会查摆问题")
        FINDING = "finding", _("合规检查")
        INSPECTION = "inspection", _("检查督导")
        RECORD = "record", _("记录退回")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        CLOSED = "closed", _("已销号待复查")
        VERIFIED = "verified", _("复查通过")

    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    source_ref = models.CharField(_("来源记录"), max_length=80, blank=True)  # e.g. "meeting:<uuid>"
    source_label = models.CharField(_("来源说明"), max_length=200, blank=True)
    problem = models.TextField(_("问题"))
    measure = models.TextField(_("整改措施"))
    owner = models.ForeignKey(
        "members.Member",
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    evidence = models.TextField(_("整改成效和佐证"), blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销号人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rechecked_on = models.DateField(_("复查日期"), null=True, blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recheck_note = models.CharField(_("复查意见"), max_length=300, blank=True)
    reopened = models.PositiveSmallIntegerField(_("复查未通过次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["status", "deadline", "id"]
        indexes = [
            models.Index(fields=["org", "status", "deadline"], name="rectification_org_status"),
            models.Index(fields=["source_ref"], name="rectification_source_ref"),
        ]

    def __str__(self) -> str:
        return self.problem[:40]

    def is_overdue(self, today: date) -> bool:
        return self.status == self.Status.OPEN and self.deadline < today


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"duties/{timezone.now():%Y/%m}/{filename}"


class Evidence(PublicIdModel):
    """An evidence file (佐证材料) attached to a duties record: a rectification item, a task's
    progress report, a 督办 reply, a 请示 …; one store for all of them. ``ref`` names the
    record as ``"<kind>:<public id>"``; ``org`` is the organisation whose scope decides who
    may download it (checked by content on upload, served only through an access check)."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    ref = models.CharField(_("所属记录"), max_length=80, db_index=True)
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["ref", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
