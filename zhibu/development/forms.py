"""Forms of the development pages; the rules themselves live in rules.py and services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField
from zhibu.development.models import Step
from zhibu.development.steps import PUBLICITY_LABELS, STEPS
from zhibu.members.choices import ETHNICITY_CHOICES, Education

PEOPLE_LABELS = {
    "talker": _("谈话人"),
    "contacts": _("培养联系人（1 至 2 名）"),
    "introducers": _("入党介绍人（2 名）"),
}


class CaseForm(forms.Form):
    org = forms.ChoiceField(label=_("党支部"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=[("M", _("男")), ("F", _("女"))])
    ethnicity = forms.ChoiceField(label=_("民族"), choices=ETHNICITY_CHOICES, initial="汉族")
    birth_date = date_field(_("出生日期"))
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    education = forms.ChoiceField(
        label=_("学历"), choices=[("", "—"), *Education.choices], required=False
    )
    occupation = forms.CharField(label=_("岗位/职务"), max_length=100, required=False)
    front_line = forms.BooleanField(label=_("生产工作一线"), required=False)
    expected_departure = date_field(_("预计离开本单位日期"), required=False)
    applied_on = date_field(_("递交入党申请书日期"))

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [(str(o.public_id), o.name) for o in orgs]


class StepForm(forms.Form):
    on = date_field(_("日期"))
    version = VersionField()  # of the case: someone else's step recorded meanwhile refuses
    document = forms.CharField(label=_("文书/文号"), max_length=200, required=False)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, number: int, candidates=(), decisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        definition = STEPS[number]
        choices = [(str(m.public_id), m.name) for m in candidates]
        if definition.people == "talker":
            self.fields["people"] = forms.ChoiceField(
                label=PEOPLE_LABELS["talker"], choices=choices
            )
        elif definition.people:
            self.fields["people"] = forms.MultipleChoiceField(
                label=PEOPLE_LABELS[definition.people],
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
            )
        if number == 10:
            self.fields["conclusion"] = forms.CharField(
                label=_("政治审查结论"), widget=forms.Textarea(attrs={"rows": 3})
            )
        if number == 11:
            self.fields["training_days"] = forms.DecimalField(
                label=_("培训天数"), min_value=0, max_digits=4, decimal_places=1, required=False
            )
            self.fields["training_hours"] = forms.DecimalField(
                label=_("培训学时"), min_value=0, max_digits=5, decimal_places=1, required=False
            )
        if definition.decision:
            self.fields["decision"] = forms.ChoiceField(
                label=_("支部党员大会表决"),
                choices=[("", "—")]
                + [
                    (str(d.public_id), f"{d.meeting.on} {d.meeting.title} · {d.title}")
                    for d in decisions
                ],
                required=False,
            )
        if number == 23:
            self.fields["outcome"] = forms.ChoiceField(
                label=_("讨论结果"), choices=Step.Outcome.choices
            )
            self.fields["extend_months"] = forms.IntegerField(
                label=_("延长月数（6 至 12）"), required=False, min_value=1, max_value=24
            )


class PublicityForm(forms.Form):
    key = forms.ChoiceField(label=_("公示事项"), choices=list(PUBLICITY_LABELS.items()))
    start = date_field(_("公示开始日期"))
    working_days = forms.IntegerField(
        label=_("公示工作日数"),
        min_value=1,
        max_value=30,
        required=False,
        help_text=_("留空按规定（默认 5 个工作日）"),
    )
    objections = forms.CharField(
        label=_("反映的问题"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OverrideForm(forms.Form):
    step_number = forms.TypedChoiceField(
        label=_("步骤"), coerce=int, choices=[(n, s.label) for n, s in STEPS.items()]
    )
    rule_code = forms.CharField(label=_("规则编号"), max_length=10)
    reason = forms.CharField(
        label=_("特批理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class StopForm(forms.Form):
    on = date_field(_("日期"))
    reason = forms.CharField(label=_("终止原因"), max_length=300, required=False)


class PlanForm(forms.Form):
    quota = forms.IntegerField(label=_("年度发展总数"), min_value=0)
    target_young_pct = forms.IntegerField(
        label=_("35 岁及以下占比目标（%）"), min_value=0, max_value=100, initial=0
    )
    target_women_pct = forms.IntegerField(
        label=_("女性占比目标（%）"), min_value=0, max_value=100, initial=0
    )
    target_front_line_pct = forms.IntegerField(
        label=_("生产工作一线占比目标（%）"), min_value=0, max_value=100, initial=0
    )
    target_college_pct = forms.IntegerField(
        label=_("大专及以上学历占比目标（%）"), min_value=0, max_value=100, initial=0
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.branches = list(branches)
        for org in self.branches:
            self.fields[f"quota_{org.public_id}"] = forms.IntegerField(
                label=org.name, min_value=0, required=False
            )

    def quotas(self):
        return {org: self.cleaned_data.get(f"quota_{org.public_id}") or 0 for org in self.branches}
