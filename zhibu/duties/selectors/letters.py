"""Reads of responsibility letters, scoped to the acting user: a letter is seen by whoever
sees its issuer or its recipient (a branch secretary sees the letters addressed to the
branch, not the 党委's other letters)."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.core.scope import subtree_q
from zhibu.duties.models import Letter, LetterItem
from zhibu.orgs.models import Org

VIEW, WRITE = "finding.view", "meeting.record"


def visible_letters(user) -> QuerySet[Letter]:
    return Letter.objects.filter(
        permissions.scope_q(user, VIEW, field="recipient__path")
        | permissions.scope_q(user, VIEW, field="issuer__path")
    )


def letter_for_user(user, public_id, *, write: bool = False) -> Letter:
    """The letter if the user sees it (else 404); ``write``: the issuer's side may edit it
    (else 403)."""
    try:
        letter = (
            visible_letters(user).select_related("issuer", "recipient").get(public_id=public_id)
        )
    except (Letter.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if write and not permissions.can(user, WRITE, letter.issuer):
        raise PermissionDenied
    return letter


def item_for_user(user, public_id) -> LetterItem:
    try:
        return (
            LetterItem.objects.filter(letter__in=visible_letters(user).values("pk"))
            .select_related("letter__issuer", "letter__recipient", "department")
            .get(public_id=public_id)
        )
    except (LetterItem.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def letter_list(*, user, year: int | None = None, org: Org | None = None, status: str = ""):
    qs = visible_letters(user).select_related("issuer", "recipient")
    if org is not None:
        qs = qs.filter(
            subtree_q([org.path], field="recipient__path")
            | subtree_q([org.path], field="issuer__path")
        )
    if year:
        qs = qs.filter(year=year)
    if status in Letter.Status.values:
        qs = qs.filter(status=status)
    return qs.annotate(n_items=Count("items")).order_by(
        "-year", "issuer__path", "recipient__path", "id"
    )


def letter_items(letter: Letter) -> list[LetterItem]:
    return list(
        letter.items.select_related("department", "source__letter__issuer").prefetch_related(
            Prefetch(
                "passed_to",
                queryset=LetterItem.objects.select_related("letter__recipient").order_by(
                    "letter__recipient__path"
                ),
            )
        )
    )


def coverage(letter: Letter) -> list[dict]:
    """分级 view of a received letter: per item, whether it is kept or where it went and the
    state of each letter it went into (draft, issued, signed)."""
    rows = []
    for item in letter_items(letter):
        rows.append(
            {
                "item": item,
                "went_to": [
                    {"org": copy.letter.recipient, "letter": copy.letter, "item": copy}
                    for copy in item.passed_to.all()
                ],
            }
        )
    return rows


def issuer_orgs(user) -> list[Org]:
    """Where ``user`` may issue letters and assign tasks: 党委 and 党总支 in write scope."""
    return list(
        Org.objects.filter(permissions.scope_q(user, WRITE), kind__in=Org.COMMITTEE_KINDS).order_by(
            "path"
        )[:200]
    )


def subordinates(org: Org) -> list[Org]:
    """Direct subordinate organisations that exist today (not 党小组)."""
    return [
        child
        for child in Org.objects.get_children(org).exclude(kind=Org.Kind.GROUP).order_by("path")
        if child.is_active
    ]


def signing_summary(letters) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for letter in letters:
        counts[letter.status] += 1
    return dict(counts)
