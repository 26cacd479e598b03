"""Reads of organisational life, scoped to the acting user, and the set-based aggregates
the rulebook uses (meetings of a kind per org, study hours per member).

``meeting_for_user`` is the only door to one meeting: outside the user's scope 404,
inside it without the action 403.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import combinations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from zhibu.accounts import permissions
from zhibu.core.db import plain_rows
from zhibu.core.rules import refs
from zhibu.core.scope import ancestor_paths, subtree_q
from zhibu.meetings.models import (
    DEFAULT_COMMITTEE_DAY,
    DEFAULT_GROUP_DAY,
    DEFAULT_LOCK_DAYS,
    DEFAULT_REVIEW_GRADES,
    DEFAULT_THEME_DAY,
    Attendance,
    Meeting,
    MeetingKind,
    MeetingKindRow,
    MeetingSettings,
    PlanSubmission,
    Talk,
)
from zhibu.members.models import Member
from zhibu.members.selectors import ids_for_in, members_on
from zhibu.orgs.models import CommitteePost, Linkage, Org
from zhibu.orgs.selectors import posts_on

# Kinds whose attendees are the committee, not the whole roster.
COMMITTEE_KINDS = frozenset({MeetingKind.BRANCH_COMMITTEE, MeetingKind.LEADERSHIP_LIFE_MEETING})
COMMITTEE_POSTS = [p for p in CommitteePost.Post if p != CommitteePost.Post.GROUP_LEADER]


# --- access --------------------------------------------------------------------------------


def visible_meetings(user, action: str = "meeting.view") -> QuerySet[Meeting]:
    return Meeting.objects.filter(permissions.scope_q(user, action, field="org__path"))


def meeting_for_user(user, public_id, *, action: str = "meeting.view") -> Meeting:
    """The meeting if the user may see it (else 404) and do ``action`` at its org (else 403)."""
    try:
        meeting = visible_meetings(user).select_related("org").get(public_id=public_id)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != "meeting.view" and not permissions.can(user, action, meeting.org):
        raise PermissionDenied
    return meeting


def meeting_org_for_user(user, public_id, *, action: str = "meeting.view") -> Org:
    """An org whose organisational life the user may see (404) and act on (403)."""
    try:
        org = Org.objects.filter(permissions.scope_q(user, "meeting.view")).get(public_id=public_id)
    except (Org.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action != "meeting.view" and not permissions.can(user, action, org):
        raise PermissionDenied
    return org


def meeting_list(
    *, user, org: Org | None = None, year: int | None = None, kind: str = "", status: str = ""
) -> QuerySet[Meeting]:
    qs = visible_meetings(user).select_related("org")
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    if year:
        qs = qs.filter(on__year=year)
    if kind:
        qs = qs.filter(kind_rows__kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        n_present=Count(
            "attendance", filter=Q(attendance__status=Attendance.Status.PRESENT), distinct=True
        ),
        n_expected=Count("attendance", distinct=True),
    ).order_by("-on", "-starts_at", "-id")


# --- settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveSettings:
    theme_day: int = DEFAULT_THEME_DAY
    committee_day: int = DEFAULT_COMMITTEE_DAY
    group_day: int = DEFAULT_GROUP_DAY
    lock_days: int = DEFAULT_LOCK_DAYS
    review_grades: tuple[str, ...] = tuple(DEFAULT_REVIEW_GRADES)
    theme_day_set: bool = False  # whether an org (or an ancestor) fixed the day


def _ancestor_paths(org: Org) -> list[str]:
    return ancestor_paths(org.path, include_self=True)


def settings_for(orgs: Iterable[Org]) -> dict[int, EffectiveSettings]:
    """{org id: settings}, each field from the nearest org (self, then ancestors) that set it.

    One query for any number of orgs.
    """
    orgs = list(orgs)
    paths = {p for org in orgs for p in _ancestor_paths(org)}
    rows = {
        row.org.path: row
        for row in MeetingSettings.objects.filter(org__path__in=paths).select_related("org")
    }
    result = {}
    made: dict[tuple[int, ...], EffectiveSettings] = {}  # per chain of rows: shared, frozen
    for org in orgs:
        chain = [row for path in reversed(_ancestor_paths(org)) if (row := rows.get(path))]
        key = tuple(row.pk for row in chain)  # nearest first
        settings = made.get(key)
        if settings is None:
            values: dict = {}
            for row in chain:
                for name in ("theme_day", "committee_day", "group_day", "lock_days"):
                    if name not in values and getattr(row, name) is not None:
                        values[name] = getattr(row, name)
                if "review_grades" not in values and row.review_grades:
                    values["review_grades"] = tuple(row.review_grades)
            values["theme_day_set"] = "theme_day" in values
            settings = made[key] = EffectiveSettings(**values)
        result[org.pk] = settings
    return result


def effective_settings(org: Org) -> EffectiveSettings:
    return settings_for([org])[org.pk]


# --- rosters ---------------------------------------------------------------------------------


def linked_people(org: Org, day: date) -> set[int]:
    """Leaders linked to ``org`` (定点联系) on ``day``: at its meetings, 上级联系领导."""
    return set(
        Linkage.objects.filter(org=org, start__lte=day)
        .exclude(end__lt=day)
        .values_list("person", flat=True)
    )


def committee_member_ids(org: Org, day: date) -> set[int]:
    return set(posts_on([org.pk], day, COMMITTEE_POSTS).values_list("holder", flat=True))


def roster(org: Org, day: date, kinds: Iterable[str]) -> list[Member]:
    """Who is expected at a meeting of ``kinds`` at ``org`` on ``day``, as of that day.

    A 支委会 or 民主生活会 expects the committee; any other meeting at a branch or 党小组
    expects its members (正式 and 预备) on that day; at a 党委/党总支, its committee.
    """
    kinds = set(kinds)
    if (kinds and kinds <= COMMITTEE_KINDS) or not (org.is_branch or org.kind == Org.Kind.GROUP):
        qs = Member.objects.filter(pk__in=committee_member_ids(org, day))
    else:
        qs = members_on(org, day)
    return list(qs.order_by("name_pinyin", "id"))


# --- aggregates for the rulebook --------------------------------------------------------------


def held_counts(
    kind: str, org_ids: Iterable[int], start: date, end: date
) -> dict[int, list[tuple[date, str]]]:
    """{org id: [(date, meeting public id), ...]} of held meetings of ``kind`` in [start, end).

    One indexed query over the derived kind rows, whatever the number of orgs.
    """
    rows = (
        MeetingKindRow.objects.filter(
            kind=kind, held=True, on__gte=start, on__lt=end, org__in=ids_for_in(org_ids)
        )
        .values_list("org", "on", "meeting__public_id")
        .order_by("on")
    )
    result: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for org_id, on, public_id in rows:
        result[org_id].append((on, str(public_id)))
    return result


def _held(kind: str, org_ids: Iterable[int] | Q, start: date, end: date):
    """Held meetings of ``kind`` in [start, end) while the org existed (on or after its
    founding, before its dissolution), grouped by org. ``org_ids``: ids, a subquery, or
    a condition on the kind row's ``org`` (``Context.within``)."""
    within = org_ids if isinstance(org_ids, Q) else Q(org__in=ids_for_in(org_ids))
    return (
        MeetingKindRow.objects.filter(within, kind=kind, held=True, on__gte=start, on__lt=end)
        .filter(on__gte=F("org__established_on"))
        .filter(Q(org__dissolved_on__isnull=True) | Q(on__lt=F("org__dissolved_on")))
        .values("org")
        .order_by()
    )


def held_tally(
    kind: str, org_ids: Iterable[int] | Q, start: date, end: date
) -> dict[int, tuple[int, date]]:
    """{org id: (count, first day)} of held meetings of ``kind`` in [start, end) while the
    org existed.

    One GROUP BY query; the meetings themselves are listed when a finding is shown
    (``held_refs``), not here.
    """
    rows = plain_rows(
        _held(kind, org_ids, start, end)
        .annotate(n=Count("pk"), first=Min("on"))
        .values_list("org", "n", "first")
    )
    if rows and isinstance(rows[0][2], str):  # SQLite: the day as ISO text
        return {org_id: (n, date.fromisoformat(first)) for org_id, n, first in rows}
    return {org_id: (n, first) for org_id, n, first in rows}


def held_number(kind: str, org_ids: Iterable[int] | Q, start: date, end: date) -> dict[int, int]:
    """{org id: count} of ``held_tally``, without the first day (no date to convert)."""
    return dict(
        plain_rows(_held(kind, org_ids, start, end).annotate(n=Count("pk")).values_list("org", "n"))
    )


def held_year_tally(
    kind: str, org_ids: Iterable[int], year: int
) -> dict[int, tuple[int, int, date]]:
    """{org id: (held, held within the year, last day)} for a yearly kind reviewing ``year``."""
    end = date(year + 1, 1, 1)
    rows = (
        MeetingKindRow.objects.filter(
            kind=kind, held=True, covers_year=year, org__in=ids_for_in(org_ids)
        )
        .values("org")
        .annotate(n=Count("pk"), in_time=Count("pk", filter=Q(on__lt=end)), last=Max("on"))
        .order_by()
        .values_list("org", "n", "in_time", "last")
    )
    return {org_id: (n, in_time, last) for org_id, n, in_time, last in rows}


def _resolve(items: list[tuple[int, str]], spec_q, spec_match) -> dict:
    """Meetings for many query references in one query: OR of each reference's criteria,
    rows assigned back in Python (ordered by day, then meeting)."""
    specs = [(org_id, rest, rest.split(":")) for org_id, rest in items]
    criteria = Q()
    for org_id, _rest, fields in specs:
        criteria |= spec_q(org_id, fields)
    rows = (
        MeetingKindRow.objects.filter(criteria, held=True)
        .order_by("on", "meeting_id")
        .values_list("org", "kind", "on", "covers_year", "meeting__public_id")
    )
    found: dict[tuple[int, str], list[str]] = {(org_id, rest): [] for org_id, rest, _f in specs}
    for org_id, kind, on, covers, public_id in rows:
        for spec_org, rest, fields in specs:
            if spec_org == org_id and spec_match(fields, kind, on, covers):
                found[(spec_org, rest)].append(f"meeting:{public_id}")
    return found


@refs.resolver("held")
def held_refs(items: list[tuple[int, str]]) -> dict:
    """``held:<kind>:<from>:<to>``: the held meetings of that kind a count rule counted."""
    return _resolve(
        items,
        lambda org_id, f: Q(org=org_id, kind=f[0], on__gte=f[1], on__lt=f[2]),
        lambda f, kind, on, _covers: kind == f[0] and f[1] <= on.isoformat() < f[2],
    )


@refs.resolver("held-year")
def held_year_refs(items: list[tuple[int, str]]) -> dict:
    """``held-year:<kind>:<year>``: the held meetings of a yearly kind reviewing the year."""
    return _resolve(
        items,
        lambda org_id, f: Q(org=org_id, kind=f[0], covers_year=int(f[1])),
        lambda f, kind, _on, covers: kind == f[0] and covers == int(f[1]),
    )


def held_covering_year(
    kind: str, org_ids: Iterable[int], year: int
) -> dict[int, list[tuple[date, str]]]:
    """Held meetings of a yearly kind (组织生活会, 民主评议) that review ``year``."""
    rows = (
        MeetingKindRow.objects.filter(
            kind=kind, held=True, covers_year=year, org__in=ids_for_in(org_ids)
        )
        .values_list("org", "on", "meeting__public_id")
        .order_by("on")
    )
    result: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for org_id, on, public_id in rows:
        result[org_id].append((on, str(public_id)))
    return result


def meeting_study_hours(
    start: date, end: date, member_ids: Iterable[int] | QuerySet | None
) -> dict[int, Decimal]:
    """学时 credited by held meetings in [start, end): one aggregate query."""
    qs = Attendance.objects.filter(
        Attendance.held_between(start, end),
        status=Attendance.Status.PRESENT,
        meeting__status__in=Meeting.HELD_STATUSES,
    )
    if member_ids is not None:
        qs = qs.filter(member__in=ids_for_in(member_ids))
    return {
        m: h or Decimal("0") for m, h in qs.values_list("member").annotate(h=Sum("study_hours"))
    }


# --- 谈心谈话 -------------------------------------------------------------------------------------


def pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


@dataclass
class TalkMatrix:
    members: list[Member]
    talked: set[tuple[int, int]]
    missing: list[tuple[Member, Member]]

    @property
    def required(self) -> int:
        n = len(self.members)
        return n * (n - 1) // 2

    @property
    def covered(self) -> int:
        return self.required - len(self.missing)

    def rows(self):
        """[(member, [(other, talked or None for the diagonal), ...]), ...] for the grid."""
        for m in self.members:
            yield (
                m,
                [
                    (o, None if o.pk == m.pk else pair(m.pk, o.pk) in self.talked)
                    for o in self.members
                ],
            )


def talk_matrix(org: Org, year: int, today: date) -> TalkMatrix:
    """The branch's members (as of the year's end, or today) and the pairs that talked."""
    day = min(date(year, 12, 31), today)
    members = list(members_on(org, day).order_by("name_pinyin", "id"))
    ids = {m.pk for m in members}
    talked = {
        pair(a, b)
        for a, b in Talk.objects.filter(
            on__year=year, member_a__in=ids, member_b__in=ids
        ).values_list("member_a", "member_b")
    }
    missing = [(a, b) for a, b in combinations(members, 2) if pair(a.pk, b.pk) not in talked]
    return TalkMatrix(members=members, talked=talked, missing=missing)


# --- "my" pages --------------------------------------------------------------------------------


def my_member(user) -> Member | None:
    """The user's own member record on the roster, if any."""
    return (
        Member.objects.filter(user=user, status__in=Member.ON_ROSTER)
        .select_related("org", "group")
        .first()
        if user.is_authenticated
        else None
    )


def member_meetings(member: Member) -> QuerySet[Meeting]:
    """The meetings the member is invited to: those of their branch and 党小组 — a 支委会
    (or 民主生活会) only while they sit on the committee that day — and any meeting they
    are listed at."""
    orgs = [member.org_id] + ([member.group_id] if member.group_id else [])
    committee_only = ~Exists(
        MeetingKindRow.objects.filter(meeting=OuterRef("pk")).exclude(kind__in=COMMITTEE_KINDS)
    )
    on_committee = Exists(
        CommitteePost.objects.filter(
            holder=member, org=OuterRef("org"), post__in=COMMITTEE_POSTS, start__lte=OuterRef("on")
        ).filter(Q(end__isnull=True) | Q(end__gt=OuterRef("on")))
    )
    return Meeting.objects.filter(
        (Q(org__in=orgs) & (~committee_only | on_committee)) | Q(attendance__member=member)
    ).distinct()


def notice_text(meeting: Meeting) -> str:
    """The default notice, addressed to whoever the meeting expects (see ``roster``)."""
    if set(meeting.kinds) <= COMMITTEE_KINDS or not (
        meeting.org.is_branch or meeting.org.kind == Org.Kind.GROUP
    ):
        audience = _("各位委员")
    elif meeting.org.kind == Org.Kind.GROUP:
        audience = _("本小组全体党员")
    else:
        audience = _("全体党员")
    return _("定于%(day)s召开“%(title)s”，请%(audience)s准时参加；因故不能参加的，请提前请假。") % {
        "day": date_format(meeting.on, "MONTH_DAY_FORMAT"),
        "title": meeting.title,
        "audience": audience,
    }


def my_upcoming(member: Member, today: date) -> list[Meeting]:
    meetings = list(
        member_meetings(member)
        .filter(status__in=Meeting.UPCOMING_STATUSES, on__gte=today)
        .select_related("org")
        .order_by("on", "starts_at")[:30]
    )
    leave = dict(
        Attendance.objects.filter(meeting__in=meetings, member=member).values_list(
            "meeting", "status"
        )
    )
    for meeting in meetings:
        meeting.my_status = leave.get(meeting.pk, "")
    return meetings


def attendance_year(member: Member, year: int) -> dict:
    """A member's meetings of ``year`` with how many they attended and their study hours."""
    attendance = my_attendance(member, year)
    return {
        "year": year,
        "attendance": attendance,
        "present": sum(1 for a in attendance if a.status == Attendance.Status.PRESENT),
        "hours": sum((a.study_hours for a in attendance), start=0),
    }


def my_attendance(member: Member, year: int) -> list[Attendance]:
    return list(
        Attendance.objects.filter(
            Attendance.held_between(date(year, 1, 1), date(year + 1, 1, 1)),
            member=member,
            meeting__status__in=Meeting.HELD_STATUSES,
        )
        .select_related("meeting", "meeting__org")
        .order_by("-meeting__on")
    )


# --- feeds -------------------------------------------------------------------------------------


def feed_meetings(meetings: QuerySet[Meeting], since: date) -> list[Meeting]:
    return list(
        meetings.exclude(status=Meeting.Status.CANCELLED)
        .filter(on__gte=since)
        .select_related("org")
        .order_by("on", "starts_at")[:500]
    )


def plan_reports(org: Org, year: int) -> list[tuple[Org, PlanSubmission | None]]:
    """Each branch below ``org`` (a 党委 or 党总支) with its report of ``year``'s plan, or
    None where none came: two queries."""
    branches = list(
        Org.objects.filter(subtree_q([org.path]), kind__in=Org.BRANCH_KINDS)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=date(year, 1, 1)))
        .order_by("path")
    )
    reports = {
        s.org_id: s
        for s in PlanSubmission.objects.filter(org__in=branches, year=year).select_related(
            "submitted_by"
        )
    }
    return [(branch, reports.get(branch.pk)) for branch in branches]
