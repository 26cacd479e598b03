"""The annual plan: the meetings the rules in force ask of a branch for a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from zhibu.core.workdays import is_workday
from zhibu.meetings.models import YEARLY_KINDS, Meeting, MeetingKind, MeetingKindRow, PlanSubmission
from zhibu.meetings.selectors import effective_settings
from zhibu.meetings.services.scheduling import meeting_plan
from zhibu.orgs.models import Committee, Org

PLAN_NOT_BRANCH = _("年度计划按党支部生成。")
PLAN_SUBMIT_EMPTY = _("%(year)s 年度还没有安排会议，请先生成或登记年度计划再报送。")


def working_day_on_or_after(day: date) -> date:
    """The first working day on or after ``day`` on the statutory calendar (with 调休)."""
    for _attempt in range(15):
        if is_workday(day):
            return day
        day += timedelta(days=1)
    return day


def _day_in_month(year: int, month: int, day: int) -> date:
    last = (date(year, month, 1) + relativedelta(months=1) - timedelta(days=1)).day
    return working_day_on_or_after(date(year, month, min(day, last)))


@dataclass(frozen=True)
class PlanItem:
    org: Org
    on: date
    kinds: tuple[str, ...]
    title: str


def plan_items(*, org: Org, year: int) -> list[PlanItem]:
    """The calendar the rules in force ask of a branch for ``year`` (MTG-01..07, MTG-09):
    a monthly 主题党日 on the fixed day (with the quarter's 党员大会 and 党课 in the
    quarter's last month), a monthly 支委会 where a committee is in office, a monthly
    党小组会 per group, and the yearly 组织生活会 and 民主评议 in December."""
    if not org.is_branch:
        raise ValidationError(PLAN_NOT_BRANCH)
    conf = effective_settings(org)
    start = date(year, 1, 1)
    has_committee = (
        Committee.objects.filter(org=org, elected_on__lte=date(year, 12, 31))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
        .exists()
    )
    groups = list(
        Org.objects.filter(path__startswith=org.path, depth=org.depth + 1, kind=Org.Kind.GROUP)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start))
        .order_by("path")
    )
    items: list[PlanItem] = []
    for month in range(1, 13):
        quarter_end = month % 3 == 0
        kinds = [MeetingKind.THEME_DAY]
        title = _t("%(m)s月主题党日") % {"m": month}
        if quarter_end:
            kinds += [MeetingKind.BRANCH_ASSEMBLY, MeetingKind.PARTY_LECTURE]
            title = _t("第%(q)s季度支部党员大会暨主题党日、党课") % {"q": month // 3}
        items.append(PlanItem(org, _day_in_month(year, month, conf.theme_day), tuple(kinds), title))
        if has_committee:
            items.append(
                PlanItem(
                    org,
                    _day_in_month(year, month, conf.committee_day),
                    (MeetingKind.BRANCH_COMMITTEE,),
                    _t("%(m)s月支部委员会会议") % {"m": month},
                )
            )
        for group in groups:
            items.append(
                PlanItem(
                    group,
                    _day_in_month(year, month, conf.group_day),
                    (MeetingKind.GROUP_MEETING,),
                    _t("%(m)s月%(g)s会议") % {"m": month, "g": group.short_name or group.name},
                )
            )
    items.append(
        PlanItem(
            org,
            working_day_on_or_after(date(year, 12, 22)),
            (MeetingKind.LIFE_MEETING,),
            _t("%(y)s年度组织生活会") % {"y": year},
        )
    )
    items.append(
        PlanItem(
            org,
            working_day_on_or_after(date(year, 12, 26)),
            (MeetingKind.BRANCH_ASSEMBLY, MeetingKind.MEMBER_REVIEW),
            _t("%(y)s年度民主评议党员") % {"y": year},
        )
    )
    return sorted(items, key=lambda item: (item.on, item.org.path))


@transaction.atomic
def plan_generate(*, org: Org, year: int, by=None) -> list[Meeting]:
    """Create the year's planned meetings; idempotent: an item whose leading kind already
    has a meeting at that org that month (for yearly kinds: for that year) is skipped."""
    items = plan_items(org=org, year=year)
    org_ids = {item.org.pk for item in items}
    taken = set()
    rows = MeetingKindRow.objects.filter(org__in=org_ids).filter(
        Q(on__year=year) | Q(covers_year=year)
    )
    for org_id, kind, on, covers in rows.values_list("org", "kind", "on", "covers_year"):
        taken.add((org_id, kind, covers if kind in YEARLY_KINDS and covers else on.month))
    created = []
    for item in items:
        lead = next((k for k in item.kinds if k in YEARLY_KINDS), item.kinds[0])
        key = (item.org.pk, lead, year if lead in YEARLY_KINDS else item.on.month)
        if key in taken:
            continue
        created.append(
            meeting_plan(
                org=item.org,
                title=item.title,
                on=item.on,
                kinds=list(item.kinds),
                covers_year=year if set(item.kinds) & YEARLY_KINDS else None,
                plan_year=year,
                by=by,
            )
        )
        taken.add(key)
    return created


def plan_meetings(org: Org, year: int):
    """The year's meetings of ``org`` and its 党小组, planned or held (not cancelled)."""
    return (
        Meeting.objects.filter(org__path__startswith=org.path, on__year=year)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("org")
        .order_by("on", "starts_at", "id")
    )


@transaction.atomic
def plan_submit(*, org: Org, year: int, by, note: str = "") -> PlanSubmission:
    """Report (报送) the branch's annual plan to the committee above; reporting again after
    changes replaces the date and count (the history keeps every report)."""
    if not org.is_branch:
        raise ValidationError(PLAN_NOT_BRANCH)
    count = plan_meetings(org, year).count()
    if count == 0:
        raise ValidationError(PLAN_SUBMIT_EMPTY % {"year": year})
    submission, _created = PlanSubmission.objects.update_or_create(
        org=org,
        year=year,
        defaults={
            "meetings": count,
            "note": note.strip()[:300],
            "submitted_at": timezone.now(),
            "submitted_by": by,
        },
    )
    return submission
