"""民主评议党员 and the 限期改正 that follows a failing grade (MBR-07)."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from zhibu.meetings.models import Correction, Meeting, Review, ReviewEntry
from zhibu.meetings.selectors import effective_settings
from zhibu.meetings.services.common import names_of, today_or
from zhibu.members.selectors import members_on
from zhibu.orgs.models import Org

REVIEW_EXISTS = _("%(year)s 年度的民主评议已经建立。")
REVIEW_NOT_BRANCH = _("民主评议党员由党支部组织。")
REVIEW_FINISHED = _("该年度民主评议已完成，不能再修改。")
GRADE_UNKNOWN = _("评定等次应为：%(grades)s。")
TALLY_NEGATIVE = _("测评票数不能为负数。")
TALLY_TOO_MANY = _("测评票数合计 %(n)s，超过参加评议的党员人数（%(max)s）。")
REVIEW_UNGRADED = _("还有 %(n)s 名党员未评定等次：%(names)s。")
CORRECTION_TOO_LONG = _("限期改正期限最长 1 年（MBR-07），应不晚于 %(day)s。")
CORRECTION_CLOSED = _("该限期改正已经结束。")
CORRECTION_OUTCOME = _("请选择改正结果。")


@transaction.atomic
def review_open(
    *, org: Org, year: int, meeting: Meeting | None = None, by=None, today: date | None = None
) -> Review:
    """Open a branch's review for ``year`` with an entry for each member on its roster."""
    if not org.is_branch:
        raise ValidationError(REVIEW_NOT_BRANCH)
    if Review.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": REVIEW_EXISTS % {"year": year}})
    grades = list(effective_settings(org).review_grades)
    review = Review.objects.create(
        org=org, year=year, grades=grades, meeting=meeting, created_by=by
    )
    day = min(date(year, 12, 31), today_or(today))
    ReviewEntry.objects.bulk_create(
        ReviewEntry(review=review, member=m) for m in members_on(org, day)
    )
    return review


@transaction.atomic
def review_entry_update(
    *,
    entry: ReviewEntry,
    self_assessment: str = "",
    peer_review: str = "",
    tally: dict[str, int] | None = None,
    grade: str = "",
    by=None,
) -> ReviewEntry:
    review = entry.review
    if review.status == Review.Status.FINISHED:
        raise ValidationError(REVIEW_FINISHED)
    if grade and grade not in review.grades:
        raise ValidationError({"grade": GRADE_UNKNOWN % {"grades": "、".join(review.grades)}})
    tally = {g: int(n) for g, n in (tally or {}).items() if g in review.grades and n is not None}
    if any(n < 0 for n in tally.values()):
        raise ValidationError({"tally": TALLY_NEGATIVE})
    limit = review.entries.count()
    if sum(tally.values()) > limit:
        raise ValidationError({"tally": TALLY_TOO_MANY % {"n": sum(tally.values()), "max": limit}})
    entry.self_assessment, entry.peer_review, entry.tally, entry.grade = (
        self_assessment,
        peer_review,
        tally,
        grade,
    )
    entry.save()
    return entry


@transaction.atomic
def review_finish(*, review: Review, on: date, by=None) -> list[Correction]:
    """Close the review; every member rated with the failing grade gets a 限期改正 of one
    year (MBR-07), which the branch tracks to its end."""
    if review.status == Review.Status.FINISHED:
        raise ValidationError(REVIEW_FINISHED)
    entries = list(review.entries.select_related("member"))
    ungraded = [e.member for e in entries if not e.grade]
    if ungraded:
        raise ValidationError(REVIEW_UNGRADED % {"n": len(ungraded), "names": names_of(ungraded)})
    review.status, review.finished_on = Review.Status.FINISHED, on
    review.save()
    return [
        Correction.objects.create(
            member=e.member,
            org=review.org,
            entry=e,
            starts_on=on,
            ends_on=on + relativedelta(years=1),
        )
        for e in entries
        if e.grade == review.failing_grade
    ]


@transaction.atomic
def correction_update(
    *, correction: Correction, ends_on: date, measures: str = "", by=None
) -> Correction:
    if correction.outcome != Correction.Outcome.OPEN:
        raise ValidationError(CORRECTION_CLOSED)
    latest = correction.starts_on + relativedelta(years=1)
    if ends_on > latest:
        raise ValidationError({"ends_on": CORRECTION_TOO_LONG % {"day": latest}})
    correction.ends_on, correction.measures = ends_on, measures
    correction.full_clean(exclude=["member", "org", "entry"])
    correction.save()
    return correction


@transaction.atomic
def correction_close(
    *, correction: Correction, outcome: str, on: date, note: str = "", by=None
) -> Correction:
    if correction.outcome != Correction.Outcome.OPEN:
        raise ValidationError(CORRECTION_CLOSED)
    if outcome not in Correction.Outcome.values or outcome == Correction.Outcome.OPEN:
        raise ValidationError({"outcome": CORRECTION_OUTCOME})
    correction.outcome, correction.closed_on, correction.note = outcome, on, note
    correction.save()
    return correction
