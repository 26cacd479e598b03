from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import DateInput, date_field
from zhibu.core.versioning import VersionField
from zhibu.discipline.models import POSTS, Appeal, DisciplineRecord


class RecordForm(forms.Form):
    version = VersionField()
    kind = forms.ChoiceField(label=_("种类"), choices=DisciplineRecord.Kind.choices)
    form = forms.TypedChoiceField(
        label=_("四种形态"),
        choices=[("", _("按种类自动归类")), *DisciplineRecord.Form.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "谈话提醒、批评教育、责令检查、诫勉为第一种形态；警告、严重警告为第二种；"
            "撤销党内职务、留党察看、开除党籍为第三种，涉嫌违法犯罪的计入第四种。"
        ),
    )
    deciding_org = forms.ChoiceField(label=_("决定组织"))
    decided_on = date_field(_("决定日期"))
    document_no = forms.CharField(label=_("决定文号"), max_length=100, required=False)
    facts = forms.CharField(label=_("事实和依据摘要"), widget=forms.Textarea(attrs={"rows": 4}))
    probation_years = forms.TypedChoiceField(
        label=_("察看期（年）"),
        choices=[("", "—"), (1, _("一年")), (2, _("二年"))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("仅留党察看填写。"),
    )
    extended_on = forms.DateField(
        label=_("延长察看期决定日期"),
        required=False,
        widget=DateInput(),
        help_text=_("察看期一年的可延长一年。"),
    )
    outcome = forms.ChoiceField(
        label=_("察看期满处理"),
        choices=[("", "—"), *DisciplineRecord.Outcome.choices],
        required=False,
    )
    outcome_on = date_field(_("处理决定日期"), required=False)
    ref_post = forms.ChoiceField(
        label=_("原任党内职务"),
        choices=[("", "—"), *POSTS],
        required=False,
        help_text=_("撤销党内职务须填写被撤销的职务；其他处分填写决定时所任职务（无则留空）。"),
    )
    ref_org = forms.ChoiceField(label=_("原任职组织"), required=False)

    def __init__(self, *args, orgs=(), post_orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deciding_org"].choices = [(str(o.public_id), o.name) for o in orgs]
        self.fields["ref_org"].choices = [("", "—")] + [
            (str(o.public_id), o.name) for o in post_orgs
        ]


class AppealForm(forms.Form):
    version = VersionField()
    filed_on = date_field(_("申诉日期"))
    decided_on = date_field(_("复查决定日期"))
    outcome = forms.ChoiceField(label=_("复查结论"), choices=Appeal.Outcome.choices)
    changed_to = forms.ChoiceField(
        label=_("变更为"),
        choices=[("", "—"), *DisciplineRecord.Kind.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("复查意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
