"""Forms of the 督办 pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField
from zhibu.duties.forms.rectification import FilesField
from zhibu.duties.models import Supervision


class OpenForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("督办等级"), choices=Supervision.Level.choices, coerce=int, initial=1
    )
    request = forms.CharField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 3}))
    working_days = forms.IntegerField(
        label=_("回复时限（工作日）"),
        min_value=1,
        max_value=30,
        initial=5,
        help_text=_("按法定工作日（含调休）计算，从督办次日起算"),
    )
    reply_due = date_field(_("回复期限"), required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence_files = FilesField(label=_("佐证材料文件"))
    version = VersionField()


class DecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("审核结论"),
        choices=[("1", _("通过，办结")), ("0", _("不通过，要求重新回复"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(
        label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    working_days = forms.IntegerField(
        label=_("重新回复时限（工作日）"), min_value=1, max_value=30, required=False
    )
    version = VersionField()
