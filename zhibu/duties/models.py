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


class Request(PublicIdModel, TimeStampedModel):
    """A 请示 or 报告 (《中国共产党重大事项请示报告条例》) from an organisation to the
    organisation above it (REQ-01), copied to a second leading organisation under dual
    leadership (REQ-02), studied collectively and signed off by the principal leader
    (REQ-03). One subject per document (REQ-05). The receiver answers (批复/答复) or
    returns it; a 请示's time limit follows its urgency (REQ-06)."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("请示")
        REPORT = "report", _("报告")

    class Urgency(models.TextChoices):
        VERY_URGENT = "very_urgent", _("特急")
        URGENT = "urgent", _("紧急")
        NORMAL = "normal", _("一般")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("已报送")
        ANSWERED = "answered", _("已答复")
        RETURNED = "returned", _("已退回")

    sender = models.ForeignKey(
        "orgs.Org", verbose_name=_("报送组织"), on_delete=models.PROTECT, related_name="+"
    )
    receiver = models.ForeignKey(
        "orgs.Org", verbose_name=_("主送组织"), on_delete=models.PROTECT, related_name="+"
    )
    copy_to = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("抄送组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("文种"), max_length=10, choices=Kind.choices)
    subject = models.CharField(_("标题（事项）"), max_length=200)
    body = models.TextField(_("正文"))
    urgency = models.CharField(
        _("紧急程度"), max_length=12, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # The yearly report this document files (a ReportSchedule's key), if any.
    schedule_key = models.CharField(_("年度报告"), max_length=40, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("集体研究的会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer = models.CharField(_("签发人"), max_length=50, blank=True)
    skip_reason = models.TextField(_("越级报送理由"), blank=True)
    skips_level = models.BooleanField(_("越级报送"), default=False)
    hidden_request = models.BooleanField(_("请示夹在报告中"), default=False)
    hidden_acknowledged = models.BooleanField(_("已确认提示"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    sent_on = models.DateField(_("报送日期"), null=True, blank=True)
    due_on = models.DateField(_("答复时限"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("答复意见"), blank=True)
    late_reason = models.TextField(_("超时说明"), blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("请示报告")
        verbose_name_plural = _("请示报告")
        ordering = ["-sent_on", "-id"]
        indexes = [
            models.Index(fields=["receiver", "status", "due_on"], name="request_receiver_due"),
            models.Index(fields=["sender", "sent_on"], name="request_sender_sent"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_open(self) -> bool:
        """Sent and waiting for the receiver."""
        return self.status == self.Status.SENT

    def is_overdue(self, today: date) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < today

    @property
    def answer_label(self):
        return _("批复") if self.kind == self.Kind.REQUEST else _("答复")


class ReportSchedule(models.Model):
    """A yearly report the organisations below ``committee`` owe the one above them (e.g.
    each 党总支's annual work report, a 党委's report on 主体责任): which org kinds, due by
    which day of the year. Set by a committee for its subtree; findings under REQ-01."""

    committee = models.ForeignKey(
        "orgs.Org", verbose_name=_("安排组织"), on_delete=models.PROTECT, related_name="+"
    )
    key = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    org_kinds = models.JSONField(_("适用组织类型"), default=list)
    due_month = models.PositiveSmallIntegerField(_("截止月"))
    due_day = models.PositiveSmallIntegerField(_("截止日"))
    active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("年度报告安排")
        verbose_name_plural = _("年度报告安排")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "key"], name="report_schedule_key")
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, org) -> bool:
        """Owed by ``org``: below the committee that set it, of one of its kinds."""
        return (
            org.kind in self.org_kinds
            and org.path.startswith(self.committee.path)
            and org.path != self.committee.path
        )

    def due_in(self, year: int) -> date:
        """The day the report for ``year``'s work is due (in ``year`` itself)."""
        return date(year, self.due_month, self.due_day)
