"""/api/v1/courses, /api/v1/study-records and /api/v1/articles: the study pages' services
with the API's scoping (out of scope: 404) and version rules (a stale version: 409)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from ninja import Field, Query, Router, Status
from pydantic import StringConstraints

from zhibu.api.errors import ApiError, check_version, require_anywhere
from zhibu.api.pagination import page
from zhibu.api.schemas import ERRORS, Filters, In, Record, Schema, page_of
from zhibu.members.selectors import visible_members
from zhibu.orgs.selectors import org_for_user
from zhibu.study import services
from zhibu.study.models import Article, Course
from zhibu.study.selectors import study as sel
from zhibu.study.selectors.study import MANAGE, VIEW

courses_router = Router(tags=["study"])
records_router = Router(tags=["study"])
articles_router = Router(tags=["study"])


# --- courses ------------------------------------------------------------------------------------


class CourseOut(Record):
    id: UUID
    org_id: UUID
    kind: Course.Kind
    title: str
    on: date
    hours: Decimal
    place: str
    lecturer: str
    note: str
    attendees: list[UUID]
    version: str

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_attendees(obj):
        return sorted(obj.attendance.values_list("member__public_id", flat=True), key=str)

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


CoursePage = page_of(CourseOut)


class CourseFilters(Filters):
    year: int | None = Field(None, ge=2000, le=2100)
    cursor: str | None = None
    limit: int = 50


Hours = Field(..., max_digits=5, decimal_places=1, allow_inf_nan=False)


class CourseIn(In):
    org: UUID
    kind: Course.Kind
    title: str = Field(..., max_length=120)
    on: date
    hours: Decimal = Hours
    place: str = Field("", max_length=100)
    lecturer: str = Field("", max_length=50)
    note: str = Field("", max_length=5000)


class CoursePatch(In):
    kind: Course.Kind | None = None
    title: str | None = Field(None, max_length=120)
    on: date | None = None
    hours: Decimal | None = Field(None, max_digits=5, decimal_places=1, allow_inf_nan=False)
    place: str | None = Field(None, max_length=100)
    lecturer: str | None = Field(None, max_length=50)
    note: str | None = Field(None, max_length=5000)
    version: str | None = Field(None, description="乐观锁版本")


class AttendanceIn(In):
    members: list[UUID]
    version: str | None = Field(None, description="课程的版本")


@courses_router.get("", response={200: CoursePage, **ERRORS}, summary="课程与学习活动")
def list_courses(request, filters: Query[CourseFilters]):
    require_anywhere(request.user, VIEW)
    qs = sel.visible_courses(request.user).select_related("org")
    if filters.year:
        qs = qs.filter(on__year=filters.year)
    items, cursor = page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@courses_router.post("", response={201: CourseOut, **ERRORS}, summary="登记课程")
def create_course(request, payload: CourseIn):
    require_anywhere(request.user, MANAGE)
    org = org_for_user(request.user, payload.org, action=MANAGE)
    course = services.course_save(org=org, data=payload.dict(exclude={"org"}), by=request.user)
    return Status(201, course)


@courses_router.get("/{course_id}", response={200: CourseOut, **ERRORS}, summary="课程详情")
def get_course(request, course_id: UUID):
    require_anywhere(request.user, VIEW)
    return sel.course_for_user(request.user, course_id)


@courses_router.patch(
    "/{course_id}", response={200: CourseOut, **ERRORS}, summary="修改课程（乐观锁）"
)
def update_course(request, course_id: UUID, payload: CoursePatch):
    require_anywhere(request.user, MANAGE)
    course = sel.course_for_user(request.user, course_id, action=MANAGE)
    with transaction.atomic():
        course = Course.objects.select_for_update().select_related("org").get(pk=course.pk)
        check_version(request, course, payload.version)
        data = {
            f: getattr(course, f)
            for f in ("kind", "title", "on", "hours", "place", "lecturer", "note")
        }
        data.update(payload.dict(exclude={"version"}, exclude_none=True))
        services.course_save(org=course.org, data=data, by=request.user, course=course)
    return sel.course_for_user(request.user, course_id)


@courses_router.put(
    "/{course_id}/attendance", response={200: CourseOut, **ERRORS}, summary="登记参训人员（乐观锁）"
)
def set_attendance(request, course_id: UUID, payload: AttendanceIn):
    require_anywhere(request.user, MANAGE)
    course = sel.course_for_user(request.user, course_id, action=MANAGE)
    # Members the user cannot see are not found (404); visible members outside the
    # course's org are refused by the service (422).
    found = dict(
        visible_members(request.user)
        .filter(public_id__in=payload.members)
        .values_list("public_id", "pk")
    )
    if len(found) != len(set(payload.members)):
        raise ApiError(404)
    with transaction.atomic():
        course = Course.objects.select_for_update().select_related("org").get(pk=course.pk)
        check_version(request, course, payload.version)
        services.attendance_set(course=course, member_ids=found.values())
    return sel.course_for_user(request.user, course_id)


# --- study records (the 学时 ledger) -----------------------------------------------------------


class StudyRecordOut(Schema):
    member_id: UUID
    name: str
    org: str
    year: int
    meetings: Decimal
    courses: Decimal
    self_study: Decimal
    total: Decimal
    required: int | None = Field(..., description="应学学时；免予要求时为 null（EDU-05）")
    met: bool


class RecordFilters(Filters):
    org: UUID
    year: int | None = Field(None, ge=2000, le=2100)


@records_router.get(
    "", response={200: list[StudyRecordOut], **ERRORS}, summary="学时台账（组织及其下级）"
)
def list_records(request, filters: Query[RecordFilters]):
    require_anywhere(request.user, VIEW)
    org = org_for_user(request.user, filters.org, action=VIEW)
    today = timezone.localdate()
    year = filters.year or today.year
    return [
        {
            "member_id": line.member.public_id,
            "name": line.member.name,
            "org": line.org_name,
            "year": year,
            "meetings": line.meetings,
            "courses": line.courses,
            "self_study": line.self_study,
            "total": line.total,
            "required": None if line.frail else line.required,
            "met": line.met,
        }
        for line in sel.ledger(org, year, today)
    ]


# --- library ------------------------------------------------------------------------------------


class RelatedOut(Schema):
    id: UUID
    title: str
    shared_keywords: list[str]


class ArticleOut(Record):
    id: UUID
    org_id: UUID
    title: str
    topic: Article.Topic
    source: str
    published_on: date
    keywords: list[str]
    keywords_auto: bool
    body: str
    version: str

    @staticmethod
    def resolve_org_id(obj):
        return obj.org.public_id

    @staticmethod
    def resolve_version(obj):
        return obj.updated_at.isoformat()


class ArticleDetailOut(ArticleOut):
    related: list[RelatedOut]


ArticlePage = page_of(ArticleOut)


class ArticleFilters(Filters):
    q: str = ""
    topic: Article.Topic | None = None
    cursor: str | None = None
    limit: int = 50


Keywords = list[Annotated[str, StringConstraints(max_length=20)]]


class ArticleIn(In):
    org: UUID
    title: str = Field(..., max_length=120)
    topic: Article.Topic
    body: str = Field(..., max_length=50000)
    source: str = Field("", max_length=100)
    published_on: date | None = None
    keywords: Keywords = Field([], max_length=10, description="不填时自动提取")


class ArticlePatch(In):
    title: str | None = Field(None, max_length=120)
    topic: Article.Topic | None = None
    body: str | None = Field(None, max_length=50000)
    source: str | None = Field(None, max_length=100)
    published_on: date | None = None
    keywords: Keywords | None = Field(None, max_length=10, description="[] 表示改为自动提取")
    version: str | None = Field(None, description="乐观锁版本")


def _detail(request, article_id):
    article = sel.article_for_user(request.user, article_id)
    article.related = [
        {"id": other.public_id, "title": other.title, "shared_keywords": shared}
        for other, shared in sel.related_of(request.user, article)
    ]
    return article


@articles_router.get("", response={200: ArticlePage, **ERRORS}, summary="学习资料库（检索）")
def list_articles(request, filters: Query[ArticleFilters]):
    qs = sel.article_search(request.user, q=filters.q[:50], topic=filters.topic or "")
    items, cursor = page(qs.order_by(), cursor=filters.cursor, limit=filters.limit)
    return {"items": items, "next_cursor": cursor}


@articles_router.post("", response={201: ArticleDetailOut, **ERRORS}, summary="发布学习资料")
def create_article(request, payload: ArticleIn):
    require_anywhere(request.user, MANAGE)
    org = org_for_user(request.user, payload.org, action=MANAGE)
    data = payload.dict(exclude={"org"})
    data["keywords"] = "、".join(data["keywords"])
    article = services.article_save(org=org, data=data, by=request.user)
    return Status(201, _detail(request, article.public_id))


@articles_router.get(
    "/{article_id}", response={200: ArticleDetailOut, **ERRORS}, summary="资料详情与相关阅读"
)
def get_article(request, article_id: UUID):
    return _detail(request, article_id)


@articles_router.patch(
    "/{article_id}", response={200: ArticleDetailOut, **ERRORS}, summary="修改学习资料（乐观锁）"
)
def update_article(request, article_id: UUID, payload: ArticlePatch):
    require_anywhere(request.user, MANAGE)
    article = sel.article_for_user(request.user, article_id, action=MANAGE)
    with transaction.atomic():
        article = Article.objects.select_for_update().select_related("org").get(pk=article.pk)
        check_version(request, article, payload.version)
        data = {
            "title": article.title,
            "topic": article.topic,
            "body": article.body,
            "source": article.source,
            "published_on": article.published_on,
            "keywords": "" if article.keywords_auto else "、".join(article.keywords),
        }
        changes = payload.dict(exclude={"version"}, exclude_none=True)
        if "keywords" in changes:
            changes["keywords"] = "、".join(changes["keywords"])
        data.update(changes)
        services.article_save(org=article.org, data=data, by=request.user, article=article)
    return _detail(request, article_id)
