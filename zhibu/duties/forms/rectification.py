"""Forms of the rectification pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field


class ItemForm(forms.Form):
    problem = forms.CharField(label=_("问题"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("责任人"), required=False)
    deadline = date_field(_("整改期限"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(str(m.public_id), m.name) for m in people]


class CloseForm(forms.Form):
    evidence = forms.CharField(label=_("整改成效和佐证"), widget=forms.Textarea(attrs={"rows": 4}))
    on = date_field(_("销号日期"))


class RecheckForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("复查结论"),
        choices=[("1", _("通过")), ("0", _("未通过，重新整改"))],
        coerce=lambda v: v == "1",
    )
    on = date_field(_("复查日期"))
    note = forms.CharField(label=_("复查意见"), max_length=300, required=False)


class ProblemForm(forms.Form):
    """A problem found at a 组织生活会 (RESP-05), owned by someone on the meeting's roster."""

    problem = forms.CharField(label=_("查摆的问题"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("责任人"), required=False)
    deadline = date_field(_("整改期限"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(str(m.public_id), m.name) for m in people]
