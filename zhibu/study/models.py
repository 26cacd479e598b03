"""学习教育: courses with attendance, self-study the branch approves, the study library
(articles with keywords and stored 相关阅读) and each member's own reading history.

学时 come from three sources, summed in one place (``zhibu.study.selectors.hours``):
meetings (``meetings.Attendance.study_hours``), courses attended (``CourseAttendance``)
and approved self-study (``SelfStudy``). EDU-01/02 read that sum.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.models import PublicIdModel, TimeStampedModel


class Course(PublicIdModel, TimeStampedModel):
    """A course or study activity an org holds, with the 学时 it credits each attendee."""

    class Kind(models.TextChoices):
        CENTRAL = "central", _("集中培训")
        LECTURE = "lecture", _("党课")
        SEMINAR = "seminar", _("专题辅导")
        ONLINE = "online", _("网络学习")
        SELF = "self", _("自学")

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("举办组织"), on_delete=models.PROTECT, related_name="courses"
    )
    kind = models.CharField(_("形式"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("名称"), max_length=120)
    on = models.DateField(_("日期"), db_index=True)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    lecturer = models.CharField(_("授课人"), max_length=50, blank=True)
    note = models.TextField(_("内容摘要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.title


class CourseAttendance(models.Model):
    """A member who attended a course, credited the course's 学时 (or fewer, when they
    attended part of it)."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="course_attendance"
    )
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")
        constraints = [
            models.UniqueConstraint(fields=["course", "member"], name="course_attendance_once")
        ]
        indexes = [models.Index(fields=["member", "course"], name="course_attendance_member")]

    def __str__(self) -> str:
        return f"{self.course_id}:{self.member_id}"


class SelfStudy(PublicIdModel, TimeStampedModel):
    """Self-study a member reports; it counts once the branch approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待认定")
        APPROVED = "approved", _("已认定")
        REJECTED = "rejected", _("未认定")

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="self_study"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+"
    )
    on = models.DateField(_("学习日期"), db_index=True)
    title = models.CharField(_("学习内容"), max_length=120)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)
    note = models.TextField(_("心得摘要"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("自学记录")
        verbose_name_plural = _("自学记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["member", "status", "on"], name="self_study_member")]


class Article(PublicIdModel, TimeStampedModel):
    """A study-library article or document. ``keywords`` are the editor's, or extracted
    with jieba when none are given (``keywords_auto``); ``terms`` are its jieba tokens with
    counts, kept for the 相关阅读 computed when any article of the library is saved."""

    class Topic(models.TextChoices):
        HISTORY = "history", _("党史学习教育")
        TWO_STUDIES = "two_studies", _("两学一做")
        THEME = "theme", _("主题教育")
        CONSTITUTION = "constitution", _("党章党规")
        THEORY = "theory", _("理论学习")
        OTHER = "other", _("其他")

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("发布组织"), on_delete=models.PROTECT, related_name="articles"
    )
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("正文"))
    source = models.CharField(_("来源"), max_length=100, blank=True)
    published_on = models.DateField(_("发布日期"))
    topic = models.CharField(_("专题"), max_length=16, choices=Topic.choices)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    keywords_auto = models.BooleanField(_("自动提取关键词"), default=False)
    # Lower-cased title, keywords and body for search on every engine (icontains).
    search_text = models.TextField(editable=False, default="")
    terms = models.JSONField(editable=False, default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "terms", "search_text"])

    class Meta:
        verbose_name = _("学习资料")
        verbose_name_plural = _("学习资料")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Related(models.Model):
    """One stored 相关阅读 entry: ``other`` is related to ``article`` with ``score``."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="related_rows")
    other = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    shared = models.JSONField(default=list)  # the keywords both share

    class Meta:
        ordering = ["-score", "other_id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "other"], name="study_related_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id}→{self.other_id}"


class Reading(models.Model):
    """That a user opened an article, for their own history only: first and last day,
    never time spent, never compared with others (RESP-06)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_readings"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    first_on = models.DateField(_("首次阅读"))
    last_on = models.DateField(_("最近阅读"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="study_reading_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.article_id}"
