"""Meeting kinds: which an org may hold, and the derived kind rows (``MeetingKindRow``)."""

from __future__ import annotations

from datetime import date, time

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhibu.meetings.models import YEARLY_KINDS, Meeting, MeetingKind, MeetingKindRow
from zhibu.orgs.models import Org

NO_KINDS = _("请至少选择一种会议类型。")
KIND_NOT_ALLOWED = _("%(org)s 不能召开“%(kind)s”。")
ENDS_BEFORE_START = _("结束时间应晚于开始时间。")

ALLOWED_KINDS = {
    "branch": {
        MeetingKind.BRANCH_ASSEMBLY,
        MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.PARTY_LECTURE,
        MeetingKind.THEME_DAY,
        MeetingKind.LIFE_MEETING,
        MeetingKind.MEMBER_REVIEW,
        MeetingKind.OTHER,
    },
    "group": {
        MeetingKind.GROUP_MEETING,
        MeetingKind.PARTY_LECTURE,
        MeetingKind.THEME_DAY,
        MeetingKind.OTHER,
    },
    "committee": {
        MeetingKind.LEADERSHIP_LIFE_MEETING,
        MeetingKind.PARTY_LECTURE,
        MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.THEME_DAY,
        MeetingKind.OTHER,
    },
}


def check_kinds(org: Org, kinds: list[str]) -> list[str]:
    if not kinds:
        raise ValidationError({"kinds": NO_KINDS})
    allowed = ALLOWED_KINDS[org.level]
    for kind in kinds:
        if kind not in allowed:
            label = MeetingKind(kind).label if kind in MeetingKind.values else kind
            raise ValidationError({"kinds": KIND_NOT_ALLOWED % {"org": org.name, "kind": label}})
    # Stable order, no duplicates: the order of MeetingKind.
    return [k for k in MeetingKind.values if k in set(kinds)]


def sync_kind_rows(meeting: Meeting) -> None:
    """Re-derive the meeting's kind rows (one per kind) from the meeting itself."""
    held = meeting.status in Meeting.HELD_STATUSES
    wanted = set(meeting.kinds) if meeting.status != Meeting.Status.CANCELLED else set()
    existing = {row.kind: row for row in meeting.kind_rows.all()}
    for kind, row in existing.items():
        if kind not in wanted:
            row.delete()
    for kind in wanted:
        covers = meeting.covers_year if kind in YEARLY_KINDS else None
        row = existing.get(kind)
        if row is None:
            MeetingKindRow.objects.create(
                meeting=meeting,
                kind=kind,
                org=meeting.org,
                on=meeting.on,
                held=held,
                covers_year=covers,
            )
        elif (row.org_id, row.on, row.held, row.covers_year) != (
            meeting.org_id,
            meeting.on,
            held,
            covers,
        ):
            row.org, row.on, row.held, row.covers_year = meeting.org, meeting.on, held, covers
            row.save(update_fields=["org", "on", "held", "covers_year"])


def check_times(starts_at: time | None, ends_at: time | None) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": ENDS_BEFORE_START})


def default_covers_year(kinds, on: date, covers_year: int | None) -> int | None:
    if not set(kinds) & YEARLY_KINDS:
        return None
    if covers_year:
        return covers_year
    # A 组织生活会 or 评议 held in the first quarter usually reviews the year before.
    return on.year - 1 if on.month <= 3 else on.year
