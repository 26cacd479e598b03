"""Organisational life: meetings (三会一课, 主题党日, 组织生活会 ...), their attendance, votes
and attachments; 谈心谈话; 民主评议党员 with 限期改正; per-org settings and feed tokens.

A meeting may count as several kinds (a 主题党日 held as a 支部党员大会 with a 党课). The
kinds are kept on the meeting (``Meeting.kinds``) and, derived from them by the services,
as one ``MeetingKindRow`` per kind carrying the org, the date and whether the meeting was
held: the rulebook counts "meetings of kind K per org in a period" for a whole subtree
with one indexed aggregate over that table.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.models import PublicIdModel, TimeStampedModel

DEFAULT_LOCK_DAYS = 7
DEFAULT_THEME_DAY = 15
DEFAULT_COMMITTEE_DAY = 5
DEFAULT_GROUP_DAY = 20
# MTG-09 grades (地方/单位规定); the last one opens a 限期改正 (MBR-07).
DEFAULT_REVIEW_GRADES = ["优秀", "合格", "基本合格", "不合格"]


class MeetingKind(models.TextChoices):
    """Stable codes: findings, exports and the API speak in these, never in labels."""

    BRANCH_ASSEMBLY = "branch_assembly", _("支部党员大会")
    BRANCH_COMMITTEE = "branch_committee", _("支部委员会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    LEADERSHIP_LIFE_MEETING = "leadership_life_meeting", _("民主生活会")
    MEMBER_REVIEW = "member_review", _("民主评议党员")
    OTHER = "other", _("其他")


# Kinds reviewing a whole year (often held early the next year): they carry ``covers_year``.
YEARLY_KINDS = frozenset({MeetingKind.LIFE_MEETING, MeetingKind.MEMBER_REVIEW})


class MeetingSettings(TimeStampedModel):
    """Organisational-life settings of an org; an org without a row inherits its nearest
    ancestor's, then the defaults (see ``selectors.effective_settings``)."""

    org = models.OneToOneField(
        "orgs.Org",
        verbose_name=_("党组织"),
        on_delete=models.CASCADE,
        related_name="meeting_settings",
    )
    theme_day = models.PositiveSmallIntegerField(
        _("主题党日固定日"),
        null=True,
        blank=True,
        help_text=_("每月几日；遇节假日顺延至下一个工作日"),
    )
    committee_day = models.PositiveSmallIntegerField(_("支委会固定日"), null=True, blank=True)
    group_day = models.PositiveSmallIntegerField(_("党小组会固定日"), null=True, blank=True)
    lock_days = models.PositiveSmallIntegerField(
        _("记录锁定天数"),
        null=True,
        blank=True,
        help_text=_("会议召开后满该天数，记录锁定；之后修改须说明理由"),
    )
    review_grades = models.JSONField(_("民主评议等次"), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("组织生活设置")
        verbose_name_plural = _("组织生活设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(theme_day__isnull=True) | Q(theme_day__gte=1, theme_day__lte=31),
                name="meeting_settings_theme_day_in_month",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org} 组织生活设置"


class Meeting(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("计划")
        NOTICED = "noticed", _("已通知")
        HELD = "held", _("已召开（待完善记录）")
        RECORDED = "recorded", _("已记录")
        CANCELLED = "cancelled", _("已取消")

    HELD_STATUSES = frozenset({Status.HELD, Status.RECORDED})
    UPCOMING_STATUSES = frozenset({Status.PLANNED, Status.NOTICED})

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="meetings"
    )
    title = models.CharField(_("会议名称"), max_length=200)
    kinds = models.JSONField(_("会议类型"), default=list)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    on = models.DateField(_("会议日期"))
    starts_at = models.TimeField(_("开始时间"), null=True, blank=True)
    ends_at = models.TimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    host = models.ForeignKey(
        "members.Member",
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorder = models.ForeignKey(
        "members.Member",
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lecturer = models.ForeignKey(
        "members.Member",
        verbose_name=_("党课主讲人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    topics = models.TextField(_("议题"), blank=True, help_text=_("每行一个议题"))
    notice = models.TextField(_("会议通知"), blank=True)
    noticed_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    minutes = models.TextField(_("会议记录"), blank=True)
    decisions_text = models.TextField(_("决定事项"), blank=True)
    tags = models.JSONField(_("标签"), default=list, blank=True)
    study_hours = models.DecimalField(
        _("学时"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        help_text=_("计入每名出席党员的学时"),
    )
    covers_year = models.PositiveSmallIntegerField(
        _("所属年度"), null=True, blank=True, help_text=_("组织生活会、民主评议所评年度")
    )
    plan_year = models.PositiveSmallIntegerField(_("年度计划"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("录入时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-on", "-starts_at", "-id"]
        indexes = [
            models.Index(fields=["org", "on"], name="meeting_org_on"),
            models.Index(fields=["status", "on"], name="meeting_status_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(study_hours__gte=0), name="meeting_study_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.title}"

    @property
    def is_held(self) -> bool:
        return self.status in self.HELD_STATUSES

    @property
    def kind_labels(self) -> list[str]:
        return [str(MeetingKind(k).label) for k in self.kinds if k in MeetingKind.values]

    def locks_on(self, lock_days: int) -> date:
        """The first day on which the record is locked: ``lock_days`` days after the meeting,
        or after its first entry when it was entered late (补录, visible as such)."""
        start = self.on
        if self.recorded_at is not None:
            start = max(start, timezone.localdate(self.recorded_at))
        return start + timedelta(days=lock_days + 1)

    def is_locked(self, lock_days: int, today: date) -> bool:
        return self.is_held and today >= self.locks_on(lock_days)

    @property
    def backfilled_days(self) -> int | None:
        """Days between the meeting and the first entry of its record (补录 when large)."""
        if self.recorded_at is None:
            return None
        return (timezone.localdate(self.recorded_at) - self.on).days


class MeetingKindRow(models.Model):
    """Derived: one row per kind a meeting counts as (kept in step by the services)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="kind_rows")
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    on = models.DateField()
    held = models.BooleanField(default=False)
    covers_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind"], name="meeting_kind_row_unique")
        ]
        indexes = [
            # "held meetings of kind K in [start, end) at these orgs", grouped by org.
            models.Index(
                fields=["kind", "on", "org"], condition=Q(held=True), name="meeting_kind_held"
            ),
            models.Index(fields=["org", "kind", "on"], name="meeting_kind_org"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}@{self.org_id} {self.on}"


class Attendance(models.Model):
    """One roster member at one meeting: present, on leave (with reason) or absent."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        LEAVE = "leave", _("请假")
        ABSENT = "absent", _("缺席")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    status = models.CharField(_("出席情况"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    study_hours = models.DecimalField(
        _("学时"), max_digits=4, decimal_places=1, default=Decimal("0")
    )
    leave_requested_at = models.DateTimeField(_("请假申请时间"), null=True, blank=True)
    # The meeting's date, kept with the row so PostgreSQL partitions attendance by year
    # (zhibu.meetings.held_on): set on save, moved with the meeting by a trigger.
    held_on = models.DateField(_("会议日期"), editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique_member")
        ]
        indexes = [
            models.Index(fields=["member", "status"], name="attendance_member_status"),
            # Covers a meeting's rows for the rules (who was present, their 学时) without
            # reading the table: EDU-01/02's yearly sums (which also name held_on, so that
            # PostgreSQL reads one year's partition) and DQ-05's roll check.
            models.Index(
                fields=["meeting", "status", "member", "study_hours", "held_on"],
                name="attendance_meeting_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.meeting_id} {self.status}"

    def save(self, *args, **kwargs) -> None:
        fields = kwargs.get("update_fields")
        if fields is None or "held_on" in fields:
            meeting = self._state.fields_cache.get("meeting")
            if meeting is not None and meeting.pk == self.meeting_id:
                self.held_on = meeting.on
            else:
                self.held_on = Meeting.objects.values_list("on", flat=True).get(pk=self.meeting_id)
        super().save(*args, **kwargs)

    @staticmethod
    def held_between(start: date, end: date) -> Q:
        """Rows of meetings held on a day in [start, end). The day is named twice: on the
        meeting, and on the row's copy (``held_on``), so that PostgreSQL reads only those
        years' attendance partitions (docs/scaling.md) and SQLite's covering index has it."""
        return Q(meeting__on__gte=start, meeting__on__lt=end, held_on__gte=start, held_on__lt=end)


class Guest(models.Model):
    """Someone attending from outside the roster: a linked leader, a cadre in 双重组织生活."""

    class Role(models.TextChoices):
        HIGHER_LEADER = "higher_leader", _("上级党组织联系领导")
        DUAL_LIFE = "dual_life", _("双重组织生活领导干部")
        OTHER = "other", _("其他列席人员")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("身份"), max_length=20, choices=Role.choices, default=Role.OTHER)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("列席人员")
        verbose_name_plural = _("列席人员")

    def __str__(self) -> str:
        return self.name


class Decision(PublicIdModel):
    """A resolution (决议) voted at a 支部党员大会 or 支委会, with its tally (VOTE-01..04)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("一般事项")
        ADMISSION = "admission", _("接收预备党员")
        CONFIRMATION = "confirmation", _("预备党员转正")
        ELECTION = "election", _("选举/推选")
        DISCIPLINE = "discipline", _("处置/处分")
        OTHER = "other", _("其他")

    class Body(models.TextChoices):
        ASSEMBLY = "assembly", _("支部党员大会")
        COMMITTEE = "committee", _("支部委员会")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(_("表决事项"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.GENERAL)
    candidate = models.CharField(_("表决对象"), max_length=50, blank=True)
    body = models.CharField(_("表决机构"), max_length=12, choices=Body.choices)
    entitled = models.PositiveIntegerField(_("应到有表决权人数"))
    present = models.PositiveIntegerField(_("实到有表决权人数"))
    yes = models.PositiveIntegerField(_("赞成"))
    no = models.PositiveIntegerField(_("反对"))
    abstain = models.PositiveIntegerField(_("弃权"))
    written_yes = models.PositiveIntegerField(_("书面赞成"), default=0)
    written_no = models.PositiveIntegerField(_("书面反对"), default=0)
    written_abstain = models.PositiveIntegerField(_("书面弃权"), default=0)
    quorum_met = models.BooleanField(_("到会人数符合要求"))
    passed = models.BooleanField(_("通过"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def yes_total(self) -> int:
        return self.yes + self.written_yes


class Attachment(PublicIdModel):
    """A photo or scanned sign-in sheet; served only through an access-checked view."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        SIGN_IN = "sign_in", _("签到表")
        DOCUMENT = "document", _("文件")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.PHOTO)
    file = models.FileField(_("文件"), upload_to="meetings/%Y/%m/")
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["meeting", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class LifeMeetingPrep(TimeStampedModel):
    """组织生活会: the preparation checklist and the criticism notes (MTG-07)."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="prep")
    study_done = models.BooleanField(_("已开展会前学习"), default=False)
    study_note = models.CharField(_("学习内容"), max_length=300, blank=True)
    talks_done = models.BooleanField(_("已开展谈心谈话"), default=False)
    talks_note = models.CharField(_("谈心谈话情况"), max_length=300, blank=True)
    opinions_collected = models.BooleanField(_("已征求意见"), default=False)
    opinions_count = models.PositiveIntegerField(_("征求意见条数"), default=0)
    opinions_note = models.CharField(_("征求意见情况"), max_length=300, blank=True)
    criticism_notes = models.TextField(_("批评和自我批评"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("组织生活会准备")
        verbose_name_plural = _("组织生活会准备")

    def __str__(self) -> str:
        return f"{self.meeting} 准备"

    @property
    def complete(self) -> bool:
        return self.study_done and self.talks_done and self.opinions_collected


class Talk(PublicIdModel):
    """谈心谈话: who talked with whom, when and about what (MTG-08)."""

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="talks"
    )
    on = models.DateField(_("谈话日期"))
    member_a = models.ForeignKey(
        "members.Member", verbose_name=_("谈话人"), on_delete=models.PROTECT, related_name="+"
    )
    member_b = models.ForeignKey(
        "members.Member", verbose_name=_("谈话对象"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("主题"), max_length=200)
    note = models.TextField(_("谈话要点"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("谈心谈话")
        verbose_name_plural = _("谈心谈话")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["org", "on"], name="talk_org_on")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(member_a=models.F("member_b")), name="talk_two_people"
            )
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.topic}"


class Review(PublicIdModel, TimeStampedModel):
    """民主评议党员 of one branch for one year (MTG-09)."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        FINISHED = "finished", _("已完成")

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="reviews"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    grades = models.JSONField(_("评议等次"), default=list)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("民主测评会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    finished_on = models.DateField(_("评定日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("民主评议党员")
        verbose_name_plural = _("民主评议党员")
        ordering = ["org", "-year"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="review_one_per_year")]

    def __str__(self) -> str:
        return f"{self.org} {self.year}年民主评议党员"

    @property
    def failing_grade(self) -> str:
        return self.grades[-1] if self.grades else ""


class ReviewEntry(models.Model):
    """One member's 自评, 互评, 测评 tallies and final grade."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    self_assessment = models.TextField(_("个人自评"), blank=True)
    peer_review = models.TextField(_("党员互评"), blank=True)
    tally = models.JSONField(_("民主测评票数"), default=dict, blank=True)
    grade = models.CharField(_("评定等次"), max_length=20, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评议结果")
        verbose_name_plural = _("评议结果")
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="review_entry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.review} {self.member_id} {self.grade}"


class Correction(PublicIdModel, TimeStampedModel):
    """限期改正 opened for a member rated 不合格: at most one year, tracked to its end (MBR-07)."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("改正期内")
        CORRECTED = "corrected", _("已改正")
        PERSUADED = "persuaded", _("劝退")
        REMOVED = "removed", _("除名")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="+"
    )
    entry = models.OneToOneField(
        ReviewEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="correction"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("改正期限"))
    measures = models.TextField(_("帮教措施"), blank=True)
    outcome = models.CharField(
        _("结果"), max_length=12, choices=Outcome.choices, default=Outcome.OPEN, db_index=True
    )
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("限期改正")
        verbose_name_plural = _("限期改正")
        ordering = ["ends_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="correction_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} 限期改正至 {self.ends_on}"


class FeedToken(models.Model):
    """An unguessable per-user token for iCalendar feeds (calendar apps send no cookies)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_feed_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"feed token of {self.user_id}"


class PlanSubmission(PublicIdModel):
    """A branch's annual plan of organisational life, reported (报送) to the committee above.
    Reporting again after changes keeps one row per org and year, with its history."""

    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="plan_submissions",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    meetings = models.PositiveSmallIntegerField(_("计划会议数"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度计划报送")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="plan_submission_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.year}"
