"""述职评议 (RESP-03) and 三诺一评 (EDU-04).

A secretary review: every year the committee directly above an organisation (its
``organiser``) reviews how the organisation's secretary carried out 抓基层党建: the
secretary's report, the evaluation meeting, each listed evaluator's grade (好/较好/一般/差),
the tally with its resulting grade (a local threshold, RESP-03's parameters), the
organising secretary's 点评, and a rectification list that goes into the duties loop.

A promise: a member's yearly 承诺, its 践诺 notes through the year, and the 评诺 the branch
records at its 民主评议 (linked to the branch's ``meetings.Review`` of that year).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.models import PublicIdModel, TimeStampedModel


class Grade(models.TextChoices):
    """RESP-03's four grades (L), best first: the tally walks them in this order."""

    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


GRADE_ORDER = [Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR]


class SecretaryReview(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("评议中")
        FINISHED = "finished", _("已评定")

    organiser = models.ForeignKey(
        "orgs.Org", verbose_name=_("组织评议的党组织"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("述职的党组织"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("述职年度"))
    # The secretary is the holder of the org's 书记 post on the day the review was opened.
    secretary = models.ForeignKey(
        "members.Member", verbose_name=_("述职书记"), on_delete=models.PROTECT, related_name="+"
    )
    report = models.TextField(_("述职报告"))
    meeting_on = models.DateField(_("评议会日期"), null=True, blank=True)
    meeting_place = models.CharField(_("评议会地点"), max_length=200, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("评议会会议记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    remarks = models.TextField(_("点评意见"), blank=True)
    remarked_on = models.DateField(_("点评日期"), null=True, blank=True)
    remarked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    tally = models.JSONField(_("测评统计"), default=dict, blank=True)
    result = models.CharField(_("评定等次"), max_length=12, choices=Grade.choices, blank=True)
    finished_on = models.DateField(_("评定日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("述职评议")
        verbose_name_plural = _("述职评议")
        ordering = ["-year", "organiser", "org"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="secretary_review_one_per_year")
        ]
        indexes = [models.Index(fields=["year", "organiser"], name="secretary_review_organiser")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}年度书记述职评议"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class Evaluator(PublicIdModel, TimeStampedModel):
    """One evaluator on the organiser's list and, once given, their grade (once only)."""

    review = models.ForeignKey(SecretaryReview, on_delete=models.CASCADE, related_name="evaluators")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("评议人"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(_("评价等次"), max_length=12, choices=Grade.choices, blank=True)
    comment = models.TextField(_("评价意见"), blank=True)
    graded_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("评议人")
        verbose_name_plural = _("评议人")
        ordering = ["review", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="evaluator_once_per_review")
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.member_id} {self.grade}"


class Promise(PublicIdModel, TimeStampedModel):
    """A member's 承诺 for one year, and the branch's 评诺 on it (EDU-04)."""

    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    text = models.TextField(_("承诺内容"))
    evaluation = models.CharField(_("评诺等次"), max_length=12, choices=Grade.choices, blank=True)
    evaluation_note = models.TextField(_("评诺意见"), blank=True)
    evaluated_on = models.DateField(_("评诺日期"), null=True, blank=True)
    member_review = models.ForeignKey(
        "meetings.Review",
        verbose_name=_("民主评议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("承诺")
        verbose_name_plural = _("承诺")
        ordering = ["-year", "org", "member"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="promise_one_per_year"),
            models.CheckConstraint(
                condition=Q(evaluation="") | Q(evaluated_on__isnull=False),
                name="promise_evaluation_dated",
            ),
        ]
        indexes = [models.Index(fields=["org", "year"], name="promise_org_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.text[:30]}"


class PromiseNote(PublicIdModel):
    """践诺: what the member did to keep the promise, noted during the year."""

    promise = models.ForeignKey(Promise, on_delete=models.CASCADE, related_name="notes")
    on = models.DateField(_("日期"))
    text = models.TextField(_("践诺情况"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("践诺记录")
        verbose_name_plural = _("践诺记录")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.text[:30]}"
