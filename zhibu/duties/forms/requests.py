"""Forms of the 请示报告 pages: compose, send (with the REQ-05 acknowledgement), answer,
return and attach. Each write form carries the record's version."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField
from zhibu.duties.models import Request
from zhibu.orgs.models import Org


def _choices(items, label=str, blank=True):
    head = [("", "—")] if blank else []
    return head + [(str(item.public_id), label(item)) for item in items]


class ComposeForm(forms.Form):
    kind = forms.ChoiceField(label=_("文种"), choices=Request.Kind.choices)
    receiver = forms.ChoiceField(label=_("主送组织"))
    copy_to = forms.ChoiceField(
        label=_("抄送组织"), required=False, help_text=_("双重领导的，主送一个、抄送另一个。")
    )
    subject = forms.CharField(
        label=_("标题（事项）"), max_length=200, required=False, help_text=_("一文一事。")
    )
    body = forms.CharField(
        label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Request.Urgency.choices)
    meeting = forms.ChoiceField(label=_("集体研究的会议"), required=False)
    signer = forms.CharField(label=_("签发人"), max_length=50, required=False)
    skip_reason = forms.CharField(
        label=_("越级报送理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("主送组织不是直接上级时必填。"),
    )
    schedule_key = forms.ChoiceField(label=_("年度报告"), required=False)
    version = VersionField()

    def __init__(self, *args, receivers, copy_targets, meetings, schedules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].choices = _choices(receivers, blank=False)
        self.fields["copy_to"].choices = _choices(copy_targets)
        self.fields["meeting"].choices = _choices(meetings, lambda m: f"{m.on:%Y-%m-%d} {m.title}")
        self.fields["schedule_key"].choices = [("", "—")] + [(s.key, s.name) for s in schedules]


class SendForm(forms.Form):
    acknowledge = forms.BooleanField(label=_("我已知悉上述提示，仍按报告报送"), required=False)
    version = VersionField()


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 6}))
    on = date_field(_("答复日期"))
    late_reason = forms.CharField(
        label=_("超时说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("超过答复时限的，向报送组织说明原因。"),
    )
    version = VersionField()


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 3}))
    on = date_field(_("退回日期"))
    version = VersionField()


class AttachForm(forms.Form):
    file = forms.FileField(label=_("附件（PDF、PNG 或 JPG）"))


class ScheduleForm(forms.Form):
    name = forms.CharField(label=_("年度报告名称"), max_length=100)
    org_kinds = forms.MultipleChoiceField(
        label=_("报送的组织类型"), widget=forms.CheckboxSelectMultiple
    )
    due_month = forms.TypedChoiceField(
        label=_("截止月"), coerce=int, choices=[(m, m) for m in range(1, 13)]
    )
    due_day = forms.TypedChoiceField(
        label=_("截止日"), coerce=int, choices=[(d, d) for d in range(1, 32)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_kinds"].choices = [
            (k.value, k.label) for k in Org.Kind if k != Org.Kind.GROUP
        ]
