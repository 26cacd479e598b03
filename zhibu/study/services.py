"""Writes of the study module. Every write validates first and writes nothing on a
refusal (``ValidationError`` with a Chinese message per field)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.core.scope import subtree_q
from zhibu.members.models import Member
from zhibu.orgs.models import Org
from zhibu.study import text
from zhibu.study.models import Article, Course, CourseAttendance, Reading, Related, SelfStudy

HOURS_POSITIVE = _("学时应大于 0。")
COURSE_HOURS_MAX = _("一次课程的学时不能超过 100。")
SELF_HOURS_MAX = _("一天自学的学时不能超过 8。")
FUTURE_STUDY = _("学习日期不能晚于今天。")
COURSE_NOT_HELD = _("课程尚未举办，不能登记参训人员。")
OUTSIDE_MEMBERS = _("以下人员不是本组织在册党员，不能登记参训：%(names)s。")
NO_TEXT = _("正文不能为空。")
NO_TITLE = _("标题不能为空。")
ALREADY_DECIDED = _("该自学记录已认定，不能重复处理。")
REJECT_REASON = _("不予认定时请说明理由。")
NOT_A_MEMBER = _("您的账号没有关联党员信息，不能登记自学。")

COURSE_MAX = Decimal("100")
SELF_MAX = Decimal("8")


def _check_hours(hours: Decimal | None, maximum: Decimal, too_many) -> None:
    if hours is None or hours <= 0:
        raise ValidationError({"hours": HOURS_POSITIVE})
    if hours > maximum:
        raise ValidationError({"hours": too_many})


# --- courses ------------------------------------------------------------------------------------


def course_save(*, org: Org, data: dict, by, course: Course | None = None) -> Course:
    """Create (``course`` None) or update a course from ``data`` (kind, title, on, hours,
    place, lecturer, note). A course with attendance keeps its date inside the past."""
    _check_hours(data.get("hours"), COURSE_MAX, COURSE_HOURS_MAX)
    if not (data.get("title") or "").strip():
        raise ValidationError({"title": NO_TITLE})
    today = timezone.localdate()
    if course is not None and data["on"] > today and course.attendance.exists():
        raise ValidationError({"on": COURSE_NOT_HELD})
    with transaction.atomic():
        if course is None:
            course = Course(org=org, created_by=by)
        for field in ("kind", "on", "hours"):
            setattr(course, field, data[field])
        for field in ("title", "place", "lecturer", "note"):
            setattr(course, field, (data.get(field) or "").strip())
        course.save()
        # Attendees are credited the course's hours (kept in step when the hours change).
        course.attendance.update(hours=course.hours)
    return course


def eligible_members(course: Course):
    """Members on the roll of the course's org subtree who may be recorded as attendees."""
    return Member.objects.filter(
        subtree_q([course.org.path], "org__path"),
        status__in=(Member.Status.FULL, Member.Status.PROBATIONARY),
    )


def attendance_set(*, course: Course, member_ids: Iterable[int], today: date | None = None) -> int:
    """Replace the course's attendees with ``member_ids``; refuses members outside the
    org's roll and a course not yet held. Returns the number recorded."""
    today = today or timezone.localdate()
    wanted = set(member_ids)
    if wanted and course.on > today:
        raise ValidationError({"members": COURSE_NOT_HELD})
    allowed = set(eligible_members(course).filter(pk__in=wanted).values_list("pk", flat=True))
    outside = wanted - allowed
    if outside:
        names = "、".join(
            Member.objects.filter(pk__in=outside).order_by("name").values_list("name", flat=True)
        ) or "、".join(str(i) for i in sorted(outside))
        raise ValidationError({"members": OUTSIDE_MEMBERS % {"names": names}})
    with transaction.atomic():
        course.attendance.exclude(member__in=wanted).delete()
        have = set(course.attendance.values_list("member", flat=True))
        CourseAttendance.objects.bulk_create(
            CourseAttendance(course=course, member_id=m, hours=course.hours)
            for m in sorted(wanted - have)
        )
        course.save(update_fields=["updated_at"])  # a new version for the next edit
    return len(wanted)


# --- self-study ---------------------------------------------------------------------------------


def self_study_submit(
    *,
    member: Member | None,
    on: date,
    title: str,
    hours: Decimal,
    note: str = "",
    today: date | None = None,
) -> SelfStudy:
    today = today or timezone.localdate()
    if member is None:
        raise ValidationError(NOT_A_MEMBER)
    if on is None or on > today:
        raise ValidationError({"on": FUTURE_STUDY})
    _check_hours(hours, SELF_MAX, SELF_HOURS_MAX)
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写学习内容。")})
    return SelfStudy.objects.create(
        member=member, org=member.org, on=on, title=title.strip(), hours=hours, note=note
    )


def self_study_decide(*, record: SelfStudy, approve: bool, reason: str, by) -> SelfStudy:
    if record.status != SelfStudy.Status.PENDING:
        raise ValidationError(ALREADY_DECIDED)
    if not approve and not reason.strip():
        raise ValidationError({"reason": REJECT_REASON})
    record.status = SelfStudy.Status.APPROVED if approve else SelfStudy.Status.REJECTED
    record.reason = reason.strip()[:200]
    record.decided_by = by
    record.decided_at = timezone.now()
    record.save()
    return record


# --- library ------------------------------------------------------------------------------------


def article_save(*, org: Org, data: dict, by, article: Article | None = None) -> Article:
    """Create or update an article. Keywords: the editor's (``keywords`` as typed), else
    extracted with jieba. Then the 相关阅读 of the whole library of ``org``'s tree are
    recomputed and stored."""
    title = (data.get("title") or "").strip()
    body = (data.get("body") or "").strip()
    errors = {}
    if not title:
        errors["title"] = NO_TITLE
    if not body:
        errors["body"] = NO_TEXT
    if errors:
        raise ValidationError(errors)
    keywords = text.split_keywords(data.get("keywords", ""))
    auto = not keywords
    if auto:
        keywords = text.extract_keywords(title, body)
    with transaction.atomic():
        if article is None:
            article = Article(org=org, created_by=by)
        article.title = title
        article.body = body
        article.source = (data.get("source") or "").strip()
        article.published_on = data.get("published_on") or timezone.localdate()
        article.topic = data.get("topic") or Article.Topic.OTHER
        article.keywords = keywords
        article.keywords_auto = auto
        article.search_text = " ".join([title, " ".join(keywords), body]).lower()
        article.terms = text.term_counts(title, body, keywords)
        article.save()
        related_refresh(article.org.path[:4])
    return article


def related_refresh(root_path: str) -> int:
    """Recompute and store the 相关阅读 of every article in the tree under ``root_path``
    (a library is a few hundred articles: one pass of pairwise cosine). Returns rows written."""
    rows = list(
        Article.objects.filter(subtree_q([root_path], "org__path")).values_list(
            "pk", "terms", "keywords"
        )
    )
    found = text.related({pk: (terms or {}, kw or []) for pk, terms, kw in rows})
    ids = [pk for pk, _t, _k in rows]
    Related.objects.filter(article__in=ids).delete()
    objs = [
        Related(article_id=a, other_id=b, score=score, shared=shared)
        for a, items in found.items()
        for b, score, shared in items
    ]
    Related.objects.bulk_create(objs)
    return len(objs)


def reading_note(*, user, article: Article, today: date | None = None) -> None:
    """Remember that ``user`` opened ``article`` (first and last day only)."""
    today = today or timezone.localdate()
    updated = Reading.objects.filter(user=user, article=article).update(last_on=today)
    if not updated:
        Reading.objects.get_or_create(
            user=user, article=article, defaults={"first_on": today, "last_on": today}
        )
