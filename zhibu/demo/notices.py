"""通知公告 and a reminder channel in the demo.

The 党委 has a 企业微信 group robot pointed at a local receiver
(``http://127.0.0.1:8765/...``; plain http is allowed in development only), carrying the
daily digest's tasks, 请示 and meetings. It has published one announcement to the whole
tree; a few demo logins have opened it, so its sender sees read receipts (who has read,
who has not — no ranking).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from zhibu.accounts.models import User
from zhibu.demo.state import Demo
from zhibu.notices import services
from zhibu.notices.models import Announcement, Channel, Receipt, Topic
from zhibu.orgs.models import Org

LOCAL_RECEIVER = "http://127.0.0.1:8765/cgi-bin/webhook/send?key=demo-wecom-key"
READERS = ("zuzhibu", "zhibu", "dangyuan")


def build(demo: Demo, root: Org) -> None:
    if Channel.objects.filter(org=root).exists():
        return
    secretary = User.objects.get(username="dangwei")
    services.channel_save(
        org=root,
        data={
            "kind": Channel.Kind.WECOM,
            "name": "党委工作群（企业微信）",
            "url": LOCAL_RECEIVER,
            "topics": [Topic.DIGEST, Topic.MEETING, Topic.TASK, Topic.REQUEST, Topic.NOTICE],
            "enabled": True,
        },
        by=secretary,
    )
    announcement = services.announcement_save(
        org=root,
        data={
            "title": "关于开展本季度主题党日活动的通知",
            "body": "各党支部：\n请结合实际，于本季度末前开展一次主题党日活动，"
            "内容可包括集中学习、志愿服务和重温入党誓词，活动后在系统中登记。\n党委组织部",
            "published_on": demo.today - timedelta(days=2),
        },
        by=secretary,
    )
    now = timezone.now()
    Receipt.objects.bulk_create(
        Receipt(announcement=announcement, user=user, read_at=now)
        for user in User.objects.filter(username__in=READERS)
    )
    demo.counts["announcements"] = Announcement.objects.filter(org=root).count()
