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
from django.utils import timezone
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
    # No clear fragment of the number is stored beside it (docs/security.md): searching by
    # the last four characters uses a keyed index of them (idnumber.tail_index).
    id_tail_index = models.CharField(max_length=16, blank=True, db_index=True, editable=False)
    # What the ID number says, checked when it or the record's birth date or sex is stored
    # (services.derive_identity), so the nightly DQ-01 check runs in SQL without decrypting
    # every number: two yes/no facts, no digit of the number.
    id_format_ok = models.BooleanField(default=False, editable=False)
    id_matches = models.BooleanField(default=False, editable=False)
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
    # Set on members created by an Excel import, so the batch can be rolled back.
    import_batch = models.ForeignKey(
        "members.ImportBatch",
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="members",
    )

    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "id_index",
            "name_pinyin",
            "name_initials",
            "import_batch",
            "id_format_ok",
            "id_matches",
            "id_tail_index",
        ]
    )

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["name_pinyin", "id"]
        indexes = [
            models.Index(fields=["org", "status"]),
            # DQ-04: another member with the same name and birth date, looked up per person.
            models.Index(fields=["name", "birth_date"], name="member_name_birth"),
        ]

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
        TRANSFERRED = "transferred", _("系统内转接")
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
            # "On the roll on day X / throughout a period" answered from the index alone
            # (DQ-05 checks it for every row of attendance).
            models.Index(fields=["member", "start", "status", "end"], name="span_member_roll"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")), name="span_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id}@{self.org_id} {self.status} {self.start}—{self.end or ''}"


class Transfer(PublicIdModel, TimeStampedModel):
    """组织关系转接 (MBR-04): inside the system, or to / from an organisation outside it.

    Inside the system the sending committee approves (``sent``) and the receiving one
    accepts (``received``); until then the member stays on the sender's roster. A letter
    to an organisation outside the system (介绍信) is ``issued`` and the transfer completes
    when its receipt (回执) comes back. Transfers in from outside are recorded once received.
    """

    class Direction(models.TextChoices):
        INTERNAL = "internal", _("系统内转接")
        OUT = "out", _("转出至系统外")
        IN = "in", _("从系统外转入")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待转出方审批")
        SENT = "sent", _("待接收方接收")
        ISSUED = "issued", _("介绍信已开出，待回执")
        RECEIVED = "received", _("已完成")
        REJECTED = "rejected", _("已退回")
        CANCELLED = "cancelled", _("已撤销")

    OPEN = frozenset({Status.REQUESTED, Status.SENT, Status.ISSUED})

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers"
    )
    direction = models.CharField(_("转接类型"), max_length=10, choices=Direction.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    from_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("转出党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("接收党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    outside_org = models.CharField(
        _("系统外党组织"), max_length=200, blank=True, help_text=_("转往或转自的系统外党组织全称")
    )
    letter_no = models.CharField(_("介绍信编号"), max_length=50, blank=True)
    issued_on = models.DateField(_("开具日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    reason = models.CharField(_("转接原因"), max_length=200, blank=True)
    requested_on = models.DateField(_("申请日期"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("转出审批时间"), null=True, blank=True)
    received_on = models.DateField(_("接收日期"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejection_reason = models.CharField(_("退回理由"), max_length=300, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-requested_on", "-id"]
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            models.Index(fields=["to_org", "status"]),
            models.Index(fields=["from_org", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["requested", "sent", "issued"]),
                name="transfer_one_open_per_member",
            ),
            # A letter to or from outside the system always has its number (MBR-04).
            models.CheckConstraint(
                condition=Q(direction="internal")
                | Q(status__in=["requested", "cancelled", "rejected"])
                | ~Q(letter_no=""),
                name="transfer_outside_has_letter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.get_direction_display()} {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def letter_expired(self) -> bool:
        """The letter's validity has run out while the transfer is still open (MBR-04)."""
        return (
            self.is_open
            and self.valid_until is not None
            and self.valid_until < timezone.localdate()
        )


class Mobility(PublicIdModel, TimeStampedModel):
    """流动党员: a member away from their branch (out), or one staying here (in).

    The home branch keeps contact (MBR-08); a long stay at a fixed place calls for a
    transfer (MBR-03), and lost contact leads to 停止党籍 and later 除名 (MBR-05).
    """

    class Direction(models.TextChoices):
        OUT = "out", _("外出流动")
        IN = "in", _("流入")

    class Reason(models.TextChoices):
        WORK = "work", _("务工经商")
        STUDY = "study", _("学习进修")
        FAMILY = "family", _("随迁/探亲")
        OTHER = "other", _("其他")

    direction = models.CharField(_("流动类型"), max_length=5, choices=Direction.choices)
    member = models.ForeignKey(
        Member,
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mobilities",
        help_text=_("流入党员不在本系统登记时可留空，填写姓名"),
    )
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("管理党支部"),
        on_delete=models.PROTECT,
        related_name="mobilities",
        help_text=_("外出流动：党员所在支部；流入：接纳其参加组织生活的支部"),
    )
    person_name = models.CharField(_("姓名"), max_length=50, blank=True)
    other_org = models.CharField(_("对方党组织"), max_length=200, blank=True)
    place = models.CharField(_("流动地点"), max_length=200)
    reason = models.CharField(
        _("流动原因"), max_length=10, choices=Reason.choices, default=Reason.WORK
    )
    contact = EncryptedTextField(_("联系方式"), blank=True)
    started_on = models.DateField(_("开始日期"))
    expected_until = models.DateField(_("预计结束日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    last_contact_on = models.DateField(_("最近联系日期"), null=True, blank=True)
    lost_contact_since = models.DateField(_("失去联系日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("流动党员")
        verbose_name_plural = _("流动党员")
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["org", "ended_on"]),
            models.Index(fields=["lost_contact_since"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="mobility_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | (Q(direction="in") & ~Q(person_name="")),
                name="mobility_has_person",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(direction="out", ended_on__isnull=True),
                name="mobility_one_open_out_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} {self.get_direction_display()} {self.place}"

    @property
    def display_name(self) -> str:
        return self.member.name if self.member_id else self.person_name

    @property
    def masked_contact(self) -> str:
        return mask_phone(self.contact)


def attachment_path(instance: Attachment, filename: str) -> str:
    """Random file names under members/: nothing about the person is in the path."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    return f"members/{instance.member.public_id.hex[:2]}/{uuid.uuid4().hex}{suffix}"


class Attachment(PublicIdModel):
    """An archive file of a member (档案材料): typed, dated, served only through access checks."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("入党申请书")
        VOLUNTEER_FORM = "volunteer_form", _("入党志愿书")
        CONFIRMATION = "confirmation", _("转正申请书")
        POLITICAL_REVIEW = "political_review", _("政治审查材料")
        TRAINING = "training", _("培养教育考察材料")
        TRANSFER_LETTER = "transfer_letter", _("组织关系介绍信")
        AWARD = "award", _("奖惩材料")
        OTHER = "other", _("其他")

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("材料类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=100)
    dated = models.DateField(_("材料日期"))
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("档案材料")
        verbose_name_plural = _("档案材料")
        ordering = ["member", "-dated", "-id"]

    def __str__(self) -> str:
        return self.title


class ImportBatch(PublicIdModel):
    """One uploaded roster workbook and its way through check → commit (→ rollback).

    The file's SHA-256 makes a re-upload of an imported file a no-op; each row is also
    matched to existing people by the ID number's blind index. Members created by a batch
    point back to it, so the uploader's latest batch can be undone while untouched.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队校验")
        VALIDATING = "validating", _("正在校验")
        INVALID = "invalid", _("有错误")
        READY = "ready", _("待确认导入")
        COMMITTING = "committing", _("正在导入")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")
        ROLLED_BACK = "rolled_back", _("已撤销")
        DISCARDED = "discarded", _("已放弃")

    RUNNING = frozenset({Status.QUEUED, Status.VALIDATING, Status.COMMITTING})

    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("大小（字节）"))
    stored = models.CharField(max_length=200, blank=True)  # storage name; cleared when done
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("可导入行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增人数"), default=0)
    skipped_count = models.PositiveIntegerField(_("已登记跳过"), default=0)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=300, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rolled_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"], condition=Q(status="done"), name="import_file_once"
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING


class CorrectionRequest(PublicIdModel, TimeStampedModel):
    """A member's request to correct their own record (from 我的信息)."""

    class Field(models.TextChoices):
        NAME = "name", _("姓名")
        FORMER_NAME = "former_name", _("曾用名")
        GENDER = "gender", _("性别")
        ETHNICITY = "ethnicity", _("民族")
        BIRTH_DATE = "birth_date", _("出生日期")
        ID_NUMBER = "id_number", _("公民身份号码")
        NATIVE_PLACE = "native_place", _("籍贯")
        EDUCATION = "education", _("学历/学位")
        OCCUPATION = "occupation", _("岗位/职务")
        PHONE = "phone", _("联系电话")
        ADDRESS = "address", _("家庭住址")
        PARTY_DATES = "party_dates", _("入党/转正日期")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        DONE = "done", _("已更正")
        REJECTED = "rejected", _("不予更正")

    SENSITIVE = frozenset({Field.ID_NUMBER, Field.PHONE})

    member = models.ForeignKey(
        Member,
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="correction_requests",
    )
    field = models.CharField(_("更正项目"), max_length=20, choices=Field.choices)
    proposed = EncryptedTextField(_("应更正为"))
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    response = models.CharField(_("处理意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("信息更正申请")
        verbose_name_plural = _("信息更正申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["member", "status"])]

    def __str__(self) -> str:
        return f"{self.member} {self.get_field_display()}"

    @property
    def shown_proposed(self) -> str:
        """The proposed value as pages may show it: ID and phone numbers masked."""
        if self.field == self.Field.ID_NUMBER:
            return mask_id_number(self.proposed)
        if self.field == self.Field.PHONE:
            return mask_phone(self.proposed)
        return self.proposed
