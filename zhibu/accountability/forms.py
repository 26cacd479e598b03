"""The 问责 decision form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField
from zhibu.duties.forms.rectification import FilesField

from .models import Decision

SIGNAL_CHOICE = _("所选线索不存在、已被处理或不在您的管理范围内，请刷新后重新选择。")


class DecisionForm(forms.Form):
    signals = forms.MultipleChoiceField(
        label=_("问责线索"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": SIGNAL_CHOICE},
    )
    kind = forms.ChoiceField(label=_("问责方式"), choices=Decision.Kind.choices)
    decided_on = date_field(_("决定日期"))
    deciding_org = forms.ChoiceField(label=_("决定机关"))
    person = forms.ChoiceField(label=_("责任人"), required=False)
    reason = forms.CharField(
        label=_("问责事由"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    document_no = forms.CharField(label=_("文号"), max_length=100, required=False)
    discipline_ref = forms.CharField(
        label=_("纪律处分记录编号"),
        max_length=64,
        required=False,
        help_text=_("仅纪律处分：对应纪律处分记录的编号（可稍后补填）"),
    )
    attachments = FilesField(label=_("附件（问责决定书等）"))
    version = VersionField()

    def __init__(self, *args, signals=None, deciders=(), people=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["signals"]
        else:
            self.fields["signals"].choices = signals or []
        self.fields["deciding_org"].choices = [(str(o.public_id), o.name) for o in deciders]
        self.fields["person"].choices = [("", "—")] + [
            (str(m.public_id), f"{m.name}（{m.org.short_name or m.org.name}）") for m in people
        ]
