"""Writes of 党内统计: submitting a year's report upward (frozen) and returning it."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy

from zhibu.census import tables as T
from zhibu.census.models import Report
from zhibu.core import versioning
from zhibu.core.scope import STEPLEN
from zhibu.orgs.models import Org

YEAR_NOT_OVER = gettext_lazy("%(year)s 年度尚未结束，年报须在次年报送。")
YEAR_INVALID = gettext_lazy("年度不正确。")
ALREADY_SUBMITTED = gettext_lazy("%(year)s 年度报表已报送并锁定，如需更正请由上级党组织退回。")
NOT_SUBMITTED = gettext_lazy("该报表未处于已报送状态，无需退回。")
CHILDREN_MISSING = gettext_lazy("下级党组织尚未报送本年度报表：%(names)s。须逐级报送。")
CHILD_DIFFERS = gettext_lazy(
    "%(org)s 已报送党员 %(reported)s 人，按现有记录为 %(now)s 人，请退回该报表重新报送。"
)
CHECKS_FAILED = gettext_lazy("报表校验未通过，未报送：%(problems)s")
REASON_REQUIRED = gettext_lazy("请填写退回理由。")
NOUN = gettext_lazy("统计报表")


def year_end(year: int) -> date:
    return date(year, 12, 31)


def subtree_problems(org: Org, day: date) -> list[str]:
    """The report of a committee is the sum of its subtree's reports: every committee
    directly below must have submitted, and what each submitted must still equal what the
    history says for its subtree (one grouped query over all of them)."""
    children = list(T.orgs_on(org, day).filter(depth=org.depth + 1, kind__in=Org.COMMITTEE_KINDS))
    if not children:
        return []
    reports = {
        r.org_id: r
        for r in Report.objects.filter(
            org__in=children, year=day.year, status=Report.Status.SUBMITTED
        )
    }
    missing = [c.name for c in children if c.pk not in reports]
    if missing:
        return [str(CHILDREN_MISSING % {"names": "、".join(missing)})]
    width = STEPLEN * (org.depth + 1)
    live = {
        r["prefix"]: r["n"]
        for r in T.spans_on(org, day)
        .annotate(prefix=Substr("org__path", 1, width))
        .order_by()
        .values("prefix")
        .annotate(n=Count("member_id", distinct=True))
    }
    problems = []
    for child in children:
        reported, now = reports[child.pk].member_total, live.get(child.path, 0)
        if reported != now:
            problems.append(
                str(CHILD_DIFFERS % {"org": child.name, "reported": reported, "now": now})
            )
    return problems


@transaction.atomic
def report_submit(
    *, org: Org, year: int, by, version: datetime | None = None, today: date | None = None
) -> Report:
    """Compute the year's tables as of 31 December, check them, and store them frozen.

    Refused (nothing written) when the year is not over, the org did not exist then, the
    report is already submitted (locked), the form's version is stale, a consistency check
    fails, or a committee below has not submitted or no longer agrees."""
    today = today or timezone.localdate()
    if not 1900 < year < 3000:
        raise ValidationError({"year": YEAR_INVALID})
    day = year_end(year)
    if day >= today:
        raise ValidationError({"year": YEAR_NOT_OVER % {"year": year}})
    T.check_day(org, day)
    report = Report.objects.select_for_update().filter(org=org, year=year).first()
    if report is not None:
        versioning.check_version(report, version, noun=NOUN)
        if report.is_locked:
            raise ValidationError({NON_FIELD_ERRORS: ALREADY_SUBMITTED % {"year": year}})
    tables = T.compute(org, day)
    problems = T.consistency(tables) + subtree_problems(org, day)
    if problems:
        raise ValidationError(
            {NON_FIELD_ERRORS: [str(CHECKS_FAILED % {"problems": p}) for p in problems]}
        )
    report = report or Report(org=org, year=year)
    report.as_of = day
    report.status = Report.Status.SUBMITTED
    report.figures = [t.as_dict() for t in tables]
    report.member_total = T.member_total(tables)
    report.submitted_at = timezone.now()
    report.submitted_by = by
    report.returned_reason = ""
    report._history_user = by  # type: ignore[attr-defined]
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_return(*, report: Report, by, reason: str, version: datetime | None = None) -> Report:
    """The committee above sends a submitted report back for correction (unlocks it)."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    versioning.check_version(report, version, noun=NOUN)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    if not report.is_locked:
        raise ValidationError({NON_FIELD_ERRORS: NOT_SUBMITTED})
    report.status = Report.Status.RETURNED
    report.returned_reason = reason[:300]
    report._history_user = by  # type: ignore[attr-defined]
    report.save()
    return report
