"""/api/v1/notice-channels and /api/v1/announcements: the notices pages' services with the
API's scoping (out of scope: 404) and version rules (a stale version: 409). A channel's
secret is write-only: it is accepted, stored encrypted, and never returned."""

from __future__ import annotations

from datetime import date, time
from uuid import UUID

from django.db import transaction
from ninja import Field, Query, Router, Status

from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Filters, In, Record, page_of
from zhibu.notices import selectors as sel
from zhibu.notices import services
from zhibu.notices.models import Announcement, Channel, Topic
from zhibu.notices.selectors import MANAGE
from zhibu.orgs.models import Org
from zhibu.orgs.selectors import org_for_user

channels_router = Router(tags=["notices"])
announcements_router = Router(tags=["notices"])


class ChannelOut(Record):
    id: UUID
    org_id: UUID
    kind: Channel.Kind
    name: str
    url: str
    has_secret: bool
    topics: list[Topic]
    enabled: bool
    quiet_start: time | None
    quiet_end: time | None
    version: str

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_has_secret(obj):
        return bool(obj.secret)

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class ChannelIn(In):
    org: UUID
    kind: Channel.Kind
    name: str = Field(..., max_length=60)
    url: str = Field(..., max_length=500)
    secret: str = Field("", max_length=200, description="只写：加密保存，不会返回")
    topics: list[Topic] = []
    enabled: bool = True
    quiet_start: time | None = None
    quiet_end: time | None = None


class ChannelPatch(In):
    kind: Channel.Kind | None = None
    name: str | None = Field(None, max_length=60)
    url: str | None = Field(None, max_length=500)
    secret: str | None = Field(None, max_length=200, description="只写；留空则不变")
    topics: list[Topic] | None = None
    enabled: bool | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    version: str | None = Field(None, description="乐观锁版本")


ChannelPage = page_of(ChannelOut)


class PageFilters(Filters):
    cursor: str | None = None
    limit: int = 50


@channels_router.get("", response={200: ChannelPage, **ERRORS}, summary="提醒渠道")
def list_channels(request, filters: Query[PageFilters]):
    require_anywhere(request.user, MANAGE)
    qs = sel.visible_channels(request.user).select_related("org")
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@channels_router.post("", response={201: ChannelOut, **ERRORS}, summary="新增提醒渠道")
def create_channel(request, payload: ChannelIn):
    require_anywhere(request.user, MANAGE)
    org = org_for_user(request.user, payload.org, action=MANAGE)
    data = payload.dict(exclude={"org"})
    data["topics"] = [str(t.value) for t in payload.topics]
    channel = services.channel_save(org=org, data=data, by=request.user)
    return Status(201, channel)


@channels_router.get("/{channel_id}", response={200: ChannelOut, **ERRORS}, summary="渠道详情")
def get_channel(request, channel_id: UUID):
    require_anywhere(request.user, MANAGE)
    return sel.channel_for_user(request.user, channel_id)


@channels_router.patch(
    "/{channel_id}", response={200: ChannelOut, **ERRORS}, summary="修改提醒渠道（乐观锁）"
)
def update_channel(request, channel_id: UUID, payload: ChannelPatch):
    require_anywhere(request.user, MANAGE)
    channel = sel.channel_for_user(request.user, channel_id)
    with transaction.atomic():
        channel = Channel.objects.select_for_update().select_related("org").get(pk=channel.pk)
        check_version(request, channel, payload.version)
        data = {
            f: getattr(channel, f)
            for f in ("kind", "name", "url", "topics", "enabled", "quiet_start", "quiet_end")
        }
        changes = payload.dict(exclude={"version"}, exclude_unset=True)
        if "topics" in changes and changes["topics"] is not None:
            changes["topics"] = [str(Topic(t).value) for t in changes["topics"]]
        data.update(changes)
        services.channel_save(org=channel.org, data=data, by=request.user, channel=channel)
    return sel.channel_for_user(request.user, channel_id)


# --- announcements ---------------------------------------------------------------------


class AnnouncementOut(Record):
    id: UUID
    org_id: UUID
    title: str
    body: str
    published_on: date
    targets: list[UUID]
    read: bool
    version: str

    @staticmethod
    def resolve_id(obj):
        return obj.public_id

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_targets(obj):
        return sorted((t.public_id for t in obj.targets.all()), key=str)  # prefetched

    @staticmethod
    def resolve_read(obj):
        return bool(getattr(obj, "is_read", False))

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


AnnouncementPage = page_of(AnnouncementOut)


class AnnouncementIn(In):
    org: UUID
    title: str = Field(..., max_length=120)
    body: str = Field(..., max_length=20000)
    targets: list[UUID] = Field([], description="不填则发给本组织及全部下级组织")


class AnnouncementPatch(In):
    title: str | None = Field(None, max_length=120)
    body: str | None = Field(None, max_length=20000)
    version: str | None = Field(None, description="乐观锁版本")


class Person(Record):
    name: str

    @staticmethod
    def resolve_name(obj):
        return str(obj)


class ReceiptsOut(Record):
    total: int
    read: list[Person]
    unread: list[Person]


@announcements_router.get("", response={200: AnnouncementPage, **ERRORS}, summary="通知公告")
def list_announcements(request, filters: Query[PageFilters]):
    qs = sel.visible_announcements(request.user).prefetch_related("targets").order_by("pk")
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@announcements_router.post("", response={201: AnnouncementOut, **ERRORS}, summary="发布通知")
def create_announcement(request, payload: AnnouncementIn):
    require_anywhere(request.user, MANAGE)
    org = org_for_user(request.user, payload.org, action=MANAGE)
    targets = list(Org.objects.filter(public_id__in=payload.targets))
    if len(targets) != len(set(payload.targets)):
        raise ApiError(404)
    a = services.announcement_save(
        org=org, data=payload.dict(exclude={"org", "targets"}), by=request.user, targets=targets
    )
    return Status(201, sel.announcement_for_user(request.user, a.public_id))


@announcements_router.get(
    "/{announcement_id}", response={200: AnnouncementOut, **ERRORS}, summary="通知详情"
)
def get_announcement(request, announcement_id: UUID):
    return sel.announcement_for_user(request.user, announcement_id)


@announcements_router.patch(
    "/{announcement_id}", response={200: AnnouncementOut, **ERRORS}, summary="修改通知（乐观锁）"
)
def update_announcement(request, announcement_id: UUID, payload: AnnouncementPatch):
    require_anywhere(request.user, MANAGE)
    a = sel.announcement_for_user(request.user, announcement_id, manage=True)
    with transaction.atomic():
        locked = Announcement.objects.select_for_update().select_related("org").get(pk=a.pk)
        check_version(request, locked, payload.version)
        data = {"title": locked.title, "body": locked.body}
        data.update(payload.dict(exclude={"version"}, exclude_none=True))
        services.announcement_save(org=locked.org, data=data, by=request.user, announcement=locked)
    return sel.announcement_for_user(request.user, announcement_id)


@announcements_router.post(
    "/{announcement_id}/read", response={200: AnnouncementOut, **ERRORS}, summary="标记已读"
)
def mark_read(request, announcement_id: UUID):
    a = sel.announcement_for_user(request.user, announcement_id)
    services.announcement_read(announcement=a, user=request.user)
    return sel.announcement_for_user(request.user, announcement_id)


@announcements_router.get(
    "/{announcement_id}/receipts",
    response={200: ReceiptsOut, **ERRORS},
    summary="阅读情况（仅发布组织）",
)
def get_receipts(request, announcement_id: UUID):
    a = sel.announcement_for_user(request.user, announcement_id)
    return sel.receipts(request.user, a)
