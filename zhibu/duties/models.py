"""Rectification items (整改, RESP-05): problem → measure → owner → deadline → evidence →
销号 → re-check. Created by the 组织生活会 problem list today; compliance findings and
inspections will create them too, so the source is a code plus a reference string."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
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
        ASSESSMENT = "assessment", _("党建考核")
        REVIEW = "review", _("述职评议")
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


# --- 责任书 (RESP-01, RESP-02) and tasks ------------------------------------------------


class Letter(PublicIdModel, TimeStampedModel):
    """A yearly responsibility letter (责任书) from an organisation to one direct subordinate.

    Drafted as a 范本 (``recipient`` empty) whose items are edited in one place, then issued
    as one letter per recipient (each is its own bilateral document, signed by that
    recipient's principal leader and printed on its own); a 党总支 also drafts letters to its
    branches directly by passing received items down (``LetterItem.source``)."""

    class Kind(models.TextChoices):
        PRINCIPAL = "principal", _("全面从严治党主体责任书")
        INTEGRITY = "integrity", _("党风廉政建设责任书")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已下达待签订")
        SIGNED = "signed", _("已签订")

    issuer = models.ForeignKey(
        "orgs.Org", verbose_name=_("下达组织"), on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("签订组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters_received",
    )
    template = models.ForeignKey(
        "self",
        verbose_name=_("范本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="copies",
    )
    kind = models.CharField(_("责任书类型"), max_length=12, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=120)
    preamble = models.TextField(_("正文"), blank=True)
    issued_on = models.DateField(_("下达日期"))
    sign_deadline = models.DateField(_("签订期限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签订人账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_name = models.CharField(_("签订人"), max_length=50, blank=True)
    signer_post = models.CharField(_("职务"), max_length=50, blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    signed_place = models.CharField(_("签订地点"), max_length=100, blank=True)
    signed_at = models.DateTimeField(_("签订登记时间"), null=True, blank=True)
    # Signed on paper (at a 党建工作会议) and recorded by the issuer's side, naming the
    # recipient's secretary in office that day; otherwise signed online by the secretary.
    signed_offline = models.BooleanField(_("线下签订"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuer_signer = models.CharField(_("下达方负责人"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("责任书")
        verbose_name_plural = _("责任书")
        ordering = ["-year", "issuer", "recipient", "id"]
        indexes = [
            models.Index(fields=["recipient", "year", "status"], name="letter_recipient_year"),
            models.Index(fields=["issuer", "year"], name="letter_issuer_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sign_deadline__isnull=True)
                | Q(sign_deadline__gte=models.F("issued_on")),
                name="letter_deadline_after_issue",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_template(self) -> bool:
        return self.recipient_id is None


class LetterItem(PublicIdModel, TimeStampedModel):
    """One item of a letter (分项), with who answers for it (分口: the recipient, or a
    functional department), its weight, deadline and the evidence that proves it. An item
    a 党总支 received is kept or passed down to its branches (分级, ``disposition``)."""

    class Disposition(models.TextChoices):
        PENDING = "pending", _("待分解")
        KEPT = "kept", _("本级承担")
        PASSED = "passed", _("已分解下传")

    letter = models.ForeignKey(
        Letter, verbose_name=_("责任书"), on_delete=models.CASCADE, related_name="items"
    )
    category = models.CharField(_("分项"), max_length=30)
    content = models.TextField(_("责任内容"))
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    weight = models.PositiveSmallIntegerField(_("权重（分）"), default=0)
    deadline = models.DateField(_("完成时限"))
    evidence_required = models.CharField(_("佐证材料要求"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    source = models.ForeignKey(
        "self",
        verbose_name=_("上级分项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="passed_to",
    )
    disposition = models.CharField(
        _("分解情况"), max_length=8, choices=Disposition.choices, default=Disposition.PENDING
    )
    disposition_note = models.CharField(_("分解说明"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("责任书分项")
        verbose_name_plural = _("责任书分项")
        ordering = ["letter", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.category}：{self.content[:30]}"


class Task(PublicIdModel, TimeStampedModel):
    """A task (任务): from a letter item once the letter is signed, or from a 党委 meeting's
    decision. The owner reports progress with evidence; the issuer confirms completion or
    returns it with a reason. 逾期 is not stored: it is an open task past ``due``."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("进行中")
        SUBMITTED = "submitted", _("待确认")
        DONE = "done", _("已完成")

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("责任组织"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department",
        verbose_name=_("责任部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issuer = models.ForeignKey(
        "orgs.Org", verbose_name=_("交办组织"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("任务要求"), blank=True)
    due = models.DateField(_("完成时限"))
    item = models.OneToOneField(
        LetterItem,
        verbose_name=_("责任书分项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="task",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("会议决定"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED, db_index=True
    )
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    confirmed_on = models.DateField(_("确认完成日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.CharField(_("退回理由"), max_length=300, blank=True)
    returned = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["due", "id"]
        indexes = [
            models.Index(fields=["org", "status", "due"], name="task_org_status_due"),
            models.Index(fields=["issuer", "status"], name="task_issuer_status"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: date) -> bool:
        return self.status != self.Status.DONE and self.due < today

    def shown_status(self, today: date) -> str:
        """未开始/进行中/待确认/已完成, or 逾期 for a task not confirmed done by its due date
        (also while a late completion waits for the issuer: RESP-02d counts it until then)."""
        if self.is_overdue(today):
            return str(_("逾期"))
        return str(self.get_status_display())


class TaskProgress(PublicIdModel):
    """A progress report (进展) on a task; its files are Evidence with ref ``progress:<id>``."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="reports"
    )
    on = models.DateField(_("报告日期"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))
    note = models.TextField(_("进展情况"))
    completed = models.BooleanField(_("申请确认完成"), default=False)
    files = models.PositiveSmallIntegerField(_("佐证材料数"), default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")
        ordering = ["task", "on", "id"]
