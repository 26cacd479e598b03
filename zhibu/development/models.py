"""Development cases (发展党员): a person moving through the five stages and 25 steps.

The person need not be a member yet; their ID and phone numbers are protected like
members'. Steps are dated records; the case's stage and status derive from them.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.crypto import EncryptedTextField, mask_id_number, mask_phone
from zhibu.core.models import PublicIdModel, TimeStampedModel
from zhibu.development.steps import STEPS
from zhibu.members.choices import ETHNICITY_CHOICES, Education


class Case(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("进行中")
        PROBATION = "probation", _("预备期")
        CONFIRMED = "confirmed", _("已转正")
        ARCHIVED = "archived", _("已归档")
        STOPPED = "stopped", _("已终止")

    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="cases"
    )
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=200, blank=True, db_index=True)
    name_initials = models.CharField(max_length=50, blank=True, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))])
    ethnicity = models.CharField(
        _("民族"), max_length=10, choices=ETHNICITY_CHOICES, default="汉族"
    )
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("公民身份号码"), blank=True)
    id_index = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    education = models.CharField(_("学历"), max_length=30, choices=Education.choices, blank=True)
    occupation = models.CharField(_("岗位/职务"), max_length=100, blank=True)
    work_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    front_line = models.BooleanField(_("生产工作一线"), default=False)
    expected_departure = models.DateField(
        _("预计离开本单位日期"),
        null=True,
        blank=True,
        help_text=_("3 个月内将离开本单位的，一般不办理（细则第十九条）"),
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    stage = models.PositiveSmallIntegerField(_("阶段"), default=1)
    last_step = models.PositiveSmallIntegerField(_("最近步骤"), default=0)
    last_step_on = models.DateField(_("最近步骤日期"), null=True, blank=True)
    admitted_on = models.DateField(
        _("接收为预备党员日期"), null=True, blank=True, help_text=_("支部大会通过之日（DEV-13）")
    )
    probation_months = models.PositiveSmallIntegerField(_("预备期（月）"), default=12)
    extended = models.BooleanField(_("已延长预备期"), default=False)
    stop_reason = models.CharField(_("终止原因"), max_length=300, blank=True)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("党员档案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case",
    )

    history = HistoricalRecords(
        excluded_fields=["updated_at", "id_index", "name_pinyin", "name_initials"]
    )

    class Meta:
        verbose_name = _("发展党员")
        verbose_name_plural = _("发展党员")
        ordering = ["org", "name_pinyin"]
        indexes = [models.Index(fields=["org", "status", "last_step"])]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def probation_end(self) -> date | None:
        """预备期满之日: the 支部大会 date plus the probation (DEV-13, DEV-15)."""
        if self.admitted_on is None:
            return None
        return self.admitted_on + relativedelta(months=self.probation_months)

    def age_on(self, day: date) -> int:
        return relativedelta(day, self.birth_date).years


class Step(PublicIdModel):
    """One recorded step of a case, with its date, people, documents and notes."""

    class Outcome(models.TextChoices):
        CONFIRM = "confirm", _("按期转正")
        EXTEND = "extend", _("延长预备期")
        CANCEL = "cancel", _("取消预备党员资格")

    case = models.ForeignKey(
        Case, verbose_name=_("发展党员"), on_delete=models.CASCADE, related_name="steps"
    )
    number = models.PositiveSmallIntegerField(
        _("步骤"), choices=[(n, s.label) for n, s in STEPS.items()]
    )
    on = models.DateField(_("日期"))
    document = models.CharField(_("文书/文号"), max_length=200, blank=True)
    note = models.TextField(_("说明"), blank=True)
    conclusion = models.TextField(_("结论"), blank=True, help_text=_("政治审查结论等"))
    training_days = models.DecimalField(
        _("培训天数"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    training_hours = models.DecimalField(
        _("培训学时"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    decision = models.ForeignKey(
        "meetings.Decision",
        verbose_name=_("支部大会表决"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("讨论结果"), max_length=10, choices=Outcome.choices, blank=True)
    extend_months = models.PositiveSmallIntegerField(_("延长月数"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("发展步骤")
        verbose_name_plural = _("发展步骤")
        ordering = ["case", "on", "number", "id"]
        indexes = [models.Index(fields=["number", "on"])]

    def __str__(self) -> str:
        return f"{self.case} {STEPS[self.number].label} {self.on}"


class StepPerson(models.Model):
    """People a step names: the talking member, 培养联系人, 入党介绍人."""

    class Role(models.TextChoices):
        TALKER = "talker", _("谈话人")
        CONTACT = "contact", _("培养联系人")
        INTRODUCER = "introducer", _("入党介绍人")

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="people")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "member", "role"], name="step_person_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.member_id}"


class Publicity(PublicIdModel):
    """公示 before a key step (DEV-10), counted in working days on the statutory calendar."""

    case = models.ForeignKey(
        Case, verbose_name=_("发展党员"), on_delete=models.CASCADE, related_name="publicities"
    )
    key = models.CharField(_("公示事项"), max_length=20)
    start = models.DateField(_("公示开始"))
    working_days = models.PositiveSmallIntegerField(_("公示工作日数"))
    ends_on = models.DateField(_("公示结束"))
    official_calendar = models.BooleanField(_("按国家法定节假日计算"), default=True)
    objections = models.TextField(_("反映的问题"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["case", "start"]

    def __str__(self) -> str:
        return f"{self.case} {self.key} {self.start}—{self.ends_on}"


class Override(PublicIdModel):
    """Permission to pass a local-practice (L) limit, or a rule's own special case
    (DEV-12's 3–6 months), for one step of one case: a reason, an approver from a higher
    committee, an audit event, and shown on the case."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        USED = "used", _("已使用")

    case = models.ForeignKey(
        Case, verbose_name=_("发展党员"), on_delete=models.CASCADE, related_name="overrides"
    )
    step_number = models.PositiveSmallIntegerField(_("步骤"))
    rule_code = models.CharField(_("规则"), max_length=10)
    reason = models.TextField(_("理由"))
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    step = models.ForeignKey(
        Step,
        verbose_name=_("用于步骤"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="overrides",
    )

    class Meta:
        verbose_name = _("特批")
        verbose_name_plural = _("特批")
        ordering = ["case", "-requested_at"]

    def __str__(self) -> str:
        return f"{self.case} {self.rule_code} {self.get_state_display()}"


class DevPlan(PublicIdModel, TimeStampedModel):
    """The annual development plan of a 党委 (DEV-20): quota by branch and structure targets."""

    committee = models.ForeignKey(
        "orgs.Org", verbose_name=_("党委"), on_delete=models.PROTECT, related_name="dev_plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quota = models.PositiveIntegerField(_("发展总数"))
    target_young_pct = models.PositiveSmallIntegerField(_("35 岁及以下占比目标（%）"), default=0)
    target_women_pct = models.PositiveSmallIntegerField(_("女性占比目标（%）"), default=0)
    target_front_line_pct = models.PositiveSmallIntegerField(
        _("生产工作一线占比目标（%）"), default=0
    )
    target_college_pct = models.PositiveSmallIntegerField(
        _("大专及以上学历占比目标（%）"), default=0
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("年度发展计划")
        verbose_name_plural = _("年度发展计划")
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="dev_plan_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.year}"


class DevPlanQuota(models.Model):
    plan = models.ForeignKey(DevPlan, on_delete=models.CASCADE, related_name="quotas")
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveSmallIntegerField(_("名额"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "org"], name="dev_quota_once")]

    def __str__(self) -> str:
        return f"{self.plan} {self.org_id} {self.quota}"


# Cases still on the way (for pipeline counts and deadline findings).
OPEN_STATUSES = (Case.Status.ACTIVE, Case.Status.PROBATION)
OPEN_Q = Q(status__in=OPEN_STATUSES)
