"""Forms of the org pages. They validate shape; the services validate the rules."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field, indented
from zhibu.core.versioning import VersionField
from zhibu.orgs.models import Committee, CommitteePost, Org, Sector, Unit
from zhibu.orgs.services import ALLOWED_PARENTS


class OrgCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("组织类型"), choices=[])
    name = forms.CharField(label=_("名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=30, required=False)
    code = forms.CharField(
        label=_("组织代码"), max_length=30, help_text=_("本系统内唯一，如 RLJT-ZB01")
    )
    sector = forms.ChoiceField(label=_("领域"), choices=Sector.choices)
    units = forms.ModelMultipleChoiceField(
        label=_("所在单位"),
        queryset=Unit.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("联合党支部选择 2 至 5 个单位（条例第五条）"),
    )
    established_on = date_field(_("成立日期"))
    document_no = forms.CharField(label=_("批准文号"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)

    def __init__(self, *args, parent: Org, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [k for k in Org.Kind if parent.kind in ALLOWED_PARENTS[k]]
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.fields["sector"].initial = parent.sector
        self.fields["established_on"].initial = timezone.localdate()


class OrgEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=30, required=False)
    code = forms.CharField(label=_("组织代码"), max_length=30)
    sector = forms.ChoiceField(label=_("领域"), choices=Sector.choices)
    units = forms.ModelMultipleChoiceField(
        label=_("所在单位"),
        queryset=Unit.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    renamed_on = date_field(_("更名日期"), required=False, help_text=_("修改名称时填写"))
    document_no = forms.CharField(label=_("批准文号"), max_length=100, required=False)
    version = VersionField()


class OrgMoveForm(forms.Form):
    to_parent = forms.ChoiceField(label=_("新的上级组织"))
    on = date_field(_("调整日期"))
    document_no = forms.CharField(label=_("批准文号"), max_length=100)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_parent"].choices = indented(targets)


class OrgDissolveForm(forms.Form):
    on = date_field(_("撤销日期"))
    document_no = forms.CharField(label=_("批准文号"), max_length=100)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ElectForm(forms.Form):
    elected_on = date_field(_("选举日期"))
    method = forms.ChoiceField(label=_("选举方式"), choices=Committee.Method.choices)
    term_number = forms.IntegerField(
        label=_("届次"), min_value=1, required=False, help_text=_("留空则自动顺延")
    )


class FilingForm(forms.Form):
    filing = forms.ChoiceField(label=_("报批状态"), choices=Committee.Filing.choices)
    on = date_field(_("日期"))
    document = forms.CharField(label=_("批复文号"), max_length=100, required=False)


class PostForm(forms.Form):
    post = forms.ChoiceField(label=_("职务"), choices=[])
    holder = forms.ChoiceField(label=_("任职人"))
    start = date_field(_("任职日期"))
    end = date_field(_("离任日期"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, org: Org, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        if org.kind == Org.Kind.GROUP:
            posts = [CommitteePost.Post.GROUP_LEADER]
        else:
            posts = [p for p in CommitteePost.Post if p != CommitteePost.Post.GROUP_LEADER]
        self.fields["post"].choices = [(p.value, p.label) for p in posts]
        self.fields["holder"].choices = [
            (str(m.public_id), f"{m.name}（{m.org.short_name or m.org.name}）") for m in candidates
        ]


class ApproveForm(forms.Form):
    on = date_field(_("批复日期"))
    document = forms.CharField(label=_("批复文号"), max_length=100)


class EndForm(forms.Form):
    on = date_field(_("结束日期"))


class LinkageForm(forms.Form):
    person = forms.ChoiceField(label=_("联系人"))
    start = date_field(_("开始日期"))
    end = date_field(_("结束日期"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(m.public_id), m.name) for m in candidates]
