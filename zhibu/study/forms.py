"""Forms of the study pages (the services validate again: the API shares them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField
from zhibu.study.models import Article, Course


def hours_field() -> forms.DecimalField:
    # The range is the service's (学时应大于 0), one message for the page and the API.
    return forms.DecimalField(label=_("学时"), max_digits=5, decimal_places=1)


class CourseForm(forms.Form):
    kind = forms.ChoiceField(label=_("形式"), choices=Course.Kind.choices)
    title = forms.CharField(label=_("名称"), max_length=120)
    on = date_field(_("日期"))
    hours = hours_field()
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    lecturer = forms.CharField(label=_("授课人"), max_length=50, required=False)
    note = forms.CharField(
        label=_("内容摘要"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = VersionField()


class AttendanceForm(forms.Form):
    members = forms.TypedMultipleChoiceField(
        label=_("参训人员"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = VersionField()

    def __init__(self, *args, members=(), posted=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(m.pk, f"{m.name}（{m.org.name}）") for m in members]
        # Posted ids beyond the list are let through to the service, which refuses members
        # outside the org's roll by name (a clearer message than "not a valid choice").
        known = {str(pk) for pk, _label in choices}
        extra = [(int(v), v) for v in posted if v.isdigit() and v not in known]
        field = self.fields["members"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = choices + extra

    def clean_members(self):
        return self.cleaned_data["members"]


class SelfStudyForm(forms.Form):
    on = date_field(_("学习日期"))
    title = forms.CharField(label=_("学习内容"), max_length=120)
    hours = hours_field()
    note = forms.CharField(
        label=_("心得摘要"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("认定"), choices=[("approve", _("认定")), ("reject", _("不予认定"))]
    )
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)
    version = VersionField()


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    topic = forms.ChoiceField(label=_("专题"), choices=Article.Topic.choices)
    source = forms.CharField(label=_("来源"), max_length=100, required=False)
    published_on = date_field(_("发布日期"))
    keywords = forms.CharField(
        label=_("关键词"),
        max_length=200,
        required=False,
        help_text=_("用顿号或逗号分隔；不填时自动提取。"),
    )
    body = forms.CharField(
        label=_("正文"),
        widget=forms.Textarea(attrs={"rows": 14}),
        error_messages={"required": _("正文不能为空。")},
    )
    version = VersionField()
