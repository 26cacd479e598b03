"""The party organisation tree (基层党委 → 党总支 → 党支部 → 党小组), committees and terms."""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from zhibu.core.models import PublicIdModel, TimeStampedModel
from zhibu.core.scope import STEPLEN


class Sector(models.TextChoices):
    ORGAN = "organ", _("机关")
    INSTITUTION = "institution", _("事业单位")
    STATE_ENTERPRISE = "soe", _("国有企业")
    PRIVATE_ENTERPRISE = "private", _("非公企业")
    SOCIAL_ORG = "social", _("社会组织")
    RURAL = "rural", _("农村")
    COMMUNITY = "community", _("社区")
    UNIVERSITY = "university", _("高校")


# ORG-05: village and community branches serve 5-year terms, the others 3 years.
FIVE_YEAR_TERM_SECTORS = frozenset({Sector.RURAL, Sector.COMMUNITY})


class Unit(PublicIdModel):
    """A work unit (单位) that party organisations serve and members work in."""

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    sector = models.CharField(_("领域"), max_length=20, choices=Sector.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Org(MP_Node, PublicIdModel, TimeStampedModel):
    """A party organisation; its place in the tree is its materialised ``path``."""

    steplen = STEPLEN  # the one definition lives in zhibu.core.scope

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        JOINT_BRANCH = "joint_branch", _("联合党支部")
        TEMPORARY_BRANCH = "temporary_branch", _("临时党支部")
        GROUP = "group", _("党小组")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    name_initials = models.CharField(_("名称拼音首字母"), max_length=100, blank=True, db_index=True)
    code = models.CharField(_("组织代码"), max_length=30, unique=True)
    sector = models.CharField(_("领域"), max_length=20, choices=Sector.choices)
    units = models.ManyToManyField(
        Unit, verbose_name=_("所在单位"), blank=True, related_name="orgs"
    )
    established_on = models.DateField(_("成立日期"))
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    note = models.TextField(_("备注"), blank=True)

    history = HistoricalRecords(excluded_fields=["numchild", "updated_at"])

    node_order_by: list[str] = []

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(dissolved_on__gte=models.F("established_on")),
                name="org_dissolved_after_established",
            )
        ]

    def __str__(self) -> str:
        return self.name

    # Kinds grouped by level; the permission matrix and the tree rules speak in levels.
    COMMITTEE_KINDS = frozenset({Kind.COMMITTEE, Kind.GENERAL_BRANCH})
    BRANCH_KINDS = frozenset({Kind.BRANCH, Kind.JOINT_BRANCH, Kind.TEMPORARY_BRANCH})

    @property
    def level(self) -> str:
        if self.kind in self.COMMITTEE_KINDS:
            return "committee"
        if self.kind in self.BRANCH_KINDS:
            return "branch"
        return "group"

    @property
    def is_branch(self) -> bool:
        return self.kind in self.BRANCH_KINDS

    def exists_on(self, day: date) -> bool:
        return self.established_on <= day and (self.dissolved_on is None or day < self.dissolved_on)

    @property
    def is_active(self) -> bool:
        from django.utils import timezone

        return self.exists_on(timezone.localdate())

    @property
    def term_years(self) -> int:
        """Term of office (ORG-05): 基层党委 5 years (《中国共产党基层组织选举工作条例》);
        branches and 总支 of villages and communities 5, the others 3 (条例 art. 21)."""
        if self.kind == self.Kind.COMMITTEE:
            return 5
        return 5 if self.sector in FIVE_YEAR_TERM_SECTORS else 3


class OrgEvent(PublicIdModel):
    """A dated change of the tree, with the approving document: history for "as of" views."""

    class Kind(models.TextChoices):
        ESTABLISHED = "established", _("成立")
        RENAMED = "renamed", _("更名")
        MOVED = "moved", _("隶属关系调整")
        DISSOLVED = "dissolved", _("撤销")

    org = models.ForeignKey(
        Org, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("日期"))
    document_no = models.CharField(_("批准文号"), max_length=100, blank=True)
    from_parent = models.ForeignKey(
        Org,
        verbose_name=_("原上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_parent = models.ForeignKey(
        Org,
        verbose_name=_("新上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    old_name = models.CharField(_("原名称"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织变动")
        verbose_name_plural = _("组织变动")
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["kind", "on"])]


class Committee(PublicIdModel, TimeStampedModel):
    """One elected committee (班子/支委会) of an org: its election, term and filing (ORG-05/06)."""

    class Method(models.TextChoices):
        COMPETITIVE = "competitive", _("差额选举")
        EQUAL = "equal", _("等额选举")
        APPOINTED = "appointed", _("上级指定")

    class Filing(models.TextChoices):
        PENDING = "pending", _("待报批")
        FILED = "filed", _("已备案")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    org = models.ForeignKey(
        Org, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="committees"
    )
    term_number = models.PositiveSmallIntegerField(_("届次"))
    elected_on = models.DateField(_("选举日期"))
    method = models.CharField(
        _("选举方式"), max_length=20, choices=Method.choices, default=Method.COMPETITIVE
    )
    term_years = models.PositiveSmallIntegerField(_("任期（年）"))
    term_ends_on = models.DateField(_("任期届满日期"))
    filing = models.CharField(
        _("报批状态"), max_length=20, choices=Filing.choices, default=Filing.PENDING
    )
    filed_on = models.DateField(_("报送日期"), null=True, blank=True)
    approved_on = models.DateField(_("批复日期"), null=True, blank=True)
    approval_document = models.CharField(_("批复文号"), max_length=100, blank=True)
    ended_on = models.DateField(_("换届/终止日期"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("委员会")
        verbose_name_plural = _("委员会")
        ordering = ["org", "-elected_on"]
        constraints = [
            models.UniqueConstraint(fields=["org", "term_number"], name="committee_unique_term"),
            models.CheckConstraint(
                condition=Q(term_ends_on__gt=models.F("elected_on")), name="committee_term_positive"
            ),
        ]

    def __str__(self) -> str:
        return _("%(org)s 第%(n)s届委员会") % {"org": self.org, "n": self.term_number}

    @staticmethod
    def compute_term_end(elected_on: date, term_years: int) -> date:
        return elected_on + relativedelta(years=term_years)


class CommitteePost(PublicIdModel, TimeStampedModel):
    """A post held by a member for a time span: 书记, 副书记, 委员, 党小组长 ..."""

    class Post(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
        ORGANIZATION = "organization", _("组织委员")
        PUBLICITY = "publicity", _("宣传委员")
        DISCIPLINE = "discipline", _("纪检委员")
        MEMBER = "member", _("委员")
        GROUP_LEADER = "group_leader", _("党小组长")

    org = models.ForeignKey(
        Org, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="posts"
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("委员会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
    )
    post = models.CharField(_("职务"), max_length=20, choices=Post.choices)
    holder = models.ForeignKey(
        "members.Member", verbose_name=_("任职人"), on_delete=models.PROTECT, related_name="posts"
    )
    start = models.DateField(_("任职日期"))
    end = models.DateField(_("离任日期"), null=True, blank=True)
    approved = models.BooleanField(_("上级已批准"), default=False)
    approved_on = models.DateField(_("批复日期"), null=True, blank=True)
    approval_document = models.CharField(_("批复文号"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("职务")
        verbose_name_plural = _("职务")
        ordering = ["org", "post", "-start"]
        indexes = [models.Index(fields=["post", "org", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="post_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.get_post_display()} {self.holder}"

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class Linkage(PublicIdModel):
    """定点联系: a member of a higher committee linked to a branch for a time span."""

    org = models.ForeignKey(
        Org, verbose_name=_("联系的党组织"), on_delete=models.PROTECT, related_name="linkages"
    )
    person = models.ForeignKey(
        "members.Member",
        verbose_name=_("联系人"),
        on_delete=models.PROTECT,
        related_name="linkages",
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("定点联系")
        verbose_name_plural = _("定点联系")
        ordering = ["org", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="linkage_end_after_start",
            )
        ]


class Department(PublicIdModel, TimeStampedModel):
    """A functional department of the unit a party organisation leads (党委工作部, 纪委办公室,
    人力资源部 …): a simple per-organisation list, the 分口 that responsibility items and
    tasks can be given to besides subordinate organisations."""

    org = models.ForeignKey(
        Org, verbose_name=_("所属党组织"), on_delete=models.PROTECT, related_name="departments"
    )
    name = models.CharField(_("部门名称"), max_length=60)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("在用"), default=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["org", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="department_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
