"""Forms of the letter, task and department pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import DateInput, date_field
from zhibu.core.versioning import VersionField
from zhibu.duties.models import Letter


class LetterForm(forms.Form):
    kind = forms.ChoiceField(label=_("责任书类型"), choices=Letter.Kind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2999)
    title = forms.CharField(label=_("标题"), max_length=120)
    issued_on = date_field(_("下达日期"))
    sign_deadline = forms.DateField(
        label=_("签订期限"),
        required=False,
        widget=DateInput(),
        help_text=_("不填则按本单位规定（默认当年 3 月 31 日）"),
    )
    issuer_signer = forms.CharField(label=_("下达方负责人"), max_length=50, required=False)
    preamble = forms.CharField(
        label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = VersionField()


class LetterEditForm(LetterForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "year"):
            self.fields[name].disabled = True


class ItemForm(forms.Form):
    category = forms.CharField(
        label=_("分项"),
        max_length=30,
        widget=forms.TextInput(attrs={"list": "zb-categories"}),
        help_text=_("如政治建设、思想建设、组织建设、作风建设、纪律建设、党风廉政，可自定"),
    )
    content = forms.CharField(label=_("责任内容"), widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.ChoiceField(label=_("责任部门（分口）"), required=False)
    weight = forms.IntegerField(label=_("权重（分）"), min_value=0, max_value=100, initial=0)
    deadline = date_field(_("完成时限"))
    evidence_required = forms.CharField(label=_("佐证材料要求"), max_length=200, required=False)
    version = VersionField()

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", _("签订组织本身"))] + [
            (str(d.public_id), f"{d.org.short_name or d.org.name} · {d.name}") for d in departments
        ]


class IssueForm(forms.Form):
    recipients = forms.MultipleChoiceField(
        label=_("签订组织"), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = [(str(o.public_id), o.name) for o in orgs]


class SignForm(forms.Form):
    signed_on = date_field(_("签订日期"))
    place = forms.CharField(label=_("签订地点"), max_length=100)
    signer_post = forms.CharField(label=_("签订人职务"), max_length=50, initial=_("书记"))


class RecordSigningForm(forms.Form):
    signed_on = forms.DateField(
        label=_("签订日期"),
        widget=DateInput(),
        help_text=_("签订人为签订组织当日在任的书记（按班子任职记录）"),
    )
    place = forms.CharField(label=_("签订地点"), max_length=100)


class PassDownForm(forms.Form):
    how = forms.ChoiceField(
        label=_("分解方式"),
        choices=[("pass", _("分解下传到下级组织")), ("keep", _("本级承担"))],
        widget=forms.RadioSelect,
        initial="pass",
    )
    to = forms.MultipleChoiceField(
        label=_("下传到"), widget=forms.CheckboxSelectMultiple, required=False
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(str(o.public_id), o.name) for o in orgs]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("任务"), max_length=200)
    description = forms.CharField(
        label=_("任务要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    org = forms.ChoiceField(label=_("责任组织"))
    department = forms.ChoiceField(label=_("责任部门"), required=False)
    due = date_field(_("完成时限"))
    meeting = forms.ChoiceField(label=_("依据的会议决定"), required=False)

    def __init__(self, *args, orgs, departments, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(str(o.public_id), o.name) for o in orgs]
        self.fields["department"].choices = [("", "—")] + [
            (str(d.public_id), f"{d.org.short_name or d.org.name} · {d.name}") for d in departments
        ]
        self.fields["meeting"].choices = [("", "—")] + [
            (str(m.public_id), f"{m.on:%Y-%m-%d} {m}") for m in meetings
        ]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ProgressForm(forms.Form):
    on = date_field(_("报告日期"))
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    note = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 3}))
    completed = forms.BooleanField(label=_("已完成，申请交办组织确认"), required=False)
    evidence = MultipleFileField(
        label=_("佐证材料"), required=False, help_text=_("JPG、PNG 或 PDF，单个不超过 10 MB")
    )


class ConfirmForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("confirm", _("确认完成")), ("return", _("退回，继续办理"))],
        widget=forms.RadioSelect,
        initial="confirm",
    )
    on = date_field(_("确认日期"))
    reason = forms.CharField(label=_("退回理由"), max_length=300, required=False)


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("部门名称"), max_length=60)
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=0)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)
    version = VersionField()
