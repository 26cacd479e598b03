"""/api/v1/reviews (书记述职评议, RESP-03: list, detail with grades and tally, open, grade,
点评, 评定, 整改清单) and /api/v1/promises (三诺一评, EDU-04: list, the caller's own promise,
践诺, 评诺). The same services and scoped selectors as the pages; a write on an existing
record takes its ``version`` (or If-Match): a stale one answers 409."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhibu.accounts import permissions
from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Day, Filters, In, Record, page_of
from zhibu.meetings.models import Meeting
from zhibu.members.models import Member
from zhibu.orgs.selectors import org_for_user
from zhibu.reviews import selectors, services
from zhibu.reviews.selectors import PROMISE_EVALUATE, PROMISE_VIEW, VIEW
from zhibu.reviews.services import MANAGE

reviews_router = Router(tags=["reviews"])
promises_router = Router(tags=["promises"])


# --- reviews --------------------------------------------------------------------------------


class TallyOut(Schema):
    counts: dict[str, int] = Field(..., description="good/fairly_good/average/poor → 票数")
    graded: int
    listed: int
    threshold: int = Field(..., description="结果等次须累计超过的票数百分比（地方规定）")
    result: str = Field(..., description="评定等次；空：无评价")


class EvaluatorOut(Record):
    id: UUID
    member_id: UUID
    name: str
    grade: str | None = Field(None, description="仅组织评议的一方可见")
    comment: str | None = None
    graded: bool
    version: str

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id

    @staticmethod
    def resolve_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_grade(obj):
        return getattr(obj, "shown_grade", None)

    @staticmethod
    def resolve_comment(obj):
        return getattr(obj, "shown_comment", None)

    @staticmethod
    def resolve_graded(obj):
        return bool(obj.grade)

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class ReviewOut(Record):
    id: UUID
    organiser_id: UUID
    organiser_name: str
    org_id: UUID
    org_name: str
    year: int
    secretary_id: UUID
    secretary_name: str
    meeting_on: date | None
    meeting_place: str
    status: str
    result: str
    version: str = Field(..., description="乐观锁版本：点评、评定时原样提交")

    @staticmethod
    def resolve_organiser_id(obj):
        return obj.organiser.public_id

    @staticmethod
    def resolve_organiser_name(obj):
        return obj.organiser.name

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_secretary_id(obj):
        return obj.secretary.public_id

    @staticmethod
    def resolve_secretary_name(obj):
        return obj.secretary.name

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class RectificationOut(Record):
    id: UUID
    problem: str
    measure: str
    deadline: date
    status: str


class ReviewDetailOut(ReviewOut):
    report: str
    remarks: str
    meeting_id: UUID | None
    evaluators: list[EvaluatorOut]
    tally: TallyOut
    rectifications: list[RectificationOut]

    @staticmethod
    def resolve_meeting_id(obj):
        return obj.meeting.public_id if obj.meeting_id else None

    @staticmethod
    def resolve_evaluators(obj):
        return obj.evaluator_rows

    @staticmethod
    def resolve_tally(obj):
        return obj.tally_row

    @staticmethod
    def resolve_rectifications(obj):
        return obj.rectification_rows


ReviewPage = page_of(ReviewOut)


class ReviewFilters(Filters):
    org: UUID | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    cursor: str | None = None
    limit: int = 50


class ReviewIn(In):
    organiser: UUID
    org: UUID = Field(..., description="组织评议的党组织的直接下级")
    year: int = Field(..., ge=2000, le=2999)
    report: str = Field(..., max_length=20000)
    evaluators: list[UUID] = Field(..., max_length=200, description="评议人（党员）")
    meeting_on: Day | None = None
    meeting_place: str = Field("", max_length=200)
    meeting: UUID | None = None


class GradeIn(In):
    evaluator: UUID | None = Field(None, description="评议人（党员）；不填：调用者本人")
    grade: str = Field(..., description="good / fairly_good / average / poor")
    comment: str = Field("", max_length=2000)
    version: str | None = Field(None, description="评议人记录的版本")


class RemarkIn(In):
    remarks: str = Field(..., max_length=5000)
    on: Day
    version: str | None = None


class FinishIn(In):
    on: Day
    version: str | None = None


class RectificationIn(In):
    problem: str = Field(..., max_length=2000)
    measure: str = Field(..., max_length=2000)
    deadline: Day


def _detail(request, review):
    """The review with what this caller may see: each evaluator's grade and comment only
    for the organiser's side."""
    evaluators = selectors.evaluators_of(review)
    manage = permissions.can(request.user, MANAGE, review.organiser)
    for e in evaluators:
        e.shown_grade = e.grade if manage else None
        e.shown_comment = e.comment if manage else None
    review.evaluator_rows = evaluators
    review.tally_row = services.review_tally(review, evaluators)
    review.rectification_rows = selectors.rectifications_of(review)
    return review


def _review(request, review_id, *, write: bool = False):
    return selectors.review_for_user(request.user, review_id, write=write)


@reviews_router.get("", response={200: ReviewPage, **ERRORS}, summary="书记述职评议列表")
def list_reviews(request, filters: Query[ReviewFilters]):
    require_anywhere(request.user, VIEW)
    org = org_for_user(request.user, filters.org) if filters.org else None
    qs = selectors.review_list(user=request.user, year=filters.year, org=org)
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@reviews_router.get(
    "/{review_id}", response={200: ReviewDetailOut, **ERRORS}, summary="述职评议详情（含测评统计）"
)
def get_review(request, review_id: UUID):
    require_anywhere(request.user, VIEW)
    return _detail(request, _review(request, review_id))


@reviews_router.post(
    "", response={201: ReviewDetailOut, **ERRORS}, summary="组织直接下级党组织书记述职评议"
)
def create_review(request, payload: ReviewIn):
    require_anywhere(request.user, MANAGE)
    organiser = org_for_user(request.user, payload.organiser, action=MANAGE)
    org = org_for_user(request.user, payload.org)
    members = {
        m.public_id: m
        for m in Member.objects.filter(public_id__in=payload.evaluators).select_related("org")
    }
    if len(members) != len(set(payload.evaluators)):
        raise ApiError(404)
    meeting = None
    if payload.meeting:
        meeting = Meeting.objects.filter(public_id=payload.meeting).first()
        if meeting is None:
            raise ApiError(404)
    review = services.review_open(
        organiser=organiser,
        org=org,
        year=payload.year,
        report=payload.report,
        evaluators=[members[i] for i in payload.evaluators],
        meeting_on=payload.meeting_on,
        meeting_place=payload.meeting_place,
        meeting=meeting,
        by=request.user,
    )
    return Status(201, _detail(request, _review(request, review.public_id)))


@reviews_router.post(
    "/{review_id}/grades",
    response={200: ReviewDetailOut, **ERRORS},
    summary="评价（评议人本人，或组织评议的一方代为登记；每人一次；乐观锁）",
)
def grade_review(request, review_id: UUID, payload: GradeIn):
    evaluation = None
    if payload.evaluator is None:
        # The caller grades as themself: they need not see the review otherwise.
        try:
            evaluation = selectors.evaluation_for_user(request.user, review_id)
        except Http404:
            raise ApiError(404) from None
        review, member = evaluation.review, evaluation.member
    else:
        review = _review(request, review_id, write=True)
        evaluation = (
            review.evaluators.select_related("member")
            .filter(member__public_id=payload.evaluator)
            .first()
        )
        if evaluation is not None:
            member = evaluation.member
        else:
            found = Member.objects.filter(public_id=payload.evaluator).first()
            if found is None:
                raise ApiError(404)
            member = found
    if evaluation is not None:
        check_version(request, evaluation, payload.version)
    services.grade_record(
        review=review, member=member, grade=payload.grade, comment=payload.comment, by=request.user
    )
    # An evaluator outside the review's scope gets the record without others' grades
    # (only the organiser's side sees them).
    review.refresh_from_db()
    return _detail(request, review)


@reviews_router.post(
    "/{review_id}/remarks", response={200: ReviewDetailOut, **ERRORS}, summary="点评（乐观锁）"
)
def remark_review(request, review_id: UUID, payload: RemarkIn):
    review = _review(request, review_id, write=True)
    check_version(request, review, payload.version)
    services.review_remark(review=review, remarks=payload.remarks, on=payload.on, by=request.user)
    return _detail(request, _review(request, review_id))


@reviews_router.post(
    "/{review_id}/finish",
    response={200: ReviewDetailOut, **ERRORS},
    summary="评定等次：固定测评统计（乐观锁）",
)
def finish_review(request, review_id: UUID, payload: FinishIn):
    review = _review(request, review_id, write=True)
    check_version(request, review, payload.version)
    services.review_finish(review=review, on=payload.on, by=request.user, request=request)
    return _detail(request, _review(request, review_id))


@reviews_router.post(
    "/{review_id}/rectifications",
    response={201: ReviewDetailOut, **ERRORS},
    summary="列入整改清单（进入整改事项台账）",
)
def add_rectification(request, review_id: UUID, payload: RectificationIn):
    review = _review(request, review_id, write=True)
    services.review_rectification_add(
        review=review,
        problem=payload.problem,
        measure=payload.measure,
        deadline=payload.deadline,
        by=request.user,
    )
    return Status(201, _detail(request, _review(request, review_id)))


# --- promises -------------------------------------------------------------------------------


class NoteOut(Record):
    on: date
    text: str


class PromiseOut(Record):
    id: UUID
    member_id: UUID
    member_name: str
    org_id: UUID
    org_name: str
    year: int
    text: str
    notes: list[NoteOut]
    evaluation: str
    evaluation_note: str
    evaluated_on: date | None
    version: str = Field(..., description="乐观锁版本：修改承诺、评诺时原样提交")

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.public_id

    @staticmethod
    def resolve_member_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_org_name(obj):
        return obj.org.name

    @staticmethod
    def resolve_notes(obj):
        return list(obj.notes.all())

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


PromisePage = page_of(PromiseOut)


class PromiseFilters(Filters):
    org: UUID | None = None
    year: int | None = Field(None, ge=1900, le=2999)
    cursor: str | None = None
    limit: int = 50


class PromiseIn(In):
    text: str = Field(..., max_length=5000)
    version: str | None = Field(None, description="修改已有承诺时提交其版本")


class NoteIn(In):
    on: Day
    text: str = Field(..., max_length=5000)


class EvaluateIn(In):
    evaluation: str = Field(..., description="good / fairly_good / average / poor")
    note: str = Field("", max_length=2000)
    on: Day
    version: str | None = None


@promises_router.get("", response={200: PromisePage, **ERRORS}, summary="三诺一评：承诺列表")
def list_promises(request, filters: Query[PromiseFilters]):
    require_anywhere(request.user, PROMISE_VIEW)
    org = org_for_user(request.user, filters.org, action=PROMISE_VIEW) if filters.org else None
    qs = selectors.promise_list(
        user=request.user, year=filters.year or timezone.localdate().year, org=org
    ).prefetch_related("notes")
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


def _own_member(request) -> Member:
    member = selectors.own_member(request.user)
    if member is None:
        raise ApiError(404)
    return member


@promises_router.get("/mine", response={200: PromiseOut, **ERRORS}, summary="本人本年度承诺")
def my_promise(request):
    promise = selectors.own_promise(_own_member(request), timezone.localdate().year)
    if promise is None:
        raise ApiError(404)
    return promise


@promises_router.put(
    "/mine", response={200: PromiseOut, **ERRORS}, summary="作出或修改本人本年度承诺（乐观锁）"
)
def put_my_promise(request, payload: PromiseIn):
    member = _own_member(request)
    year = timezone.localdate().year
    with transaction.atomic():
        promise = selectors.own_promise(member, year)
        if promise is None:
            services.promise_make(member=member, year=year, text=payload.text)
        else:
            check_version(request, promise, payload.version)
            services.promise_edit(promise=promise, text=payload.text)
    return selectors.own_promise(member, year)


@promises_router.post(
    "/mine/notes", response={201: PromiseOut, **ERRORS}, summary="记录本人践诺情况"
)
def add_my_note(request, payload: NoteIn):
    member = _own_member(request)
    promise = selectors.own_promise(member, timezone.localdate().year)
    if promise is None:
        raise ApiError(404)
    services.promise_note_add(promise=promise, on=payload.on, text=payload.text)
    return Status(201, selectors.own_promise(member, promise.year))


@promises_router.post(
    "/{promise_id}/evaluate",
    response={200: PromiseOut, **ERRORS},
    summary="评诺（党支部在民主评议时登记；乐观锁）",
)
def evaluate_promise(request, promise_id: UUID, payload: EvaluateIn):
    require_anywhere(request.user, PROMISE_EVALUATE)
    promise = selectors.promise_for_user(request.user, promise_id, write=True)
    check_version(request, promise, payload.version)
    services.promise_evaluate(
        promise=promise,
        evaluation=payload.evaluation,
        note=payload.note,
        on=payload.on,
        by=request.user,
    )
    return selectors.promise_for_user(request.user, promise_id)
