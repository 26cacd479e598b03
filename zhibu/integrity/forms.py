from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.versioning import VersionField
from zhibu.integrity.models import FlagReview


class MarkForm(forms.Form):
    state = forms.ChoiceField(label=_("核查结论"), choices=FlagReview.State.choices)
    reason = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("标注为“已说明”时必填：为什么这条记录是真实的"),
    )
    version = VersionField()
