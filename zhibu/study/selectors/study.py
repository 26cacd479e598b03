"""Scoped reads of the study module: courses and self-study seen by whoever may view the
org's organisational life (``meeting.view``), managed with ``study.manage``; the library
seen by the orgs at or above a user's own and in their scope; the 学时 ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from zhibu.accounts import permissions
from zhibu.core.scope import ancestor_paths, subtree_q
from zhibu.meetings.models import MeetingKindRow
from zhibu.members.models import Member
from zhibu.members.selectors import political_birthdays, spans_on
from zhibu.orgs.models import Org
from zhibu.study.models import Article, Course, Reading, SelfStudy
from zhibu.study.selectors.hours import hours_by_source

VIEW, MANAGE = "meeting.view", "study.manage"
ON_ROLL = (Member.Status.FULL, Member.Status.PROBATIONARY)
EDU01_HOURS = 32  # the national default of EDU-01 shown to members (the rule's parameter)
EDU02_HOURS = 56


def own_member(user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user).select_related("org").first()


# --- courses ------------------------------------------------------------------------------------


def visible_courses(user) -> QuerySet[Course]:
    return Course.objects.filter(permissions.scope_q(user, VIEW, field="org__path"))


def course_for_user(user, public_id, *, action: str = VIEW) -> Course:
    try:
        course = visible_courses(user).select_related("org").get(public_id=public_id)
    except (Course.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if action != VIEW and not permissions.can(user, action, course.org):
        raise PermissionDenied
    return course


def course_list(user, *, year: int | None = None) -> QuerySet[Course]:
    qs = visible_courses(user).select_related("org").annotate(n=Count("attendance"))
    if year:
        qs = qs.filter(on__year=year)
    return qs.order_by("-on", "-id")


# --- self-study ---------------------------------------------------------------------------------


def pending_self_study(user) -> QuerySet[SelfStudy]:
    return (
        SelfStudy.objects.filter(
            permissions.scope_q(user, MANAGE, field="org__path"),
            status=SelfStudy.Status.PENDING,
        )
        .select_related("member", "org")
        .order_by("on", "id")
    )


def self_study_for_user(user, public_id, *, action: str = MANAGE) -> SelfStudy:
    try:
        return (
            SelfStudy.objects.filter(permissions.scope_q(user, action, field="org__path"))
            .select_related("member", "org")
            .get(public_id=public_id)
        )
    except (SelfStudy.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


# --- library ------------------------------------------------------------------------------------


def visible_articles(user) -> QuerySet[Article]:
    """Articles of orgs in the user's scope, and of the orgs at or above their own org and
    the orgs of their scope (a branch reads what its 党委 publishes)."""
    member = own_member(user)
    scoped = permissions.scope_paths(user, VIEW)
    if scoped == [permissions.ALL_ORGS]:
        return Article.objects.all()
    above: set[str] = set()
    for path in [*scoped, *([member.org.path] if member else [])]:
        above.update(ancestor_paths(path, include_self=True))
    return Article.objects.filter(
        permissions.scope_q(user, VIEW, field="org__path") | Q(org__path__in=sorted(above))
    )


def article_for_user(user, public_id, *, action: str = "") -> Article:
    try:
        article = visible_articles(user).select_related("org").get(public_id=public_id)
    except (Article.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if action and not permissions.can(user, action, article.org):
        raise PermissionDenied
    return article


def article_search(user, *, q: str = "", topic: str = "") -> QuerySet[Article]:
    """Title, keywords and body contain every word of ``q`` (case-insensitive on every
    engine: ``search_text`` is stored lower-cased)."""
    qs = visible_articles(user).select_related("org")
    if topic:
        qs = qs.filter(topic=topic)
    for word in (q or "").lower().split()[:5]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("-published_on", "-id")


def related_of(user, article: Article, limit: int = 5) -> list[tuple[Article, list[str]]]:
    """The stored 相关阅读 the user may see, best first."""
    rows = list(article.related_rows.values_list("other", "shared")[: limit * 2])
    by_id = visible_articles(user).in_bulk([r[0] for r in rows])
    return [(by_id[o], shared) for o, shared in rows if o in by_id][:limit]


def my_readings(user, limit: int = 20):
    return (
        Reading.objects.filter(user=user)
        .select_related("article")
        .order_by("-last_on", "-id")[:limit]
    )


# --- 学时 ledger --------------------------------------------------------------------------------


@dataclass
class LedgerLine:
    member: Member
    org_name: str
    meetings: Decimal = Decimal("0")
    courses: Decimal = Decimal("0")
    self_study: Decimal = Decimal("0")
    frail: bool = False
    required: int = EDU01_HOURS
    parts: dict = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.meetings + self.courses + self.self_study

    @property
    def met(self) -> bool:
        return self.frail or self.total >= self.required


def ledger(org: Org, year: int, today: date) -> list[LedgerLine]:
    """Each member on the roll of ``org``'s subtree (on the year's last day, or today while
    it runs) with their 学时 by source: four queries whatever the size."""
    on = min(date(year, 12, 31), today)
    spans = spans_on(on, statuses=ON_ROLL).filter(subtree_q([org.path], "org__path"))
    members = list(
        Member.objects.filter(pk__in=spans.values("member"))
        .select_related("org")
        .order_by("org__path", "name", "id")
    )
    hours = hours_by_source(
        date(year, 1, 1),
        date(year + 1, 1, 1),
        None if len(members) > 900 else [m.pk for m in members],
    )
    lines = []
    for m in members:
        parts = hours.get(m.pk, {})
        lines.append(
            LedgerLine(
                member=m,
                org_name=m.org.name,
                meetings=parts.get("meetings", Decimal("0")),
                courses=parts.get("courses", Decimal("0")),
                self_study=parts.get("self_study", Decimal("0")),
                frail=m.frail_exempt,
            )
        )
    return lines


def member_progress(member: Member, year: int) -> dict:
    """The member's own 学时 this year by source and against EDU-01's 32."""
    parts = hours_by_source(date(year, 1, 1), date(year + 1, 1, 1), [member.pk]).get(member.pk, {})
    total = sum(parts.values(), Decimal("0"))
    return {
        "year": year,
        "meetings": parts.get("meetings", Decimal("0")),
        "courses": parts.get("courses", Decimal("0")),
        "self_study": parts.get("self_study", Decimal("0")),
        "total": total,
        "required": EDU01_HOURS,
        "percent": min(100, int(total * 100 / EDU01_HOURS)),
        "exempt": member.frail_exempt,
    }


# --- 政治生日 -----------------------------------------------------------------------------------


def birthdays(user, org: Org, year: int, month: int) -> list[dict]:
    """The month's 政治生日 of ``org``'s members (``members.selectors.political_birthdays``,
    the one definition, empty without ``member.view``), each with the month's 主题党日 of the
    member's branch (if one is planned or held) where the 入党誓词 may be renewed."""
    found = political_birthdays(user=user, org=org, year=year, month=month)
    if not found:
        return []
    days = list(
        MeetingKindRow.objects.filter(
            subtree_q([org.path], "org__path"), kind="theme_day", on__year=year, on__month=month
        ).values_list("org", "on", "meeting__public_id")
    )
    theme: dict[int, tuple[date, object]] = {}
    for org_id, day, public_id in sorted(days, key=lambda d: d[1]):
        theme.setdefault(org_id, (day, public_id))
    return [
        {"member": b.member, "day": b.on, "years": b.years, "theme_day": theme.get(b.member.org_id)}
        for b in found
    ]
