"""The member roster: people, their dated status events, and the spans derived from them.

``MemberEvent`` rows are the source of truth for status and affiliation; ``MemberSpan``
rows are derived from them (``services.member_rebuild_spans``) so that "who was a full
member of branch X on day D" is one indexed query for every rule.
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
from zhibu.members.choices import ETHNICITY_CHOICES, Education


class Member(PublicIdModel, TimeStampedModel):
    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Category(models.TextChoices):
        IN_SERVICE = "in_service", _("在职")
        RETIRED = "retired", _("退休")
        FARMER = "farmer", _("农民")
        STUDENT = "student", _("学生")
        UNEMPLOYED = "unemployed", _("失业/低保")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        FULL = "full", _("正式党员")
        PROBATIONARY = "probationary", _("预备党员")
        SUSPENDED = "suspended", _("停止党籍")
        LEFT = "left", _("出党")
        DECEASED = "deceased", _("死亡")
        TRANSFERRED_OUT = "transferred_out", _("已转出")

    class ExitKind(models.TextChoices):
        PERSUADED = "persuaded", _("劝退")
        REMOVED = "removed", _("除名")
        EXPELLED = "expelled", _("开除党籍")
        CANCELLED = "cancelled", _("取消预备党员资格")

    # Statuses in which a person still belongs to an org's roster.
    ON_ROSTER = frozenset({Status.FULL, Status.PROBATIONARY, Status.SUSPENDED})

    name = models.CharField(_("姓名"), max_length=50)
    former_name = models.CharField(_("曾用名"), max_length=50, blank=True)
    name_pinyin = models.CharField(_("姓名全拼"), max_length=200, blank=True, db_index=True)
    name_initials = models.CharField(_("姓名首字母"), max_length=50, blank=True, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(
        _("民族"), max_length=10, choices=ETHNICITY_CHOICES, default="汉族"
    )
    birth_date = models.DateField(_("出生日期"))
    id_number = EncryptedTextField(_("公民身份号码"), blank=True)
    id_index = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    id_last4 = models.CharField(max_length=4, blank=True, db_index=True, editable=False)
    native_place = models.CharField(_("籍贯"), max_length=50, blank=True)
    education = models.CharField(_("学历"), max_length=30, choices=Education.choices, blank=True)
    degree = models.CharField(_("学位"), max_length=30, blank=True)
    occupation = models.CharField(_("岗位/职务"), max_length=100, blank=True)
    work_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    phone = EncryptedTextField(_("联系电话"), blank=True)
    address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    category = models.CharField(
        _("人员类别"), max_length=20, choices=Category.choices, default=Category.IN_SERVICE
    )
    applied_on = models.DateField(_("申请入党日期"), null=True, blank=True)
    admitted_on = models.DateField(
        _("入党日期"), null=True, blank=True, help_text=_("支部大会通过接收为预备党员的日期")
    )
    full_on = models.DateField(_("转正日期"), null=True, blank=True)
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("所在党支部"), on_delete=models.PROTECT, related_name="members"
    )
    group = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("所在党小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_members",
    )
    status = models.CharField(_("党籍状态"), max_length=20, choices=Status.choices, db_index=True)
    exit_kind = models.CharField(_("出党方式"), max_length=20, choices=ExitKind.choices, blank=True)
    frail_exempt = models.BooleanField(
        _("年老体弱/重病"),
        default=False,
        help_text=_("不作组织生活和学习硬性要求（教育管理条例第二十三条）"),
    )
    frail_reason = models.CharField(_("免予要求原因"), max_length=200, blank=True)
    front_line = models.BooleanField(_("生产工作一线"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    history = HistoricalRecords(
        excluded_fields=["updated_at", "id_index", "name_pinyin", "name_initials"]
    )

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["name_pinyin", "id"]
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def party_age_on(self, day: date) -> int:
        """Whole years of party age on ``day``, counted from the 转正 date (DEV-17)."""
        if not self.full_on or day < self.full_on:
            return 0
        return relativedelta(day, self.full_on).years

    @property
    def political_birthday(self) -> tuple[int, int] | None:
        """(month, day) of the admission anniversary, the member's 政治生日."""
        if not self.admitted_on:
            return None
        return self.admitted_on.month, self.admitted_on.day


class MemberEvent(PublicIdModel):
    """A dated change of a member's status or affiliation, with its basis document."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("建档")
        ADMITTED = "admitted", _("接收为预备党员")
        CONFIRMED = "confirmed", _("转正")
        PROBATION_EXTENDED = "probation_extended", _("延长预备期")
        PROBATION_CANCELLED = "probation_cancelled", _("取消预备党员资格")
        TRANSFERRED_IN = "transferred_in", _("转入")
        TRANSFERRED_OUT = "transferred_out", _("转出")
        MOVED = "moved", _("党内调整")
        SUSPENDED = "suspended", _("停止党籍")
        RESTORED = "restored", _("恢复党籍")
        PERSUADED_OUT = "persuaded_out", _("劝退")
        REMOVED = "removed", _("除名")
        EXPELLED = "expelled", _("开除党籍")
        DECEASED = "deceased", _("死亡")

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=30, choices=Kind.choices)
    on = models.DateField(_("日期"))
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("所在组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("事件发生后所在的党支部"),
    )
    group = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("所在党小组"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status_after = models.CharField(_("事件后状态"), max_length=20, choices=Member.Status.choices)
    document_no = models.CharField(_("依据文件"), max_length=100, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党籍变动")
        verbose_name_plural = _("党籍变动")
        ordering = ["member", "on", "id"]
        indexes = [models.Index(fields=["kind", "on"])]


class MemberSpan(models.Model):
    """Derived: a member belonged to ``org`` with ``status`` from ``start`` until ``end``."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="spans")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="member_spans")
    group = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Member.Status.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)  # exclusive; None = still running

    class Meta:
        indexes = [
            models.Index(fields=["org", "status", "start"]),
            models.Index(fields=["member", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")), name="span_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.org_id} {self.status} {self.start}—{self.end or ''}"


class Sanction(PublicIdModel, TimeStampedModel):
    """A party discipline sanction (DISC-01); 留党察看 suspends voting rights (VOTE-01)."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("警告")
        SERIOUS_WARNING = "serious_warning", _("严重警告")
        REMOVAL_FROM_POST = "removal_from_post", _("撤销党内职务")
        PROBATION = "probation", _("留党察看")
        EXPULSION = "expulsion", _("开除党籍")

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="sanctions"
    )
    kind = models.CharField(_("处分种类"), max_length=30, choices=Kind.choices)
    decided_on = models.DateField(_("处分日期"))
    ends_on = models.DateField(
        _("期满日期"), null=True, blank=True, help_text=_("留党察看期满日期")
    )
    document_no = models.CharField(_("处分决定文号"), max_length=100, blank=True)
    text = EncryptedTextField(_("处分事由"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("党纪处分")
        verbose_name_plural = _("党纪处分")
        ordering = ["member", "-decided_on"]
        indexes = [models.Index(fields=["kind", "decided_on"])]
