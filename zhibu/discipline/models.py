"""Discipline records (DISC-01..07): the 四种形态 first-form measures and the five sanctions
of a member, with their appeals. Their periods of effect are computed when a record is
saved (``zhibu.discipline.periods``) and stored, so the restrictions every other module
obeys (``zhibu.discipline.restrictions``) are one indexed query for any set of members.

The records are read under a stricter scope than other member data
(``zhibu.discipline.selectors``): 纪检 roles over the member's org subtree, and the
secretary of the deciding committee for that committee's own decisions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from zhibu.core.crypto import EncryptedTextField
from zhibu.core.models import PublicIdModel, TimeStampedModel

POSTS = (
    ("secretary", _("书记")),
    ("deputy_secretary", _("副书记")),
    ("organization", _("组织委员")),
    ("publicity", _("宣传委员")),
    ("discipline", _("纪检委员")),
    ("member", _("委员")),
    ("group_leader", _("党小组长")),
)


class DisciplineRecord(PublicIdModel, TimeStampedModel):
    class Kind(models.TextChoices):
        # 第一种形态 (DISC-07): talks, criticism, 诫勉
        REMINDER = "reminder", _("谈话提醒")
        CRITICISM = "criticism", _("批评教育")
        SELF_REVIEW = "self_review", _("责令检查")
        ADMONITION = "admonition", _("诫勉")
        # The five sanctions (DISC-01)
        WARNING = "warning", _("警告")
        SERIOUS_WARNING = "serious_warning", _("严重警告")
        REMOVAL = "removal_from_post", _("撤销党内职务")
        PROBATION = "probation", _("留党察看")
        EXPULSION = "expulsion", _("开除党籍")

    class Form(models.IntegerChoices):
        FIRST = 1, _("第一种形态")
        SECOND = 2, _("第二种形态")
        THIRD = 3, _("第三种形态")
        FOURTH = 4, _("第四种形态")

    class Status(models.TextChoices):
        IN_EFFECT = "in_effect", _("有效")
        REVOKED = "revoked", _("已撤销")

    class Outcome(models.TextChoices):
        RESTORED = "restored", _("恢复党员权利")
        EXPELLED = "expelled", _("开除党籍")

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        on_delete=models.PROTECT,
        related_name="discipline_records",
    )
    # The person's ID-number blind index as it was at the decision: a new application by
    # the same person is refused within DISC-05's period even after the roster changes.
    id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    deciding_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("决定组织"),
        on_delete=models.PROTECT,
        related_name="discipline_decisions",
    )
    kind = models.CharField(_("种类"), max_length=20, choices=Kind.choices)
    form = models.PositiveSmallIntegerField(_("四种形态"), choices=Form.choices)
    decided_on = models.DateField(_("决定日期"))
    document_no = models.CharField(_("决定文号"), max_length=100, blank=True)
    facts = EncryptedTextField(_("事实和依据摘要"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.IN_EFFECT, db_index=True
    )
    # 留党察看 only: the term (1 or 2 years), an extension by one year (a 1-year term
    # only), and the decision when the term ends.
    probation_years = models.PositiveSmallIntegerField(_("察看期（年）"), null=True, blank=True)
    extended_on = models.DateField(_("延长察看期决定日期"), null=True, blank=True)
    outcome = models.CharField(
        _("察看期满处理"), max_length=10, choices=Outcome.choices, blank=True
    )
    outcome_on = models.DateField(_("处理决定日期"), null=True, blank=True)
    # The post held when decided (撤销党内职务: the post removed): the post bars compare
    # a new post with it (equal or higher, DISC-03/04; higher, DISC-02).
    ref_post = models.CharField(_("原任党内职务"), max_length=20, choices=POSTS, blank=True)
    ref_org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("原任职组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Computed on save (zhibu.discipline.periods): the end of the main effect (the
    # promotion bar of a warning, the post bar of 撤销, the probation term, the
    # re-admission bar of 开除) and of the post bar after a probation is restored.
    effect_until = models.DateField(_("影响期至"), null=True, blank=True, editable=False)
    post_bar_until = models.DateField(_("任职限制至"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "id_index"])

    class Meta:
        verbose_name = _("纪律处分记录")
        verbose_name_plural = _("纪律处分记录")
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["member", "kind", "status"], name="disc_member_kind"),
            models.Index(fields=["kind", "status", "decided_on"], name="disc_kind_day"),
            models.Index(fields=["deciding_org", "decided_on"], name="disc_org_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(probation_years__isnull=True) | Q(probation_years__in=[1, 2]),
                name="disc_probation_years",
            ),
            models.CheckConstraint(
                condition=Q(form__gte=1) & Q(form__lte=4), name="disc_form_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.decided_on}"

    @property
    def is_sanction(self) -> bool:
        return self.kind in SANCTIONS

    @property
    def is_revoked(self) -> bool:
        return self.status == self.Status.REVOKED


MEASURES = frozenset(
    {
        DisciplineRecord.Kind.REMINDER,
        DisciplineRecord.Kind.CRITICISM,
        DisciplineRecord.Kind.SELF_REVIEW,
        DisciplineRecord.Kind.ADMONITION,
    }
)
LIGHT = frozenset({DisciplineRecord.Kind.WARNING, DisciplineRecord.Kind.SERIOUS_WARNING})
HEAVY = frozenset(
    {
        DisciplineRecord.Kind.REMOVAL,
        DisciplineRecord.Kind.PROBATION,
        DisciplineRecord.Kind.EXPULSION,
    }
)
SANCTIONS = LIGHT | HEAVY
# From the lightest to the heaviest: an appeal may change a record only to a lighter kind.
SEVERITY = [
    DisciplineRecord.Kind.REMINDER,
    DisciplineRecord.Kind.CRITICISM,
    DisciplineRecord.Kind.SELF_REVIEW,
    DisciplineRecord.Kind.ADMONITION,
    DisciplineRecord.Kind.WARNING,
    DisciplineRecord.Kind.SERIOUS_WARNING,
    DisciplineRecord.Kind.REMOVAL,
    DisciplineRecord.Kind.PROBATION,
    DisciplineRecord.Kind.EXPULSION,
]


class Appeal(PublicIdModel, TimeStampedModel):
    """A member's 申诉 against a record and its outcome: upheld, changed to a lighter kind,
    or revoked (a revoked record stops restricting)."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("维持")
        CHANGED = "changed", _("变更")
        REVOKED = "revoked", _("撤销")

    record = models.ForeignKey(
        DisciplineRecord,
        verbose_name=_("纪律处分记录"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    filed_on = models.DateField(_("申诉日期"))
    decided_on = models.DateField(_("复查决定日期"))
    outcome = models.CharField(_("复查结论"), max_length=10, choices=Outcome.choices)
    changed_from = models.CharField(
        _("原处分种类"), max_length=20, choices=DisciplineRecord.Kind.choices, blank=True
    )
    changed_to = models.CharField(
        _("变更为"), max_length=20, choices=DisciplineRecord.Kind.choices, blank=True
    )
    note = EncryptedTextField(_("复查意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["record", "decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} {self.decided_on}"
