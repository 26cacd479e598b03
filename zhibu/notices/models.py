"""通知与提醒: the organisations' reminder channels (企业微信 and 钉钉 group robots, a
signed generic webhook), each user's choices, the delivery log, and 通知公告 with read
receipts.

The in-app inbox is the rulebook's daily ``Notification`` (one per user and day); this
app adds its items to it rather than keeping a second inbox.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.crypto import EncryptedTextField
from zhibu.core.models import PublicIdModel, TimeStampedModel


class Topic(models.TextChoices):
    """What a reminder is about; users and channels choose among these."""

    DIGEST = "digest", _("合规检查每日汇总")
    MEETING = "meeting", _("会议通知和变更")
    BIRTHDAY = "birthday", _("政治生日")
    DUES = "dues", _("党费交纳")
    TASK = "task", _("任务和督办到期")
    REQUEST = "request", _("请示待答复")
    NOTICE = "notice", _("通知公告")


ALL_TOPICS = [t.value for t in Topic]


class Channel(PublicIdModel, TimeStampedModel):
    """A group robot or webhook an organisation posts its daily digest to. The secret
    (钉钉's signing secret, our webhook's HMAC key) is stored encrypted and never shown."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")
        WEBHOOK = "webhook", _("通用 Webhook（签名）")

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("渠道类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=60)
    url = models.CharField(_("Webhook 地址"), max_length=500)
    secret = EncryptedTextField(_("签名密钥"), blank=True)
    topics = models.JSONField(_("推送内容"), default=list)
    enabled = models.BooleanField(_("启用"), default=True)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "secret"])

    class Meta:
        verbose_name = _("提醒渠道")
        verbose_name_plural = _("提醒渠道")
        ordering = ["org__path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Policy(TimeStampedModel):
    """What an organisation allows its people to receive, and where (the nearest policy
    at or above a user's org applies; none: everything is allowed)."""

    org = models.OneToOneField(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="+"
    )
    topics = models.JSONField(_("允许的提醒"), default=list)
    email_allowed = models.BooleanField(_("允许邮件提醒"), default=True)

    class Meta:
        verbose_name = _("提醒范围")
        verbose_name_plural = _("提醒范围")


class Preference(TimeStampedModel):
    """A user's own choices: which reminders reach them in the inbox and by email, and
    their quiet hours (no email sent then; it waits until they end)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    inbox_topics = models.JSONField(_("站内提醒"), default=list)
    email_topics = models.JSONField(_("邮件提醒"), default=list)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒偏好")
        verbose_name_plural = _("提醒偏好")


class Delivery(TimeStampedModel):
    """One message to one channel or one person's mailbox: the delivery log. ``key`` makes
    it one digest per channel (or mailbox) per day, whatever runs twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败，待重试")
        GAVE_UP = "gave_up", _("发送失败，已放弃")

    class Medium(models.TextChoices):
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")
        WEBHOOK = "webhook", _("Webhook")
        EMAIL = "email", _("邮件")

    key = models.CharField(max_length=120, unique=True)
    channel = models.ForeignKey(
        Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    medium = models.CharField(_("渠道"), max_length=10, choices=Medium.choices)
    day = models.DateField(_("日期"))
    subject = models.CharField(_("主题"), max_length=200)
    text = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("失败原因"), max_length=500, blank=True)
    not_before = models.DateTimeField(_("免打扰至"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次重试"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_retry")]

    def __str__(self) -> str:
        return self.key


class Announcement(PublicIdModel, TimeStampedModel):
    """A 通知公告 from an organisation to its subtree, or to chosen orgs within it (the
    subtree of each). Reading is recorded, never demanded: no reminders to read, no
    ranking; who has read is shown to the sending organisation's managers only (RESP-06)."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("发布组织"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"))
    targets = models.ManyToManyField("orgs.Org", verbose_name=_("发送范围"), related_name="+")
    published_on = models.DateField(_("发布日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Receipt(models.Model):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="receipts"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("阅读时间"))

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.announcement_id}"
