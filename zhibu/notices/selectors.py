"""Reads of the notices app, always for an acting user; outside scope: 404.

Who sees an announcement: everyone holding a role (any, 党员 included) at an org in the
subtree of one of its targets, and the managers (``notice.manage``) of the sending org.
Read receipts: the sending org's managers only — never the readers, never a ranking."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhibu.accounts import permissions
from zhibu.accounts.models import RoleAssignment, User
from zhibu.core.scope import ancestor_paths, subtree_q
from zhibu.notices.models import Announcement, Channel, Delivery, Receipt

MANAGE = "notice.manage"


def visible_channels(user) -> QuerySet[Channel]:
    return Channel.objects.filter(permissions.scope_q(user, MANAGE, field="org__path"))


def channel_for_user(user, public_id) -> Channel:
    channel = visible_channels(user).select_related("org").filter(public_id=public_id).first()
    if channel is None:
        raise Http404
    return channel


def deliveries_for(user, channel: Channel | None = None) -> QuerySet[Delivery]:
    """The delivery log: the managed orgs' channels, and one's own mailbox."""
    qs = Delivery.objects.filter(
        Q(channel__in=visible_channels(user)) | Q(user=user, channel__isnull=True)
    )
    if channel is not None:
        qs = qs.filter(channel=channel)
    return qs.select_related("channel").order_by("-created_at", "-id")


def _reader_paths(user) -> set[str]:
    own = [g.path for g in permissions.grants(user) if g.level != permissions.PLATFORM]
    return {p for path in own for p in ancestor_paths(path, include_self=True)}


def visible_announcements(user) -> QuerySet[Announcement]:
    reach = Q(targets__path__in=_reader_paths(user))
    if permissions.holds_anywhere(user, MANAGE):
        reach |= permissions.scope_q(user, MANAGE, field="org__path")
    ids = Announcement.objects.filter(reach).values("pk")
    read = Receipt.objects.filter(announcement=OuterRef("pk"), user=user)
    return (
        Announcement.objects.filter(pk__in=ids)
        .select_related("org")
        .annotate(is_read=Exists(read))
        .order_by("-published_on", "-id")
    )


def announcement_for_user(user, public_id, *, manage: bool = False) -> Announcement:
    qs = visible_announcements(user)
    if manage:
        qs = qs.filter(permissions.scope_q(user, MANAGE, field="org__path"))
    found = qs.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def can_see_receipts(user, announcement: Announcement) -> bool:
    return permissions.can(user, MANAGE, announcement.org)


def audience(announcement: Announcement) -> QuerySet[User]:
    """The people it is addressed to: active role holders in the targets' subtrees."""
    today = timezone.localdate()
    paths = list(announcement.targets.values_list("path", flat=True))
    holders = (
        RoleAssignment.objects.filter(subtree_q(paths, "org__path"), start__lte=today)
        .exclude(end__lt=today)
        .values("user")
    )
    return User.objects.filter(is_active=True, pk__in=holders)


def receipts(user, announcement: Announcement) -> dict:
    """Who has read and who has not, in name order (not by time: no ranking)."""
    if not can_see_receipts(user, announcement):
        raise Http404
    read = Receipt.objects.filter(announcement=announcement, user=OuterRef("pk"))
    people = list(
        audience(announcement).annotate(has_read=Exists(read)).order_by("full_name", "pk")
    )
    return {
        "read": [p for p in people if p.has_read],
        "unread": [p for p in people if not p.has_read],
        "total": len(people),
    }
