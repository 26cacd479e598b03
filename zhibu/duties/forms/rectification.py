"""Forms of the rectification pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field
from zhibu.core.versioning import VersionField
from zhibu.duties.models import Inspection

ACCEPT = ".pdf,.png,.jpg,.jpeg"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several evidence files in one input (checked by the service, not here)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("可选多个文件：JPG、PNG 或 PDF，每个最大 10 MB"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(FilesField, self).clean(item, initial) for item in items]


class ItemForm(forms.Form):
    problem = forms.CharField(label=_("问题"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("责任人"), required=False)
    deadline = date_field(_("整改期限"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(str(m.public_id), m.name) for m in people]


class CloseForm(forms.Form):
    evidence = forms.CharField(
        label=_("整改成效和佐证"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    evidence_files = FilesField(label=_("佐证材料文件"))
    on = date_field(_("销号日期"))
    version = VersionField()


class RecheckForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=_("复查结论"),
        choices=[("1", _("通过")), ("0", _("未通过，重新整改"))],
        coerce=lambda v: v == "1",
    )
    on = date_field(_("复查日期"))
    note = forms.CharField(label=_("复查意见"), max_length=300, required=False)
    version = VersionField()


class ProblemForm(forms.Form):
    """A problem found at a 组织生活会 (RESP-05), owned by someone on the meeting's roster."""

    problem = forms.CharField(label=_("查摆的问题"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("责任人"), required=False)
    deadline = date_field(_("整改期限"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(str(m.public_id), m.name) for m in people]


class FindingItemForm(forms.Form):
    """转为整改: a problem finding becomes an item (the problem defaults to its text)."""

    problem = forms.CharField(
        label=_("问题"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    measure = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ChoiceField(label=_("责任人"), required=False)
    deadline = date_field(_("整改期限"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—")] + [(str(m.public_id), m.name) for m in people]


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Inspection.Kind.choices)
    title = forms.CharField(label=_("名称"), max_length=200)
    on = date_field(_("检查日期"))
    inspectors = forms.CharField(label=_("检查组"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("检查情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
