"""Forms of the 党费 pages. Amounts are ``DecimalField`` (never float)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField
from zhibu.dues.models import LapseCase, Payment, Relief
from zhibu.dues.rates import Category, Rounding, parse_month

BAD_NUMBER = _("须为数字（元），如 5230.50。")
BAD_MONTH = _("月份格式不正确，请写成 2026-03。")
MONEY_MESSAGES = {"invalid": BAD_NUMBER, "max_decimal_places": _("金额最多两位小数（到分）。")}


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A month as "2026-03" → date(2026, 3, 1)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", MonthInput)
        super().__init__(**kwargs)

    def to_python(self, value) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise ValidationError(BAD_MONTH)
        return month

    def prepare_value(self, value):
        if isinstance(value, date):
            return f"{value.year}-{value.month:02d}"
        return value


def money(label, *, required: bool = True, help_text=None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=12,
        decimal_places=2,
        error_messages=MONEY_MESSAGES,
        help_text=help_text or "",
    )


class BaseForm(forms.Form):
    category = forms.ChoiceField(label=_("党费类别"), choices=Category.choices)
    base = money(
        _("党费基数（元/月）"),
        required=False,
        help_text=_("在职：每月工资收入（税后）；离退休：养老金；农民、学生、失业/低保无需填写"),
    )
    effective_month = MonthField(
        label=_("起始月份"), required=False, help_text=_("自领取新工资的当月起（DUES-08）")
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    version = VersionField()


class VoluntaryForm(forms.Form):
    amount = money(
        _("金额（元）"), help_text=_("一次自愿多交 1000 元以上的，全额上缴中央（DUES-09）")
    )
    paid_on = date_field(_("交纳日期"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ReliefForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Relief.Kind.choices)
    amount = money(_("减交后每月金额（元）"), required=False)
    from_month = MonthField(label=_("起始月份"))
    to_month = MonthField(label=_("截止月份"), required=False)
    reason = forms.CharField(label=_("理由"), max_length=300)
    discussed_on = date_field(_("支部讨论日期"))


class SheetCommon(forms.Form):
    """What the sheet's rows share; each row adds its own amount and on-behalf name."""

    method = forms.ChoiceField(label=_("交纳方式"), choices=Payment.Method.choices)
    paid_on = date_field(_("交纳日期"))
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class RemitForm(forms.Form):
    amount = money(_("上缴金额（元）"))
    remitted_on = date_field(_("上缴日期"))
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class CorrectionForm(forms.Form):
    """Correct a payment (amount, method, day) or reverse it, always with the reason."""

    action = forms.ChoiceField(
        label=_("处理方式"),
        choices=[("correct", _("更正")), ("reverse", _("冲销（删除该笔交纳，本月恢复为未交）"))],
        widget=forms.RadioSelect,
        initial="correct",
    )
    amount = money(_("金额（元）"), required=False)
    method = forms.ChoiceField(label=_("交纳方式"), choices=Payment.Method.choices, required=False)
    paid_on = date_field(_("交纳日期"), required=False)
    paid_by = forms.CharField(label=_("代交人"), max_length=50, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    reason = forms.CharField(label=_("理由"), max_length=300)
    version = VersionField()

    def clean(self):
        data = super().clean()
        if data.get("action") == "correct":
            for name in ("amount", "method", "paid_on"):
                if data.get(name) in (None, ""):
                    self.add_error(name, _("更正时须填写此项。"))
        return data


class PolicyForm(forms.Form):
    farmer_amount = money(
        _("农民党员每月党费（元）"), help_text=_("在 0.2 元至 1 元之间确定（DUES-05）")
    )
    rounding = forms.ChoiceField(
        label=_("计算精度"),
        choices=Rounding.choices,
        help_text=_("全国通行做法：计算到分，四舍五入"),
    )
    version = VersionField()


class PayrollForm(forms.Form):
    file = forms.FileField(label=_("工资名单（.xlsx）"))


class LapseDecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("支部意见"), choices=LapseCase.Decision.choices)
    decided_on = date_field(_("研究日期"))
    meeting = forms.ChoiceField(label=_("研究会议"), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, meetings=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.meetings = {str(m.public_id): m for m in meetings}
        self.fields["meeting"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(m.public_id), f"{m.on} {m.title}") for m in meetings
        ]

    def clean_meeting(self):
        value = self.cleaned_data.get("meeting")
        return self.meetings.get(value) if value else None


def parse_amount(text: str) -> Decimal | None:
    """A sheet cell's amount: None when it is not a number with at most two places."""
    try:
        value = Decimal(str(text).strip())
    except Exception:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return value
