from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field


class ExemptionForm(forms.Form):
    start = date_field(_("开始日期"))
    end = date_field(_("结束日期"))
    reason = forms.CharField(
        label=_("豁免理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("审批"), choices=[("1", _("批准")), ("0", _("驳回"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class SupplementForm(forms.Form):
    effective_from = date_field(_("生效日期"))
    effective_to = date_field(_("失效日期"), required=False)
    enabled = forms.BooleanField(label=_("启用"), required=False, initial=True)
    document_no = forms.CharField(label=_("文件依据"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, rule, **kwargs):
        super().__init__(*args, **kwargs)
        for param in rule.params:
            self.fields[f"param_{param.name}"] = forms.IntegerField(
                label=f"{param.label}（{param.unit}）" if param.unit else param.label,
                required=False,
                min_value=0,
                help_text=_("全国标准：%(v)s") % {"v": param.default},
            )

    def params(self) -> dict[str, int]:
        return {
            name.removeprefix("param_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("param_") and value is not None
        }
