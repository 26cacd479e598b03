"""Forms of the assessment pages; every edit of an existing record carries its version."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.assessment import sources
from zhibu.assessment.models import Category, Indicator
from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField


def points(label, *, required: bool = True, initial=None, help_text="") -> forms.DecimalField:
    """A score threshold: 0..100 with one decimal."""
    return forms.DecimalField(
        label=label,
        required=required,
        initial=initial,
        help_text=help_text,
        max_digits=5,
        decimal_places=1,
        min_value=0,
        max_value=100,
    )


class SchemeForm(forms.Form):
    org = forms.ChoiceField(label=_("考核组织"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2999)
    title = forms.CharField(label=_("方案名称"), max_length=120)
    appeal_days = forms.IntegerField(
        label=_("申诉期限（天）"),
        min_value=1,
        max_value=60,
        initial=7,
        help_text=_("地方/单位规定：考核表下发后可申诉的天数"),
    )
    good_min = points(_("“好”最低分"), initial=90)
    fairly_good_min = points(_("“较好”最低分"), initial=80)
    average_min = points(_("“一般”最低分"), initial=60)
    standard_min = points(_("规范化达标最低分"), initial=80)
    model_min = points(_("示范最低分"), required=False, help_text=_("不填则不评示范"))
    standard = forms.BooleanField(label=_("载入标准方案（可再修改）"), required=False, initial=True)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = orgs


class SchemeEditForm(forms.Form):
    title = forms.CharField(label=_("方案名称"), max_length=120)
    appeal_days = forms.IntegerField(label=_("申诉期限（天）"), min_value=1, max_value=60)
    good_min = points(_("“好”最低分"))
    fairly_good_min = points(_("“较好”最低分"))
    average_min = points(_("“一般”最低分"))
    standard_min = points(_("规范化达标最低分"))
    model_min = points(_("示范最低分"), required=False)
    version = VersionField()


def source_choices() -> list[tuple[str, str]]:
    return [(Indicator.MANUAL, str(_("人工评分")))] + [
        (kind.key, str(kind.label)) for kind in sources.kinds()
    ]


class IndicatorForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    title = forms.CharField(label=_("考核内容"), max_length=200)
    max_points = forms.DecimalField(label=_("分值"), max_digits=5, decimal_places=1)
    source = forms.ChoiceField(label=_("评分方式"))
    rule = forms.CharField(
        label=_("规则编号"),
        max_length=10,
        required=False,
        help_text=_("评分方式为“合规检查问题”时填写，如 MTG-02"),
    )
    per = forms.DecimalField(
        label=_("每项扣分"), max_digits=4, decimal_places=1, min_value=0, required=False
    )
    basis = forms.CharField(label=_("评分标准"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = source_choices()


class AdjustForm(forms.Form):
    score = forms.CharField(label=_("得分"), max_length=10)
    reason = forms.CharField(
        label=_("评分/调整理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = VersionField()


class AppealForm(forms.Form):
    line = forms.ChoiceField(label=_("申诉指标"), required=False)
    text = forms.CharField(
        label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = [("", _("整张考核表"))] + [
            (str(line.public_id), line.indicator.title) for line in lines
        ]


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RectifyForm(forms.Form):
    measure = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = date_field(_("整改期限"))


class VersionForm(forms.Form):
    version = VersionField()
