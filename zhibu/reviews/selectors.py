"""Reads of 述职评议 and 三诺一评, scoped to the acting user.

A review is seen by whoever sees (``finding.view``) its organiser or the reviewed org;
the organiser's side (``assessment.manage`` at the organiser) edits it and sees each
evaluator's grade; a listed evaluator reaches the report and their own grading form
through "我的评议" whatever their role. Promises are member records: ``member.view`` over
the branch; the member reaches their own from their own page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhibu.accounts import permissions
from zhibu.core.scope import parent_path, subtree_q
from zhibu.duties.models import Evidence, Rectification
from zhibu.members.models import Member
from zhibu.orgs.models import Org
from zhibu.reviews.models import Evaluator, Promise
from zhibu.reviews.models import SecretaryReview as Review
from zhibu.reviews.rules import REVIEWED_KINDS
from zhibu.reviews.services import MANAGE, review_ref

VIEW = "finding.view"
PROMISE_VIEW, PROMISE_EVALUATE = "member.view", "meeting.record"


def visible_reviews(user) -> QuerySet[Review]:
    return Review.objects.filter(
        permissions.scope_q(user, VIEW, field="org__path")
        | permissions.scope_q(user, VIEW, field="organiser__path")
    )


def review_for_user(user, public_id, *, write: bool = False) -> Review:
    """The review if the user sees it (else 404); ``write``: the organiser's side (else 403)."""
    try:
        review = (
            visible_reviews(user)
            .select_related("organiser", "org", "secretary", "meeting")
            .get(public_id=public_id)
        )
    except (Review.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if write and not permissions.can(user, MANAGE, review.organiser):
        raise PermissionDenied
    return review


def review_list(*, user, year: int | None = None, org: Org | None = None) -> QuerySet[Review]:
    qs = visible_reviews(user).select_related("organiser", "org", "secretary")
    if year:
        qs = qs.filter(year=year)
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    return qs.annotate(
        n_listed=Count("evaluators"),
        n_graded=Count("evaluators", filter=~Q(evaluators__grade="")),
    ).order_by("organiser__path", "org__path")


def organisers_for(user) -> list[Org]:
    """Committees where the user may organise reviews (their direct subordinates')."""
    today = timezone.localdate()
    return list(
        Org.objects.filter(
            permissions.scope_q(user, MANAGE),
            kind__in=Org.COMMITTEE_KINDS,
        )
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
        .order_by("path")
    )


def pending(*, user, year: int, limit: int = 200) -> list[tuple[Org, Org]]:
    """(organiser, org) pairs the user may organise with no review for ``year`` yet: two
    queries (the organisers, then their direct subordinates without a review)."""
    organisers = {o.path: o for o in organisers_for(user)}
    if not organisers:
        return []
    today = timezone.localdate()
    rows = (
        Org.objects.filter(
            subtree_q(organisers),
            depth__in={o.depth + 1 for o in organisers.values()},
            kind__in=REVIEWED_KINDS,
        )
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
        .exclude(pk__in=Review.objects.filter(year=year).values("org"))
        .order_by("path")
    )
    out = []
    for org in rows:
        organiser = organisers.get(parent_path(org.path))
        if organiser is not None and organiser.path != org.path:
            out.append((organiser, org))
            if len(out) >= limit:
                break
    return out


def subordinates_of(organiser: Org) -> list[Org]:
    today = timezone.localdate()
    return list(
        Org.objects.filter(
            subtree_q([organiser.path]), depth=organiser.depth + 1, kind__in=REVIEWED_KINDS
        )
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
        .order_by("path")
    )


def evaluator_candidates(organiser: Org) -> QuerySet[Member]:
    return (
        Member.objects.filter(
            subtree_q([organiser.path], field="org__path"), status__in=Member.ON_ROSTER
        )
        .select_related("org")
        .order_by("org__path", "name_pinyin")
    )


def evaluators_of(review: Review) -> list[Evaluator]:
    return list(review.evaluators.select_related("member__org").order_by("id"))


def rectifications_of(review: Review) -> list[Rectification]:
    return list(
        Rectification.objects.filter(source_ref=review_ref(review))
        .select_related("owner")
        .order_by("deadline", "id")
    )


def files_of(review: Review) -> list[Evidence]:
    return list(Evidence.objects.filter(ref=review_ref(review)))


def my_evaluations(user) -> list[Evaluator]:
    """The reviews the user is a listed evaluator on, still open (their own task)."""
    if not user.is_authenticated:
        return []
    return list(
        Evaluator.objects.filter(member__user=user, review__status=Review.Status.OPEN)
        .select_related("review__org", "review__secretary", "review__organiser")
        .order_by("review__year", "id")
    )


def evaluation_for_user(user, public_id) -> Evaluator:
    """The user's own evaluator row on a review (else 404)."""
    try:
        return (
            Evaluator.objects.select_related(
                "member", "review__org", "review__organiser", "review__secretary"
            )
            .filter(member__user=user)
            .get(review__public_id=public_id)
        )
    except (Evaluator.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


# --- 三诺一评 ---------------------------------------------------------------------------


def visible_promises(user) -> QuerySet[Promise]:
    return Promise.objects.filter(permissions.scope_q(user, PROMISE_VIEW, field="org__path"))


def promise_for_user(user, public_id, *, write: bool = False) -> Promise:
    try:
        promise = visible_promises(user).select_related("member", "org").get(public_id=public_id)
    except (Promise.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if write and not permissions.can(user, PROMISE_EVALUATE, promise.org):
        raise PermissionDenied
    return promise


def promise_list(*, user, year: int, org: Org | None = None) -> QuerySet[Promise]:
    qs = visible_promises(user).filter(year=year)
    if org is not None:
        qs = qs.filter(subtree_q([org.path], field="org__path"))
    return (
        qs.select_related("member", "org")
        .annotate(n_notes=Count("notes"))
        .order_by("org__path", "member__name_pinyin")
    )


def branch_coverage(*, user, year: int, org: Org | None = None) -> list[tuple[Org, int, int]]:
    """(branch, members on the roster, promises made) for the visible branches: two
    queries. A branch with no promise shows as 0 (no ranking is made of it, RESP-06)."""
    scope = permissions.scope_q(user, PROMISE_VIEW)
    branches = Org.objects.filter(scope, kind__in=Org.BRANCH_KINDS, dissolved_on__isnull=True)
    if org is not None:
        branches = branches.filter(subtree_q([org.path]))
    branches = branches.annotate(
        n_members=Count("members", filter=Q(members__status__in=Member.ON_ROSTER), distinct=True)
    ).order_by("path")[:500]
    rows = list(branches)
    made = dict(
        Promise.objects.filter(org__in=[b.pk for b in rows], year=year)
        .values_list("org")
        .annotate(n=Count("id"))
    )
    return [(b, b.n_members, made.get(b.pk, 0)) for b in rows]


def own_member(user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user).select_related("org").first()


def own_promise(member: Member, year: int) -> Promise | None:
    return (
        Promise.objects.filter(member=member, year=year)
        .prefetch_related("notes")
        .select_related("member_review")
        .first()
    )
