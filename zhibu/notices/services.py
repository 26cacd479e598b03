"""Writes of the notices app: channels (with their encrypted secrets), the org's policy,
a person's preferences, announcements and read receipts. Every refusal is a Chinese
``ValidationError`` and writes nothing."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.scope import in_subtree
from zhibu.notices.models import (
    ALL_TOPICS,
    Announcement,
    Channel,
    Delivery,
    Policy,
    Preference,
    Receipt,
)
from zhibu.notices.tasks import schedule
from zhibu.orgs.models import Org

MANAGE = "notice.manage"

BAD_URL = _("请填写完整的 Webhook 地址（以 https:// 开头）。")
NOT_HTTPS = _("Webhook 地址必须使用 https://，以免消息和密钥在传输中被窃取。")
WECOM_KEY = _("企业微信群机器人的地址应包含 key 参数（在群机器人设置中复制完整地址）。")
DINGTALK_TOKEN = _("钉钉群机器人的地址应包含 access_token 参数（在机器人设置中复制完整地址）。")
NO_SECRET = _("请填写签名密钥：钉钉机器人的“加签”密钥或通用 Webhook 的签名密钥。")
NO_NAME = _("请填写渠道名称。")
BAD_TOPIC = _("未知的提醒类型：%(topic)s。")
NOT_ALLOWED = _("所在组织未开放以下提醒：%(topics)s。")
NO_EMAIL_ALLOWED = _("所在组织未开放邮件提醒。")
NO_EMAIL = _("您的账号没有电子邮箱，无法选择邮件提醒。")
HALF_QUIET = _("免打扰时段需同时填写开始和结束时间。")
NO_TITLE = _("请填写通知标题。")
NO_BODY = _("请填写通知正文。")
OUT_OF_SCOPE = _("发送范围只能是本组织及其下级组织：%(orgs)s 不在范围内。")


def _plain_http_allowed() -> bool:
    """Development and test may post to a local receiver over http (the demo does)."""
    return settings.DEBUG or settings.ENVIRONMENT in ("development", "test")


def check_url(kind: str, url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": BAD_URL})
    if parts.scheme != "https" and not _plain_http_allowed():
        raise ValidationError({"url": NOT_HTTPS})
    query = parse_qs(parts.query)
    if kind == Channel.Kind.WECOM and not query.get("key"):
        raise ValidationError({"url": WECOM_KEY})
    if kind == Channel.Kind.DINGTALK and not query.get("access_token"):
        raise ValidationError({"url": DINGTALK_TOKEN})
    return url


def _topics(values) -> list[str]:
    values = list(values or [])
    for topic in values:
        if topic not in ALL_TOPICS:
            raise ValidationError({"topics": BAD_TOPIC % {"topic": topic}})
    return [t for t in ALL_TOPICS if t in values]


def _quiet(data: dict) -> tuple:
    start, end = data.get("quiet_start"), data.get("quiet_end")
    if bool(start) != bool(end):
        raise ValidationError({"quiet_end": HALF_QUIET})
    return start or None, end or None


@transaction.atomic
def channel_save(*, org: Org, data: dict, by, channel: Channel | None = None) -> Channel:
    """Create or update a channel. ``secret`` is write-only: blank on an update keeps the
    stored one. 钉钉 (加签) and the generic webhook need a secret; 企业微信's is its key."""
    kind = data.get("kind") or (channel.kind if channel else "")
    if kind not in Channel.Kind.values:
        raise ValidationError({"kind": _("请选择渠道类型。")})
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": NO_NAME})
    url = check_url(kind, data.get("url", ""))
    secret = (data.get("secret") or "").strip()
    if not secret and channel is not None and channel.kind == kind:
        secret = channel.secret
    if kind in (Channel.Kind.DINGTALK, Channel.Kind.WEBHOOK) and not secret:
        raise ValidationError({"secret": NO_SECRET})
    quiet_start, quiet_end = _quiet(data)
    if channel is None:
        channel = Channel(org=org, created_by=by)
    channel.kind = kind
    channel.name = name
    channel.url = url
    channel.secret = secret
    channel.topics = _topics(data.get("topics"))
    channel.enabled = bool(data.get("enabled", True))
    channel.quiet_start, channel.quiet_end = quiet_start, quiet_end
    channel.full_clean(exclude=["secret", "topics"])
    channel.save()
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        summary=f"保存提醒渠道 {channel.name}（{channel.get_kind_display()}）",
        actor=by,
        obj=channel,
        org_path=org.path,
    )
    return channel


@transaction.atomic
def channel_test(*, channel: Channel, by) -> Delivery:
    """Queue a test message now (logged like any delivery; a failure shows in the log)."""
    now = timezone.now()
    delivery = Delivery.objects.create(
        key=f"test:{channel.pk}:{now.timestamp()}",
        channel=channel,
        medium=channel.kind,
        day=timezone.localdate(),
        subject=str(_("支部提醒渠道测试")),
        text=str(_("这是一条测试消息：渠道已配置成功。")),
    )
    schedule(delivery)
    return delivery


@transaction.atomic
def policy_save(*, org: Org, topics, email_allowed: bool, by) -> Policy:
    policy, _created = Policy.objects.get_or_create(org=org)
    policy.topics = _topics(topics)
    policy.email_allowed = bool(email_allowed)
    policy.save()
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        summary=f"设置 {org.name} 的提醒范围",
        actor=by,
        obj=policy,
        org_path=org.path,
    )
    return policy


@transaction.atomic
def preference_save(*, user, data: dict) -> Preference:
    from zhibu.notices.dispatch import allowed_for

    inbox, email = _topics(data.get("inbox_topics")), _topics(data.get("email_topics"))
    allowed, email_allowed = allowed_for(user)
    refused = [t for t in {*inbox, *email} if t not in allowed]
    if refused:
        raise ValidationError(
            {"inbox_topics": NOT_ALLOWED % {"topics": "、".join(sorted(refused))}}
        )
    if email and not email_allowed:
        raise ValidationError({"email_topics": NO_EMAIL_ALLOWED})
    if email and not user.email:
        raise ValidationError({"email_topics": NO_EMAIL})
    quiet_start, quiet_end = _quiet(data)
    pref, _created = Preference.objects.get_or_create(user=user)
    pref.inbox_topics, pref.email_topics = inbox, email
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.save()
    return pref


def _check_targets(org: Org, targets: list[Org], by) -> list[Org]:
    """Targets lie in the sender's subtree and in the acting user's scope; none: the org."""
    targets = targets or [org]
    outside = [
        t
        for t in targets
        if not in_subtree(t.path, [org.path]) or not permissions.can(by, MANAGE, t)
    ]
    if outside:
        names = "、".join(t.name for t in outside)
        raise ValidationError({"targets": OUT_OF_SCOPE % {"orgs": names}})
    return targets


@transaction.atomic
def announcement_save(
    *, org: Org, data: dict, by, targets: list[Org] | None = None, announcement=None
) -> Announcement:
    title, body = (data.get("title") or "").strip(), (data.get("body") or "").strip()
    errors = {}
    if not title:
        errors["title"] = NO_TITLE
    if not body:
        errors["body"] = NO_BODY
    if errors:
        raise ValidationError(errors)
    if announcement is None or targets is not None:
        targets = _check_targets(org, list(targets or []), by)
    if announcement is None:
        announcement = Announcement(org=org, created_by=by, published_on=timezone.localdate())
    announcement.title, announcement.body = title, body
    if data.get("published_on"):
        announcement.published_on = data["published_on"]
    announcement.full_clean()
    announcement.save()
    if targets is not None:
        announcement.targets.set(targets)
    return announcement


def announcement_read(*, announcement: Announcement, user, on: date | None = None) -> Receipt:
    """Record that ``user`` opened it (the first time counts; idempotent)."""
    receipt, _created = Receipt.objects.get_or_create(
        announcement=announcement, user=user, defaults={"read_at": timezone.now()}
    )
    return receipt
