"""Forms of the member pages. They check shape; the services check the rules (DQ-01..04 ...)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibu.core.forms import date_field, indented
from zhibu.members import selectors
from zhibu.members.choices import ETHNICITY_CHOICES, Education
from zhibu.members.models import (
    Attachment,
    CorrectionRequest,
    Member,
    MemberEvent,
    Mobility,
    Transfer,
)
from zhibu.members.services import REVEALABLE
from zhibu.orgs.models import Unit

BLANK = [("", "—")]
# Events recorded on the event form; transfers have their own workflow.
FORM_EVENT_KINDS = (
    MemberEvent.Kind.CONFIRMED,
    MemberEvent.Kind.PROBATION_EXTENDED,
    MemberEvent.Kind.PROBATION_CANCELLED,
    MemberEvent.Kind.MOVED,
    MemberEvent.Kind.SUSPENDED,
    MemberEvent.Kind.RESTORED,
    MemberEvent.Kind.PERSUADED_OUT,
    MemberEvent.Kind.REMOVED,
    MemberEvent.Kind.EXPELLED,
    MemberEvent.Kind.DECEASED,
)


def _group_choices(groups) -> list[tuple[str, str]]:
    return BLANK + [(str(g.public_id), g.name) for g in groups]


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    # The org's public id, picked with the autocomplete (members:org_search).
    org = forms.CharField(label=_("党组织"), required=False, max_length=36)
    status = forms.ChoiceField(
        label=_("党籍状态"),
        required=False,
        choices=[("", _("在册党员")), *list(Member.Status.choices)],
    )
    category = forms.ChoiceField(
        label=_("人员类别"),
        required=False,
        choices=[("", _("全部类别")), *list(Member.Category.choices)],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_org(self):
        value = self.cleaned_data["org"].strip()
        if not value:
            return None
        org = selectors.org_for_filter(self.user, value)
        if org is None:
            raise forms.ValidationError(_("找不到该党组织，或不在您可查看的范围内。"))
        return org

    def filters(self) -> dict:
        """Keyword arguments for ``member_list`` (empty when the form is invalid)."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "org": data["org"],
            "status": data["status"] or None,
            "category": data["category"] or None,
        }


class PersonFields(forms.Form):
    """The personal fields shared by the create and edit forms."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    former_name = forms.CharField(label=_("曾用名"), max_length=50, required=False)
    gender = forms.ChoiceField(label=_("性别"), choices=Member.Gender.choices)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=ETHNICITY_CHOICES, initial="汉族")
    birth_date = date_field(_("出生日期"))
    native_place = forms.CharField(label=_("籍贯"), max_length=50, required=False)
    education = forms.ChoiceField(
        label=_("学历"), choices=BLANK + list(Education.choices), required=False
    )
    degree = forms.CharField(label=_("学位"), max_length=30, required=False)
    occupation = forms.CharField(label=_("岗位/职务"), max_length=100, required=False)
    work_unit = forms.ModelChoiceField(
        label=_("工作单位"), queryset=Unit.objects.order_by("name"), required=False
    )
    address = forms.CharField(label=_("家庭住址"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("人员类别"), choices=Member.Category.choices)
    applied_on = date_field(_("申请入党日期"), required=False)


class MemberCreateForm(PersonFields):
    org = forms.ChoiceField(label=_("所在党支部"))
    group = forms.ChoiceField(label=_("所在党小组"), required=False)
    id_number = forms.CharField(
        label=_("公民身份号码"), max_length=18, required=False, help_text=_("18 位，末位可为 X")
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    admitted_on = date_field(_("入党日期"), help_text=_("支部大会通过接收为预备党员的日期"))
    full_on = date_field(_("转正日期"), required=False, help_text=_("预备党员留空"))
    document_no = forms.CharField(label=_("依据文件"), max_length=100, required=False)

    field_order = ["org", "group", "name", "gender", "id_number", "birth_date"]

    def __init__(self, *args, branches, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.branches = {str(o.public_id): o for o in branches}
        self.groups = {str(g.public_id): g for g in groups}
        self.fields["org"].choices = indented(branches)
        self.fields["group"].choices = _group_choices(groups)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["org"] = self.branches[data["org"]]
        data["group"] = self.groups.get(data["group"])
        return data


class MemberEditForm(PersonFields):
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    frail_exempt = forms.BooleanField(
        label=_("年老体弱/重病，不作组织生活和学习硬性要求"), required=False
    )
    frail_reason = forms.CharField(label=_("免予要求原因"), max_length=200, required=False)
    front_line = forms.BooleanField(label=_("生产工作一线"), required=False)
    # The record's version when the form was read (its updated_at, as the API's
    # ``version``): a save over someone else's newer change is refused.
    version = forms.DateTimeField(widget=forms.HiddenInput)

    field_order = ["name", "former_name", "gender", "id_number", "birth_date"]

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        # The stored numbers are never put into the form: blank keeps them.
        keep = _("留空则不修改。当前：%(value)s")
        self.fields["id_number"].help_text = keep % {"value": member.masked_id_number or "—"}
        self.fields["phone"].help_text = keep % {"value": member.masked_phone or "—"}

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["phone"] = data["phone"] or None
        return data

    @staticmethod
    def initial_for(member: Member) -> dict:
        from zhibu.members.services import EDITABLE_FIELDS

        return {
            **{f: getattr(member, f) for f in EDITABLE_FIELDS},
            "version": member.updated_at.isoformat(),
        }


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("变动类型"))
    on = date_field(_("变动日期"))
    org = forms.ChoiceField(
        label=_("调整后的党支部"), required=False, help_text=_("党内调整时选择")
    )
    group = forms.ChoiceField(label=_("党小组"), required=False)
    document_no = forms.CharField(label=_("依据文件"), max_length=100, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, kinds, branches, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.branches = {str(o.public_id): o for o in branches}
        self.groups = {str(g.public_id): g for g in groups}
        self.fields["org"].choices = BLANK + indented(branches)
        self.fields["group"].choices = _group_choices(groups)
        self.fields["on"].initial = timezone.localdate()

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["org"] = self.branches.get(data["org"])
        data["group"] = self.groups.get(data["group"])
        return data


class RevealForm(forms.Form):
    field = forms.ChoiceField(label=_("查看项目"), choices=list(REVEALABLE.items()))
    reason = forms.CharField(
        label=_("查看理由"),
        max_length=200,
        help_text=_("将记入审计日志，如：办理组织关系转接核对身份"),
    )


class TransferStartForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("转接类型"),
        choices=[
            (Transfer.Direction.INTERNAL, Transfer.Direction.INTERNAL.label),
            (Transfer.Direction.OUT, Transfer.Direction.OUT.label),
        ],
    )
    to_org = forms.CharField(
        label=_("接收党支部的组织代码"),
        max_length=30,
        required=False,
        help_text=_("系统内转接时填写，如 ZB01"),
    )
    outside_org = forms.CharField(
        label=_("系统外党组织全称"),
        max_length=200,
        required=False,
        help_text=_("转出至系统外时填写"),
    )
    requested_on = date_field(_("申请日期"))
    reason = forms.CharField(label=_("转接原因"), max_length=200, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_on"].initial = timezone.localdate()


class TransferApproveForm(forms.Form):
    issued_on = date_field(_("开具日期"))
    letter_no = forms.CharField(
        label=_("介绍信编号"), max_length=50, required=False, help_text=_("转出至系统外时必填")
    )
    valid_until = date_field(_("有效期至"), required=False, help_text=_("留空为开具日期起 3 个月"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate()


class TransferReceiveForm(forms.Form):
    on = date_field(_("接收日期"))
    group = forms.ChoiceField(label=_("编入党小组"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {str(g.public_id): g for g in groups}
        self.fields["group"].choices = _group_choices(groups)
        self.fields["on"].initial = timezone.localdate()


class TransferReceiptForm(forms.Form):
    on = date_field(_("回执所载接收日期"))


class TransferRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class TransferInForm(forms.Form):
    to_org = forms.ChoiceField(label=_("接收党支部"))
    group = forms.ChoiceField(label=_("编入党小组"), required=False)
    received_on = date_field(_("接收日期"))
    outside_org = forms.CharField(label=_("转出党组织全称"), max_length=200)
    letter_no = forms.CharField(label=_("介绍信编号"), max_length=50)
    issued_on = date_field(_("介绍信开具日期"), required=False)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18)
    name = forms.CharField(
        label=_("姓名"), max_length=50, required=False, help_text=_("首次转入本系统时填写以下各项")
    )
    gender = forms.ChoiceField(
        label=_("性别"), choices=BLANK + list(Member.Gender.choices), required=False
    )
    birth_date = date_field(_("出生日期"), required=False)
    category = forms.ChoiceField(label=_("人员类别"), choices=Member.Category.choices)
    admitted_on = date_field(_("入党日期"), required=False)
    full_on = date_field(_("转正日期"), required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args, branches, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.branches = {str(o.public_id): o for o in branches}
        self.groups = {str(g.public_id): g for g in groups}
        self.fields["to_org"].choices = indented(branches)
        self.fields["group"].choices = _group_choices(groups)
        self.fields["received_on"].initial = timezone.localdate()

    def service_kwargs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}
        data["to_org"] = self.branches[self.cleaned_data["to_org"]]
        data["group"] = self.groups.get(self.cleaned_data["group"])
        for key in ("id_number", "letter_no", "outside_org"):
            data.setdefault(key, "")
        return data


class MobilityForm(forms.Form):
    place = forms.CharField(
        label=_("流动地点"), max_length=200, help_text=_("如 广东省深圳市南山区")
    )
    other_org = forms.CharField(
        label=_("对方党组织"), max_length=200, required=False, help_text=_("流入地或流出地党组织")
    )
    reason = forms.ChoiceField(label=_("流动原因"), choices=Mobility.Reason.choices)
    contact = forms.CharField(label=_("联系方式"), max_length=50, required=False)
    started_on = date_field(_("开始日期"))
    expected_until = date_field(_("预计结束日期"), required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class MobilityInForm(MobilityForm):
    org = forms.ChoiceField(label=_("管理党支部"))
    person_name = forms.CharField(label=_("姓名"), max_length=50)

    field_order = ["org", "person_name"]

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.branches = {str(o.public_id): o for o in branches}
        self.fields["org"].choices = indented(branches)

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data["org"] = self.branches[data["org"]]
        return data


class DayForm(forms.Form):
    on = date_field(_("日期"))

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["on"].label = label
        self.fields["on"].initial = timezone.localdate()


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=Attachment.Kind.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    dated = date_field(_("材料日期"))
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、PNG 或 JPG，不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请使用下载的导入模板填写，.xlsx 格式"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("更正项目"), choices=CorrectionRequest.Field.choices)
    proposed = forms.CharField(label=_("应更正为"), max_length=200)
    reason = forms.CharField(label=_("说明"), max_length=300, required=False)


class CorrectionHandleForm(forms.Form):
    status = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            (CorrectionRequest.Status.DONE, _("已按申请更正")),
            (CorrectionRequest.Status.REJECTED, _("不予更正")),
        ],
    )
    response = forms.CharField(label=_("处理意见"), max_length=300, required=False)


class BulkForm(forms.Form):
    action = forms.ChoiceField(label=_("批量操作"), choices=[("group", _("调整党小组"))])
    m = forms.MultipleChoiceField(label=_("党员"), choices=[])
    group = forms.ChoiceField(label=_("党小组"), required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {str(g.public_id): g for g in groups}
        self.fields["group"].choices = _group_choices(groups)
        # The ids are checked against the user's scope in the view, not listed here.
        self.fields["m"].choices = [(v, v) for v in self.data.getlist("m")] if self.data else []
