"""Writes of 述职评议 (RESP-03) and 三诺一评 (EDU-04). Every refusal is a ValidationError
with one of the Chinese messages below, raised before anything is written."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.accounts import permissions
from zhibu.core.audit import audit_record
from zhibu.core.models import AuditEvent
from zhibu.core.rules.params import params_for
from zhibu.core.rules.registry import in_force
from zhibu.core.versioning import check_version
from zhibu.duties.models import Rectification
from zhibu.duties.services.evidence import evidence_add_many
from zhibu.duties.services.rectification import rectification_create
from zhibu.meetings.models import Meeting
from zhibu.meetings.models import Review as MemberReview
from zhibu.members.models import Member
from zhibu.orgs.models import CommitteePost, Org
from zhibu.orgs.selectors import posts_on
from zhibu.reviews.models import GRADE_ORDER, Evaluator, Grade, Promise, PromiseNote
from zhibu.reviews.models import SecretaryReview as Review
from zhibu.reviews.rules import CODE, REVIEWED_KINDS, SecretaryReviewed

MANAGE = "assessment.manage"  # organising a review (the organiser's side)

NOT_ORGANISER = _("组织述职评议的应是党委或党总支。")
NOT_SUBORDINATE = _(
    "只能组织直接下级党组织书记的述职评议：%(org)s不是%(organiser)s的直接下级（RESP-03）。"
)
NOT_REVIEWED_KIND = _("党小组不进行书记述职评议。")
NO_SECRETARY = _("%(org)s目前没有在任书记，无法组织述职评议。")
REVIEW_EXISTS = _("%(org)s的%(year)s年度述职评议已经建立。")
BAD_YEAR = _("述职年度不能晚于今年。")
REPORT_EMPTY = _("请填写述职报告。")
NO_EVALUATORS = _("请至少列出一名评议人。")
EVALUATOR_SELF = _("述职书记本人不能作为评议人。")
EVALUATOR_ELSEWHERE = _("评议人应是%(organiser)s范围内的在册党员：%(name)s不符合。")
MEETING_ELSEWHERE = _("评议会会议记录应是本组织或组织评议的党组织的会议。")
NOT_OPEN = _("该述职评议已评定，不能再修改。")
BAD_GRADE = _("评价等次只能是好、较好、一般、差之一。")
NOT_EVALUATOR = _("您不在该述职评议的评议人名单中。")
GRADED = _("该评议人已经评价过，每名评议人只能评价一次。")
NOT_YOURS = _("只能以本人身份评价，或由组织评议的党组织代为登记。")
REMARKS_EMPTY = _("请填写点评意见。")
NO_GRADES = _("还没有任何评议人评价，无法评定等次。")
NO_REMARKS = _("评定等次前请先填写点评意见（述职→点评→评议→整改，RESP-03）。")
FUTURE_DAY = _("日期不能晚于今天。")
NOUN_REVIEW = _("述职评议")
NOUN_EVALUATOR = _("评价")
NOUN_PROMISE = _("承诺")
PROMISE_EMPTY = _("请填写承诺内容。")
PROMISE_EXISTS = _("您已经作出%(year)s年度的承诺，可以修改原承诺。")
NOT_IN_BRANCH = _("只有党支部在册党员可以作出承诺。")
PROMISE_EVALUATED = _("该承诺已经评诺，不能再修改或补充践诺记录。")
NOTE_EMPTY = _("请填写践诺情况。")
NOTE_OTHER_YEAR = _("践诺日期应在承诺年度（%(year)s年）内。")
BAD_EVALUATION = _("评诺等次只能是好、较好、一般、差之一。")


def review_ref(review: Review) -> str:
    """How rectification items and evidence files name the review they came from."""
    return f"secretary_review:{review.public_id}"


def secretary_of(org: Org, on: date) -> Member | None:
    """The holder of ``org``'s 书记 post on ``on`` (committees' posts, zhibu.committees)."""
    post = posts_on([org.pk], on, [CommitteePost.Post.SECRETARY]).order_by("-start").first()
    return post.holder if post else None


def is_subordinate(org: Org, organiser: Org) -> bool:
    return org.depth == organiser.depth + 1 and org.path.startswith(organiser.path)


def _check_evaluators(organiser: Org, secretary: Member, members: list[Member]) -> None:
    if not members:
        raise ValidationError({"evaluators": NO_EVALUATORS})
    for member in members:
        if member.pk == secretary.pk:
            raise ValidationError({"evaluators": EVALUATOR_SELF})
        if not member.org.path.startswith(organiser.path) or member.status not in Member.ON_ROSTER:
            raise ValidationError(
                {
                    "evaluators": EVALUATOR_ELSEWHERE
                    % {"organiser": organiser.name, "name": member.name}
                }
            )


@transaction.atomic
def review_open(
    *,
    organiser: Org,
    org: Org,
    year: int,
    report: str,
    evaluators: list[Member],
    meeting_on: date | None = None,
    meeting_place: str = "",
    meeting: Meeting | None = None,
    files=(),
    by=None,
    today: date | None = None,
) -> Review:
    """Open a secretary's review: the organiser is the committee directly above ``org``;
    the secretary is whoever holds ``org``'s 书记 post today."""
    today = today or timezone.localdate()
    if organiser.kind not in Org.COMMITTEE_KINDS:
        raise ValidationError({"organiser": NOT_ORGANISER})
    if not is_subordinate(org, organiser):
        raise ValidationError(
            {"org": NOT_SUBORDINATE % {"org": org.name, "organiser": organiser.name}}
        )
    if org.kind not in REVIEWED_KINDS:
        raise ValidationError({"org": NOT_REVIEWED_KIND})
    if year > today.year:
        raise ValidationError({"year": BAD_YEAR})
    if not report.strip():
        raise ValidationError({"report": REPORT_EMPTY})
    if meeting_on is not None and meeting_on > today:
        raise ValidationError({"meeting_on": FUTURE_DAY})
    if meeting is not None and meeting.org_id not in (org.pk, organiser.pk):
        raise ValidationError({"meeting": MEETING_ELSEWHERE})
    secretary = secretary_of(org, today)
    if secretary is None:
        raise ValidationError({"org": NO_SECRETARY % {"org": org.name}})
    if Review.objects.filter(org=org, year=year).exists():
        raise ValidationError({"year": REVIEW_EXISTS % {"org": org.name, "year": year}})
    members = list({m.pk: m for m in evaluators}.values())
    _check_evaluators(organiser, secretary, members)
    review = Review.objects.create(
        organiser=organiser,
        org=org,
        year=year,
        secretary=secretary,
        report=report.strip(),
        meeting_on=meeting_on,
        meeting_place=meeting_place.strip(),
        meeting=meeting,
        created_by=by,
    )
    Evaluator.objects.bulk_create([Evaluator(review=review, member=m) for m in members])
    if files:
        evidence_add_many(
            org=org, ref=review_ref(review), uploads=files, by=by, field="attachments"
        )
    return review


def _locked(review: Review, version) -> Review:
    locked = Review.objects.select_for_update().select_related("organiser", "org").get(pk=review.pk)
    check_version(locked, version, noun=NOUN_REVIEW)
    if not locked.is_open:
        raise ValidationError(NOT_OPEN)
    return locked


@transaction.atomic
def review_edit(
    *,
    review: Review,
    report: str,
    meeting_on: date | None,
    meeting_place: str = "",
    meeting: Meeting | None = None,
    files=(),
    version=None,
    by=None,
    today: date | None = None,
) -> Review:
    review = _locked(review, version)
    if not report.strip():
        raise ValidationError({"report": REPORT_EMPTY})
    if meeting_on is not None and meeting_on > (today or timezone.localdate()):
        raise ValidationError({"meeting_on": FUTURE_DAY})
    if meeting is not None and meeting.org_id not in (review.org_id, review.organiser_id):
        raise ValidationError({"meeting": MEETING_ELSEWHERE})
    review.report, review.meeting_on = report.strip(), meeting_on
    review.meeting_place, review.meeting = meeting_place.strip(), meeting
    review.save()
    if files:
        evidence_add_many(
            org=review.org, ref=review_ref(review), uploads=files, by=by, field="attachments"
        )
    return review


@transaction.atomic
def grade_record(
    *,
    review: Review,
    member: Member,
    grade: str,
    comment: str = "",
    by=None,
    version=None,
) -> Evaluator:
    """One evaluator's grade, once. ``by`` is the evaluator themself, or someone of the
    organiser's side recording a paper ballot (None: a system entry such as the demo's
    history). ``version`` is the evaluator row's."""
    if grade not in Grade.values:
        raise ValidationError({"grade": BAD_GRADE})
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if not locked.is_open:
        raise ValidationError(NOT_OPEN)
    evaluator = (
        Evaluator.objects.select_for_update()
        .select_related("member")
        .filter(review=locked, member=member)
        .first()
    )
    if evaluator is None:
        raise ValidationError({"evaluator": NOT_EVALUATOR})
    if (
        by is not None
        and evaluator.member.user_id != by.pk
        and not permissions.can(by, MANAGE, review.organiser)
    ):
        raise PermissionDenied(NOT_YOURS)
    if evaluator.grade:
        raise ValidationError({"grade": GRADED})
    check_version(evaluator, version, noun=NOUN_EVALUATOR)
    evaluator.grade, evaluator.comment = grade, comment.strip()
    evaluator.graded_at, evaluator.graded_by = timezone.now(), by
    evaluator.save()
    return evaluator


@transaction.atomic
def review_remark(*, review: Review, remarks: str, on: date, by, version=None) -> Review:
    """点评: the organising secretary's comments on the report."""
    review = _locked(review, version)
    if not remarks.strip():
        raise ValidationError({"remarks": REMARKS_EMPTY})
    if on > timezone.localdate():
        raise ValidationError({"on": FUTURE_DAY})
    review.remarks, review.remarked_on, review.remarked_by = remarks.strip(), on, by
    review.save()
    return review


@dataclass(frozen=True)
class Tally:
    counts: dict[str, int]  # grade value → votes, every grade present
    graded: int
    listed: int
    threshold: int  # percent of the votes cast the result needs more than
    result: str  # a Grade value, or "" with no votes

    @property
    def rows(self) -> list[tuple[str, int, int]]:
        """(label, votes, percent of the votes cast) in grade order, for pages and PDF."""
        return [
            (
                str(Grade(g).label),
                self.counts[g],
                round(100 * self.counts[g] / self.graded) if self.graded else 0,
            )
            for g in GRADE_ORDER
        ]

    @property
    def result_label(self) -> str:
        return str(Grade(self.result).label) if self.result else ""


def majority_percent(organiser: Org, on: date) -> int:
    rule = in_force(CODE, on)
    params = params_for(rule, organiser, on) if rule else SecretaryReviewed().default_params()
    return int(params.get("majority_percent", 50))


def tally_of(grades: list[str], *, listed: int, threshold: int) -> Tally:
    """The distribution and the resulting grade: the best grade such that the votes at it
    or better are more than ``threshold`` % of the votes cast (the local rule; by default
    a simple majority). With no grade of 一般 or better reaching it, the result is 差."""
    counts = Counter(g for g in grades if g)
    graded = sum(counts.values())
    result, running = "", 0
    for g in GRADE_ORDER:
        running += counts[g]
        if graded and running * 100 > threshold * graded:
            result = g
            break
    return Tally({g: counts[g] for g in GRADE_ORDER}, graded, listed, threshold, result)


def review_tally(review: Review, evaluators: list[Evaluator] | None = None) -> Tally:
    """The review's tally: the stored one once finished, else computed from the grades."""
    if review.status == Review.Status.FINISHED and review.tally:
        stored = review.tally
        return Tally(
            {g: stored["counts"].get(g, 0) for g in GRADE_ORDER},
            stored["graded"],
            stored["listed"],
            stored["threshold"],
            review.result,
        )
    rows = evaluators if evaluators is not None else list(review.evaluators.all())
    threshold = majority_percent(review.organiser, review.meeting_on or timezone.localdate())
    return tally_of([e.grade for e in rows], listed=len(rows), threshold=threshold)


@transaction.atomic
def review_finish(*, review: Review, on: date, by, version=None, request=None) -> Review:
    """评定: the tally is fixed with the resulting grade; the record is closed."""
    review = _locked(review, version)
    if not review.remarks:
        raise ValidationError(NO_REMARKS)
    if on > timezone.localdate():
        raise ValidationError({"on": FUTURE_DAY})
    tally = review_tally(review)
    if not tally.graded:
        raise ValidationError(NO_GRADES)
    review.tally = {
        "counts": tally.counts,
        "graded": tally.graded,
        "listed": tally.listed,
        "threshold": tally.threshold,
    }
    review.result, review.status, review.finished_on = tally.result, Review.Status.FINISHED, on
    review.save()
    audit_record(
        kind=AuditEvent.Kind.CONFIG_CHANGED,
        summary=f"述职评议评定：{review} {tally.result_label}",
        actor=by,
        request=request,
        obj=review,
        org_path=review.org.path,
        details={"tally": review.tally, "result": review.result},
    )
    return review


@transaction.atomic
def review_rectification_add(
    *,
    review: Review,
    problem: str,
    measure: str,
    deadline: date,
    owner: Member | None = None,
    by=None,
    today: date | None = None,
) -> Rectification:
    """An item of the review's 整改清单: a rectification item of the reviewed org in the
    duties loop (source 述职评议), owned by default by the reviewed secretary."""
    return rectification_create(
        org=review.org,
        problem=problem,
        measure=measure,
        deadline=deadline,
        owner=owner or review.secretary,
        source=Rectification.Source.REVIEW,
        source_ref=review_ref(review),
        source_label=str(review),
        by=by,
        today=today,
    )


# --- 三诺一评 (EDU-04) --------------------------------------------------------------------


@transaction.atomic
def promise_make(*, member: Member, year: int, text: str, today: date | None = None) -> Promise:
    """承诺: a member's own promise for ``year`` (one a year; the member's branch keeps it)."""
    if not text.strip():
        raise ValidationError({"text": PROMISE_EMPTY})
    if member.status not in Member.ON_ROSTER or not member.org.is_branch:
        raise ValidationError(NOT_IN_BRANCH)
    if year > (today or timezone.localdate()).year + 1:
        raise ValidationError({"year": BAD_YEAR})
    if Promise.objects.filter(member=member, year=year).exists():
        raise ValidationError({"text": PROMISE_EXISTS % {"year": year}})
    return Promise.objects.create(member=member, org=member.org, year=year, text=text.strip())


def _locked_promise(promise: Promise, version) -> Promise:
    locked = Promise.objects.select_for_update().get(pk=promise.pk)
    check_version(locked, version, noun=NOUN_PROMISE)
    return locked


@transaction.atomic
def promise_edit(*, promise: Promise, text: str, version=None) -> Promise:
    if not text.strip():
        raise ValidationError({"text": PROMISE_EMPTY})
    promise = _locked_promise(promise, version)
    if promise.evaluation:
        raise ValidationError(PROMISE_EVALUATED)
    promise.text = text.strip()
    promise.save()
    return promise


@transaction.atomic
def promise_note_add(
    *, promise: Promise, on: date, text: str, today: date | None = None
) -> PromiseNote:
    """践诺: a note of what the member did, within the promise's year."""
    if not text.strip():
        raise ValidationError({"text": NOTE_EMPTY})
    if on.year != promise.year:
        raise ValidationError({"on": NOTE_OTHER_YEAR % {"year": promise.year}})
    if on > (today or timezone.localdate()):
        raise ValidationError({"on": FUTURE_DAY})
    locked = Promise.objects.select_for_update().get(pk=promise.pk)
    if locked.evaluation:
        raise ValidationError(PROMISE_EVALUATED)
    note = PromiseNote.objects.create(promise=locked, on=on, text=text.strip())
    locked.save()  # a new version: the member's record changed
    return note


@transaction.atomic
def promise_evaluate(
    *, promise: Promise, evaluation: str, note: str = "", on: date, by, version=None
) -> Promise:
    """评诺 at the branch's 民主评议: the grade and the branch's opinion, linked to the
    branch's 民主评议党员 of that year when it is recorded."""
    if evaluation not in Grade.values:
        raise ValidationError({"evaluation": BAD_EVALUATION})
    if on > timezone.localdate():
        raise ValidationError({"on": FUTURE_DAY})
    promise = _locked_promise(promise, version)
    promise.evaluation, promise.evaluation_note = evaluation, note.strip()
    promise.evaluated_on, promise.evaluated_by = on, by
    promise.member_review = MemberReview.objects.filter(
        org=promise.org_id, year=promise.year
    ).first()
    promise.save()
    return promise
