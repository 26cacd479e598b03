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
    # An item made from a compliance finding keeps the finding's key (its org is the
    # item's org): re-evaluation verifies the item or reopens it (RESP-05).
    finding_rule = models.CharField(_("检查规则"), max_length=10, blank=True)
    finding_period = models.CharField(_("检查期间"), max_length=10, blank=True)
    finding_subject_type = models.CharField(max_length=20, blank=True)
    finding_subject_id = models.BigIntegerField(null=True, blank=True)
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

    @property
    def from_finding(self) -> bool:
        return bool(self.finding_rule)


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


class Supervision(PublicIdModel, TimeStampedModel):
    """A 督办单: the level above (the issuer of a task, a higher committee's 组织部, a 纪检
    role) asks the responsible org to reply about a target record — a task, a finding, a
    rectification item (``zhibu.duties.targets``) — by a deadline in working days. An
    unanswered one escalates one step: 提醒 → 督办 → 约谈建议."""

    class Level(models.IntegerChoices):
        REMIND = 1, _("提醒")
        SUPERVISE = 2, _("督办")
        INTERVIEW = 3, _("约谈建议")

    class Status(models.TextChoices):
        OPEN = "open", _("待回复")
        REPLIED = "replied", _("已回复待审核")
        CLOSED = "closed", _("已办结")

    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("责任组织"),
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    by_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("督办组织"),
        on_delete=models.PROTECT,
        related_name="supervisions_opened",
    )
    target_ref = models.CharField(_("督办对象"), max_length=80, db_index=True)
    target_label = models.CharField(_("督办对象说明"), max_length=200)
    level = models.PositiveSmallIntegerField(_("督办等级"), choices=Level.choices)
    request = models.TextField(_("督办要求"))
    opened_on = models.DateField(_("督办日期"))
    working_days = models.PositiveSmallIntegerField(_("回复时限（工作日）"))
    reply_due = models.DateField(_("回复期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    escalated_on = models.DateField(_("升级日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["status", "reply_due", "id"]
        indexes = [
            models.Index(fields=["org", "status", "reply_due"], name="supervision_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}：{self.target_label}"

    def is_overdue(self, today: date) -> bool:
        return self.status == self.Status.OPEN and self.reply_due < today


class SupervisionEntry(PublicIdModel):
    """One step of a 督办's exchange: a reply, the opener asking again, the acceptance,
    an escalation (the text says what was said or why)."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("回复")
        ASK_AGAIN = "ask_again", _("要求重新回复")
        ACCEPT = "accept", _("审核通过")
        ESCALATE = "escalate", _("逾期升级")

    supervision = models.ForeignKey(
        Supervision, verbose_name=_("督办单"), on_delete=models.CASCADE, related_name="entries"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("内容"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class Inspection(PublicIdModel, TimeStampedModel):
    """A 检查 or 巡察 of an org by the level above; each problem it found is a
    rectification item (source ``inspection``, ``source_ref`` ``"inspection:<id>"``)."""

    class Kind(models.TextChoices):
        CHECK = "check", _("检查")
        PATROL = "patrol", _("巡察")

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("被检查组织"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.CHECK)
    title = models.CharField(_("名称"), max_length=200)
    on = models.DateField(_("检查日期"))
    inspectors = models.CharField(_("检查组"), max_length=200, blank=True)
    summary = models.TextField(_("检查情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("检查巡察")
        verbose_name_plural = _("检查巡察")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.title
